//! FHIR R4 (feature `fhir`): a `Questionnaire` for the intake, reading a
//! `QuestionnaireResponse` into an [`Intake`], and the result as a `RiskAssessment`.
//!
//! The few resources needed are modelled here with serde rather than through a full FHIR
//! crate, whose generated models for every resource would cost far more to compile than the
//! engine itself. Each item's `linkId` is the intake field's dotted path
//! (`safety.suicidal_ideation`; `substance_use.cows` for an item of each entry of the
//! repeating group `substance_use`), so an error naming a JSON path names the linkId too.
//! Every item of the intake is in the form, generated from the crate's catalogue of items.
//!
//! # Answers
//!
//! | intake item | Questionnaire `type` | answer |
//! |---|---|---|
//! | a choice | `choice` | `valueCoding`, system `urn:carelevel:choice:<linkId>`, code the JSON name |
//! | any number of choices | `choice`, `repeats` | one `valueCoding` per choice, in one item |
//! | a number | `integer`, with `minValue`/`maxValue` | `valueInteger` |
//! | yes/no | `boolean` | `valueBoolean` |
//! | free text | `string` | `valueString` |
//! | a repeating group | `group`, `repeats` | the group item once per entry |
//! | "assessed: none" of a repeating group | `boolean` | `valueBoolean` `true`: the list is empty |
//!
//! **Declined, unable to assess.** A safety item may be answered, declined by the person, or
//! not assessable now (intoxicated, too unwell: reassess later), and neither of the last two
//! is "no". FHIR R4 has no answer value for "not obtained" that form renderers and
//! validators agree on (the `data-absent-reason` extension leaves a `required` question
//! unanswered, which a `completed` response may not), so each such item (`declinable` in the
//! catalogue) is a `choice` item whose answer options, all in the item's own code system
//! `urn:carelevel:choice:<linkId>`, are its answers followed by `declined` and
//! `unable_to_assess`. A yes/no safety item is therefore a `choice` of `yes`, `no`,
//! `declined` and `unable_to_assess` (a `valueBoolean` is refused for it, so that no other
//! reading can turn "declined" into "no"). The intake reads `declined` and `unable_to_assess`
//! as unknown, never as no risk.
//!
//! # Versions
//!
//! The questionnaire's version is the intake's format, [`QUESTIONNAIRE_VERSION`] (`2`). A
//! response to the 0.1 questionnaire (version `0.1.0`, whose items intake 2 renamed and split)
//! is refused with [`FhirError::QuestionnaireV0_1`], which says how to move on; an intake read
//! from a response carries `schema_version` `2`.
//!
//! The result is written as a `RiskAssessment` rather than a `ServiceRequest` or `CarePlan`:
//! the engine's output is an assessment that a clinician reviews, not an order or an agreed
//! plan; its `basis` references the `QuestionnaireResponse` it was computed from.

use crate::catalogue::{self, Item, Kind, Required};
use crate::intake::{NOT_OBTAINED, SchemaVersion};
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
/// The version of the intake questionnaire: the intake's format (`schema_version`), so a
/// response's `questionnaire` canonical `URL|version` names the form whose items it answers.
/// Intake 2's is `2`.
pub const QUESTIONNAIRE_VERSION: &str = "2";
/// The versions of the 0.1 questionnaire (whose version was the crate's, `0.1.0`): a response
/// naming one is refused with [`FhirError::QuestionnaireV0_1`].
const V0_1_VERSIONS: &[&str] = &["0.1.0", "0.1"];
/// The codes of a yes/no item that may be declined, before `declined` and `unable_to_assess`.
const YES_NO: [&str; 2] = ["yes", "no"];
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
    /// The 0.1 intake questionnaire (version `0.1.0`), whose items intake 2 renamed and split.
    #[error(
        "`questionnaire` names the 0.1 carelevel intake questionnaire, which intake 2 replaces: \
         convert the 0.1 intake with `carelevel::intake::convert_v0_1` (which says what 0.1 \
         could not record) and write it with `response_from_intake`, or answer `{url}|{version}`",
        url = QUESTIONNAIRE_URL,
        version = QUESTIONNAIRE_VERSION
    )]
    QuestionnaireV0_1,
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

