//! FHIR R4 (feature `fhir`): a `Questionnaire` for the intake, reading a
//! `QuestionnaireResponse` into an [`Intake`], and the result as a `RiskAssessment`.
//!
//! The few resources needed are modelled here with serde rather than through a full FHIR
//! crate, whose generated models for every resource would cost far more to compile than the
//! engine itself. Each item's `linkId` is the intake field's dotted path
//! (`safety.suicide_risk`), so an error naming a JSON path names the linkId too.
//!
//! The result is written as a `RiskAssessment` rather than a `ServiceRequest` or `CarePlan`:
//! the engine's output is an assessment that a clinician reviews, not an order or an agreed
//! plan; its `basis` references the `QuestionnaireResponse` it was computed from.

use crate::answer::{AnswerKind, Field};
use crate::report::Report;
use crate::{Intake, Level};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The code system used for the intake's choices (there is no national one for these).
pub const CHOICE_SYSTEM: &str = "urn:carelevel:choice";
/// The code system used for levels of care (there is no national code for a level of care).
pub const LEVEL_SYSTEM: &str = "urn:carelevel:level-of-care";
/// The canonical URL of the intake questionnaire.
pub const QUESTIONNAIRE_URL: &str = "urn:carelevel:questionnaire:intake";
/// The version of the intake questionnaire: the crate's version (as `carelevel::VERSION`), so
/// a response's `questionnaire` canonical `URL|version` names the release whose form it
/// answers.
pub const QUESTIONNAIRE_VERSION: &str = env!("CARGO_PKG_VERSION");
/// The `QuestionnaireResponse.status` values that are assessed.
pub const ACCEPTED_STATUSES: &[&str] = &["completed", "amended"];
const LOINC: &str = "http://loinc.org";

/// A FHIR Coding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coding {
    /// Code system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// Code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Display text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

/// A FHIR CodeableConcept.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CodeableConcept {
    /// Codings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coding: Vec<Coding>,
    /// Text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// A FHIR Reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// The reference, e.g. `QuestionnaireResponse/123`.
    pub reference: String,
}

/// A FHIR Extension with an integer value (for `minValue`/`maxValue`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Extension {
    /// The extension's URL.
    pub url: String,
    /// Its value.
    pub value_integer: i64,
}

/// An answer option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnswerOption {
    /// The coded option.
    pub value_coding: Coding,
}

/// A Questionnaire item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionnaireItem {
    /// The item's id: the intake field's dotted path.
    pub link_id: String,
    /// The question.
    pub text: String,
    /// `group`, `choice`, `integer`, `boolean` or `string`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Whether it must be answered.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// Whether it may be answered more than once.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub repeats: bool,
    /// Codes for the question (LOINC where one exists).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub code: Vec<Coding>,
    /// The allowed answers of a choice.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answer_option: Vec<AnswerOption>,
    /// `minValue` / `maxValue`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<Extension>,
    /// Child items of a group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub item: Vec<QuestionnaireItem>,
}

/// A Questionnaire resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Questionnaire {
    /// Always `Questionnaire`.
    pub resource_type: String,
    /// Canonical URL ([`QUESTIONNAIRE_URL`]).
    pub url: String,
    /// Business version ([`QUESTIONNAIRE_VERSION`]): a response names it in its
    /// `questionnaire` canonical as `url|version`.
    pub version: String,
    /// `active`.
    pub status: String,
    /// Title.
    pub title: String,
    /// The items.
    pub item: Vec<QuestionnaireItem>,
}

/// An answer in a QuestionnaireResponse.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseAnswer {
    /// A coded answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_coding: Option<Coding>,
    /// An integer answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_integer: Option<i64>,
    /// A yes/no answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_boolean: Option<bool>,
    /// A text answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_string: Option<String>,
}

/// An item in a QuestionnaireResponse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseItem {
    /// The item's linkId.
    pub link_id: String,
    /// Answers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answer: Vec<ResponseAnswer>,
    /// Child items (groups).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub item: Vec<ResponseItem>,
}

/// A QuestionnaireResponse resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionnaireResponse {
    /// Always `QuestionnaireResponse`.
    pub resource_type: String,
    /// The questionnaire answered: its canonical URL, optionally `|version`. Required by
    /// [`intake_from_response`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub questionnaire: Option<String>,
    /// `completed` or `amended` to be assessed; `in-progress`, `stopped`,
    /// `entered-in-error`, ... are not.
    pub status: String,
    /// The items.
    #[serde(default)]
    pub item: Vec<ResponseItem>,
}

/// A prediction in a RiskAssessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Prediction {
    /// The recommended level of care.
    pub outcome: CodeableConcept,
    /// Why.
    pub rationale: String,
}

