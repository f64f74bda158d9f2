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

use crate::catalogue::{self, Item, Kind, Required};
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

fn to_item(d: &'static Item) -> QuestionnaireItem {
    let (kind, options, bounds, repeats) = match d.kind {
        Kind::Group => ("group", &[][..], None, false),
        Kind::Groups => ("group", &[][..], None, true),
        Kind::Choice(o) => ("choice", o, None, false),
        Kind::Choices(o) => ("choice", o, None, true),
        Kind::Int { min, max } => ("integer", &[][..], Some((min, max)), false),
        Kind::Bool | Kind::Flag | Kind::NoneOf(_) => ("boolean", &[][..], None, false),
        Kind::Text => ("string", &[][..], None, false),
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
    match d.kind {
        Kind::Choice(options) | Kind::Choices(options) => {
            let coding = a
                .value_coding
                .as_ref()
                .ok_or_else(|| wrong("a coded answer (valueCoding with a code)"))?;
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
            if !options.contains(&code) {
                return Err(FhirError::UnknownCode {
                    link_id: d.path.to_owned(),
                    expected: options
                        .iter()
                        .map(|o| format!("`{o}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
            Ok(Value::String(code.to_owned()))
        }
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
    read_items(&response.item, "", &mut root)?;
    serde_path_to_error::deserialize(Value::Object(root)).map_err(|e| FhirError::Intake {
        link_id: link_of(&e.path().to_string()),
        message: crate::json::redact(&e.inner().to_string()),
    })
}

fn answers_of(d: &Item, v: &Value) -> Vec<ResponseAnswer> {
    let one = |v: &Value| -> Option<ResponseAnswer> {
        match (d.kind, v) {
            (Kind::Choice(_) | Kind::Choices(_), Value::String(s)) => Some(ResponseAnswer {
                value_coding: Some(Coding {
                    system: Some(choice_system(d)),
                    code: Some(s.clone()),
                    display: None,
                }),
                ..Default::default()
            }),
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