/// The codes an item is answered with when it is a `choice` item: a choice's options, or `yes`
/// and `no` for a yes/no item that may be declined, followed by `declined` and
/// `unable_to_assess` when the item may be declined. Empty for an item answered with a
/// number, a yes/no or text.
fn codes(d: &Item) -> Vec<&'static str> {
    let answers: &[&'static str] = match d.kind {
        Kind::Choice(options) | Kind::Choices(options) => options,
        Kind::Bool | Kind::Flag if d.declinable => &YES_NO,
        _ => &[],
    };
    let not_obtained: &[&'static str] = if d.declinable && !answers.is_empty() {
        &NOT_OBTAINED
    } else {
        &[]
    };
    answers.iter().chain(not_obtained).copied().collect()
}

fn to_item(d: &'static Item) -> QuestionnaireItem {
    let codes = codes(d);
    let (kind, repeats) = match d.kind {
        Kind::Group => ("group", false),
        Kind::Groups => ("group", true),
        Kind::Choices(_) => ("choice", true),
        Kind::Choice(_) => ("choice", false),
        _ if !codes.is_empty() => ("choice", false),
        Kind::Int { .. } => ("integer", false),
        Kind::Bool | Kind::Flag | Kind::NoneOf(_) => ("boolean", false),
        Kind::Text => ("string", false),
    };
    let bounds = match d.kind {
        Kind::Int { min, max } => Some((min, max)),
        _ => None,
    };
    QuestionnaireItem {
        link_id: d.path.to_owned(),
        text: d.question.to_owned(),
        kind: kind.to_owned(),
        required: d.required == Required::Always,
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
        answer_option: codes
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
                        value_integer: i64::from(lo),
                    },
                    Extension {
                        url: "http://hl7.org/fhir/StructureDefinition/maxValue".into(),
                        value_integer: i64::from(hi),
                    },
                ]
            })
            .unwrap_or_default(),
        item: d.children().map(to_item).collect(),
    }
}

/// The intake as a FHIR R4 `Questionnaire`, so an EHR can render the form.
///
/// # Examples
///
/// ```
/// let q = carelevel::fhir::questionnaire();
/// let json = serde_json::to_string(&q).unwrap();
/// assert!(json.contains(r#""linkId":"safety.suicidal_ideation""#));
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
        item: catalogue::children_of("").map(to_item).collect(),
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
fn choice_system(d: &Item) -> String {
    format!("{CHOICE_SYSTEM}:{}", d.path)
}

