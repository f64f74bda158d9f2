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
//! | a rule pack's rating ([`questionnaire_for`]) | `integer` in the group `ratings`, linkId `ratings.<id>` | `valueInteger` |
//!
//! An answer option's display is readable ("Round-the-clock care"): the choice's name with
//! its first letter capitalised and `_` read as a space, or, for the few codes where that
//! reads badly, a display from a short table (a level of care is shown by its title).
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
//! # When an item applies (`enableWhen`)
//!
//! The form asks only what applies, by R4 `enableWhen` (with `enableBehavior` where an item
//! has several conditions), generated from the same logic the intake's checks refuse an
//! answer by (an item that does not apply is a conflict there):
//!
//! | item | enabled when |
//! |---|---|
//! | each repeating group (`substance_use`, `severity.conditions`, `history.episodes`) | its "assessed: none" item is not checked (`!=` `true`) |
//! | `substance_use.drinks_per_day` | the entry's substance is alcohol |
//! | `substance_use.benzodiazepine`, `.daily_dose_mg` | sedatives |
//! | `substance_use.on_maintenance_therapy`, `.cows`, `.cows_items` | opioids |
//! | `substance_use.ciwa_ar`, `.ciwa_ar_items` | alcohol or sedatives (`any`) |
//! | `history.progress` (then **required**) | `history.current_setting` is answered and is not `none` (`exists`, `!=`, `all`) |
//! | `medication.*_adherence` | its medication is answered and is not `none` |
//! | `adolescent` (the group) | `age` `<` 18 |
//! | `safety.cssrs.method`, `.intent`, `.plan` | `safety.cssrs.nonspecific_thoughts` `=` yes |
//! | `safety.cssrs.behavior_past_3_months` | `safety.cssrs.behavior` `=` yes |
//!
//! A condition on an item of a substance entry names `substance_use.substance`, which R4
//! resolves to the answer in the same entry (the nearest occurrence on the ancestor axis).
//!
//! # Standard LOINC panels
//!
//! A response to the intake questionnaire may also carry the PHQ-9 (LOINC 44249-1) and GAD-7
//! (69737-5) panels as an EHR records them: items recognised by the LOINC code their linkId
//! ends with (`/44250-9`, `/44249-1/44250-9`, `44250-9`, as LHC-Forms and US Core write
//! them). A panel is a group item (the panel's code) holding its
//! items, or its items directly, at the top level or in the `severity` group. Its items are
//! answered with the LOINC answer list (`LA6568-5` "Not at all" = 0 ... `LA6571-9` "Nearly
//! every day" = 3; GAD-7 item 2, 68509-9, also takes its own `LA18938-3` "More days than not"
//! = 2) or a `valueInteger` 0-3; a total (44261-6, 70274-6) is a `valueInteger` or a whole
//! `valueDecimal`. The PHQ-9 difficulty question (69722-7) is checked against its answer list
//! and not used: no item of the intake holds it.
//!
//! Each answer becomes the intake item it is: PHQ-9 items 1-8 `severity.phq9_items.*`, item 9
//! `safety.phq9_item9`, the GAD-7 items `severity.gad7_items.*`, the totals `severity.phq9`
//! and `severity.gad7`. The intake then scores them ([`RulePack::assess`]), as it scores the
//! same items given in JSON: a partial panel has no total (the report names its missing items
//! and the rules reading the total are not evaluated), and a total given beside its items must
//! agree with them. A panel or item given twice, an item answered both by a panel and by the
//! intake's own linkId, an answer outside an item's range or not in its answer list, and a
//! Coding from another system are errors naming the linkId and the LOINC code.
//!
//! # Rule packs' ratings
//!
//! [`questionnaire`] is the form for the built-in pack. A pack declaring `[[rating]]`s has its
//! own form, [`questionnaire_for`]: the same items, and each rating as an integer item (with
//! its range, required when the pack requires it) in a group `ratings`; it has its own
//! canonical URL and version (see [`questionnaire_for`]), derived from the intake
//! questionnaire. [`intake_from_response_for`] reads a response to it with the pack, and
//! [`response_from_intake_for`] writes one.
//!
//! # Versions
//!
//! The questionnaire's version is the intake's format, [`QUESTIONNAIRE_VERSION`] (`2`). A
//! response to the 0.1 questionnaire (version `0.1.0`, whose items intake 2 renamed and split)
//! is refused with [`FhirError::QuestionnaireV0_1`], which says how to move on; an intake read
//! from a response carries `schema_version` `2`.
//!
//! # The result
//!
//! The result is written as a `RiskAssessment` ([`Report::to_risk_assessment`]) rather than a
//! `ServiceRequest` or `CarePlan`: the engine's output is an assessment that a clinician
//! reviews, not an order or an agreed plan; its `basis` references the `QuestionnaireResponse`
//! it was computed from. The caller gives what the core cannot know in a [`FhirContext`]: the
//! resource's id, the subject, the response, when the assessment was made (the core reads no
//! clock), and the encounter and performer when there are. The resource carries a generated
//! narrative, the level coded in `prediction.outcome` ([`LEVEL_SYSTEM`]) with the setting in
//! its extension ([`SETTING_EXTENSION`]), and the urgency coded in an extension on the
//! resource ([`URGENCY_EXTENSION`], codes of [`URGENCY_SYSTEM`]); `status` is `preliminary`
//! for a provisional result. It never carries a probability: the rules give a level, not a
//! likelihood.
//!
//! [`Report::to_service_request`] writes, beside it, a *proposed* `ServiceRequest` (`status`
//! `draft`, `intent` `proposal`) for the recommended setting, with a priority from the urgency
//! and `reasonReference` the RiskAssessment: something a clinician may adopt as an order, never
//! an order itself. [`code_systems`] gives the `CodeSystem` resources of carelevel's own codes
//! (committed as `schema/fhir/CodeSystem-*.json`), so a terminology server can load them and a
//! `ConceptMap` can map them to local codes.
//!
//! [`RulePack::assess`]: crate::RulePack::assess
//! [`Report::to_risk_assessment`]: crate::Report::to_risk_assessment
//! [`Report::to_service_request`]: crate::Report::to_service_request

use crate::catalogue::{self, Item, Kind, Required};
use crate::intake::{NOT_OBTAINED, SchemaVersion};
use crate::pack::Rating;
use crate::{Intake, Level, RulePack};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

mod assessment;
mod context;
mod terminology;

pub use assessment::{Prediction, RiskAssessment, ServiceRequest};
pub use context::{FhirContext, is_id};
pub use terminology::{
    CodeSystem, CodeSystemConcept, CodeSystemProperty, ConceptProperty, code_systems,
};

/// The code system used for the intake's choices (there is no national one for these).
pub const CHOICE_SYSTEM: &str = "urn:carelevel:choice";
/// The code system used for levels of care (there is no national code for a level of care).
pub const LEVEL_SYSTEM: &str = "urn:carelevel:level-of-care";

/// The code system of the settings within a level ([`CareSetting`](crate::CareSetting) ids).
pub const SETTING_SYSTEM: &str = "urn:carelevel:care-setting";
/// The URL of the extension on a `RiskAssessment.prediction` that carries the setting within
/// the predicted level.
pub const SETTING_EXTENSION: &str = "urn:carelevel:extension:care-setting";
/// The code system of how soon the person must be seen ([`Urgency`](crate::Urgency) ids).
pub const URGENCY_SYSTEM: &str = "urn:carelevel:urgency";
/// The URL of the extension on a `RiskAssessment` that carries the urgency, coded in
/// [`URGENCY_SYSTEM`].
pub const URGENCY_EXTENSION: &str = "urn:carelevel:extension:urgency";
/// The code system of the kinds of assessment carelevel makes (`RiskAssessment.code`).
pub const ASSESSMENT_SYSTEM: &str = "urn:carelevel:assessment";
/// The code of carelevel's assessment in [`ASSESSMENT_SYSTEM`]: a level of care.
pub const ASSESSMENT_CODE: &str = "level-of-care";
/// The canonical URL of the intake questionnaire.
pub const QUESTIONNAIRE_URL: &str = "urn:carelevel:questionnaire:intake";
/// The version of the intake questionnaire: the intake's format (`schema_version`), so a
/// response's `questionnaire` canonical `URL|version` names the form whose items it answers.
/// Intake 2's is `2`.
pub const QUESTIONNAIRE_VERSION: &str = "2";
/// The intake questionnaire's resource id.
pub const QUESTIONNAIRE_ID: &str = "carelevel-intake";
/// The intake questionnaire's computer-friendly name (R4 `que-0`: an identifier).
pub const QUESTIONNAIRE_NAME: &str = "CarelevelIntake";
/// The publication date of this version of the questionnaire. A constant: the form changes
/// only with the crate, and the crate reads no clock.
pub const QUESTIONNAIRE_DATE: &str = "2026-11-29";
/// The questionnaire's publisher.
pub const QUESTIONNAIRE_PUBLISHER: &str = "carelevel";
/// The questionnaire's title.
const TITLE: &str = "carelevel behavioural-health intake";
/// The versions of the 0.1 questionnaire (whose version was the crate's, `0.1.0`): a response
/// naming one is refused with [`FhirError::QuestionnaireV0_1`].
const V0_1_VERSIONS: &[&str] = &["0.1.0", "0.1"];
/// The codes of a yes/no item that may be declined, before `declined` and `unable_to_assess`.
const YES_NO: [&str; 2] = ["yes", "no"];
/// The `QuestionnaireResponse.status` values that are assessed.
pub const ACCEPTED_STATUSES: &[&str] = &["completed", "amended"];
/// LOINC's code system.
pub const LOINC_SYSTEM: &str = "http://loinc.org";
/// The linkId of the group holding a rule pack's ratings (`ratings.<id>` for each).
const RATINGS: &str = "ratings";

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

