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
    /// Canonical URL.
    pub url: String,
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
    /// The questionnaire answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub questionnaire: Option<String>,
    /// `completed`, `in-progress`, ...
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
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FhirError {
    /// Not a QuestionnaireResponse.
    #[error("`resourceType` is `{0}`, expected `QuestionnaireResponse`")]
    WrongResource(String),
    /// A linkId the questionnaire does not have.
    #[error("linkId `{0}` is not an item of the carelevel intake questionnaire")]
    UnknownLinkId(String),
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
    /// The answers do not make a valid intake.
    #[error("linkId `{link_id}`: {message}")]
    Intake {
        /// The item.
        link_id: String,
        /// What is wrong.
        message: String,
    },
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
                    system: Some(format!("{CHOICE_SYSTEM}:{}", d.link)),
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
/// ```
pub fn questionnaire() -> Questionnaire {
    Questionnaire {
        resource_type: "Questionnaire".into(),
        url: QUESTIONNAIRE_URL.into(),
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

fn answer_value(d: &Def, a: &ResponseAnswer) -> Result<Value, FhirError> {
    let wrong = |expected| FhirError::WrongAnswerType {
        link_id: d.link.to_owned(),
        expected,
    };
    match d.ty {
        Ty::Choice(_) | Ty::Choices(_) => a
            .value_coding
            .as_ref()
            .and_then(|c| c.code.clone())
            .map(Value::String)
            .ok_or_else(|| wrong("a coded answer (valueCoding with a code)")),
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

/// Reads response items into `out` (the JSON object at this level).
fn read_items(
    items: &[ResponseItem],
    within: &'static [Def],
    out: &mut Map<String, Value>,
) -> Result<(), FhirError> {
    for item in items {
        let d = within
            .iter()
            .find(|d| d.link == item.link_id)
            .ok_or_else(|| FhirError::UnknownLinkId(item.link_id.clone()))?;
        match d.ty {
            Ty::Group => {
                let entry = out
                    .entry(key(d.link))
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(m) = entry {
                    read_items(&item.item, d.children, m)?;
                }
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
            Ty::Choices(_) => {
                let values = item
                    .answer
                    .iter()
                    .map(|a| answer_value(d, a))
                    .collect::<Result<Vec<_>, _>>()?;
                out.insert(key(d.link).to_owned(), Value::Array(values));
            }
            _ if d.link == "severity.no_substance_use_disorder" => {
                if let Some(a) = one(item)? {
                    if answer_value(d, a)? == Value::Bool(true) {
                        out.entry("substance_use")
                            .or_insert_with(|| Value::Array(Vec::new()));
                    }
                }
            }
            _ => {
                if let Some(a) = one(item)? {
                    out.insert(key(d.link).to_owned(), answer_value(d, a)?);
                }
            }
        }
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
/// # Errors
///
/// [`FhirError`] naming the linkId: an unknown item, an answer of the wrong type, several
/// answers to a single item, or a value the intake does not accept (unknown choice, a
/// negative number). Completeness and ranges are then checked by
/// [`RulePack::assess`](crate::RulePack::assess), which names the same paths.
///
/// # Examples
///
/// ```
/// use carelevel::fhir::{intake_from_response, response_from_intake};
/// # let json = include_str!("../examples/intakes/iop_primary.json");
/// let intake = carelevel::Intake::from_json(json)?;
/// let response = response_from_intake(&intake);
/// assert_eq!(intake_from_response(&response).unwrap(), intake);
/// # Ok::<(), carelevel::IntakeError>(())
/// ```
pub fn intake_from_response(response: &QuestionnaireResponse) -> Result<Intake, FhirError> {
    if response.resource_type != "QuestionnaireResponse" {
        return Err(FhirError::WrongResource(response.resource_type.clone()));
    }
    let mut root = Map::new();
    read_items(&response.item, TREE, &mut root)?;
    serde_path_to_error::deserialize(Value::Object(root)).map_err(|e| FhirError::Intake {
        link_id: link_of(&e.path().to_string()),
        message: crate::error::redact_strings(&e.inner().to_string()),
    })
}

fn answers_of(d: &Def, v: &Value) -> Vec<ResponseAnswer> {
    let one = |v: &Value| -> Option<ResponseAnswer> {
        match (d.ty, v) {
            (Ty::Choice(_) | Ty::Choices(_), Value::String(s)) => Some(ResponseAnswer {
                value_coding: Some(Coding {
                    system: Some(format!("{CHOICE_SYSTEM}:{}", d.link)),
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
        if d.link == "severity.no_substance_use_disorder" {
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

/// An intake as a `QuestionnaireResponse` to [`questionnaire`] (for round trips and for
/// systems that store intakes as FHIR).
pub fn response_from_intake(intake: &Intake) -> QuestionnaireResponse {
    let item = match serde_json::to_value(intake) {
        Ok(Value::Object(m)) => write_items(TREE, &m),
        _ => Vec::new(),
    };
    QuestionnaireResponse {
        resource_type: "QuestionnaireResponse".into(),
        questionnaire: Some(QUESTIONNAIRE_URL.into()),
        status: "completed".into(),
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
            .fired
            .iter()
            .filter(|f| self.binding_rules.contains(&f.id))
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