fn answer_value(d: &Item, a: &ResponseAnswer) -> Result<Value, FhirError> {
    let wrong = |expected| FhirError::WrongAnswerType {
        link_id: d.path.to_owned(),
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
    let codes = codes(d);
    if !codes.is_empty() {
        let coding = a.value_coding.as_ref().ok_or_else(|| {
            wrong(if matches!(d.kind, Kind::Bool | Kind::Flag) {
                "a coded answer (valueCoding), not valueBoolean: a yes/no item that may be \
                 declined is coded `yes`, `no`, `declined` or `unable_to_assess`"
            } else {
                "a coded answer (valueCoding with a code)"
            })
        })?;
        let system = choice_system(d);
        if coding.system.as_deref() != Some(system.as_str()) {
            return Err(FhirError::WrongSystem {
                link_id: d.path.to_owned(),
                system,
            });
        }
        let code = coding
            .code
            .as_deref()
            .ok_or_else(|| wrong("a coded answer (valueCoding with a code)"))?;
        if !codes.contains(&code) {
            return Err(FhirError::UnknownCode {
                link_id: d.path.to_owned(),
                expected: codes
                    .iter()
                    .map(|o| format!("`{o}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        let [yes, no] = YES_NO;
        return Ok(match d.kind {
            // Only the two answers are read as a yes/no: `declined` and `unable_to_assess`
            // stay what they are (never "no").
            Kind::Bool | Kind::Flag if code == yes => Value::Bool(true),
            Kind::Bool | Kind::Flag if code == no => Value::Bool(false),
            _ => Value::String(code.to_owned()),
        });
    }
    match d.kind {
        Kind::Int { .. } => a
            .value_integer
            .map(Value::from)
            .ok_or_else(|| wrong("an integer answer (valueInteger)")),
        Kind::Bool | Kind::Flag | Kind::NoneOf(_) => a
            .value_boolean
            .map(Value::Bool)
            .ok_or_else(|| wrong("a yes/no answer (valueBoolean)")),
        Kind::Text => a
            .value_string
            .clone()
            .map(Value::String)
            .ok_or_else(|| wrong("a text answer (valueString)")),
        Kind::Choice(_) | Kind::Choices(_) => {
            Err(wrong("a coded answer (valueCoding with a code)"))
        }
        Kind::Group | Kind::Groups => Err(wrong("child items, not an answer")),
    }
}

/// Reads response items into `out` (the JSON object at this level).
///
/// Nothing is dropped or overridden: an item or group that does not repeat may appear only
/// once among its siblings, a repeating choice is one item with several answers, a group
/// takes no answers and a question no child items.
fn read_items(
    items: &[ResponseItem],
    within: &str,
    out: &mut Map<String, Value>,
) -> Result<(), FhirError> {
    let mut seen: Vec<&'static str> = Vec::new();
    // The repeating groups said to have no entries, by their `none_of` items.
    let mut none_of: Vec<(&'static Item, &'static str)> = Vec::new();
    for item in items {
        let d = catalogue::children_of(within)
            .find(|d| d.path == item.link_id)
            .ok_or_else(|| FhirError::UnknownLinkId(GivenLinkId::new(&item.link_id)))?;
        if !matches!(d.kind, Kind::Groups) {
            if seen.contains(&d.path) {
                return Err(FhirError::RepeatedItem {
                    link_id: d.path.to_owned(),
                    repeats: matches!(d.kind, Kind::Choices(_)),
                });
            }
            seen.push(d.path);
        }
        let wrong = |expected| FhirError::WrongAnswerType {
            link_id: d.path.to_owned(),
            expected,
        };
        match d.kind {
            Kind::Group | Kind::Groups if !item.answer.is_empty() => {
                return Err(wrong("child items, not an answer"));
            }
            Kind::Group => {
                let mut m = Map::new();
                read_items(&item.item, d.path, &mut m)?;
                out.insert(d.key().to_owned(), Value::Object(m));
            }
            Kind::Groups => {
                let mut m = Map::new();
                read_items(&item.item, d.path, &mut m)?;
                let entry = out
                    .entry(d.key())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(list) = entry {
                    list.push(Value::Object(m));
                }
            }
            _ if !item.item.is_empty() => {
                return Err(wrong("answers, not child items"));
            }
            Kind::Choices(_) => {
                let values = item
                    .answer
                    .iter()
                    .map(|a| answer_value(d, a))
                    .collect::<Result<Vec<_>, _>>()?;
                out.insert(d.key().to_owned(), Value::Array(values));
            }
            Kind::NoneOf(group) => {
                if let Some(a) = one(item)? {
                    if answer_value(d, a)? == Value::Bool(true) {
                        none_of.push((d, group));
                    }
                }
            }
            _ => {
                if let Some(a) = one(item)? {
                    out.insert(d.key().to_owned(), answer_value(d, a)?);
                }
            }
        }
    }
    for (d, group) in none_of {
        // "None" is an empty list of entries: it cannot stand beside an entry, or one of the
        // two answers would be dropped.
        if out.contains_key(catalogue::key_of(group)) {
            return Err(FhirError::Intake {
                link_id: d.path.to_owned(),
                message: format!(
                    "answered yes, but `{group}` groups are present: answer one or the other"
                ),
            });
        }
        out.insert(
            catalogue::key_of(group).to_owned(),
            Value::Array(Vec::new()),
        );
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
    match version {
        Some(v) if V0_1_VERSIONS.contains(&v) => return Err(FhirError::QuestionnaireV0_1),
        Some(v) if v != QUESTIONNAIRE_VERSION => {
            return Err(FhirError::WrongQuestionnaireVersion);
        }
        _ => {}
    }
    Ok(())
}

/// The linkId for a JSON path such as `substance_use[0].dsm5_criteria`.
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
/// answer is dropped or overridden: what would be is an error instead. The intake read
/// carries `schema_version` `2` (the questionnaire's version).
///
/// # Errors
///
/// - [`FhirError::WrongResource`]: `resourceType` is not `QuestionnaireResponse`.
/// - [`FhirError::PartialResponse`] for `in-progress`, [`FhirError::StatusNotAccepted`] for
///   any other status but `completed` and `amended` (`stopped`, `entered-in-error`, ...).
/// - [`FhirError::MissingQuestionnaire`], [`FhirError::WrongQuestionnaire`],
///   [`FhirError::WrongQuestionnaireVersion`]: the `questionnaire` canonical is missing, names
///   another questionnaire, or another version of this one;
///   [`FhirError::QuestionnaireV0_1`]: it names the 0.1 questionnaire (`|0.1.0`), whose
///   answers are not intake 2's.
/// - [`FhirError::UnknownLinkId`]: an item the questionnaire does not have at that place.
/// - [`FhirError::RepeatedItem`]: an item or group that does not repeat appears twice among
///   its siblings (two `safety` groups, two `safety.suicidal_ideation` items). A repeating
///   choice (`engagement.commitments`) is rejected too when given as several items: its
///   answers belong in one item's `answer` list. Only the repeating groups
///   (`substance_use`, `severity.conditions`, `history.episodes`) may appear more than once,
///   once per entry.
/// - [`FhirError::WrongAnswerType`]: an answer of the wrong type (a `valueBoolean` to a yes/no
///   item that may be declined, which is coded), more than one `value[x]` in an answer, an
///   answer on a group or child items on a question;
///   [`FhirError::TooManyAnswers`]: several answers to a single item.
/// - [`FhirError::WrongSystem`]: a `valueCoding` whose `system` is missing or is not the one
///   the item's answer options use (`urn:carelevel:choice:<linkId>`);
///   [`FhirError::UnknownCode`]: a code that is not one of the item's answer options
///   (`declined` and `unable_to_assess` are options of a safety item only).
/// - [`FhirError::Intake`]: a value the intake does not accept (a negative number, an entry
///   without its substance), or an "assessed: none" item (`no_substance_use`,
///   `severity.no_conditions`, `history.no_episodes`) answered yes beside entries of its
///   group.
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
    read_items(&response.item, "", &mut root)?;
    let mut intake: Intake =
        serde_path_to_error::deserialize(Value::Object(root)).map_err(|e| FhirError::Intake {
            link_id: link_of(&e.path().to_string()),
            message: crate::json::redact(&e.inner().to_string()),
        })?;
    // The canonical named this questionnaire (whose version is intake 2's format), so the
    // answers are an intake 2.
    intake.schema_version = Some(SchemaVersion::V2);
    Ok(intake)
}

fn answers_of(d: &Item, v: &Value) -> Vec<ResponseAnswer> {
    let codes = codes(d);
    let coded = |code: &str| ResponseAnswer {
        value_coding: Some(Coding {
            system: Some(choice_system(d)),
            code: Some(code.to_owned()),
            display: None,
        }),
        ..Default::default()
    };
    let [yes, no] = YES_NO;
    let one = |v: &Value| -> Option<ResponseAnswer> {
        match (d.kind, v) {
            // A coded item: a choice, or a yes/no that may be declined (`declined` and
            // `unable_to_assess` are strings in the intake's JSON).
            (_, Value::String(s)) if !codes.is_empty() => Some(coded(s)),
            (_, Value::Bool(b)) if !codes.is_empty() => Some(coded(if *b { yes } else { no })),
            _ if !codes.is_empty() => None,
            (Kind::Int { .. }, Value::Number(n)) => Some(ResponseAnswer {
                value_integer: n.as_i64(),
                ..Default::default()
            }),
            (Kind::Bool | Kind::Flag, Value::Bool(b)) => Some(ResponseAnswer {
                value_boolean: Some(*b),
                ..Default::default()
            }),
            (Kind::Text, Value::String(s)) => Some(ResponseAnswer {
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

fn write_items(within: &str, obj: &Map<String, Value>) -> Vec<ResponseItem> {
    let mut out = Vec::new();
    for d in catalogue::children_of(within) {
        if let Kind::NoneOf(group) = d.kind {
            if obj
                .get(catalogue::key_of(group))
                .is_some_and(|v| v.as_array().is_some_and(Vec::is_empty))
            {
                out.push(ResponseItem {
                    link_id: d.path.to_owned(),
                    answer: vec![ResponseAnswer {
                        value_boolean: Some(true),
                        ..Default::default()
                    }],
                    item: Vec::new(),
                });
            }
            continue;
        }
        let Some(v) = obj.get(d.key()) else {
            continue;
        };
        match (d.kind, v) {
            (Kind::Group, Value::Object(m)) => {
                let item = write_items(d.path, m);
                if !item.is_empty() {
                    out.push(ResponseItem {
                        link_id: d.path.to_owned(),
                        answer: Vec::new(),
                        item,
                    });
                }
            }
            (Kind::Groups, Value::Array(list)) => {
                for entry in list {
                    if let Value::Object(m) = entry {
                        out.push(ResponseItem {
                            link_id: d.path.to_owned(),
                            answer: Vec::new(),
                            item: write_items(d.path, m),
                        });
                    }
                }
            }
            _ => {
                let answer = answers_of(d, v);
                if !answer.is_empty() {
                    out.push(ResponseItem {
                        link_id: d.path.to_owned(),
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
        Ok(Value::Object(m)) => ("completed", write_items("", &m)),
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

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly
mod tests {
    use super::*;
    use crate::catalogue::ITEMS;
    use crate::intake::Assessed;
    use std::collections::BTreeSet;

    /// Every item of a questionnaire, depth first.
    fn flatten<'a>(items: &'a [QuestionnaireItem], out: &mut Vec<&'a QuestionnaireItem>) {
        for item in items {
            out.push(item);
            flatten(&item.item, out);
        }
    }

    /// Every item of a response, depth first.
    fn answered<'a>(items: &'a [ResponseItem], out: &mut Vec<&'a ResponseItem>) {
        for item in items {
            out.push(item);
            answered(&item.item, out);
        }
    }

    fn item(path: &str) -> &'static Item {
        ITEMS.iter().find(|d| d.path == path).unwrap()
    }

    /// A JSON answer to `d` (`variant` 0 or 1 picks one of two answers), with two entries in
    /// each repeating group; `None` for a form-only "assessed: none" item.
    fn answer(d: &Item, variant: usize) -> Option<Value> {
        Some(match d.kind {
            Kind::Int { min, max } => Value::from(if variant == 0 { max } else { min }),
            // A flag's `false` is its absence: both entries say yes.
            Kind::Flag => Value::Bool(true),
            Kind::Bool => Value::Bool(variant == 0),
            Kind::Choice(options) => {
                Value::from(options[(options.len() - 1 + variant) % options.len()])
            }
            Kind::Choices(options) => Value::from(options.to_vec()),
            Kind::Text => Value::from(format!("text {variant}")),
            Kind::Group => Value::Object(entry(d, variant)),
            Kind::Groups => {
                Value::Array(vec![Value::Object(entry(d, 0)), Value::Object(entry(d, 1))])
            }
            Kind::NoneOf(_) => return None,
        })
    }

    fn entry(group: &Item, variant: usize) -> Map<String, Value> {
        group
            .children()
            .filter_map(|d| Some((d.key().to_owned(), answer(d, variant)?)))
            .collect()
    }

    /// An intake answering every item of the catalogue, as JSON.
    fn full_json() -> Value {
        let mut m: Map<String, Value> = catalogue::children_of("")
            .filter_map(|d| Some((d.key().to_owned(), answer(d, 0)?)))
            .collect();
        m.insert("schema_version".into(), Value::from("2"));
        Value::Object(m)
    }

    fn read(json: &Value) -> Intake {
        Intake::from_json(&json.to_string()).unwrap()
    }

    /// The JSON value at a dotted path of items in plain groups.
    fn at<'a>(json: &'a mut Value, path: &str) -> &'a mut Value {
        path.split('.').fold(json, |v, key| &mut v[key])
    }

    #[test]
    fn the_version_is_the_intake_format() {
        assert_eq!(
            serde_json::to_value(SchemaVersion::V2).unwrap(),
            QUESTIONNAIRE_VERSION
        );
        assert_eq!(questionnaire().version, QUESTIONNAIRE_VERSION);
        assert!(!V0_1_VERSIONS.contains(&QUESTIONNAIRE_VERSION));
    }

    #[test]
    fn the_questionnaire_lists_every_catalogue_item() {
        let q = questionnaire();
        let mut all = Vec::new();
        flatten(&q.item, &mut all);
        assert_eq!(all.len(), ITEMS.len(), "each item once");
        let links: BTreeSet<&str> = all.iter().map(|i| i.link_id.as_str()).collect();
        for d in ITEMS {
            assert!(
                links.contains(d.path),
                "`{}` is not in the Questionnaire",
                d.path
            );
            let qi = all.iter().find(|i| i.link_id == d.path).unwrap();
            // In its group.
            let parent = all
                .iter()
                .find(|i| i.item.iter().any(|c| c.link_id == d.path));
            assert_eq!(
                parent.map_or("", |p| p.link_id.as_str()),
                d.parent(),
                "`{}`",
                d.path
            );
            assert_eq!(qi.required, d.required == Required::Always, "`{}`", d.path);
            assert_eq!(qi.text, d.question);
            let codes: Vec<&str> = qi
                .answer_option
                .iter()
                .map(|o| {
                    assert_eq!(
                        o.value_coding.system.as_deref(),
                        Some(format!("{CHOICE_SYSTEM}:{}", d.path).as_str())
                    );
                    o.value_coding.code.as_deref().unwrap()
                })
                .collect();
            let not_obtained: &[&str] = if d.declinable { &NOT_OBTAINED } else { &[] };
            let (kind, repeats, answers): (&str, bool, Vec<&str>) = match d.kind {
                Kind::Group => ("group", false, vec![]),
                Kind::Groups => ("group", true, vec![]),
                Kind::Choice(o) => ("choice", false, o.to_vec()),
                Kind::Choices(o) => ("choice", true, o.to_vec()),
                Kind::Bool if d.declinable => ("choice", false, YES_NO.to_vec()),
                Kind::Int { min, max } => {
                    let bounds: Vec<i64> = qi.extension.iter().map(|e| e.value_integer).collect();
                    assert_eq!(bounds, [i64::from(min), i64::from(max)], "`{}`", d.path);
                    ("integer", false, vec![])
                }
                Kind::Bool | Kind::Flag | Kind::NoneOf(_) => ("boolean", false, vec![]),
                Kind::Text => ("string", false, vec![]),
            };
            assert_eq!(qi.kind, kind, "`{}`", d.path);
            assert_eq!(qi.repeats, repeats, "`{}`", d.path);
            let expected: Vec<&str> = answers
                .into_iter()
                .chain(not_obtained.iter().copied())
                .collect();
            assert_eq!(codes, expected, "`{}`", d.path);
        }
    }

    #[test]
    fn every_declinable_item_can_say_declined_and_unable_to_assess() {
        let mut declinable = 0;
        for d in ITEMS.iter().filter(|d| d.declinable) {
            declinable += 1;
            let codes = codes(d);
            assert!(
                codes.ends_with(&NOT_OBTAINED),
                "`{}` is declinable but its FHIR form cannot say so",
                d.path
            );
            // No answer is spelt like "declined", and no code is listed twice.
            let unique: BTreeSet<&str> = codes.iter().copied().collect();
            assert_eq!(unique.len(), codes.len(), "`{}`", d.path);
        }
        assert!(declinable >= 10, "{declinable}");
        // An item that may not be declined offers neither.
        for d in ITEMS.iter().filter(|d| !d.declinable) {
            assert!(
                !codes(d).iter().any(|c| NOT_OBTAINED.contains(c)),
                "`{}`",
                d.path
            );
        }
    }

    #[test]
    fn a_fully_answered_intake_round_trips() {
        let json = full_json();
        let intake = read(&json);
        // Every item made it into the intake (nothing generated was dropped by serde).
        assert_eq!(serde_json::to_value(&intake).unwrap(), json);
        let qr = response_from_intake(&intake);
        assert_eq!(intake_from_response(&qr).unwrap(), intake);
        // Every item is answered in the response; each repeating group twice.
        let mut all = Vec::new();
        answered(&qr.item, &mut all);
        for d in ITEMS {
            let n = all.iter().filter(|i| i.link_id == d.path).count();
            let expected = match d.kind {
                Kind::NoneOf(_) => 0,
                _ if find_groups(d.path).is_some() => 2,
                _ => 1,
            };
            // Items in an entry of a repeating group appear once per entry.
            let expected = expected * find_groups(d.parent()).map_or(1, |_| 2);
            assert_eq!(n, expected, "`{}`", d.path);
        }
    }

    /// The item at `path` when it is a repeating group.
    fn find_groups(path: &str) -> Option<&'static Item> {
        ITEMS
            .iter()
            .find(|d| d.path == path && d.kind == Kind::Groups)
    }

    #[test]
    fn assessed_none_round_trips_for_each_repeating_group() {
        for d in ITEMS {
            let Kind::NoneOf(group) = d.kind else {
                continue;
            };
            let mut json = full_json();
            *at(&mut json, group) = Value::Array(Vec::new());
            let intake = read(&json);
            let qr = response_from_intake(&intake);
            let mut all = Vec::new();
            answered(&qr.item, &mut all);
            let none = all.iter().find(|i| i.link_id == d.path).unwrap();
            assert_eq!(none.answer[0].value_boolean, Some(true), "`{}`", d.path);
            assert!(!all.iter().any(|i| i.link_id == group), "`{group}`");
            assert_eq!(intake_from_response(&qr).unwrap(), intake, "`{}`", d.path);

            // Not asked: neither the item nor the group.
            let mut json = full_json();
            let (parent, key) = group.rsplit_once('.').unwrap_or(("", group));
            let holder = if parent.is_empty() {
                &mut json
            } else {
                at(&mut json, parent)
            };
            holder.as_object_mut().unwrap().remove(key);
            let intake = read(&json);
            let qr = response_from_intake(&intake);
            let mut all = Vec::new();
            answered(&qr.item, &mut all);
            assert!(
                !all.iter()
                    .any(|i| i.link_id == d.path || i.link_id == group)
            );
            assert_eq!(intake_from_response(&qr).unwrap(), intake, "`{}`", d.path);
        }
    }

    #[test]
    fn declined_and_unable_to_assess_round_trip_for_each_declinable_item() {
        for d in ITEMS.iter().filter(|d| d.declinable) {
            assert!(
                find_groups(d.parent()).is_none(),
                "`{}`: a declinable item in an entry needs its own test",
                d.path
            );
            for code in NOT_OBTAINED {
                let mut json = full_json();
                *at(&mut json, d.path) = Value::from(code);
                let intake = read(&json);
                let qr = response_from_intake(&intake);
                let mut all = Vec::new();
                answered(&qr.item, &mut all);
                let answer = &all.iter().find(|i| i.link_id == d.path).unwrap().answer;
                assert_eq!(answer.len(), 1);
                let coding = answer[0].value_coding.as_ref().unwrap();
                assert_eq!(coding.code.as_deref(), Some(code), "`{}`", d.path);
                assert_eq!(coding.system, Some(choice_system(d)));
                let back = intake_from_response(&qr).unwrap();
                assert_eq!(back, intake, "`{}` {code}", d.path);
                assert_eq!(
                    *at(&mut serde_json::to_value(&back).unwrap(), d.path),
                    Value::from(code)
                );
            }
        }
        // Typed: never "no".
        let mut json = full_json();
        *at(&mut json, "safety.psychosis_or_unable_to_self_care") = Value::from("declined");
        let back = intake_from_response(&response_from_intake(&read(&json))).unwrap();
        assert_eq!(
            back.safety.psychosis_or_unable_to_self_care,
            Some(Assessed::Declined)
        );
    }

    #[test]
    fn a_declinable_yes_no_is_coded_yes_or_no() {
        let d = item("home.violence_or_abuse");
        for (b, code) in [(true, "yes"), (false, "no")] {
            let answers = answers_of(d, &Value::Bool(b));
            assert_eq!(answers.len(), 1);
            assert_eq!(
                answers[0].value_coding.as_ref().unwrap().code.as_deref(),
                Some(code)
            );
            assert_eq!(answer_value(d, &answers[0]).unwrap(), Value::Bool(b));
        }
        let boolean = ResponseAnswer {
            value_boolean: Some(false),
            ..Default::default()
        };
        let e = answer_value(d, &boolean).unwrap_err();
        assert!(
            e.to_string().starts_with(
                "linkId `home.violence_or_abuse`: expected a coded answer (valueCoding), not valueBoolean"
            ),
            "{e}"
        );
        // A yes/no that may not be declined keeps its valueBoolean.
        let d = item("home.supportive");
        assert!(!d.declinable);
        assert_eq!(answer_value(d, &boolean).unwrap(), Value::Bool(false));
    }

    #[test]
    fn the_intake_read_is_intake_2() {
        let mut json = full_json();
        json.as_object_mut().unwrap().remove("schema_version");
        let mut intake: Intake = serde_json::from_value(json).unwrap();
        intake.schema_version = None;
        let back = intake_from_response(&response_from_intake(&intake)).unwrap();
        assert_eq!(back.schema_version, Some(SchemaVersion::V2));
    }
}