/// A FHIR Annotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotation {
    /// Text.
    pub text: String,
}

/// A RiskAssessment resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RiskAssessment {
    /// Always `RiskAssessment`.
    pub resource_type: String,
    /// `final`.
    pub status: String,
    /// The person assessed.
    pub subject: Reference,
    /// The method: the rule pack and its version.
    pub method: CodeableConcept,
    /// What it rests on: the QuestionnaireResponse.
    pub basis: Vec<Reference>,
    /// The recommended level.
    pub prediction: Vec<Prediction>,
    /// Services and referrals of the plan, as text.
    pub mitigation: String,
    /// The binding rules and the pack digest.
    pub note: Vec<Annotation>,
}

/// Why a QuestionnaireResponse could not be read.
///
/// Messages are one line and never contain a string value from the response (a status, a
/// canonical, a code system, a code, a resource type or free text): they say what was
/// expected instead. A linkId is shown only when it is short and identifier-like (see
/// [`GivenLinkId`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FhirError {
    /// Not a QuestionnaireResponse.
    #[error("`resourceType` is not `QuestionnaireResponse`")]
    WrongResource,
    /// A `status` that is not assessed (neither `completed` nor `amended`).
    #[error(
        "`status` is not one that is assessed: accepted statuses are `completed` and `amended`"
    )]
    StatusNotAccepted,
    /// `status` is `in-progress`: a partial response, which is not yet assessed.
    #[error(
        "`status` marks a partial response, and partial responses are not yet assessed: accepted statuses are `completed` and `amended`"
    )]
    PartialResponse,
    /// No `questionnaire` element: the response must say which form it answers.
    #[error(
        "`questionnaire` is missing: expected `{url}` or `{url}|{version}`",
        url = QUESTIONNAIRE_URL,
        version = QUESTIONNAIRE_VERSION
    )]
    MissingQuestionnaire,
    /// A `questionnaire` canonical other than the intake questionnaire's.
    #[error(
        "`questionnaire` is not the carelevel intake questionnaire: expected `{url}` or `{url}|{version}`",
        url = QUESTIONNAIRE_URL,
        version = QUESTIONNAIRE_VERSION
    )]
    WrongQuestionnaire,
    /// The intake questionnaire's URL with a version other than [`QUESTIONNAIRE_VERSION`].
    #[error(
        "`questionnaire` names another version of the carelevel intake questionnaire: expected `{url}|{version}`",
        url = QUESTIONNAIRE_URL,
        version = QUESTIONNAIRE_VERSION
    )]
    WrongQuestionnaireVersion,
    /// A linkId the questionnaire does not have (at that place in the tree).
    #[error("{0} is not an item of the carelevel intake questionnaire")]
    UnknownLinkId(GivenLinkId),
    /// An answer of the wrong type.
    #[error("linkId `{link_id}`: expected {expected}")]
    WrongAnswerType {
        /// The item.
        link_id: String,
        /// What was expected.
        expected: &'static str,
    },
    /// More than one answer to a non-repeating item.
    #[error("linkId `{0}` has more than one answer but does not repeat")]
    TooManyAnswers(String),
    /// An item or group that appears more than once among its siblings although it does not
    /// repeat, or a repeating choice given as several items rather than one item with several
    /// answers.
    #[error(
        "linkId `{link_id}` appears more than once{}",
        if *repeats {
            ": a repeating choice's answers belong in one item's `answer` list"
        } else {
            " but does not repeat"
        }
    )]
    RepeatedItem {
        /// The item.
        link_id: String,
        /// Whether the item is a repeating choice (whose answers repeat, not the item).
        repeats: bool,
    },
    /// A coded answer whose `system` is missing or is not the one the item declares.
    #[error("linkId `{link_id}`: expected a valueCoding with system `{system}`")]
    WrongSystem {
        /// The item.
        link_id: String,
        /// The system the item's answer options use.
        system: String,
    },
    /// A coded answer whose `code` is not one of the item's answer options.
    #[error("linkId `{link_id}`: expected a code of the item's answer options: {expected}")]
    UnknownCode {
        /// The item.
        link_id: String,
        /// The item's codes, each in backticks, separated by `, `.
        expected: String,
    },
    /// The answers do not make a valid intake.
    #[error("linkId `{link_id}`: {message}")]
    Intake {
        /// The item.
        link_id: String,
        /// What is wrong.
        message: String,
    },
}