/// A FHIR Narrative: the human-readable summary of a resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Narrative {
    /// `generated`: written from the resource's data.
    pub status: String,
    /// An XHTML `div`.
    pub div: String,
}

/// An answer option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnswerOption {
    /// The coded option.
    pub value_coding: Coding,
}

/// A condition under which an item is enabled (R4 `Questionnaire.item.enableWhen`): exactly one
/// `answer[x]`, a boolean for `exists`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnableWhen {
    /// The linkId of the question whose answer decides.
    pub question: String,
    /// `exists`, `=`, `!=`, `<`, ...
    pub operator: String,
    /// A yes/no to compare with (or, for `exists`, whether an answer exists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_boolean: Option<bool>,
    /// A number to compare with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_integer: Option<i64>,
    /// A code to compare with (system and code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_coding: Option<Coding>,
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
    /// When the item applies; always, when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enable_when: Vec<EnableWhen>,
    /// `all` or `any` of [`enable_when`](Self::enable_when), given when there are several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_behavior: Option<String>,
    /// Whether it must be answered (when it is enabled).
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
    /// The resource id ([`QUESTIONNAIRE_ID`]).
    pub id: String,
    /// A generated narrative.
    pub text: Narrative,
    /// Canonical URL ([`QUESTIONNAIRE_URL`]).
    pub url: String,
    /// Business version ([`QUESTIONNAIRE_VERSION`]): a response names it in its
    /// `questionnaire` canonical as `url|version`.
    pub version: String,
    /// A computer-friendly name ([`QUESTIONNAIRE_NAME`]).
    pub name: String,
    /// Title.
    pub title: String,
    /// The questionnaire this one extends (a rule pack's form: the intake questionnaire).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub derived_from: Vec<String>,
    /// `active`.
    pub status: String,
    /// Publication date ([`QUESTIONNAIRE_DATE`]).
    pub date: String,
    /// Publisher ([`QUESTIONNAIRE_PUBLISHER`]).
    pub publisher: String,
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
    /// A decimal answer: read only as a LOINC panel's total, when it is a whole number (as
    /// LHC-Forms writes a score).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_decimal: Option<Number>,
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

/// A FHIR Extension whose value is a CodeableConcept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConceptExtension {
    /// The extension's URL.
    pub url: String,
    /// Its value.
    pub value_codeable_concept: CodeableConcept,
}

/// A FHIR Annotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotation {
    /// Text.
    pub text: String,
}