/// A linkId from a response, as an error shows it: the linkId itself only when it is short
/// and identifier-like, otherwise just its length, so text typed into a linkId never reaches
/// an error message or a log.
///
/// # Examples
///
/// ```
/// use carelevel::fhir::GivenLinkId;
/// assert_eq!(GivenLinkId::new("safety.mood").to_string(), "linkId `safety.mood`");
/// assert_eq!(GivenLinkId::new("Jane Doe, 1 May").to_string(), "a linkId of 15 characters");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GivenLinkId {
    /// At most [`GivenLinkId::MAX_SHOWN`] characters, each a lowercase ASCII letter, a digit,
    /// `_`, `.` or `-`: shown.
    Shown(String),
    /// Anything else: withheld, only its length in characters is shown.
    Withheld {
        /// Its length in characters.
        chars: usize,
    },
}

impl GivenLinkId {
    /// The longest linkId that is shown.
    pub const MAX_SHOWN: usize = 64;

    /// Classifies a linkId given in a response.
    pub fn new(link_id: &str) -> GivenLinkId {
        let chars = link_id.chars().count();
        let identifier_like = (1..=Self::MAX_SHOWN).contains(&chars)
            && link_id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c));
        if identifier_like {
            GivenLinkId::Shown(link_id.to_owned())
        } else {
            GivenLinkId::Withheld { chars }
        }
    }
}

impl std::fmt::Display for GivenLinkId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GivenLinkId::Shown(s) => write!(f, "linkId `{s}`"),
            GivenLinkId::Withheld { chars: 1 } => f.write_str("a linkId of 1 character"),
            GivenLinkId::Withheld { chars } => write!(f, "a linkId of {chars} characters"),
        }
    }
}

#[derive(Clone, Copy)]
enum Ty {
    Group,
    RepeatingGroup,
    Choice(&'static [&'static str]),
    Choices(&'static [&'static str]),
    Integer(i64, i64),
    Boolean,
    Text,
}

struct Def {
    link: &'static str,
    text: &'static str,
    ty: Ty,
    required: bool,
    loinc: Option<(&'static str, &'static str)>,
    children: &'static [Def],
}

const fn def(link: &'static str, text: &'static str, ty: Ty, required: bool) -> Def {
    Def {
        link,
        text,
        ty,
        required,
        loinc: None,
        children: &[],
    }
}

const fn group(link: &'static str, text: &'static str, children: &'static [Def]) -> Def {
    Def {
        link,
        text,
        ty: Ty::Group,
        required: false,
        loinc: None,
        children,
    }
}

/// A choice item whose options come from the answer catalogue, so they cannot drift.
const fn c(f: Field) -> Ty {
    match f.info().kind {
        AnswerKind::Choice(options) => Ty::Choice(options),
        _ => Ty::Text,
    }
}

const SUBSTANCES: &[&str] = &[
    "alcohol",
    "opioids",
    "stimulants",
    "cannabis",
    "sedatives",
    "other",
];
const LEVELS: &[&str] = &["outpatient", "iop", "php", "inpatient"];
const COMMITMENTS: &[&str] = &["work", "school", "caregiving"];

static TREE: &[Def] = &[
    def("age", "Age in years", Ty::Integer(0, 120), true),
    group(
        "safety",
        "Acute safety",
        &[
            def(
                "safety.suicide_risk",
                "Suicide risk (Columbia screener)",
                c(Field::SuicideRisk),
                true,
            ),
            def(
                "safety.harm_to_others",
                "Risk of harm to others",
                c(Field::HarmToOthers),
                true,
            ),
            def(
                "safety.psychosis_or_unable_to_self_care",
                "Psychosis or unable to care for self",
                Ty::Boolean,
                true,
            ),
        ],
    ),
    group(
        "withdrawal",
        "Withdrawal",
        &[
            def(
                "withdrawal.ciwa_ar",
                "CIWA-Ar score",
                Ty::Integer(0, 67),
                false,
            ),
            def("withdrawal.cows", "COWS score", Ty::Integer(0, 48), false),
            def(
                "withdrawal.seizure_or_dt_history",
                "History of withdrawal seizures or delirium tremens",
                Ty::Boolean,
                true,
            ),
        ],
    ),
    group(
        "medical",
        "Medical stability",
        &[def(
            "medical.status",
            "Medical status",
            c(Field::MedicalStatus),
            true,
        )],
    ),
    group(
        "severity",
        "Severity",
        &[
            def(
                "severity.no_substance_use_disorder",
                "Assessed: no substance use disorder",
                Ty::Boolean,
                false,
            ),
            Def {
                ty: Ty::RepeatingGroup,
                ..group(
                    "severity.substance_use",
                    "Substance use disorder",
                    &[
                        def(
                            "severity.substance_use.substance",
                            "Substance",
                            Ty::Choice(SUBSTANCES),
                            true,
                        ),
                        def(
                            "severity.substance_use.dsm5_criteria",
                            "DSM-5 criteria met (past 12 months)",
                            Ty::Integer(0, 11),
                            true,
                        ),
                    ],
                )
            },
            Def {
                loinc: Some((
                    "44261-6",
                    "Patient Health Questionnaire 9 item (PHQ-9) total score",
                )),
                ..def(
                    "severity.phq9",
                    "PHQ-9 total score",
                    Ty::Integer(0, 27),
                    false,
                )
            },
            Def {
                loinc: Some((
                    "70274-6",
                    "Generalized anxiety disorder 7 item (GAD-7) total score",
                )),
                ..def(
                    "severity.gad7",
                    "GAD-7 total score",
                    Ty::Integer(0, 21),
                    false,
                )
            },
            def(
                "severity.clinician_rating",
                "Clinician's mental-health severity rating",
                c(Field::ClinicianRating),
                false,
            ),
            def(
                "severity.impairs_daily_activities",
                "Symptoms stop daily activities",
                Ty::Boolean,
                false,
            ),
        ],
    ),
    def(
        "self_management",
        "Manages symptoms and cravings in evenings and at weekends",
        c(Field::SelfManagement),
        true,
    ),
    group(
        "history",
        "Treatment history",
        &[
            def(
                "history.current_setting",
                "Current or just-finished setting",
                c(Field::CurrentSetting),
                true,
            ),
            def(
                "history.progress",
                "How treatment there is going",
                c(Field::Progress),
                false,
            ),
            def(
                "history.earlier_levels_not_held",
                "Levels where an earlier episode did not hold",
                Ty::Choices(LEVELS),
                false,
            ),
        ],
    ),
    group(
        "home",
        "Home stability",
        &[
            def(
                "home.substance_free",
                "Home is substance-free",
                Ty::Boolean,
                false,
            ),
            def(
                "home.supportive",
                "People at home support recovery",
                Ty::Boolean,
                false,
            ),
            def(
                "home.safe",
                "Home is free of violence and toxicity",
                Ty::Boolean,
                false,
            ),
            def(
                "home.stable_housing",
                "Housing is stable",
                Ty::Boolean,
                false,
            ),
            def(
                "home.substance_free_housing_arranged",
                "Substance-free housing is arranged",
                Ty::Boolean,
                false,
            ),
        ],
    ),
    group(
        "engagement",
        "Engagement and practical needs",
        &[
            def(
                "engagement.stage_of_change",
                "Stage of change",
                c(Field::StageOfChange),
                false,
            ),
            def(
                "engagement.can_attend_several_days",
                "Able and willing to attend several days a week",
                Ty::Boolean,
                false,
            ),
            def(
                "engagement.commitments",
                "Commitments",
                Ty::Choices(COMMITMENTS),
                false,
            ),
            def(
                "engagement.needs_transportation",
                "Needs transportation",
                Ty::Boolean,
                false,
            ),
            def(
                "engagement.needs_childcare",
                "Needs childcare",
                Ty::Boolean,
                false,
            ),
            group(
                "engagement.preferences",
                "Preferences",
                &[
                    def(
                        "engagement.preferences.cultural",
                        "Cultural preferences",
                        Ty::Text,
                        false,
                    ),
                    def(
                        "engagement.preferences.language",
                        "Preferred language",
                        Ty::Text,
                        false,
                    ),
                    def(
                        "engagement.preferences.spiritual",
                        "Spiritual preferences",
                        Ty::Text,
                        false,
                    ),
                ],
            ),
        ],
    ),
    def("notes", "Notes", Ty::Text, false),
];

/// The last segment of a linkId: its key in the intake's JSON.
fn key(link: &str) -> &str {
    link.rsplit('.').next().unwrap_or(link)
}

fn to_item(d: &Def) -> QuestionnaireItem {
    let (kind, options, bounds, repeats) = match d.ty {
        Ty::Group => ("group", &[][..], None, false),
        Ty::RepeatingGroup => ("group", &[][..], None, true),
        Ty::Choice(o) => ("choice", o, None, false),
        Ty::Choices(o) => ("choice", o, None, true),
        Ty::Integer(lo, hi) => ("integer", &[][..], Some((lo, hi)), false),
        Ty::Boolean => ("boolean", &[][..], None, false),
        Ty::Text => ("string", &[][..], None, false),
    };
    QuestionnaireItem {
        link_id: d.link.to_owned(),
        text: d.text.to_owned(),
        kind: kind.to_owned(),
        required: d.required,
        repeats,
        code: d
            .loinc
            .iter()
            .map(|(code, display)| Coding {
                system: Some(LOINC.to_owned()),
                code: Some((*code).to_owned()),
                display: Some((*display).to_owned()),
            })
            .collect(),
        answer_option: options
            .iter()
            .map(|o| AnswerOption {
                value_coding: Coding {
                    system: Some(choice_system(d)),
                    code: Some((*o).to_owned()),
                    display: Some(o.replace('_', " ")),
                },
            })
            .collect(),
        extension: bounds
            .map(|(lo, hi)| {
                vec![
                    Extension {
                        url: "http://hl7.org/fhir/StructureDefinition/minValue".into(),
                        value_integer: lo,
                    },
                    Extension {
                        url: "http://hl7.org/fhir/StructureDefinition/maxValue".into(),
                        value_integer: hi,
                    },
                ]
            })
            .unwrap_or_default(),
        item: d.children.iter().map(to_item).collect(),
    }
}