/// Why a QuestionnaireResponse could not be read, or a [`FhirContext`] was refused.
///
/// Messages are one line and never contain a string value from the response or the context
/// (a status, a canonical, a code system, a code, a resource type, a reference, a date or free
/// text): they say what was expected instead. A linkId is shown only when it is short and identifier-like (see
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
    /// A rule pack's ratings (the group `ratings`) in a response read without the pack.
    #[error(
        "linkId `ratings` holds a rule pack's ratings: read the response with \
         `intake_from_response_for` and the pack that declares them"
    )]
    RatingsWithoutPack,
    /// An answer to an item of a standard LOINC panel that is not of the item's type: a
    /// `valueString` to a PHQ-9 item, a fraction as a total, answers on a panel's group.
    #[error("{item} ({instrument}, LOINC {code}): expected {expected}")]
    LoincAnswer {
        /// The item, as given.
        item: GivenLinkId,
        /// What it is: `PHQ-9 item 3`, `GAD-7 total`, `PHQ-9 panel`.
        instrument: &'static str,
        /// Its LOINC code.
        code: &'static str,
        /// What was expected.
        expected: String,
    },
    /// A number outside the range of a LOINC panel's item (0-3) or total (0-27, 0-21).
    #[error("{item} ({instrument}, LOINC {code}): {value} is outside {min}-{max}")]
    LoincOutOfRange {
        /// The item, as given.
        item: GivenLinkId,
        /// What it is.
        instrument: &'static str,
        /// Its LOINC code.
        code: &'static str,
        /// The number given.
        value: i64,
        /// Smallest valid value.
        min: u32,
        /// Largest valid value.
        max: u32,
    },
    /// A coded answer to a LOINC panel's item whose `system` is missing or is not LOINC's.
    #[error(
        "{item} ({instrument}, LOINC {code}): expected a valueCoding with system `{system}`",
        system = LOINC_SYSTEM
    )]
    LoincWrongSystem {
        /// The item, as given.
        item: GivenLinkId,
        /// What it is.
        instrument: &'static str,
        /// Its LOINC code.
        code: &'static str,
    },
    /// A LOINC answer code that is not in the item's answer list.
    #[error(
        "{item} ({instrument}, LOINC {code}): expected a code of its LOINC answer list: {expected}"
    )]
    LoincUnknownCode {
        /// The item, as given.
        item: GivenLinkId,
        /// What it is.
        instrument: &'static str,
        /// Its LOINC code.
        code: &'static str,
        /// The answer list: each code in backticks with its score, separated by `, `.
        expected: String,
    },
    /// A LOINC panel given twice (two panel groups, or a group and loose items of the same
    /// panel), or one of its items or totals given twice.
    #[error(
        "{item} ({instrument}, LOINC {code}) is given more than once: give each panel, and each of its items, once"
    )]
    LoincRepeated {
        /// The item or panel, as given.
        item: GivenLinkId,
        /// What it is.
        instrument: &'static str,
        /// Its LOINC code.
        code: &'static str,
    },
    /// In a LOINC panel's group, an item that is not one of the panel's.
    #[error("{item} is not an item of the {panel} panel (LOINC {code})")]
    NotAPanelItem {
        /// The item, as given.
        item: GivenLinkId,
        /// The panel: `PHQ-9` or `GAD-7`.
        panel: &'static str,
        /// The panel's LOINC code.
        code: &'static str,
    },
    /// An item of a LOINC panel whose intake item the response also answers by its own
    /// linkId (`severity.phq9_items.sleep` beside LOINC 44259-0).
    #[error(
        "{item} ({instrument}, LOINC {code}) answers `{field}`, which the response answers too: give it once"
    )]
    AnsweredTwice {
        /// The panel's item, as given.
        item: GivenLinkId,
        /// What it is.
        instrument: &'static str,
        /// Its LOINC code.
        code: &'static str,
        /// The intake item both answer.
        field: &'static str,
    },
    /// A [`FhirContext`] `id` (or the id given for a `ServiceRequest`, named
    /// `ServiceRequest.id`) that is not a FHIR id.
    #[error("`{field}` is not a FHIR id: 1-64 characters, each an ASCII letter, digit, `-` or `.`")]
    InvalidId {
        /// The field: `id` or `ServiceRequest.id`.
        field: &'static str,
    },
    /// A [`FhirContext`] reference that is neither `Type/id` of a type the field may name nor
    /// an absolute `http:`, `https:` or `urn:` URL.
    #[error(
        "`{field}` is not a FHIR reference to {expected}: expected `Type/id` (`id` 1-64 ASCII letters, digits, `-` or `.`) or an absolute `http:`, `https:` or `urn:` URL"
    )]
    InvalidReference {
        /// The field: `subject`, `response`, `encounter` or `performer`.
        field: &'static str,
        /// The resource types it may name, e.g. "a `Patient` or `Group`".
        expected: &'static str,
    },
    /// A [`FhirContext`] `occurrence` that is not a FHIR R4 dateTime (or names a day that
    /// does not exist, such as 31 April).
    #[error(
        "`{field}` is not a FHIR dateTime: expected `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ss` with a time zone (`Z` or `+hh:mm`), a date that exists"
    )]
    InvalidDateTime {
        /// The field: `occurrence`.
        field: &'static str,
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
/// assert_eq!(GivenLinkId::new("/44250-9").to_string(), "linkId `/44250-9`");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GivenLinkId {
    /// At most [`GivenLinkId::MAX_SHOWN`] characters, each a lowercase ASCII letter, a digit,
    /// `_`, `.`, `-` or `/` (a LOINC linkId such as `/44249-1/44250-9`): shown.
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
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-/".contains(c));
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

/// Displays for the codes whose name, read as words, reads badly or says too little.
const DISPLAYS: &[(&str, &str)] = &[
    ("round_the_clock_care", "Round-the-clock care"),
    (
        "nonspecific_active_thoughts",
        "Non-specific active thoughts",
    ),
    ("lifetime", "Earlier in life (lifetime)"),
    ("past_3_months", "In the past 3 months"),
    ("past_12_months", "In the past 12 months"),
    ("past_90_days", "In the past 90 days"),
    ("ptsd", "PTSD"),
    ("psychotic_acute", "Psychotic disorder, acute"),
    (
        "psychotic_chronic_stable",
        "Psychotic disorder, chronic and stable",
    ),
    ("only_in_24_hour_setting", "Only in a 24-hour setting"),
    ("office_based_buprenorphine", "Office-based buprenorphine"),
    (
        "opioid_treatment_program",
        "Opioid treatment program (methadone clinic)",
    ),
    ("withdrawal_management", "Withdrawal management alone"),
    ("not_enough", "Not enough progress"),
    ("sheltered_homeless", "Homeless, in a shelter"),
    ("unsheltered", "Homeless, unsheltered"),
    ("sedatives", "Sedatives, hypnotics or anxiolytics"),
    ("early", "Early remission"),
    ("sustained", "Sustained remission"),
    ("less", "Less intensive care"),
    ("more", "More intensive care"),
];

/// An answer option's display: from [`DISPLAYS`], a level of care's title, or the code read
/// as words (`_` as a space, the first letter capitalised).
fn display(code: &str) -> String {
    if let Some((_, shown)) = DISPLAYS.iter().find(|(c, _)| *c == code) {
        return (*shown).to_owned();
    }
    if let Some(level) = Level::ALL.iter().find(|l| l.as_str() == code) {
        return level.title().to_owned();
    }
    let mut chars = code.chars();
    chars
        .next()
        .map(|c| {
            c.to_uppercase()
                .chain(chars.map(|c| if c == '_' { ' ' } else { c }))
                .collect()
        })
        .unwrap_or_default()
}

/// When an item applies, beyond its repeating group's "assessed: none" item. Each mirrors a
/// check of the intake that refuses the item as a conflict when it does not apply (a unit
/// test holds the two together).
#[derive(Debug, Clone, Copy)]
enum When {
    /// The entry's `substance` is one of these.
    Substance(&'static [&'static str]),
    /// The choice at this path is answered, with another code than this one.
    AnsweredOtherThan(&'static str, &'static str),
    /// The yes/no (coded: it may be declined) at this path is answered yes.
    Yes(&'static str),
    /// `age` is below this.
    AgeBelow(u32),
    /// The item at this path is not answered (the C-SSRS screener was not used).
    Unanswered(&'static str),
}

/// The question an entry's substance conditions read: the substance of the same entry.
const SUBSTANCE: &str = "substance_use.substance";
/// The age from which adolescent items do not apply.
const ADULT_AGE: u32 = 18;

/// The items that apply only under a condition.
const APPLIES: &[(&str, When)] = &[
    // The two suicide items are asked (and required) unless the screener answers them.
    (
        "safety.suicidal_ideation",
        When::Unanswered("safety.cssrs.wish_to_be_dead"),
    ),
    (
        "safety.suicidal_behavior",
        When::Unanswered("safety.cssrs.behavior"),
    ),
    (
        "safety.cssrs.method",
        When::Yes("safety.cssrs.nonspecific_thoughts"),
    ),
    (
        "safety.cssrs.intent",
        When::Yes("safety.cssrs.nonspecific_thoughts"),
    ),
    (
        "safety.cssrs.plan",
        When::Yes("safety.cssrs.nonspecific_thoughts"),
    ),
    (
        "safety.cssrs.behavior_past_3_months",
        When::Yes("safety.cssrs.behavior"),
    ),
    (
        "substance_use.on_maintenance_therapy",
        When::Substance(&["opioids"]),
    ),
    (
        "substance_use.drinks_per_day",
        When::Substance(&["alcohol"]),
    ),
    (
        "substance_use.benzodiazepine",
        When::Substance(&["sedatives"]),
    ),
    (
        "substance_use.daily_dose_mg",
        When::Substance(&["sedatives"]),
    ),
    (
        "substance_use.ciwa_ar",
        When::Substance(&["alcohol", "sedatives"]),
    ),
    ("substance_use.cows", When::Substance(&["opioids"])),
    (
        "substance_use.ciwa_ar_items",
        When::Substance(&["alcohol", "sedatives"]),
    ),
    ("substance_use.cows_items", When::Substance(&["opioids"])),
    (
        "medication.opioid_use_disorder_adherence",
        When::AnsweredOtherThan("medication.opioid_use_disorder", "none"),
    ),
    (
        "medication.alcohol_use_disorder_adherence",
        When::AnsweredOtherThan("medication.alcohol_use_disorder", "none"),
    ),
    (
        "history.progress",
        When::AnsweredOtherThan("history.current_setting", "none"),
    ),
    ("adolescent", When::AgeBelow(ADULT_AGE)),
];

/// A condition on the question at `question`.
fn condition(question: &str, operator: &str) -> EnableWhen {
    EnableWhen {
        question: question.to_owned(),
        operator: operator.to_owned(),
        answer_boolean: None,
        answer_integer: None,
        answer_coding: None,
    }
}

/// The code `code` of the choice item at `question`, as an `answerCoding`.
fn coded(question: &str, code: &str) -> Option<Coding> {
    Some(Coding {
        system: Some(format!("{CHOICE_SYSTEM}:{question}")),
        code: Some(code.to_owned()),
        display: None,
    })
}

/// The item's `enableWhen` and, with several conditions, its `enableBehavior`.
fn enable_when(d: &Item) -> (Vec<EnableWhen>, Option<String>) {
    let mut when = Vec::new();
    let mut behavior = None;
    // A repeating group is asked unless its "assessed: none" item is checked (`!=` is true
    // when that item is unanswered).
    if d.kind == Kind::Groups {
        if let Some(none) = catalogue::ITEMS
            .iter()
            .find(|n| n.kind == Kind::NoneOf(d.path))
        {
            when.push(EnableWhen {
                answer_boolean: Some(true),
                ..condition(none.path, "!=")
            });
        }
    }
    match APPLIES
        .iter()
        .find(|(path, _)| *path == d.path)
        .map(|(_, w)| *w)
    {
        Some(When::Substance(substances)) => {
            for s in substances {
                when.push(EnableWhen {
                    answer_coding: coded(SUBSTANCE, s),
                    ..condition(SUBSTANCE, "=")
                });
            }
            behavior = Some("any");
        }
        Some(When::AnsweredOtherThan(question, code)) => {
            when.push(EnableWhen {
                answer_boolean: Some(true),
                ..condition(question, "exists")
            });
            when.push(EnableWhen {
                answer_coding: coded(question, code),
                ..condition(question, "!=")
            });
            behavior = Some("all");
        }
        Some(When::Yes(question)) => when.push(EnableWhen {
            answer_coding: coded(question, "yes"),
            ..condition(question, "=")
        }),
        Some(When::AgeBelow(age)) => when.push(EnableWhen {
            answer_integer: Some(i64::from(age)),
            ..condition("age", "<")
        }),
        Some(When::Unanswered(question)) => when.push(EnableWhen {
            answer_boolean: Some(false),
            ..condition(question, "exists")
        }),
        None => {}
    }
    // R4 `que-12`: `enableBehavior` is given exactly when there are several conditions.
    let behavior = behavior.filter(|_| when.len() > 1).map(ToOwned::to_owned);
    (when, behavior)
}

/// The LOINC codes of the question at `path`: the catalogue's (with LOINC's own display), and
/// an item of a standard LOINC panel's (code only: its display would be the instrument's
/// wording).
fn loinc_codes(d: &Item) -> Vec<Coding> {
    let catalogue = d.loinc.map(|(code, display)| Coding {
        system: Some(LOINC_SYSTEM.to_owned()),
        code: Some(code.to_owned()),
        display: Some(display.to_owned()),
    });
    let panel_item = PANELS
        .iter()
        .flat_map(|p| p.items.iter())
        .find(|i| i.path == d.path && d.loinc.is_none())
        .map(|i| Coding {
            system: Some(LOINC_SYSTEM.to_owned()),
            code: Some(i.code.to_owned()),
            display: None,
        });
    catalogue.into_iter().chain(panel_item).collect()
}

fn range(min: u32, max: u32) -> Vec<Extension> {
    vec![
        Extension {
            url: "http://hl7.org/fhir/StructureDefinition/minValue".into(),
            value_integer: i64::from(min),
        },
        Extension {
            url: "http://hl7.org/fhir/StructureDefinition/maxValue".into(),
            value_integer: i64::from(max),
        },
    ]
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
    let (enable_when, enable_behavior) = enable_when(d);
    QuestionnaireItem {
        link_id: d.path.to_owned(),
        text: d.question.to_owned(),
        kind: kind.to_owned(),
        enable_when,
        enable_behavior,
        // Required in treatment, or unless screened: required when enabled, and enabled only
        // in treatment, or when the screener is not used.
        required: matches!(
            d.required,
            Required::Always | Required::InTreatment | Required::UnlessScreened
        ),
        repeats,
        code: loinc_codes(d),
        answer_option: codes
            .iter()
            .map(|o| AnswerOption {
                value_coding: Coding {
                    system: Some(choice_system(d)),
                    code: Some((*o).to_owned()),
                    display: Some(display(o)),
                },
            })
            .collect(),
        extension: match d.kind {
            Kind::Int { min, max } => range(min, max),
            _ => Vec::new(),
        },
        item: d.children().map(to_item).collect(),
    }
}

/// Escapes text for XHTML.
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Counts the groups and the questions among `items`, at any depth.
fn count(items: &[QuestionnaireItem], groups: &mut usize, questions: &mut usize) {
    for item in items {
        if item.kind == "group" {
            *groups += 1;
        } else {
            *questions += 1;
        }
        count(&item.item, groups, questions);
    }
}

/// The form's generated narrative: a minimal XHTML `div` saying what it is.
fn narrative(q: &Questionnaire) -> Narrative {
    let (mut groups, mut questions) = (0, 0);
    count(&q.item, &mut groups, &mut questions);
    Narrative {
        status: "generated".into(),
        div: format!(
            "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>{}, version {}: {questions} \
             questions in {groups} groups, generated from carelevel's catalogue of intake \
             items. An item that does not apply is disabled by its <code>enableWhen</code>.</p></div>",
            xml_escape(&q.title),
            xml_escape(&q.version)
        ),
    }
}

/// The intake as a FHIR R4 `Questionnaire`, so an EHR can render the form: the form of the
/// built-in pack, which declares no rating (see [`questionnaire_for`] for a pack's).
///
/// # Examples
///
/// ```
/// let q = carelevel::fhir::questionnaire();
/// let json = serde_json::to_string(&q).unwrap();
/// assert!(json.contains(r#""linkId":"safety.suicidal_ideation""#));
/// assert!(json.contains("44261-6")); // PHQ-9 total, LOINC
/// assert_eq!(q.version, carelevel::fhir::QUESTIONNAIRE_VERSION);
/// assert_eq!(q.name, "CarelevelIntake");
/// ```
pub fn questionnaire() -> Questionnaire {
    let mut q = Questionnaire {
        resource_type: "Questionnaire".into(),
        id: QUESTIONNAIRE_ID.into(),
        text: Narrative {
            status: "generated".into(),
            div: String::new(),
        },
        url: QUESTIONNAIRE_URL.into(),
        version: QUESTIONNAIRE_VERSION.into(),
        name: QUESTIONNAIRE_NAME.into(),
        title: TITLE.into(),
        derived_from: Vec::new(),
        status: "active".into(),
        date: QUESTIONNAIRE_DATE.into(),
        publisher: QUESTIONNAIRE_PUBLISHER.into(),
        item: catalogue::children_of("").map(to_item).collect(),
    };
    q.text = narrative(&q);
    q
}

/// `s` with every character outside ASCII letters, digits, `-` and `.` replaced by `-` (for a
/// pack's id or version in a canonical URL, a version or a resource id).
fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The canonical URL and version of a pack's form: the intake questionnaire's when the pack
/// declares no rating, else `urn:carelevel:questionnaire:intake:pack:<id>` and
/// `2-<pack version>` (the pack's id and version with any character but ASCII letters,
/// digits, `-` and `.` as `-`).
fn form_canonical(pack: &RulePack) -> (String, String) {
    if pack.ratings().is_empty() {
        return (QUESTIONNAIRE_URL.into(), QUESTIONNAIRE_VERSION.into());
    }
    let meta = pack.meta();
    (
        format!("{QUESTIONNAIRE_URL}:pack:{}", slug(&meta.id)),
        format!("{QUESTIONNAIRE_VERSION}-{}", slug(&meta.version)),
    )
}

/// The index of the top-level item `notes` (the ratings go before it, as in the intake).
fn before_notes<T>(items: &[T], link: impl Fn(&T) -> &str) -> usize {
    items
        .iter()
        .position(|i| link(i) == "notes")
        .unwrap_or(items.len())
}

/// The form for a rule pack: [`questionnaire`] with the pack's ratings (each `[[rating]]` an
/// integer item `ratings.<id>` with its range, required when the pack requires it) in a group
/// `ratings`. A pack without ratings (the built-in pack) has the intake questionnaire itself.
///
/// A pack with ratings has its own form: canonical URL
/// `urn:carelevel:questionnaire:intake:pack:<pack id>`, version `2-<pack version>` (each
/// character of the id and version but ASCII letters, digits, `-` and `.` written `-`), and
/// `derivedFrom` the intake questionnaire. Read a response to it with
/// [`intake_from_response_for`].
///
/// # Examples
///
/// ```
/// use carelevel::fhir::{questionnaire, questionnaire_for};
/// // The built-in rules under another id, with a rating `d1` added.
/// let mut sources: Vec<(&str, String)> = carelevel::BUILTIN_SOURCES
///     .iter()
///     .map(|(n, t)| (*n, t.replace("id = \"carelevel.builtin\"", "id = \"dims\"")))
///     .collect();
/// sources.push(("d1.toml", "[[rating]]\nid = \"d1\"\nmin = 0\nmax = 4\n".into()));
/// let sources: Vec<(&str, &str)> = sources.iter().map(|(n, t)| (*n, t.as_str())).collect();
/// let pack = carelevel::RulePack::from_sources(&sources)?;
///
/// let q = questionnaire_for(&pack);
/// assert_eq!(q.url, "urn:carelevel:questionnaire:intake:pack:dims");
/// assert_eq!(q.version, format!("2-{}", pack.meta().version));
/// let ratings = q.item.iter().find(|i| i.link_id == "ratings").unwrap();
/// assert_eq!(ratings.item[0].link_id, "ratings.d1");
/// assert!(ratings.item[0].required);
/// assert_eq!(questionnaire_for(&carelevel::RulePack::builtin()), questionnaire());
/// # Ok::<(), carelevel::PackError>(())
/// ```
pub fn questionnaire_for(pack: &RulePack) -> Questionnaire {
    let mut q = questionnaire();
    if pack.ratings().is_empty() {
        return q;
    }
    let meta = pack.meta();
    let (url, version) = form_canonical(pack);
    let ratings = QuestionnaireItem {
        link_id: RATINGS.into(),
        text: format!("Ratings of the rule pack {}", meta.id),
        kind: "group".into(),
        enable_when: Vec::new(),
        enable_behavior: None,
        required: false,
        repeats: false,
        code: Vec::new(),
        answer_option: Vec::new(),
        extension: Vec::new(),
        item: pack
            .ratings()
            .iter()
            .map(|r| QuestionnaireItem {
                link_id: format!("{RATINGS}.{}", r.id),
                text: format!("Rating {} ({}-{})", r.id, r.min, r.max),
                kind: "integer".into(),
                enable_when: Vec::new(),
                enable_behavior: None,
                required: r.required,
                repeats: false,
                code: Vec::new(),
                answer_option: Vec::new(),
                extension: range(r.min, r.max),
                item: Vec::new(),
            })
            .collect(),
    };
    let at = before_notes(&q.item, |i| i.link_id.as_str());
    q.item.insert(at, ratings);
    let mut id = format!("{QUESTIONNAIRE_ID}-{}", slug(&meta.id));
    id.truncate(64);
    q.id = id;
    q.url = url;
    q.version = version;
    q.name = format!("{QUESTIONNAIRE_NAME}WithRatings");
    q.title = format!("{TITLE}, with the ratings of rule pack {}", meta.id);
    q.derived_from = vec![format!("{QUESTIONNAIRE_URL}|{QUESTIONNAIRE_VERSION}")];
    q.text = narrative(&q);
    q
}

/// An item of a standard LOINC panel.
#[derive(Debug, Clone, Copy)]
struct PanelItem {
    /// Its LOINC code.
    code: &'static str,
    /// What it is, as errors name it: `PHQ-9 item 1`, `PHQ-9 total`.
    label: &'static str,
    /// The intake item it answers; `""` for one the intake has no item for (read and
    /// checked, not used).
    path: &'static str,
    /// Its LOINC answer list, each code with its score; empty for a total (a number).
    answers: &'static [(&'static str, u32)],
}