/// The intake as a FHIR R4 `Questionnaire`, so an EHR can render the form.
///
/// # Examples
///
/// ```
/// let q = carelevel::fhir::questionnaire();
/// let json = serde_json::to_string(&q).unwrap();
/// assert!(json.contains(r#""linkId":"safety.suicide_risk""#));
/// assert!(json.contains("44261-6")); // PHQ-9 total, LOINC
/// assert_eq!(q.version, carelevel::fhir::QUESTIONNAIRE_VERSION);
/// ```
pub fn questionnaire() -> Questionnaire {
    Questionnaire {
        resource_type: "Questionnaire".into(),
        url: QUESTIONNAIRE_URL.into(),
        version: QUESTIONNAIRE_VERSION.into(),
        status: "active".into(),
        title: "carelevel behavioural-health intake".into(),
        item: TREE.iter().map(to_item).collect(),
    }
}

fn one(item: &ResponseItem) -> Result<Option<&ResponseAnswer>, FhirError> {
    match item.answer.as_slice() {
        [] => Ok(None),
        [a] => Ok(Some(a)),
        _ => Err(FhirError::TooManyAnswers(item.link_id.clone())),
    }
}

/// The code system of a choice item's answer options.
fn choice_system(d: &Def) -> String {
    format!("{CHOICE_SYSTEM}:{}", d.link)
}