/// A standard LOINC panel the reader recognises.
#[derive(Debug, Clone, Copy)]
struct Panel {
    /// `PHQ-9`, `GAD-7`.
    instrument: &'static str,
    /// `PHQ-9 panel`.
    label: &'static str,
    /// The panel's LOINC code.
    code: &'static str,
    /// The scored items, in the instrument's order.
    items: &'static [PanelItem],
    /// The total score.
    total: PanelItem,
    /// Items of the panel that score nothing and that the intake has no item for.
    unscored: &'static [PanelItem],
}

/// LOINC answer list LL358-3, "Not at all" (0) to "Nearly every day" (3): the PHQ-9 and GAD-7
/// items.
const LL358_3: &[(&str, u32)] = &[
    ("LA6568-5", 0),
    ("LA6569-3", 1),
    ("LA6570-1", 2),
    ("LA6571-9", 3),
];

/// GAD-7 item 2 (68509-9), whose LOINC answer list has "More days than not" (LA18938-3) for 2;
/// LL358-3's "More than half the days" (LA6570-1), which many systems send for every GAD-7
/// item, is read as 2 too.
const GAD7_ITEM_2: &[(&str, u32)] = &[
    ("LA6568-5", 0),
    ("LA6569-3", 1),
    ("LA18938-3", 2),
    ("LA6570-1", 2),
    ("LA6571-9", 3),
];

/// LOINC answer list LL359-1, "Not difficult at all" to "Extremely difficult": the PHQ-9's
/// difficulty question (69722-7).
const LL359_1: &[(&str, u32)] = &[
    ("LA6572-7", 0),
    ("LA6573-5", 1),
    ("LA6575-0", 2),
    ("LA6574-3", 3),
];

const fn scored(
    code: &'static str,
    label: &'static str,
    path: &'static str,
    answers: &'static [(&'static str, u32)],
) -> PanelItem {
    PanelItem {
        code,
        label,
        path,
        answers,
    }
}

/// The standard panels: PHQ-9 (44249-1) and GAD-7 (69737-5), their items in order (a unit test
/// holds them to the intake's scoring order), totals and unscored items.
static PANELS: [Panel; 2] = [
    Panel {
        instrument: "PHQ-9",
        label: "PHQ-9 panel",
        code: "44249-1",
        items: &[
            scored(
                "44250-9",
                "PHQ-9 item 1",
                "severity.phq9_items.interest",
                LL358_3,
            ),
            scored(
                "44255-8",
                "PHQ-9 item 2",
                "severity.phq9_items.feeling_down",
                LL358_3,
            ),
            scored(
                "44259-0",
                "PHQ-9 item 3",
                "severity.phq9_items.sleep",
                LL358_3,
            ),
            scored(
                "44254-1",
                "PHQ-9 item 4",
                "severity.phq9_items.tiredness",
                LL358_3,
            ),
            scored(
                "44251-7",
                "PHQ-9 item 5",
                "severity.phq9_items.appetite",
                LL358_3,
            ),
            scored(
                "44258-2",
                "PHQ-9 item 6",
                "severity.phq9_items.self_worth",
                LL358_3,
            ),
            scored(
                "44252-5",
                "PHQ-9 item 7",
                "severity.phq9_items.concentration",
                LL358_3,
            ),
            scored(
                "44253-3",
                "PHQ-9 item 8",
                "severity.phq9_items.psychomotor",
                LL358_3,
            ),
            scored("44260-8", "PHQ-9 item 9", "safety.phq9_item9", LL358_3),
        ],
        total: scored("44261-6", "PHQ-9 total", "severity.phq9", &[]),
        unscored: &[scored("69722-7", "PHQ-9 difficulty", "", LL359_1)],
    },
    Panel {
        instrument: "GAD-7",
        label: "GAD-7 panel",
        code: "69737-5",
        items: &[
            scored(
                "69725-0",
                "GAD-7 item 1",
                "severity.gad7_items.nervous",
                LL358_3,
            ),
            scored(
                "68509-9",
                "GAD-7 item 2",
                "severity.gad7_items.uncontrolled_worry",
                GAD7_ITEM_2,
            ),
            scored(
                "69733-4",
                "GAD-7 item 3",
                "severity.gad7_items.excessive_worry",
                LL358_3,
            ),
            scored(
                "69734-2",
                "GAD-7 item 4",
                "severity.gad7_items.trouble_relaxing",
                LL358_3,
            ),
            scored(
                "69735-9",
                "GAD-7 item 5",
                "severity.gad7_items.restlessness",
                LL358_3,
            ),
            scored(
                "69689-8",
                "GAD-7 item 6",
                "severity.gad7_items.irritability",
                LL358_3,
            ),
            scored(
                "69736-7",
                "GAD-7 item 7",
                "severity.gad7_items.dread",
                LL358_3,
            ),
        ],
        total: scored("70274-6", "GAD-7 total", "severity.gad7", &[]),
        unscored: &[],
    },
];