fn answer_value(d: &Def, a: &ResponseAnswer) -> Result<Value, FhirError> {
    let wrong = |expected| FhirError::WrongAnswerType {
        link_id: d.link.to_owned(),
        expected,
    };
    // FHIR allows exactly one value[x] per answer: a second one would be silently dropped.
    let values = usize::from(a.value_coding.is_some())
        + usize::from(a.value_integer.is_some())
        + usize::from(a.value_boolean.is_some())
        + usize::from(a.value_string.is_some());
    if values > 1 {
        return Err(wrong("exactly one value[x] in each answer"));
    }
    match d.ty {
        Ty::Choice(options) | Ty::Choices(options) => {
            let coding = a
                .value_coding
                .as_ref()
                .ok_or_else(|| wrong("a coded answer (valueCoding with a code)"))?;
            let system = choice_system(d);
            if coding.system.as_deref() != Some(system.as_str()) {
                return Err(FhirError::WrongSystem {
                    link_id: d.link.to_owned(),
                    system,
                });
            }
            let code = coding
                .code
                .as_deref()
                .ok_or_else(|| wrong("a coded answer (valueCoding with a code)"))?;
            if !options.contains(&code) {
                return Err(FhirError::UnknownCode {
                    link_id: d.link.to_owned(),
                    expected: options
                        .iter()
                        .map(|o| format!("`{o}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
            Ok(Value::String(code.to_owned()))
        }
        Ty::Integer(..) => a
            .value_integer
            .map(Value::from)
            .ok_or_else(|| wrong("an integer answer (valueInteger)")),
        Ty::Boolean => a
            .value_boolean
            .map(Value::Bool)
            .ok_or_else(|| wrong("a yes/no answer (valueBoolean)")),
        Ty::Text => a
            .value_string
            .clone()
            .map(Value::String)
            .ok_or_else(|| wrong("a text answer (valueString)")),
        Ty::Group | Ty::RepeatingGroup => Err(wrong("child items, not an answer")),
    }
}

const NO_SUD: &str = "severity.no_substance_use_disorder";
const SUBSTANCE_USE: &str = "severity.substance_use";

/// Reads response items into `out` (the JSON object at this level).
///
/// Nothing is dropped or overridden: an item or group that does not repeat may appear only
/// once among its siblings, a repeating choice is one item with several answers, a group
/// takes no answers and a question no child items.
fn read_items(
    items: &[ResponseItem],
    within: &'static [Def],
    out: &mut Map<String, Value>,
) -> Result<(), FhirError> {
    let mut seen: Vec<&'static str> = Vec::new();
    let mut no_sud = false;
    for item in items {
        let d = within
            .iter()
            .find(|d| d.link == item.link_id)
            .ok_or_else(|| FhirError::UnknownLinkId(GivenLinkId::new(&item.link_id)))?;
        if !matches!(d.ty, Ty::RepeatingGroup) {
            if seen.contains(&d.link) {
                return Err(FhirError::RepeatedItem {
                    link_id: d.link.to_owned(),
                    repeats: matches!(d.ty, Ty::Choices(_)),
                });
            }
            seen.push(d.link);
        }
        let wrong = |expected| FhirError::WrongAnswerType {
            link_id: d.link.to_owned(),
            expected,
        };
        match d.ty {
            Ty::Group | Ty::RepeatingGroup if !item.answer.is_empty() => {
                return Err(wrong("child items, not an answer"));
            }
            Ty::Group => {
                let mut m = Map::new();
                read_items(&item.item, d.children, &mut m)?;
                out.insert(key(d.link).to_owned(), Value::Object(m));
            }
            Ty::RepeatingGroup => {
                let mut m = Map::new();
                read_items(&item.item, d.children, &mut m)?;
                let entry = out
                    .entry(key(d.link))
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(list) = entry {
                    list.push(Value::Object(m));
                }
            }
            _ if !item.item.is_empty() => {
                return Err(wrong("answers, not child items"));
            }
            Ty::Choices(_) => {
                let values = item
                    .answer
                    .iter()
                    .map(|a| answer_value(d, a))
                    .collect::<Result<Vec<_>, _>>()?;
                out.insert(key(d.link).to_owned(), Value::Array(values));
            }
            _ if d.link == NO_SUD => {
                if let Some(a) = one(item)? {
                    no_sud = answer_value(d, a)? == Value::Bool(true);
                }
            }
            _ => {
                if let Some(a) = one(item)? {
                    out.insert(key(d.link).to_owned(), answer_value(d, a)?);
                }
            }
        }
    }
    if no_sud {
        // "No substance use disorder" is an empty list of disorders: it cannot stand beside
        // a disorder, or one of the two answers would be dropped.
        if out.contains_key(key(SUBSTANCE_USE)) {
            return Err(FhirError::Intake {
                link_id: NO_SUD.to_owned(),
                message: format!(
                    "answered yes, but `{SUBSTANCE_USE}` groups are present: answer one or the other"
                ),
            });
        }
        out.insert(key(SUBSTANCE_USE).to_owned(), Value::Array(Vec::new()));
    }
    Ok(())
}

/// Checks the response's `status` and `questionnaire` canonical.
fn check_header(response: &QuestionnaireResponse) -> Result<(), FhirError> {
    if response.resource_type != "QuestionnaireResponse" {
        return Err(FhirError::WrongResource);
    }
    match response.status.as_str() {
        s if ACCEPTED_STATUSES.contains(&s) => {}
        "in-progress" => return Err(FhirError::PartialResponse),
        _ => return Err(FhirError::StatusNotAccepted),
    }
    let canonical = response
        .questionnaire
        .as_deref()
        .ok_or(FhirError::MissingQuestionnaire)?;
    let (url, version) = match canonical.split_once('|') {
        Some((url, version)) => (url, Some(version)),
        None => (canonical, None),
    };
    if url != QUESTIONNAIRE_URL {
        return Err(FhirError::WrongQuestionnaire);
    }
    if version.is_some_and(|v| v != QUESTIONNAIRE_VERSION) {
        return Err(FhirError::WrongQuestionnaireVersion);
    }
    Ok(())
}

/// The linkId for a JSON path such as `severity.substance_use[0].dsm5_criteria`.
fn link_of(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut skip = false;
    for ch in path.chars() {
        match ch {
            '[' => skip = true,
            ']' => skip = false,
            _ if !skip => out.push(ch),
            _ => {}
        }
    }
    out
}

/// Reads a `QuestionnaireResponse` to the intake questionnaire into an [`Intake`].
///
/// The response must be `completed` or `amended` and must name the intake questionnaire in
/// `questionnaire` ([`QUESTIONNAIRE_URL`], optionally `|`[`QUESTIONNAIRE_VERSION`]). No
/// answer is dropped or overridden: what would be is an error instead.
///
/// # Errors
///
/// - [`FhirError::WrongResource`]: `resourceType` is not `QuestionnaireResponse`.
/// - [`FhirError::PartialResponse`] for `in-progress`, [`FhirError::StatusNotAccepted`] for
///   any other status but `completed` and `amended` (`stopped`, `entered-in-error`, ...).
/// - [`FhirError::MissingQuestionnaire`], [`FhirError::WrongQuestionnaire`],
///   [`FhirError::WrongQuestionnaireVersion`]: the `questionnaire` canonical is missing, names
///   another questionnaire, or another version of this one.
/// - [`FhirError::UnknownLinkId`]: an item the questionnaire does not have at that place.
/// - [`FhirError::RepeatedItem`]: an item or group that does not repeat appears twice among
///   its siblings (two `safety` groups, two `safety.suicide_risk` items). A repeating choice
///   (`history.earlier_levels_not_held`, `engagement.commitments`) is rejected too when given
///   as several items: its answers belong in one item's `answer` list. Only the repeating
///   group `severity.substance_use` may appear more than once.
/// - [`FhirError::WrongAnswerType`]: an answer of the wrong type, more than one `value[x]` in
///   an answer, an answer on a group or child items on a question;
///   [`FhirError::TooManyAnswers`]: several answers to a single item.
/// - [`FhirError::WrongSystem`]: a `valueCoding` whose `system` is missing or is not the one
///   the item's answer options use (`urn:carelevel:choice:<linkId>`);
///   [`FhirError::UnknownCode`]: a code that is not one of the item's answer options.
/// - [`FhirError::Intake`]: a value the intake does not accept (a negative number), or
///   `severity.no_substance_use_disorder` answered yes beside `severity.substance_use` groups.
///
/// Each names the linkId (or the element) and what was expected, never a string from the
/// response. Completeness and ranges are then checked by
/// [`RulePack::assess`](crate::RulePack::assess), which names the same paths.
///
/// # Examples
///
/// ```
/// use carelevel::fhir::{FhirError, intake_from_response, response_from_intake};
/// # let json = include_str!("../examples/intakes/iop_primary.json");
/// let intake = carelevel::Intake::from_json(json)?;
/// let mut response = response_from_intake(&intake);
/// assert_eq!(intake_from_response(&response).unwrap(), intake);
///
/// response.status = "entered-in-error".into();
/// assert_eq!(intake_from_response(&response), Err(FhirError::StatusNotAccepted));
/// # Ok::<(), carelevel::IntakeError>(())
/// ```
pub fn intake_from_response(response: &QuestionnaireResponse) -> Result<Intake, FhirError> {
    check_header(response)?;
    let mut root = Map::new();
    read_items(&response.item, TREE, &mut root)?;
    serde_path_to_error::deserialize(Value::Object(root)).map_err(|e| FhirError::Intake {
        link_id: link_of(&e.path().to_string()),
        message: crate::json::redact(&e.inner().to_string()),
    })
}

fn answers_of(d: &Def, v: &Value) -> Vec<ResponseAnswer> {
    let one = |v: &Value| -> Option<ResponseAnswer> {
        match (d.ty, v) {
            (Ty::Choice(_) | Ty::Choices(_), Value::String(s)) => Some(ResponseAnswer {
                value_coding: Some(Coding {
                    system: Some(choice_system(d)),
                    code: Some(s.clone()),
                    display: None,
                }),
                ..Default::default()
            }),
            (Ty::Integer(..), Value::Number(n)) => Some(ResponseAnswer {
                value_integer: n.as_i64(),
                ..Default::default()
            }),
            (Ty::Boolean, Value::Bool(b)) => Some(ResponseAnswer {
                value_boolean: Some(*b),
                ..Default::default()
            }),
            (Ty::Text, Value::String(s)) => Some(ResponseAnswer {
                value_string: Some(s.clone()),
                ..Default::default()
            }),
            _ => None,
        }
    };
    match v {
        Value::Array(list) => list.iter().filter_map(one).collect(),
        other => one(other).into_iter().collect(),
    }
}

fn write_items(defs: &'static [Def], obj: &Map<String, Value>) -> Vec<ResponseItem> {
    let mut out = Vec::new();
    for d in defs {
        if d.link == NO_SUD {
            if obj
                .get("substance_use")
                .is_some_and(|v| v.as_array().is_some_and(Vec::is_empty))
            {
                out.push(ResponseItem {
                    link_id: d.link.to_owned(),
                    answer: vec![ResponseAnswer {
                        value_boolean: Some(true),
                        ..Default::default()
                    }],
                    item: Vec::new(),
                });
            }
            continue;
        }
        let Some(v) = obj.get(key(d.link)) else {
            continue;
        };
        match (d.ty, v) {
            (Ty::Group, Value::Object(m)) => {
                let item = write_items(d.children, m);
                if !item.is_empty() {
                    out.push(ResponseItem {
                        link_id: d.link.to_owned(),
                        answer: Vec::new(),
                        item,
                    });
                }
            }
            (Ty::RepeatingGroup, Value::Array(list)) => {
                for entry in list {
                    if let Value::Object(m) = entry {
                        out.push(ResponseItem {
                            link_id: d.link.to_owned(),
                            answer: Vec::new(),
                            item: write_items(d.children, m),
                        });
                    }
                }
            }
            _ => {
                let answer = answers_of(d, v);
                if !answer.is_empty() {
                    out.push(ResponseItem {
                        link_id: d.link.to_owned(),
                        answer,
                        item: Vec::new(),
                    });
                }
            }
        }
    }
    out
}

/// An intake as a `completed` `QuestionnaireResponse` to [`questionnaire`] (for round trips
/// and for systems that store intakes as FHIR). Its `questionnaire` is the versioned canonical
/// [`QUESTIONNAIRE_URL`]`|`[`QUESTIONNAIRE_VERSION`].
///
/// # Examples
///
/// ```
/// use carelevel::fhir::{QUESTIONNAIRE_URL, QUESTIONNAIRE_VERSION, response_from_intake};
/// # let json = include_str!("../examples/intakes/iop_primary.json");
/// let response = response_from_intake(&carelevel::Intake::from_json(json)?);
/// assert_eq!(response.status, "completed");
/// assert_eq!(
///     response.questionnaire,
///     Some(format!("{QUESTIONNAIRE_URL}|{QUESTIONNAIRE_VERSION}"))
/// );
/// # Ok::<(), carelevel::IntakeError>(())
/// ```
pub fn response_from_intake(intake: &Intake) -> QuestionnaireResponse {
    // An intake is plain data with string keys, so it always serialises to an object. Were
    // that ever to fail, the response is written without items and as `entered-in-error`, so
    // that it is never read as a completed (empty) intake.
    let (status, item) = match serde_json::to_value(intake) {
        Ok(Value::Object(m)) => ("completed", write_items(TREE, &m)),
        _ => ("entered-in-error", Vec::new()),
    };
    QuestionnaireResponse {
        resource_type: "QuestionnaireResponse".into(),
        questionnaire: Some(format!("{QUESTIONNAIRE_URL}|{QUESTIONNAIRE_VERSION}")),
        status: status.into(),
        item,
    }
}

fn level_concept(level: Level) -> CodeableConcept {
    CodeableConcept {
        coding: vec![Coding {
            system: Some(LEVEL_SYSTEM.into()),
            code: Some(level.as_str().into()),
            display: Some(level.title().into()),
        }],
        text: Some(level.title().into()),
    }
}

impl Report {
    /// The recommendation as a FHIR R4 `RiskAssessment` whose `basis` references the
    /// QuestionnaireResponse it was computed from.
    ///
    /// # Examples
    ///
    /// ```
    /// # let json = include_str!("../examples/intakes/iop_primary.json");
    /// let report = carelevel::RulePack::builtin().report(&carelevel::Intake::from_json(json)?)?;
    /// let ra = report.to_risk_assessment("Patient/example", "QuestionnaireResponse/intake-1");
    /// assert_eq!(ra.basis[0].reference, "QuestionnaireResponse/intake-1");
    /// assert_eq!(ra.prediction[0].outcome.coding[0].code.as_deref(), Some("iop"));
    /// # Ok::<(), carelevel::IntakeError>(())
    /// ```
    pub fn to_risk_assessment(&self, subject: &str, response: &str) -> RiskAssessment {
        let binding: Vec<String> = self
            .binding()
            .map(|f| format!("{}: {}", f.id, f.reason))
            .collect();
        let services: Vec<&str> = self
            .plan
            .services
            .iter()
            .map(|s| s.service.title())
            .collect();
        let referrals: Vec<&str> = self
            .plan
            .referrals
            .iter()
            .map(|r| r.referral.title())
            .collect();
        RiskAssessment {
            resource_type: "RiskAssessment".into(),
            status: "final".into(),
            subject: Reference {
                reference: subject.into(),
            },
            method: CodeableConcept {
                coding: vec![Coding {
                    system: Some("urn:carelevel:rule-pack".into()),
                    code: Some(format!("{}@{}", self.pack.id, self.pack.version)),
                    display: Some(format!(
                        "carelevel {} rule pack {}",
                        self.engine.version, self.pack.id
                    )),
                }],
                text: None,
            },
            basis: vec![Reference {
                reference: response.into(),
            }],
            prediction: vec![Prediction {
                outcome: level_concept(self.level),
                rationale: binding.join("; "),
            }],
            mitigation: format!(
                "Services: {}. Referrals: {}.",
                services.join("; "),
                referrals.join("; ")
            ),
            note: vec![Annotation {
                text: format!(
                    "Recommendation, not a diagnosis: a clinician decides. Urgent: {}. Pack digest {}.",
                    if self.urgent {
                        "yes, same-day evaluation"
                    } else {
                        "no"
                    },
                    self.pack.digest
                ),
            }],
        }
    }
}