/// What a LOINC linkId names.
#[derive(Debug, Clone, Copy)]
enum Loinc {
    /// A panel (its group).
    Panel(&'static Panel),
    /// A scored item of a panel: its position.
    Item(&'static Panel, usize),
    /// A panel's total.
    Total(&'static Panel),
    /// An unscored item of a panel.
    Unscored(&'static Panel, usize),
}

impl Loinc {
    fn panel(self) -> &'static Panel {
        match self {
            Loinc::Panel(p) | Loinc::Item(p, _) | Loinc::Total(p) | Loinc::Unscored(p, _) => p,
        }
    }
}

/// The standard panel item a linkId names by the LOINC code it ends with (`/44250-9`,
/// `/44249-1/44250-9`, `44250-9`).
fn recognise(link_id: &str) -> Option<Loinc> {
    let code = link_id.rsplit('/').next()?;
    PANELS.iter().find_map(|p| {
        if p.code == code {
            Some(Loinc::Panel(p))
        } else if p.total.code == code {
            Some(Loinc::Total(p))
        } else if let Some(k) = p.items.iter().position(|i| i.code == code) {
            Some(Loinc::Item(p, k))
        } else {
            p.unscored
                .iter()
                .position(|i| i.code == code)
                .map(|k| Loinc::Unscored(p, k))
        }
    })
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

/// How many `value[x]` an answer has (FHIR allows exactly one).
fn values(a: &ResponseAnswer) -> usize {
    usize::from(a.value_coding.is_some())
        + usize::from(a.value_integer.is_some())
        + usize::from(a.value_boolean.is_some())
        + usize::from(a.value_string.is_some())
        + usize::from(a.value_decimal.is_some())
}

fn answer_value(d: &Item, a: &ResponseAnswer) -> Result<Value, FhirError> {
    let wrong = |expected| FhirError::WrongAnswerType {
        link_id: d.path.to_owned(),
        expected,
    };
    // FHIR allows exactly one value[x] per answer: a second one would be silently dropped.
    if values(a) > 1 {
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

/// How a panel was given: as a group holding its items, or as loose items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Given {
    Group,
    Loose,
}

/// What a response gave of one standard panel.
#[derive(Debug, Default)]
struct PanelRead {
    given: Option<Given>,
    /// Each scored item's score and linkId, in the panel's order.
    items: Vec<Option<(u32, GivenLinkId)>>,
    total: Option<(u32, GivenLinkId)>,
    /// Whether each unscored item was given.
    unscored: Vec<bool>,
}

/// Reads a response's items: the intake's, a pack's ratings, standard LOINC panels.
#[derive(Debug)]
struct Reader<'p> {
    /// The ratings a response may answer; `None` when read without a pack.
    ratings: Option<&'p [Rating]>,
    /// What was given of each of [`PANELS`].
    panels: Vec<PanelRead>,
}

impl<'p> Reader<'p> {
    fn new(ratings: Option<&'p [Rating]>) -> Reader<'p> {
        Reader {
            ratings,
            panels: PANELS
                .iter()
                .map(|p| PanelRead {
                    given: None,
                    items: vec![None; p.items.len()],
                    total: None,
                    unscored: vec![false; p.unscored.len()],
                })
                .collect(),
        }
    }

    /// Reads response items into `out` (the JSON object at this level).
    ///
    /// Nothing is dropped or overridden: an item or group that does not repeat may appear
    /// only once among its siblings, a repeating choice is one item with several answers, a
    /// group takes no answers and a question no child items.
    fn read_items(
        &mut self,
        items: &[ResponseItem],
        within: &str,
        out: &mut Map<String, Value>,
    ) -> Result<(), FhirError> {
        let mut seen: Vec<&'static str> = Vec::new();
        // The repeating groups said to have no entries, by their `none_of` items.
        let mut none_of: Vec<(&'static Item, &'static str)> = Vec::new();
        for item in items {
            let Some(d) = catalogue::children_of(within).find(|d| d.path == item.link_id) else {
                self.read_other(item, within, out)?;
                continue;
            };
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
                    self.read_items(&item.item, d.path, &mut m)?;
                    out.insert(d.key().to_owned(), Value::Object(m));
                }
                Kind::Groups => {
                    let mut m = Map::new();
                    self.read_items(&item.item, d.path, &mut m)?;
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
            // "None" is an empty list of entries: it cannot stand beside an entry, or one of
            // the two answers would be dropped.
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

    /// An item that is not one of the intake's: a pack's ratings (at the top level), a
    /// standard LOINC panel or one of its items (at the top level or in `severity`), or an
    /// unknown linkId.
    fn read_other(
        &mut self,
        item: &ResponseItem,
        within: &str,
        out: &mut Map<String, Value>,
    ) -> Result<(), FhirError> {
        if within.is_empty() && item.link_id == RATINGS {
            return self.read_ratings(item, out);
        }
        if within.is_empty() || within == "severity" {
            if let Some(loinc) = recognise(&item.link_id) {
                return self.read_loinc(item, loinc);
            }
        }
        Err(FhirError::UnknownLinkId(GivenLinkId::new(&item.link_id)))
    }

    /// The group `ratings`: each item `ratings.<id>` a rating the pack declares.
    fn read_ratings(
        &mut self,
        item: &ResponseItem,
        out: &mut Map<String, Value>,
    ) -> Result<(), FhirError> {
        let declared = self.ratings.ok_or(FhirError::RatingsWithoutPack)?;
        if !item.answer.is_empty() {
            return Err(FhirError::WrongAnswerType {
                link_id: RATINGS.into(),
                expected: "child items, not an answer",
            });
        }
        if out.contains_key(RATINGS) {
            return Err(FhirError::RepeatedItem {
                link_id: RATINGS.into(),
                repeats: false,
            });
        }
        let mut read = Map::new();
        for child in &item.item {
            let rating = child
                .link_id
                .strip_prefix("ratings.")
                .and_then(|id| declared.iter().find(|r| r.id == id))
                .ok_or_else(|| FhirError::UnknownLinkId(GivenLinkId::new(&child.link_id)))?;
            let link_id = format!("{RATINGS}.{}", rating.id);
            let wrong = |expected| FhirError::WrongAnswerType {
                link_id: link_id.clone(),
                expected,
            };
            if read.contains_key(&rating.id) {
                return Err(FhirError::RepeatedItem {
                    link_id,
                    repeats: false,
                });
            }
            if !child.item.is_empty() {
                return Err(wrong("answers, not child items"));
            }
            let answer = match child.answer.as_slice() {
                [] => continue,
                [a] => a,
                _ => return Err(FhirError::TooManyAnswers(link_id)),
            };
            if values(answer) > 1 {
                return Err(wrong("exactly one value[x] in each answer"));
            }
            let value = answer
                .value_integer
                .ok_or_else(|| wrong("an integer answer (valueInteger)"))?;
            read.insert(rating.id.clone(), Value::from(value));
        }
        out.insert(RATINGS.into(), Value::Object(read));
        Ok(())
    }

    /// A standard LOINC panel's group, or one of its items given loose.
    fn read_loinc(&mut self, item: &ResponseItem, loinc: Loinc) -> Result<(), FhirError> {
        let panel = loinc.panel();
        let given_as = if matches!(loinc, Loinc::Panel(_)) {
            Given::Group
        } else {
            Given::Loose
        };
        let state = self.state(panel)?;
        // A second group, or a group beside loose items (or loose items beside a group), is
        // the panel given twice.
        if state
            .given
            .is_some_and(|g| g == Given::Group || given_as == Given::Group)
        {
            return Err(FhirError::LoincRepeated {
                item: GivenLinkId::new(&item.link_id),
                instrument: panel.label,
                code: panel.code,
            });
        }
        state.given = Some(given_as);
        if !matches!(loinc, Loinc::Panel(_)) {
            return self.read_panel_item(item, loinc);
        }
        if !item.answer.is_empty() {
            return Err(FhirError::LoincAnswer {
                item: GivenLinkId::new(&item.link_id),
                instrument: panel.label,
                code: panel.code,
                expected: "child items, not an answer".into(),
            });
        }
        for child in &item.item {
            match recognise(&child.link_id) {
                Some(l) if !matches!(l, Loinc::Panel(_)) && l.panel().code == panel.code => {
                    self.read_panel_item(child, l)?;
                }
                _ => {
                    return Err(FhirError::NotAPanelItem {
                        item: GivenLinkId::new(&child.link_id),
                        panel: panel.instrument,
                        code: panel.code,
                    });
                }
            }
        }
        Ok(())
    }

    /// What was given of `panel`.
    fn state(&mut self, panel: &'static Panel) -> Result<&mut PanelRead, FhirError> {
        let index = PANELS.iter().position(|p| p.code == panel.code);
        index
            .and_then(|i| self.panels.get_mut(i))
            .ok_or_else(|| FhirError::NotAPanelItem {
                item: GivenLinkId::new(panel.code),
                panel: panel.instrument,
                code: panel.code,
            })
    }

    /// One item of a panel (a scored item, the total or an unscored item): its answer read,
    /// checked and kept for [`Reader::merge_panels`].
    fn read_panel_item(&mut self, item: &ResponseItem, loinc: Loinc) -> Result<(), FhirError> {
        let panel = loinc.panel();
        let of = match loinc {
            Loinc::Item(p, k) => p.items.get(k),
            Loinc::Total(p) => Some(&p.total),
            Loinc::Unscored(p, k) => p.unscored.get(k),
            Loinc::Panel(_) => None,
        };
        let given = GivenLinkId::new(&item.link_id);
        let Some(of) = of.copied() else {
            return Err(FhirError::NotAPanelItem {
                item: given,
                panel: panel.instrument,
                code: panel.code,
            });
        };
        let answer_error = |expected: &str| FhirError::LoincAnswer {
            item: given.clone(),
            instrument: of.label,
            code: of.code,
            expected: expected.to_owned(),
        };
        if !item.item.is_empty() {
            return Err(answer_error("answers, not child items"));
        }
        let answer = match item.answer.as_slice() {
            [] => None,
            [a] => Some(a),
            _ => return Err(answer_error("one answer")),
        };
        let state = self.state(panel)?;
        let slot_taken = match loinc {
            Loinc::Item(_, k) => state.items.get(k).is_some_and(Option::is_some),
            Loinc::Total(_) => state.total.is_some(),
            Loinc::Unscored(_, k) => state.unscored.get(k).copied().unwrap_or(false),
            Loinc::Panel(_) => false,
        };
        if slot_taken {
            return Err(FhirError::LoincRepeated {
                item: given,
                instrument: of.label,
                code: of.code,
            });
        }
        // An item given without an answer is unanswered: the instrument is partial.
        let Some(answer) = answer else {
            if let Loinc::Unscored(_, k) = loinc {
                if let Some(seen) = state.unscored.get_mut(k) {
                    *seen = true;
                }
            }
            return Ok(());
        };
        let score = panel_score(&given, of, answer)?;
        match loinc {
            Loinc::Item(_, k) => {
                if let Some(slot) = state.items.get_mut(k) {
                    *slot = Some((score, given));
                }
            }
            Loinc::Total(_) => state.total = Some((score, given)),
            Loinc::Unscored(_, k) => {
                if let Some(seen) = state.unscored.get_mut(k) {
                    *seen = true;
                }
            }
            Loinc::Panel(_) => {}
        }
        Ok(())
    }

    /// Puts what the panels gave into the intake's JSON: each item's choice at its path, each
    /// total at its path. A path the response also answered by its own linkId is an error.
    fn merge_panels(&self, root: &mut Map<String, Value>) -> Result<(), FhirError> {
        for (panel, state) in PANELS.iter().zip(&self.panels) {
            let items = panel.items.iter().zip(&state.items);
            let total = std::iter::once((&panel.total, &state.total));
            for (of, slot) in items.chain(total) {
                let Some((score, given)) = slot else {
                    continue;
                };
                let value = match catalogue::find(of.path).map(|d| d.kind) {
                    Some(Kind::Choice(ids)) => ids.get(*score as usize).map(|id| Value::from(*id)),
                    Some(Kind::Int { .. }) => Some(Value::from(*score)),
                    _ => None,
                };
                let twice = || FhirError::AnsweredTwice {
                    item: given.clone(),
                    instrument: of.label,
                    code: of.code,
                    field: of.path,
                };
                let value = value.ok_or_else(twice)?;
                insert_at(root, of.path, value).map_err(|()| twice())?;
            }
        }
        Ok(())
    }
}

/// Puts `value` at the dotted `path` of `root`, making the groups on the way; an error if the
/// path already holds a value (or a group on the way is not an object).
fn insert_at(root: &mut Map<String, Value>, path: &str, value: Value) -> Result<(), ()> {
    let (parents, key) = path.rsplit_once('.').unwrap_or(("", path));
    let mut at = root;
    for segment in parents.split('.').filter(|s| !s.is_empty()) {
        at = match at
            .entry(segment)
            .or_insert_with(|| Value::Object(Map::new()))
        {
            Value::Object(m) => m,
            _ => return Err(()),
        };
    }
    if at.contains_key(key) {
        return Err(());
    }
    at.insert(key.to_owned(), value);
    Ok(())
}

/// The score of an answer to a panel's item: a code of its answer list or a `valueInteger` in
/// its range (an item); a `valueInteger` or whole `valueDecimal` in its range (a total).
fn panel_score(given: &GivenLinkId, of: PanelItem, a: &ResponseAnswer) -> Result<u32, FhirError> {
    let answer_error = |expected: String| FhirError::LoincAnswer {
        item: given.clone(),
        instrument: of.label,
        code: of.code,
        expected,
    };
    if values(a) > 1 {
        return Err(answer_error("exactly one value[x] in each answer".into()));
    }
    let (min, max) = if of.answers.is_empty() {
        match catalogue::find(of.path).map(|d| d.kind) {
            Some(Kind::Int { min, max }) => (min, max),
            _ => (0, 0),
        }
    } else {
        (
            0,
            of.answers.iter().map(|(_, s)| *s).max().unwrap_or_default(),
        )
    };
    let in_range = |value: i64| {
        u32::try_from(value)
            .ok()
            .filter(|v| (min..=max).contains(v))
            .ok_or(FhirError::LoincOutOfRange {
                item: given.clone(),
                instrument: of.label,
                code: of.code,
                value,
                min,
                max,
            })
    };
    if !of.answers.is_empty() {
        if let Some(coding) = &a.value_coding {
            if coding.system.as_deref() != Some(LOINC_SYSTEM) {
                return Err(FhirError::LoincWrongSystem {
                    item: given.clone(),
                    instrument: of.label,
                    code: of.code,
                });
            }
            return coding
                .code
                .as_deref()
                .and_then(|code| of.answers.iter().find(|(c, _)| *c == code))
                .map(|(_, score)| *score)
                .ok_or_else(|| FhirError::LoincUnknownCode {
                    item: given.clone(),
                    instrument: of.label,
                    code: of.code,
                    expected: of
                        .answers
                        .iter()
                        .map(|(c, s)| format!("`{c}` ({s})"))
                        .collect::<Vec<_>>()
                        .join(", "),
                });
        }
        return match a.value_integer {
            Some(v) => in_range(v),
            None => Err(answer_error(format!(
                "a valueCoding from its LOINC answer list, or a valueInteger {min}-{max}"
            ))),
        };
    }
    if let Some(v) = a.value_integer {
        return in_range(v);
    }
    match a.value_decimal.as_ref() {
        Some(d) => match d.as_i64() {
            Some(v) => in_range(v),
            // `12.0` is a whole number; `12.5` is not a score.
            None => match d.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => in_range(f as i64),
                _ => Err(answer_error(format!("a whole number {min}-{max}"))),
            },
        },
        None => Err(answer_error(format!(
            "a number {min}-{max} (valueInteger, or a whole valueDecimal)"
        ))),
    }
}

/// Checks the response's `status` and `questionnaire` canonical: one of `forms` (URL and
/// version), the version optional.
fn check_header(
    response: &QuestionnaireResponse,
    forms: &[(String, String)],
) -> Result<(), FhirError> {
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
    let Some((_, expected)) = forms.iter().find(|(u, _)| u == url) else {
        return Err(FhirError::WrongQuestionnaire);
    };
    match version {
        Some(v) if url == QUESTIONNAIRE_URL && V0_1_VERSIONS.contains(&v) => {
            Err(FhirError::QuestionnaireV0_1)
        }
        Some(v) if v != expected => Err(FhirError::WrongQuestionnaireVersion),
        _ => Ok(()),
    }
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

/// The intake questionnaire's canonical URL and version.
fn intake_form() -> (String, String) {
    (QUESTIONNAIRE_URL.into(), QUESTIONNAIRE_VERSION.into())
}

/// Reads a response to one of `forms`, with a pack's `ratings` (or none).
fn read_response(
    response: &QuestionnaireResponse,
    forms: &[(String, String)],
    ratings: Option<&[Rating]>,
) -> Result<Intake, FhirError> {
    check_header(response, forms)?;
    let mut reader = Reader::new(ratings);
    let mut root = Map::new();
    reader.read_items(&response.item, "", &mut root)?;
    reader.merge_panels(&mut root)?;
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

/// Reads a `QuestionnaireResponse` to the intake questionnaire into an [`Intake`].
///
/// The response must be `completed` or `amended` and must name the intake questionnaire in
/// `questionnaire` ([`QUESTIONNAIRE_URL`], optionally `|`[`QUESTIONNAIRE_VERSION`]). No
/// answer is dropped or overridden: what would be is an error instead. The intake read
/// carries `schema_version` `2` (the questionnaire's version).
///
/// Standard LOINC panels (PHQ-9 44249-1, GAD-7 69737-5) in the response are read by their
/// codes into the intake's items (see the [module documentation](self)); the intake scores
/// them when it is assessed. A rule pack's ratings are read by [`intake_from_response_for`].
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
/// - [`FhirError::UnknownLinkId`]: an item the questionnaire does not have at that place;
///   [`FhirError::RatingsWithoutPack`]: a pack's ratings, which need the pack.
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
/// - A standard LOINC panel: [`FhirError::LoincOutOfRange`] (an item outside 0-3, a total
///   outside its instrument's range), [`FhirError::LoincUnknownCode`] (a code not in the
///   item's answer list), [`FhirError::LoincWrongSystem`] (a Coding from another system),
///   [`FhirError::LoincAnswer`] (an answer of another type), [`FhirError::LoincRepeated`]
///   (the panel or one of its items given twice), [`FhirError::NotAPanelItem`] (another item
///   in the panel's group), [`FhirError::AnsweredTwice`] (a panel's item whose intake item the
///   response also answers).
/// - [`FhirError::Intake`]: a value the intake does not accept (a negative number, an entry
///   without its substance), or an "assessed: none" item (`no_substance_use`,
///   `severity.no_conditions`, `history.no_episodes`) answered yes beside entries of its
///   group.
///
/// Each names the linkId (or the element) and what was expected, never a string from the
/// response. Completeness, ranges, totals that disagree with their items and answers that do
/// not apply are then checked by [`RulePack::assess`](crate::RulePack::assess), which names
/// the same paths.
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
    read_response(response, &[intake_form()], None)
}

/// Reads a `QuestionnaireResponse` to a rule pack's form ([`questionnaire_for`]) into an
/// [`Intake`], with the ratings the pack declares (the group `ratings`).
///
/// The response may name the pack's form or the intake questionnaire (whose responses carry
/// no ratings but may still be read with the pack). Its ratings are read as given; their
/// ranges, and whether the required ones are there, are checked by
/// [`RulePack::assess`](crate::RulePack::assess).
///
/// # Errors
///
/// As for [`intake_from_response`], with [`FhirError::UnknownLinkId`] for a rating the pack
/// does not declare; [`FhirError::WrongAnswerType`], [`FhirError::TooManyAnswers`] and
/// [`FhirError::RepeatedItem`] name `ratings.<id>` for a rating's answer.
///
/// # Examples
///
/// ```
/// use carelevel::fhir::{intake_from_response_for, response_from_intake_for};
/// # let mut sources: Vec<(&str, String)> = carelevel::BUILTIN_SOURCES
/// #     .iter()
/// #     .map(|(n, t)| (*n, t.replace("id = \"carelevel.builtin\"", "id = \"dims\"")))
/// #     .collect();
/// # sources.push(("d1.toml", "[[rating]]\nid = \"d1\"\nmin = 0\nmax = 4\n".into()));
/// # let sources: Vec<(&str, &str)> = sources.iter().map(|(n, t)| (*n, t.as_str())).collect();
/// // A pack declaring the rating `d1` (the built-in rules, under the id `dims`).
/// let pack = carelevel::RulePack::from_sources(&sources)?;
/// let mut intake = carelevel::Intake::minimal_adult();
/// intake.ratings.insert("d1".into(), 3);
/// let response = response_from_intake_for(&pack, &intake);
/// let canonical = response.questionnaire.as_deref().unwrap();
/// assert!(canonical.starts_with("urn:carelevel:questionnaire:intake:pack:dims|2-"));
/// assert_eq!(intake_from_response_for(&pack, &response).unwrap(), intake);
/// # Ok::<(), carelevel::PackError>(())
/// ```
pub fn intake_from_response_for(
    pack: &RulePack,
    response: &QuestionnaireResponse,
) -> Result<Intake, FhirError> {
    let mut forms = vec![form_canonical(pack)];
    if !forms.contains(&intake_form()) {
        forms.push(intake_form());
    }
    read_response(response, &forms, Some(pack.ratings()))
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
            // An empty free text is not written: a FHIR string has one character at least,
            // and an empty note says nothing (it reads back as no answer).
            (Kind::Text, Value::String(s)) if !s.is_empty() => Some(ResponseAnswer {
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

/// An intake as a `completed` response naming `canonical`; its ratings, if any, in the group
/// `ratings` (before `notes`, as in the form).
fn write_response(intake: &Intake, canonical: String) -> QuestionnaireResponse {
    // An intake is plain data with string keys, so it always serialises to an object. Were
    // that ever to fail, the response is written without items and as `entered-in-error`, so
    // that it is never read as a completed (empty) intake.
    let (status, item) = match serde_json::to_value(intake) {
        Ok(Value::Object(m)) => {
            let mut items = write_items("", &m);
            if let Some(Value::Object(ratings)) = m.get(RATINGS) {
                if !ratings.is_empty() {
                    let group = ResponseItem {
                        link_id: RATINGS.into(),
                        answer: Vec::new(),
                        item: ratings
                            .iter()
                            .map(|(id, v)| ResponseItem {
                                link_id: format!("{RATINGS}.{id}"),
                                answer: vec![ResponseAnswer {
                                    value_integer: v.as_i64(),
                                    ..Default::default()
                                }],
                                item: Vec::new(),
                            })
                            .collect(),
                    };
                    let at = before_notes(&items, |i| i.link_id.as_str());
                    items.insert(at, group);
                }
            }
            ("completed", items)
        }
        _ => ("entered-in-error", Vec::new()),
    };
    QuestionnaireResponse {
        resource_type: "QuestionnaireResponse".into(),
        questionnaire: Some(canonical),
        status: status.into(),
        item,
    }
}

/// An intake as a `completed` `QuestionnaireResponse` to [`questionnaire`] (for round trips
/// and for systems that store intakes as FHIR). Its `questionnaire` is the versioned canonical
/// [`QUESTIONNAIRE_URL`]`|`[`QUESTIONNAIRE_VERSION`]. An empty free text (a note or a
/// preference given as `""`) is left out, since a FHIR string cannot be empty: it reads back
/// as not given. An intake's ratings (for a rule pack)
/// are written too, in the group `ratings`: write them with [`response_from_intake_for`] to
/// name the pack's form, and read them back with [`intake_from_response_for`].
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
    write_response(
        intake,
        format!("{QUESTIONNAIRE_URL}|{QUESTIONNAIRE_VERSION}"),
    )
}

/// An intake as a `completed` `QuestionnaireResponse` to a rule pack's form
/// ([`questionnaire_for`]), its ratings in the group `ratings`. For a pack without ratings,
/// the same as [`response_from_intake`].
///
/// # Examples
///
/// ```
/// use carelevel::fhir::{response_from_intake, response_from_intake_for};
/// let intake = carelevel::Intake::minimal_adult();
/// let builtin = carelevel::RulePack::builtin();
/// assert_eq!(response_from_intake_for(&builtin, &intake), response_from_intake(&intake));
/// ```
pub fn response_from_intake_for(pack: &RulePack, intake: &Intake) -> QuestionnaireResponse {
    let (url, version) = form_canonical(pack);
    write_response(intake, format!("{url}|{version}"))
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
            // Required in treatment: required, and enabled only in treatment; unless
            // screened: required, and enabled only without the screener.
            assert_eq!(
                qi.required,
                matches!(
                    d.required,
                    Required::Always | Required::InTreatment | Required::UnlessScreened
                ),
                "`{}`",
                d.path
            );
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
            // Items in an entry of a repeating group appear once per entry, at any depth
            // within it (`substance_use.ciwa_ar_items.tremor` is in each substance's entry).
            let expected = expected * if in_an_entry(d) { 2 } else { 1 };
            assert_eq!(n, expected, "`{}`", d.path);
        }
    }

    /// Whether `d` is inside an entry of a repeating group (at any depth).
    fn in_an_entry(d: &Item) -> bool {
        let mut parent = d.parent();
        while !parent.is_empty() {
            if find_groups(parent).is_some() {
                return true;
            }
            parent = item(parent).parent();
        }
        false
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
        *at(&mut json, "safety.unable_to_self_care") = Value::from("declined");
        *at(&mut json, "safety.psychosis") = Value::from("unable_to_assess");
        let back = intake_from_response(&response_from_intake(&read(&json))).unwrap();
        assert_eq!(back.safety.unable_to_self_care, Some(Assessed::Declined));
        assert_eq!(back.safety.psychosis, Some(Assessed::UnableToAssess));
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

    /// Every item of the questionnaire with its path, depth first.
    fn form_item(q: &Questionnaire, path: &str) -> QuestionnaireItem {
        let mut all = Vec::new();
        flatten(&q.item, &mut all);
        all.into_iter()
            .find(|i| i.link_id == path)
            .unwrap_or_else(|| panic!("`{path}` is not in the form"))
            .clone()
    }

    #[test]
    fn the_form_has_its_metadata_and_a_narrative() {
        let q = questionnaire();
        assert_eq!(q.id, QUESTIONNAIRE_ID);
        // R4 `id`: [A-Za-z0-9\-\.]{1,64}; `que-0`: the name is an identifier.
        assert!(q.id.len() <= 64);
        assert!(
            q.id.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        );
        assert!(q.name.starts_with(|c: char| c.is_ascii_uppercase()));
        assert!(
            q.name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        );
        assert_eq!(q.publisher, QUESTIONNAIRE_PUBLISHER);
        // A date, YYYY-MM-DD.
        let parts: Vec<&str> = q.date.split('-').collect();
        assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [4, 2, 2]);
        assert!(parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit())));
        assert_eq!(q.text.status, "generated");
        assert!(
            q.text
                .div
                .starts_with("<div xmlns=\"http://www.w3.org/1999/xhtml\">")
        );
        assert!(q.text.div.ends_with("</div>"));
        assert!(q.text.div.contains(TITLE), "{}", q.text.div);
        assert!(q.derived_from.is_empty());
        assert_eq!(xml_escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn answer_displays_are_readable_and_tell_the_options_apart() {
        for d in ITEMS {
            let qi = to_item(d);
            let shown: Vec<&str> = qi
                .answer_option
                .iter()
                .map(|o| o.value_coding.display.as_deref().unwrap())
                .collect();
            let unique: BTreeSet<&str> = shown.iter().copied().collect();
            assert_eq!(unique.len(), shown.len(), "`{}`: {shown:?}", d.path);
            for s in &shown {
                assert!(!s.contains('_'), "`{}`: {s}", d.path);
                assert!(
                    s.starts_with(|c: char| c.is_uppercase()),
                    "`{}`: {s}",
                    d.path
                );
            }
        }
        assert_eq!(display("round_the_clock_care"), "Round-the-clock care");
        assert_eq!(
            display("more_than_half_the_days"),
            "More than half the days"
        );
        assert_eq!(display("iop"), "Intensive outpatient (IOP)");
        assert_eq!(display("unable_to_assess"), "Unable to assess");
        // Every entry of the table is some item's code.
        for (code, _) in DISPLAYS {
            assert!(
                ITEMS.iter().any(|d| codes(d).contains(code)),
                "`{code}` is no item's code"
            );
        }
    }

    #[test]
    fn each_condition_names_a_question_and_its_codes() {
        let q = questionnaire();
        for (path, when) in APPLIES {
            let d = item(path);
            let qi = form_item(&q, path);
            assert!(!qi.enable_when.is_empty(), "`{path}`");
            // R4 `que-12`: `enableBehavior` exactly when there are several conditions.
            assert_eq!(
                qi.enable_behavior.is_some(),
                qi.enable_when.len() > 1,
                "`{path}`"
            );
            for c in &qi.enable_when {
                let question = item(&c.question);
                // The question is a question, never a group.
                assert!(
                    !matches!(question.kind, Kind::Group | Kind::Groups),
                    "`{path}`"
                );
                // Exactly one answer[x], a boolean for `exists` (R4 `que-7`).
                let answers = usize::from(c.answer_boolean.is_some())
                    + usize::from(c.answer_integer.is_some())
                    + usize::from(c.answer_coding.is_some());
                assert_eq!(answers, 1, "`{path}`");
                if c.operator == "exists" {
                    assert!(c.answer_boolean.is_some(), "`{path}`");
                }
                if let Some(coding) = &c.answer_coding {
                    assert_eq!(coding.system, Some(choice_system(question)), "`{path}`");
                    let code = coding.code.as_deref().unwrap();
                    assert!(codes(question).contains(&code), "`{path}`: {code}");
                }
            }
            // A substance condition reads the substance of the item's own entry.
            if let When::Substance(_) = when {
                assert_eq!(d.path.split('.').next(), Some("substance_use"), "`{path}`");
                assert!(in_an_entry(d) || find_groups(d.parent()).is_some());
            }
        }
        // Each repeating group is asked unless its "assessed: none" item is checked.
        for d in ITEMS.iter().filter(|d| d.kind == Kind::Groups) {
            let qi = form_item(&q, d.path);
            let none = ITEMS
                .iter()
                .find(|n| n.kind == Kind::NoneOf(d.path))
                .unwrap();
            assert_eq!(
                qi.enable_when,
                [EnableWhen {
                    answer_boolean: Some(true),
                    ..condition(none.path, "!=")
                }],
                "`{}`",
                d.path
            );
            assert!(!APPLIES.iter().any(|(p, _)| *p == d.path));
        }
        // An item required only in treatment is enabled only in treatment.
        for d in ITEMS.iter().filter(|d| d.required == Required::InTreatment) {
            let qi = form_item(&q, d.path);
            assert!(qi.required, "`{}`", d.path);
            assert!(
                matches!(
                    APPLIES.iter().find(|(p, _)| *p == d.path),
                    Some((
                        _,
                        When::AnsweredOtherThan("history.current_setting", "none")
                    ))
                ),
                "`{}`",
                d.path
            );
        }
    }

    /// A valid answer to `d`, as JSON (a group: its first item answered).
    fn sample(d: &Item) -> Value {
        match d.kind {
            Kind::Int { min, .. } => Value::from(min),
            Kind::Bool | Kind::Flag => Value::Bool(true),
            Kind::Choice(o) | Kind::Choices(o) => Value::from(o[0]),
            Kind::Text => Value::from("text"),
            Kind::Group | Kind::Groups | Kind::NoneOf(_) => {
                let first = d.children().next().unwrap();
                Value::Object(
                    [(first.key().to_owned(), sample(first))]
                        .into_iter()
                        .collect(),
                )
            }
        }
    }

    /// Whether the built-in pack's checks refuse the intake as a conflict at `field` (or
    /// within it).
    fn conflict_at(json: &Value, field: &str) -> bool {
        let intake: Intake = serde_json::from_value(json.clone()).unwrap();
        match crate::RulePack::builtin().check(&intake) {
            Ok(()) => false,
            Err(crate::IntakeError::Invalid(problems)) => problems.iter().any(|p| {
                matches!(p.kind, crate::ProblemKind::Conflict { .. })
                    && (p.field == field || p.field.starts_with(&format!("{field}.")))
            }),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn each_condition_is_the_intakes_own_check() {
        let adult = serde_json::to_value(Intake::minimal_adult()).unwrap();
        let substances = codes(item(SUBSTANCE));
        for (path, when) in APPLIES {
            let d = item(path);
            match *when {
                When::Substance(applies) => {
                    for s in &substances {
                        let mut json = adult.clone();
                        json["substance_use"] = serde_json::json!([
                            {"substance": s, "dsm5_criteria": 3, d.key(): sample(d)}
                        ]);
                        let field = format!("substance_use[0].{}", d.key());
                        assert_eq!(
                            conflict_at(&json, &field),
                            !applies.contains(s),
                            "`{path}` for {s}"
                        );
                    }
                }
                When::Yes(question) => {
                    for (answer, applies) in [(false, false), (true, true)] {
                        let mut json = adult.clone();
                        json["safety"]["cssrs"] = serde_json::json!({
                            catalogue::key_of(question): answer,
                            d.key(): true,
                        });
                        assert_eq!(conflict_at(&json, path), !applies, "`{path}` {answer}");
                    }
                }
                When::AnsweredOtherThan(question, code) => {
                    let other = codes(item(question))
                        .into_iter()
                        .find(|c| *c != code)
                        .unwrap();
                    for (answer, applies) in [(code, false), (other, true)] {
                        let mut json = adult.clone();
                        *at(&mut json, question) = Value::from(answer);
                        *at(&mut json, path) = sample(d);
                        assert_eq!(conflict_at(&json, path), !applies, "`{path}` {answer}");
                    }
                }
                When::AgeBelow(age) => {
                    for (years, applies) in [(age, false), (age - 1, true)] {
                        let mut json = adult.clone();
                        json["age"] = Value::from(years);
                        *at(&mut json, path) = sample(d);
                        assert_eq!(conflict_at(&json, path), !applies, "`{path}` {years}");
                    }
                }
                // The suicide items beside the screener: the engine accepts them where they
                // agree with it; the form simply does not ask them twice (no conflict to hold
                // it to).
                When::Unanswered(_) => {}
            }
        }
    }

    #[test]
    fn the_panels_are_the_intakes_instruments_in_order() {
        use crate::intake::score;
        let [phq9, gad7] = &PANELS;
        let paths = |p: &Panel| p.items.iter().map(|i| i.path).collect::<Vec<_>>();
        assert_eq!(paths(phq9), score::PHQ9_ITEMS);
        assert_eq!(paths(gad7), score::GAD7_ITEMS);
        for p in &PANELS {
            // The total is the catalogue's item with that LOINC code.
            let total = item(p.total.path);
            assert_eq!(total.loinc.map(|(c, _)| c), Some(p.total.code));
            assert!(matches!(total.kind, Kind::Int { .. }));
            // Each item is a 0-3 choice: its answer list scores 0-3, each score once at least.
            for i in p.items {
                let Kind::Choice(ids) = item(i.path).kind else {
                    panic!("`{}`", i.path)
                };
                assert_eq!(ids.len(), 4, "`{}`", i.path);
                let scores: BTreeSet<u32> = i.answers.iter().map(|(_, s)| *s).collect();
                assert_eq!(scores, (0..4).collect(), "`{}`", i.path);
            }
            for i in p.unscored {
                assert_eq!(i.path, "");
            }
            // Every code is recognised as what it is, bare or in a path.
            assert!(matches!(recognise(p.code), Some(Loinc::Panel(_))));
            assert!(matches!(
                recognise(&format!("/{}/{}", p.code, p.total.code)),
                Some(Loinc::Total(_))
            ));
            for (k, i) in p.items.iter().enumerate() {
                assert!(
                    matches!(recognise(&format!("/{}", i.code)), Some(Loinc::Item(q, j)) if q.code == p.code && j == k)
                );
            }
        }
        assert!(recognise("severity.phq9").is_none());
        assert!(recognise("/12345-6").is_none());
    }

    /// LOINC long common names of the codes the catalogue gives a display, as loinc.org gives
    /// them (checked there, 2026-11-29).
    const LOINC_NAMES: &[(&str, &str)] = &[
        (
            "44261-6",
            "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]",
        ),
        (
            "70274-6",
            "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]",
        ),
    ];

    #[test]
    fn the_form_shows_loincs_own_names() {
        let q = questionnaire();
        for d in ITEMS.iter().filter(|d| d.loinc.is_some()) {
            let (code, _) = d.loinc.unwrap();
            let name = LOINC_NAMES.iter().find(|(c, _)| *c == code);
            assert!(
                name.is_some(),
                "`{}`: LOINC {code} has no verified name",
                d.path
            );
            let shown = form_item(&q, d.path).code;
            assert_eq!(shown[0].display.as_deref(), name.map(|(_, n)| *n));
        }
        // The panels' items carry their codes, without a display (it would be the
        // instrument's wording).
        let interest = form_item(&q, "severity.phq9_items.interest");
        assert_eq!(interest.code[0].code.as_deref(), Some("44250-9"));
        assert_eq!(interest.code[0].display, None);
        let item9 = form_item(&q, "safety.phq9_item9");
        assert_eq!(item9.code[0].code.as_deref(), Some("44260-8"));
    }

    #[test]
    fn a_pack_without_ratings_has_the_intake_form() {
        assert_eq!(
            questionnaire_for(&crate::RulePack::builtin()),
            questionnaire()
        );
        assert_eq!(slug("a b|c.d-é"), "a-b-c.d--");
    }
}
