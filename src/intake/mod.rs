//! The structured intake questionnaire, version 2: what goes in.
//!
//! Every struct denies unknown keys, so a misspelt key is an error rather than a silently
//! ignored answer. Items a placement cannot safely do without (those marked required in the
//! README's intake table, which is generated from the crate's catalogue of items) are
//! `Option`s at the serde level only so that *every* missing item can be reported at once;
//! [`RulePack::assess`](crate::RulePack::assess) refuses an intake with any of them missing.
//!
//! Three states are kept apart: an item left out was **not asked**; an answer such as
//! `"none"` or `false` is **no**; and every safety item also takes `"declined"` or
//! `"unable_to_assess"` ([`Assessed`]), which a rule reads as unknown, never as no risk.
//! A withdrawal scale belongs to the substance it measures (CIWA-Ar to alcohol, and to
//! sedatives only as a stated proxy; COWS to opioids), so a person who uses neither has no
//! scale to chart: the rules read it as not applicable, not as unmeasured.
//!
//! The JSON carries `"schema_version": "2"`. A 0.1 intake (which has none) is refused with a
//! message saying how to convert it: [`convert_v0_1`].
//!
//! This module owns the intake and its reading from and writing to JSON
//! ([`Intake::from_json`], [`Intake::to_json`]).

mod check;
pub(crate) mod score;
mod v0_1;

pub(crate) use check::{Why, visit_conflicts};
pub use v0_1::{Conversion, ConversionNote, convert_v0_1};

use crate::Level;
use crate::catalogue::choices;
use crate::error::IntakeError;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A person's intake. Build it from JSON with [`Intake::from_json`] or in Rust with
/// struct-update syntax over [`Intake::default`] (which carries the current
/// [`SchemaVersion`]).
///
/// # Examples
///
/// ```
/// use carelevel::intake::*;
///
/// let intake = Intake {
///     age: Some(34),
///     safety: Safety {
///         suicidal_ideation: Some(Assessed::Answer(SuicidalIdeation::None)),
///         suicidal_behavior: Some(Assessed::Answer(Recency::Never)),
///         harm_to_others: Some(Assessed::Answer(HarmToOthers::None)),
///         psychosis: Some(Assessed::Answer(Psychosis::None)),
///         unable_to_self_care: Some(Assessed::Answer(false)),
///         ..Default::default()
///     },
///     medical: Medical { status: Some(Assessed::Answer(MedicalStatus::Stable)), ..Default::default() },
///     withdrawal: Withdrawal {
///         seizure_or_dt_history: Some(Assessed::Answer(false)),
///         ..Default::default()
///     },
///     self_management: Some(SelfManagement::Independent),
///     history: History { current_setting: Some(Setting::None), ..Default::default() },
///     ..Default::default()
/// };
/// assert!(intake.missing_required().is_empty());
/// ```
// Adding a field: a map field reads through `crate::json::unique_keys` (no duplicate keys),
// and no type here uses serde's `flatten` or `untagged` (they bypass the strict reader).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
#[schemars(extend("required" = ["schema_version"]))]
pub struct Intake {
    /// The intake's format: `"2"`. Required in JSON; a 0.1 intake has none (convert it with
    /// [`convert_v0_1`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "SchemaVersion")]
    pub schema_version: Option<SchemaVersion>,
    /// Age in years (0-120). Under 18 is an adolescent; a rule pack may support only some
    /// ages (the built-in pack refuses under 12). Required.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 120))]
    pub age: Option<u32>,
    /// Acute safety: suicide on the C-SSRS screener's two axes, self-injury, lethal means,
    /// harm to others.
    pub safety: Safety,
    /// Withdrawal across substances: lifetime history, this episode's signs, intoxication.
    pub withdrawal: Withdrawal,
    /// Each substance used, with its disorder's severity and its withdrawal measures. An
    /// empty list means none is used; an absent list means the question was not asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub substance_use: Option<Vec<SubstanceUse>>,
    /// Medical stability, pregnancy, injection use, overdose.
    pub medical: Medical,
    /// Current medication: for opioid and alcohol use disorder, naloxone, psychiatric.
    pub medication: Medication,
    /// Mental-health severity: scores, current conditions, functional impairment.
    pub severity: Severity,
    /// Whether the person can manage symptoms and cravings outside treatment hours in a safe,
    /// substance-free setting (what the home is like is asked under `home`). Required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_management: Option<SelfManagement>,
    /// Treatment history: the current setting and how it is going, earlier episodes.
    pub history: History,
    /// Home and recovery environment.
    pub home: Home,
    /// Engagement, legal status and practical needs.
    pub engagement: Engagement,
    /// For a person under 18: consent, school and caregivers.
    pub adolescent: Adolescent,
    /// Ratings for instruments that a rule pack declares (for example dimension ratings of a
    /// licensed instrument), keyed by the pack's rating id. Empty for the built-in pack.
    #[serde(
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "crate::json::unique_keys"
    )]
    pub ratings: BTreeMap<String, u32>,
    /// Free-text notes. Never read by any rule, never shown in an error or `Debug` output.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<FreeText>,
}

impl Default for Intake {
    /// An intake of the current version with nothing answered.
    fn default() -> Intake {
        Intake {
            schema_version: Some(SchemaVersion::V2),
            age: None,
            safety: Safety::default(),
            withdrawal: Withdrawal::default(),
            substance_use: None,
            medical: Medical::default(),
            medication: Medication::default(),
            severity: Severity::default(),
            self_management: None,
            history: History::default(),
            home: Home::default(),
            engagement: Engagement::default(),
            adolescent: Adolescent::default(),
            ratings: BTreeMap::new(),
            notes: None,
        }
    }
}

impl Intake {
    /// Reads an intake from JSON. Unknown keys, values of the wrong type and unknown choices
    /// are errors naming the field; so is a missing or unsupported `schema_version` (the
    /// message says how to convert a 0.1 intake). Range, completeness and consistency checks
    /// happen in [`RulePack::assess`](crate::RulePack::assess), which reports every problem
    /// at once.
    ///
    /// # Errors
    ///
    /// [`IntakeError::Json`] naming the field's dotted path and what is wrong with it;
    /// [`IntakeError::Version`] when `schema_version` is missing.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = carelevel::Intake::from_json(
    ///     r#"{"schema_version": "2", "safety": {"suicide_risks": "none"}}"#,
    /// ).unwrap_err();
    /// assert!(err.to_string().starts_with("intake field `safety.suicide_risks`: unknown key `suicide_risks`"));
    ///
    /// // A 0.1 intake (no `schema_version`) is refused, and told how to convert.
    /// let err = carelevel::Intake::from_json(r#"{"age": 34}"#).unwrap_err();
    /// assert!(err.to_string().contains("convert_v0_1"));
    /// ```
    pub fn from_json(json: &str) -> Result<Intake, IntakeError> {
        match crate::json::read::<Intake>(json) {
            Ok(intake) if intake.schema_version.is_some() => Ok(intake),
            Ok(_) => Err(IntakeError::Version),
            // A 0.1 intake fails on its first 0.1 key: an object with no `schema_version` is
            // told how to convert rather than which key is unknown (this path runs only for a
            // document that failed).
            Err(e) => match serde_json::from_str::<serde_json::Value>(
                json.strip_prefix('\u{feff}').unwrap_or(json),
            ) {
                Ok(serde_json::Value::Object(map))
                    if map
                        .get("schema_version")
                        .is_none_or(serde_json::Value::is_null) =>
                {
                    Err(IntakeError::Version)
                }
                _ => Err(IntakeError::from(e)),
            },
        }
    }

    /// The intake as JSON (what [`Intake::from_json`] reads back to the same intake).
    ///
    /// # Errors
    ///
    /// serde_json's error if the intake cannot be written (it holds only strings, numbers,
    /// lists and string-keyed maps, so this is not expected; it is passed on, never hidden).
    ///
    /// # Examples
    ///
    /// ```
    /// # let json = include_str!("../../examples/intakes/iop_primary.json");
    /// let intake = carelevel::Intake::from_json(json)?;
    /// assert_eq!(carelevel::Intake::from_json(&intake.to_json()?)?, intake);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }
}

/// The version of the intake's format. Only `"2"` (a string) exists; a 0.1 intake has no
/// `schema_version` and is converted by [`convert_v0_1`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, JsonSchema)]
pub enum SchemaVersion {
    /// Intake 2.
    #[default]
    #[serde(rename = "2")]
    V2,
}

impl<'de> Deserialize<'de> for SchemaVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{self, Visitor};
        struct V;
        impl Visitor<'_> for V {
            type Value = SchemaVersion;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`\"2\"` (a string)")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<SchemaVersion, E> {
                match s {
                    "2" => Ok(SchemaVersion::V2),
                    // The value is not echoed: it is a string from the input.
                    _ => Err(E::custom(
                        "an unsupported version, expected \"2\" (a 0.1 intake has no \
                         `schema_version`: convert it with `carelevel::intake::convert_v0_1`)",
                    )),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// An answer to a safety item that may not have been obtained: the answer, or why there is
/// none. In JSON, the answer itself, or `"declined"` or `"unable_to_assess"`.
///
/// Neither of the two is ever read as "no risk": a rule that needs the item is reported as
/// not evaluated, as for an item not asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Assessed<T> {
    /// The answer.
    Answer(T),
    /// The person declined to answer.
    Declined,
    /// It could not be assessed now (for example the person is intoxicated or too unwell):
    /// reassess later.
    UnableToAssess,
}

impl<T> Assessed<T> {
    /// The answer, if there is one.
    ///
    /// # Examples
    ///
    /// ```
    /// use carelevel::intake::Assessed;
    /// assert_eq!(Assessed::Answer(true).answer(), Some(&true));
    /// assert_eq!(Assessed::<bool>::Declined.answer(), None);
    /// ```
    pub const fn answer(&self) -> Option<&T> {
        match self {
            Assessed::Answer(v) => Some(v),
            Assessed::Declined | Assessed::UnableToAssess => None,
        }
    }
}

/// Whether a group of items has nothing answered (it is then left out of the JSON, and an
/// instrument given item by item is one with an item answered).
pub(crate) fn is_default<T: Default + PartialEq>(t: &T) -> bool {
    *t == T::default()
}

/// The JSON strings for [`Assessed::Declined`] and [`Assessed::UnableToAssess`].
pub(crate) const NOT_OBTAINED: [&str; 2] = ["declined", "unable_to_assess"];

impl<T: Serialize> Serialize for Assessed<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Assessed::Answer(v) => v.serialize(s),
            Assessed::Declined => s.serialize_str(NOT_OBTAINED[0]),
            Assessed::UnableToAssess => s.serialize_str(NOT_OBTAINED[1]),
        }
    }
}

/// What an answer to a declinable item may be, for error messages: its answers, then
/// `declined` or `unable_to_assess`.
#[doc(hidden)]
pub trait AssessedAnswer {
    /// The answers, as a message lists them after "expected".
    const EXPECTED: &'static str;
}

impl AssessedAnswer for bool {
    const EXPECTED: &'static str = "`true`, `false`, `declined` or `unable_to_assess`";
}

impl<'de, T: Deserialize<'de> + AssessedAnswer> Deserialize<'de> for Assessed<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{self, IntoDeserializer, Unexpected, Visitor};
        use std::marker::PhantomData;

        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de> + AssessedAnswer> Visitor<'de> for V<T> {
            type Value = Assessed<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(T::EXPECTED)
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                match s {
                    "declined" => Ok(Assessed::Declined),
                    "unable_to_assess" => Ok(Assessed::UnableToAssess),
                    // Any other string: the item's answer, or an error that lists every
                    // value the item takes and never repeats the string (it may be free text).
                    _ => T::deserialize(IntoDeserializer::<E>::into_deserializer(s))
                        .map(Assessed::Answer)
                        .map_err(|_: E| {
                            E::custom(format_args!(
                                "unknown choice of {} characters, expected {}",
                                s.chars().count(),
                                T::EXPECTED
                            ))
                        }),
                }
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
                T::deserialize(IntoDeserializer::<E>::into_deserializer(b))
                    .map(Assessed::Answer)
                    .map_err(|_: E| E::invalid_type(Unexpected::Bool(b), &self))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
                T::deserialize(IntoDeserializer::<E>::into_deserializer(n))
                    .map(Assessed::Answer)
                    .map_err(|_: E| E::invalid_type(Unexpected::Unsigned(n), &self))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
                T::deserialize(IntoDeserializer::<E>::into_deserializer(n))
                    .map(Assessed::Answer)
                    .map_err(|_: E| E::invalid_type(Unexpected::Signed(n), &self))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

impl<T: JsonSchema> JsonSchema for Assessed<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Assessed_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let answer = generator.subschema_for::<T>();
        schemars::json_schema!({
            "anyOf": [
                answer,
                {
                    "type": "string",
                    "enum": NOT_OBTAINED,
                    "description": "Not obtained: the person declined, or it could not be assessed now. Never read as no risk."
                }
            ]
        })
    }
}

/// Acute safety items. Each takes `"declined"` or `"unable_to_assess"` ([`Assessed`]); the
/// two suicide axes, harm to others, psychosis and self-care are required.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Safety {
    /// Suicidal ideation in the past month, on the C-SSRS screener's ladder. Required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suicidal_ideation: Option<Assessed<SuicidalIdeation>>,
    /// Suicidal behaviour (an attempt, an interrupted or aborted attempt, or preparation):
    /// in the past 3 months, earlier in life, or never. Required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suicidal_behavior: Option<Assessed<Recency>>,
    /// Non-suicidal self-injury: in the past 3 months, earlier in life, or never.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_injury: Option<Assessed<Recency>>,
    /// PHQ-9 item 9 (thoughts of being better off dead or of self-harm, past 2 weeks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phq9_item9: Option<Assessed<Frequency>>,
    /// The most dangerous means of harm to self or others the person has access to: a
    /// firearm, another weapon, or stockpiled medication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lethal_means: Option<Assessed<LethalMeans>>,
    /// Risk of harm to others. Required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub harm_to_others: Option<Assessed<HarmToOthers>>,
    /// Whether a thought of harming others names an identifiable person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub harm_target_identified: Option<Assessed<bool>>,
    /// Psychosis: none, a chronic stable psychotic illness, or acute psychosis. Required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub psychosis: Option<Assessed<Psychosis>>,
    /// Unable to care for oneself: food, fluids, hygiene, safety. Required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unable_to_self_care: Option<Assessed<bool>>,
    /// The C-SSRS screener's yes/no answers, when it was given item by item: they score
    /// `suicidal_ideation` and `suicidal_behavior` (which may then be left out, or must agree).
    #[serde(skip_serializing_if = "is_default")]
    pub cssrs: CssrsScreener,
}

/// The C-SSRS screener's answers, by item name (the screener's wording is not reproduced).
/// Its skip logic: `method`, `intent` and `plan` are asked only after a yes to
/// `nonspecific_thoughts`; `behavior_past_3_months` only after a yes to `behavior`. Each takes
/// `declined` or `unable_to_assess`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CssrsScreener {
    /// Item 1, past month: a wish to be dead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wish_to_be_dead: Option<Assessed<bool>>,
    /// Item 2, past month: non-specific active suicidal thoughts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonspecific_thoughts: Option<Assessed<bool>>,
    /// Item 3, past month: thoughts of a method (without a plan or intent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<Assessed<bool>>,
    /// Item 4, past month: some intent to act (without a specific plan).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intent: Option<Assessed<bool>>,
    /// Item 5, past month: a specific plan, with intent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<Assessed<bool>>,
    /// Item 6, lifetime: suicidal behaviour (an attempt, or an interrupted, aborted or
    /// prepared one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub behavior: Option<Assessed<bool>>,
    /// Item 6's follow-up: that behaviour was in the past 3 months.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub behavior_past_3_months: Option<Assessed<bool>>,
}

choices! {
    /// Suicidal ideation in the past month on the Columbia (C-SSRS) screener's ladder, least
    /// to most severe.
    #[derive(PartialOrd, Ord)]
    pub enum SuicidalIdeation {
        /// No suicidal ideation.
        None = "none",
        /// Wish to be dead.
        WishToBeDead = "wish_to_be_dead",
        /// Non-specific active suicidal thoughts.
        NonspecificActiveThoughts = "nonspecific_active_thoughts",
        /// Thoughts of a method, without intent to act.
        MethodWithoutIntent = "method_without_intent",
        /// Some intent to act, without a specific plan.
        IntentWithoutPlan = "intent_without_plan",
        /// A specific plan with intent.
        PlanWithIntent = "plan_with_intent",
    }
}

choices! {
    /// When a behaviour last happened, least to most recent.
    #[derive(PartialOrd, Ord)]
    pub enum Recency {
        /// Never.
        Never = "never",
        /// More than 3 months ago (lifetime).
        Lifetime = "lifetime",
        /// In the past 3 months.
        Past3Months = "past_3_months",
    }
}

choices! {
    /// How often, over the past 2 weeks (the PHQ-9's answer scale), least to most.
    #[derive(PartialOrd, Ord)]
    pub enum Frequency {
        /// Not at all (0).
        NotAtAll = "not_at_all",
        /// Several days (1).
        SeveralDays = "several_days",
        /// More than half the days (2).
        MoreThanHalfTheDays = "more_than_half_the_days",
        /// Nearly every day (3).
        NearlyEveryDay = "nearly_every_day",
    }
}

choices! {
    /// The most dangerous lethal means the person has access to, least to most dangerous.
    #[derive(PartialOrd, Ord)]
    pub enum LethalMeans {
        /// No access found.
        None = "none",
        /// Stockpiled medication (or another means of self-poisoning).
        StockpiledMedication = "stockpiled_medication",
        /// A weapon other than a firearm.
        OtherWeapon = "other_weapon",
        /// A firearm.
        Firearm = "firearm",
    }
}

choices! {
    /// Risk of harm to others, least to most severe.
    #[derive(PartialOrd, Ord)]
    pub enum HarmToOthers {
        /// None.
        None = "none",
        /// Ideation without plan or intent.
        Ideation = "ideation",
        /// Ideation with a plan or intent toward a person.
        PlanOrIntent = "plan_or_intent",
    }
}

choices! {
    /// Psychosis, least to most severe.
    #[derive(PartialOrd, Ord)]
    pub enum Psychosis {
        /// No psychosis.
        None = "none",
        /// A long-standing psychotic illness, stable: for example residual voices without
        /// disorganisation or danger.
        ChronicStable = "chronic_stable",
        /// New psychosis, or an acute episode: disorganisation, danger, or a marked change.
        Acute = "acute",
    }
}

/// Withdrawal, across substances. The scales themselves (CIWA-Ar, COWS) and each
/// substance's last use and amount are under `substance_use`, with the substance they
/// measure.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Withdrawal {
    /// A lifetime history of withdrawal seizures or delirium tremens. Required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seizure_or_dt_history: Option<Assessed<bool>>,
    /// A withdrawal seizure in the current episode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seizure_this_episode: Option<Assessed<bool>>,
    /// Hallucinations in the current episode of withdrawal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hallucinations_this_episode: Option<Assessed<bool>>,
    /// Delirium in the current episode of withdrawal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delirium_this_episode: Option<Assessed<bool>>,
    /// Intoxicated now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intoxicated_now: Option<Assessed<bool>>,
    /// PAWSS (Prediction of Alcohol Withdrawal Severity Scale) total (0-10), when taken.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 10))]
    pub pawss: Option<u32>,
}

/// One substance the person uses: its disorder's severity and its withdrawal measures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubstanceUse {
    /// The substance.
    pub substance: Substance,
    /// DSM-5 criteria met in the past 12 months (0-11). Give this or `severity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 11))]
    pub dsm5_criteria: Option<u32>,
    /// The disorder's DSM-5 severity, when the criteria count is unknown. Give this or
    /// `dsm5_criteria` (both only when they agree).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<SudSeverity>,
    /// A DSM-5 remission specifier, when in remission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remission: Option<Remission>,
    /// The DSM-5 "on maintenance therapy" specifier (for example on buprenorphine).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub on_maintenance_therapy: bool,
    /// Days of use in the past 30 (0-30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 30))]
    pub days_used_past_30: Option<u32>,
    /// Hours since last use (0-8760): a year or more is 8760.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 8760))]
    pub hours_since_last_use: Option<u32>,
    /// Standard drinks a day, on a typical day of use (0-100). Alcohol only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 100))]
    pub drinks_per_day: Option<u32>,
    /// The benzodiazepine taken. Sedatives only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub benzodiazepine: Option<Benzodiazepine>,
    /// Its daily dose in milligrams (0-2000). Sedatives only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 2000))]
    pub daily_dose_mg: Option<u32>,
    /// CIWA-Ar score (0-67), when measured. Alcohol; sedatives only as a stated proxy (the
    /// scale is validated for alcohol).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 67))]
    pub ciwa_ar: Option<u32>,
    /// COWS score (0-48), when measured. Opioids only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 48))]
    pub cows: Option<u32>,
    /// CIWA-Ar's ten items, when scored item by item: they score `ciwa_ar` (which may then be
    /// left out, or must agree). Where `ciwa_ar` applies.
    #[serde(default, skip_serializing_if = "is_default")]
    pub ciwa_ar_items: CiwaArItems,
    /// COWS's eleven items, when scored item by item: they score `cows` (which may then be
    /// left out, or must agree). Opioids only.
    #[serde(default, skip_serializing_if = "is_default")]
    pub cows_items: CowsItems,
}

/// CIWA-Ar's items by name: each 0-7, orientation 0-4 (total 0-67).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CiwaArItems {
    /// Nausea and vomiting (0-7).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 7))]
    pub nausea_vomiting: Option<u32>,
    /// Tremor (0-7).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 7))]
    pub tremor: Option<u32>,
    /// Paroxysmal sweats (0-7).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 7))]
    pub paroxysmal_sweats: Option<u32>,
    /// Anxiety (0-7).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 7))]
    pub anxiety: Option<u32>,
    /// Agitation (0-7).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 7))]
    pub agitation: Option<u32>,
    /// Tactile disturbances (0-7).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 7))]
    pub tactile_disturbances: Option<u32>,
    /// Auditory disturbances (0-7).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 7))]
    pub auditory_disturbances: Option<u32>,
    /// Visual disturbances (0-7).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 7))]
    pub visual_disturbances: Option<u32>,
    /// Headache or fullness in the head (0-7).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 7))]
    pub headache: Option<u32>,
    /// Orientation and clouding of sensorium (0-4).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 4))]
    pub orientation: Option<u32>,
}

/// COWS's items by name (total 0-48). Each takes only the scores its scale defines: the
/// ranges below, and a check refuses a value the item's scale skips (such as 3 for pulse).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CowsItems {
    /// Resting pulse rate (0-4): 0, 1, 2 or 4.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 4))]
    pub pulse: Option<u32>,
    /// Sweating (0-4).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 4))]
    pub sweating: Option<u32>,
    /// Restlessness (0-5): 0, 1, 3 or 5.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 5))]
    pub restlessness: Option<u32>,
    /// Pupil size (0-5): 0, 1, 2 or 5.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 5))]
    pub pupil_size: Option<u32>,
    /// Bone or joint aches (0-4): 0, 1, 2 or 4.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 4))]
    pub bone_or_joint_aches: Option<u32>,
    /// Runny nose or tearing (0-4): 0, 1, 2 or 4.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 4))]
    pub runny_nose_or_tearing: Option<u32>,
    /// Gastrointestinal upset (0-5): 0, 1, 2, 3 or 5.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 5))]
    pub gi_upset: Option<u32>,
    /// Tremor (0-4): 0, 1, 2 or 4.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 4))]
    pub tremor: Option<u32>,
    /// Yawning (0-4): 0, 1, 2 or 4.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 4))]
    pub yawning: Option<u32>,
    /// Anxiety or irritability (0-4): 0, 1, 2 or 4.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 4))]
    pub anxiety_or_irritability: Option<u32>,
    /// Gooseflesh skin (0-5): 0, 3 or 5.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 5))]
    pub gooseflesh_skin: Option<u32>,
}

impl SubstanceUse {
    /// An entry with only the substance and its DSM-5 criteria count.
    ///
    /// # Examples
    ///
    /// ```
    /// use carelevel::intake::{Substance, SubstanceUse, SudSeverity};
    /// assert_eq!(SubstanceUse::new(Substance::Alcohol, 5).sud_severity(), Some(SudSeverity::Moderate));
    /// ```
    pub fn new(substance: Substance, dsm5_criteria: u32) -> SubstanceUse {
        SubstanceUse {
            substance,
            dsm5_criteria: Some(dsm5_criteria),
            severity: None,
            remission: None,
            on_maintenance_therapy: false,
            days_used_past_30: None,
            hours_since_last_use: None,
            drinks_per_day: None,
            benzodiazepine: None,
            daily_dose_mg: None,
            ciwa_ar: None,
            cows: None,
            ciwa_ar_items: CiwaArItems::default(),
            cows_items: CowsItems::default(),
        }
    }

    /// The disorder's severity: the one given, or the DSM-5 band of the criteria count
    /// (0-1 none, 2-3 mild, 4-5 moderate, 6 or more severe). `None` when neither is given.
    pub fn sud_severity(&self) -> Option<SudSeverity> {
        self.severity
            .or(self.dsm5_criteria.map(SudSeverity::of_count))
    }
}

choices! {
    /// A substance class.
    pub enum Substance {
        /// Alcohol.
        Alcohol = "alcohol",
        /// Opioids.
        Opioids = "opioids",
        /// Stimulants (cocaine, methamphetamine).
        Stimulants = "stimulants",
        /// Cannabis.
        Cannabis = "cannabis",
        /// Sedatives, hypnotics or anxiolytics (benzodiazepines among them).
        Sedatives = "sedatives",
        /// Any other substance.
        Other = "other",
    }
}

choices! {
    /// A substance use disorder's DSM-5 severity, least to most severe.
    #[derive(PartialOrd, Ord)]
    pub enum SudSeverity {
        /// No disorder (fewer than 2 criteria).
        NoDisorder = "no_disorder",
        /// Mild (2-3 criteria).
        Mild = "mild",
        /// Moderate (4-5 criteria).
        Moderate = "moderate",
        /// Severe (6 or more criteria).
        Severe = "severe",
    }
}

impl SudSeverity {
    /// The DSM-5 band of a criteria count.
    pub const fn of_count(criteria: u32) -> SudSeverity {
        match criteria {
            0 | 1 => SudSeverity::NoDisorder,
            2 | 3 => SudSeverity::Mild,
            4 | 5 => SudSeverity::Moderate,
            _ => SudSeverity::Severe,
        }
    }
}

choices! {
    /// A DSM-5 remission specifier.
    pub enum Remission {
        /// Early remission: no criterion but craving for 3 to 12 months.
        Early = "early",
        /// Sustained remission: no criterion but craving for 12 months or more.
        Sustained = "sustained",
    }
}

choices! {
    /// A benzodiazepine.
    pub enum Benzodiazepine {
        /// Alprazolam.
        Alprazolam = "alprazolam",
        /// Clonazepam.
        Clonazepam = "clonazepam",
        /// Diazepam.
        Diazepam = "diazepam",
        /// Lorazepam.
        Lorazepam = "lorazepam",
        /// Chlordiazepoxide.
        Chlordiazepoxide = "chlordiazepoxide",
        /// Another benzodiazepine.
        Other = "other",
    }
}

/// Medical stability and medical risks.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Medical {
    /// Today's medical status: what monitoring any condition needs. Required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Assessed<MedicalStatus>>,
    /// Pregnant, or within 12 months after a birth.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pregnancy: Option<Assessed<Pregnancy>>,
    /// Injected drugs in the past 12 months.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub injection_use: Option<Assessed<bool>>,
    /// The most recent non-fatal overdose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdose: Option<Assessed<Overdose>>,
}

choices! {
    /// Medical status, least to most intensive need.
    #[derive(PartialOrd, Ord)]
    pub enum MedicalStatus {
        /// Medically stable.
        Stable = "stable",
        /// Needs daily medical monitoring.
        DailyMonitoring = "daily_monitoring",
        /// Needs 24-hour nursing or medical care.
        RoundTheClockCare = "round_the_clock_care",
    }
}

choices! {
    /// Pregnancy.
    pub enum Pregnancy {
        /// Not pregnant and not postpartum.
        No = "no",
        /// Pregnant.
        Pregnant = "pregnant",
        /// Within 12 months after a birth.
        Postpartum = "postpartum",
    }
}

choices! {
    /// The most recent non-fatal overdose, least to most recent.
    #[derive(PartialOrd, Ord)]
    pub enum Overdose {
        /// None in the past 12 months.
        None = "none",
        /// In the past 12 months, not the past 90 days.
        Past12Months = "past_12_months",
        /// In the past 90 days.
        Past90Days = "past_90_days",
    }
}

/// Current medication.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Medication {
    /// Current medication for opioid use disorder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opioid_use_disorder: Option<OudMedication>,
    /// How it is taken (only with a medication).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opioid_use_disorder_adherence: Option<Adherence>,
    /// Current medication for alcohol use disorder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alcohol_use_disorder: Option<AudMedication>,
    /// How it is taken (only with a medication).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alcohol_use_disorder_adherence: Option<Adherence>,
    /// Has naloxone on hand.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub naloxone_on_hand: Option<bool>,
    /// Psychiatric medication: none prescribed, or how it is taken.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub psychiatric: Option<PsychiatricMedication>,
}

choices! {
    /// Medication for opioid use disorder.
    pub enum OudMedication {
        /// None.
        None = "none",
        /// Buprenorphine.
        Buprenorphine = "buprenorphine",
        /// Methadone.
        Methadone = "methadone",
        /// Naltrexone (extended-release).
        Naltrexone = "naltrexone",
    }
}

choices! {
    /// Medication for alcohol use disorder.
    pub enum AudMedication {
        /// None.
        None = "none",
        /// Naltrexone.
        Naltrexone = "naltrexone",
        /// Acamprosate.
        Acamprosate = "acamprosate",
        /// Disulfiram.
        Disulfiram = "disulfiram",
        /// Another medication.
        Other = "other",
    }
}

choices! {
    /// How a medication is taken, best to worst.
    #[derive(PartialOrd, Ord)]
    pub enum Adherence {
        /// As prescribed.
        AsPrescribed = "as_prescribed",
        /// Some doses missed.
        MissingDoses = "missing_doses",
        /// Stopped.
        Stopped = "stopped",
    }
}

choices! {
    /// Psychiatric medication, best to worst.
    #[derive(PartialOrd, Ord)]
    pub enum PsychiatricMedication {
        /// None prescribed.
        NonePrescribed = "none_prescribed",
        /// Taken as prescribed.
        AsPrescribed = "as_prescribed",
        /// Some doses missed.
        MissingDoses = "missing_doses",
        /// Stopped.
        Stopped = "stopped",
    }
}

/// Mental-health severity: scores, current conditions, functional impairment.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Severity {
    /// PHQ-9 depression score (0-27), when taken.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 27))]
    pub phq9: Option<u32>,
    /// GAD-7 anxiety score (0-21), when taken.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 21))]
    pub gad7: Option<u32>,
    /// PHQ-9 items 1-8, when given item by item (item 9 is `safety.phq9_item9`): with item 9
    /// they score `phq9` (which may then be left out, or must agree).
    #[serde(skip_serializing_if = "is_default")]
    pub phq9_items: Phq9Items,
    /// GAD-7's seven items, when given item by item: they score `gad7` (which may then be
    /// left out, or must agree).
    #[serde(skip_serializing_if = "is_default")]
    pub gad7_items: Gad7Items,
    /// A clinician's rating of overall mental-health severity, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clinician_rating: Option<ClinicianRating>,
    /// Each current mental-health condition, with its severity. An empty list means none; an
    /// absent list means the question was not asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// Whether symptoms stop the person doing daily activities (work, school, self-care).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impairs_daily_activities: Option<bool>,
    /// Days in the past 30 on which symptoms stopped work, school or self-care (0-30).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 30))]
    pub days_impaired_past_30: Option<u32>,
}

/// PHQ-9 items 1-8 by name, each how often over the past 2 weeks (0-3). Item 9 is the safety
/// item `safety.phq9_item9`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Phq9Items {
    /// Item 1: little interest or pleasure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interest: Option<Frequency>,
    /// Item 2: feeling down or hopeless.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feeling_down: Option<Frequency>,
    /// Item 3: sleep.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sleep: Option<Frequency>,
    /// Item 4: tiredness or little energy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tiredness: Option<Frequency>,
    /// Item 5: appetite.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appetite: Option<Frequency>,
    /// Item 6: feeling bad about oneself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_worth: Option<Frequency>,
    /// Item 7: concentration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concentration: Option<Frequency>,
    /// Item 8: moving or speaking slowly, or restlessness.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub psychomotor: Option<Frequency>,
}

/// GAD-7's items by name, each how often over the past 2 weeks (0-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Gad7Items {
    /// Item 1: nervous, anxious or on edge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nervous: Option<Frequency>,
    /// Item 2: unable to stop or control worrying.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncontrolled_worry: Option<Frequency>,
    /// Item 3: worrying too much.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excessive_worry: Option<Frequency>,
    /// Item 4: trouble relaxing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trouble_relaxing: Option<Frequency>,
    /// Item 5: so restless it is hard to sit still.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restlessness: Option<Frequency>,
    /// Item 6: easily annoyed or irritable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub irritability: Option<Frequency>,
    /// Item 7: afraid something awful might happen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dread: Option<Frequency>,
}

choices! {
    /// A clinician's rating of mental-health severity.
    #[derive(PartialOrd, Ord)]
    pub enum ClinicianRating {
        /// No mental-health condition.
        None = "none",
        /// Mild.
        Mild = "mild",
        /// Moderate.
        Moderate = "moderate",
        /// Severe.
        Severe = "severe",
    }
}

/// One current mental-health condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The condition's category.
    pub condition: ConditionKind,
    /// Its current severity.
    pub severity: ConditionSeverity,
}

choices! {
    /// A category of mental-health condition.
    pub enum ConditionKind {
        /// A depressive disorder.
        Depressive = "depressive",
        /// A current manic or hypomanic episode (bipolar disorder in a depressive episode
        /// is recorded as `depressive`): its severity is the mania's.
        BipolarOrMania = "bipolar_or_mania",
        /// A psychotic disorder, acute (new, or an acute episode).
        PsychoticAcute = "psychotic_acute",
        /// A psychotic disorder, chronic and stable.
        PsychoticChronicStable = "psychotic_chronic_stable",
        /// Post-traumatic stress disorder.
        Ptsd = "ptsd",
        /// An anxiety or panic disorder.
        AnxietyOrPanic = "anxiety_or_panic",
        /// An eating disorder.
        EatingDisorder = "eating_disorder",
        /// Cognitive impairment (including brain injury or intellectual disability).
        CognitiveImpairment = "cognitive_impairment",
        /// Catatonia.
        Catatonia = "catatonia",
    }
}

choices! {
    /// A condition's current severity, least to most severe.
    #[derive(PartialOrd, Ord)]
    pub enum ConditionSeverity {
        /// Mild.
        Mild = "mild",
        /// Moderate.
        Moderate = "moderate",
        /// Severe.
        Severe = "severe",
    }
}

choices! {
    /// Whether the person can manage symptoms and cravings outside treatment hours, in a
    /// safe, substance-free setting (the home is asked about separately).
    #[derive(PartialOrd, Ord)]
    pub enum SelfManagement {
        /// On their own.
        Independent = "independent",
        /// Only with daily structured contact.
        WithDailyStructure = "with_daily_structure",
        /// Not outside a 24-hour setting.
        OnlyIn24HourSetting = "only_in_24_hour_setting",
    }
}

/// Treatment history.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct History {
    /// The current or just-finished treatment setting. Required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_setting: Option<Setting>,
    /// How treatment in that setting is going. Required unless the setting is `none`, and
    /// only then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<Progress>,
    /// A current setting for medication-only treatment of a substance use disorder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub medication_setting: Option<MedicationSetting>,
    /// Earlier episodes of treatment, each with its level and outcome. An empty list means
    /// none; an absent list means the question was not asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub episodes: Option<Vec<Episode>>,
    /// A relapse after a period of abstinence outside treatment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relapse_after_abstinence: Option<bool>,
}

choices! {
    /// A treatment setting.
    pub enum Setting {
        /// Not in treatment.
        None = "none",
        /// Standard outpatient.
        Outpatient = "outpatient",
        /// Intensive outpatient.
        Iop = "iop",
        /// Partial hospitalization.
        Php = "php",
        /// Inpatient or residential.
        Inpatient = "inpatient",
        /// Inpatient withdrawal management (detox).
        InpatientWithdrawalManagement = "inpatient_withdrawal_management",
    }
}

impl Setting {
    /// The level of care this setting provides, or `None` when not in treatment.
    pub const fn level(self) -> Option<Level> {
        match self {
            Setting::None => None,
            Setting::Outpatient => Some(Level::Outpatient),
            Setting::Iop => Some(Level::Iop),
            Setting::Php => Some(Level::Php),
            Setting::Inpatient | Setting::InpatientWithdrawalManagement => Some(Level::Inpatient),
        }
    }
}

choices! {
    /// How treatment at the current setting is going, best to worst.
    #[derive(PartialOrd, Ord)]
    pub enum Progress {
        /// The goals of the level are met, or treatment is finishing as planned.
        GoalsMet = "goals_met",
        /// Progressing toward the goals of the level. Cravings or urges that the person
        /// manages with the level's support are progress, not failure.
        Progressing = "progressing",
        /// Not enough: a return to use, or symptoms worsening, that the level's services are
        /// not holding.
        NotEnough = "not_enough",
    }
}

choices! {
    /// A setting for medication-only treatment of a substance use disorder.
    pub enum MedicationSetting {
        /// None.
        None = "none",
        /// An opioid treatment programme (methadone clinic).
        OpioidTreatmentProgram = "opioid_treatment_program",
        /// Office-based buprenorphine.
        OfficeBasedBuprenorphine = "office_based_buprenorphine",
    }
}

/// How many months back an earlier episode that did not hold counts as recent
/// ([`Intake::recent_level_not_held`]).
pub const RECENT_MONTHS: u32 = 12;

/// One earlier episode of treatment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Episode {
    /// Its level of care, or withdrawal management alone.
    pub level: EpisodeLevel,
    /// How it ended.
    pub outcome: Outcome,
    /// How many months ago it ended (0-600), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 600))]
    pub months_ago: Option<u32>,
}

choices! {
    /// The level of care of an earlier episode, least to most intensive; withdrawal
    /// management (detox) alone is not a level of treatment.
    pub enum EpisodeLevel {
        /// Outpatient.
        Outpatient = "outpatient",
        /// Intensive outpatient.
        Iop = "iop",
        /// Partial hospitalization.
        Php = "php",
        /// Inpatient or residential treatment.
        Inpatient = "inpatient",
        /// Withdrawal management (detox) alone, in any setting.
        WithdrawalManagement = "withdrawal_management",
    }
}

impl EpisodeLevel {
    /// The level of care, or `None` for withdrawal management alone (which does not treat
    /// the disorder, so an episode of it that did not hold says nothing of a level).
    pub const fn level(self) -> Option<Level> {
        match self {
            EpisodeLevel::Outpatient => Some(Level::Outpatient),
            EpisodeLevel::Iop => Some(Level::Iop),
            EpisodeLevel::Php => Some(Level::Php),
            EpisodeLevel::Inpatient => Some(Level::Inpatient),
            EpisodeLevel::WithdrawalManagement => None,
        }
    }
}

impl From<Level> for EpisodeLevel {
    fn from(level: Level) -> EpisodeLevel {
        match level {
            Level::Outpatient => EpisodeLevel::Outpatient,
            Level::Iop => EpisodeLevel::Iop,
            Level::Php => EpisodeLevel::Php,
            Level::Inpatient => EpisodeLevel::Inpatient,
        }
    }
}

choices! {
    /// How an episode of treatment ended.
    pub enum Outcome {
        /// Completed as planned, and the gains held.
        Completed = "completed",
        /// Left before completing.
        LeftEarly = "left_early",
        /// Completed, but did not hold: a relapse or worsening soon after.
        DidNotHold = "did_not_hold",
    }
}

/// Home and recovery environment: each fact its own item.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Home {
    /// Someone else in the home uses alcohol or drugs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub others_use_substances: Option<bool>,
    /// The person is exposed to violence or abuse at home (as its victim).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub violence_or_abuse: Option<Assessed<bool>>,
    /// The people at home support recovery.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supportive: Option<bool>,
    /// Housing status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub housing: Option<Housing>,
    /// Children live in the home.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub children_in_home: Option<bool>,
    /// Housing arranged for treatment, away from the home. Absent means nothing arranged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arranged_housing: Option<ArrangedHousing>,
}

choices! {
    /// Housing status, most to least stable.
    #[derive(PartialOrd, Ord)]
    pub enum Housing {
        /// Stably housed.
        Housed = "housed",
        /// Housed, but unstably (at risk of losing it, or staying with others).
        UnstablyHoused = "unstably_housed",
        /// Homeless, in a shelter.
        ShelteredHomeless = "sheltered_homeless",
        /// Homeless, unsheltered.
        Unsheltered = "unsheltered",
    }
}

choices! {
    /// Housing arranged for treatment.
    pub enum ArrangedHousing {
        /// Nothing arranged.
        None = "none",
        /// Sober living (recovery housing): substance-free.
        SoberLiving = "sober_living",
        /// A transitional home: substance-free.
        TransitionalHousing = "transitional_housing",
        /// A shelter (for example a domestic-violence shelter): safe, not necessarily
        /// substance-free.
        Shelter = "shelter",
    }
}

impl ArrangedHousing {
    /// Whether it is substance-free housing (sober living or a transitional home).
    pub const fn is_substance_free(self) -> bool {
        matches!(
            self,
            ArrangedHousing::SoberLiving | ArrangedHousing::TransitionalHousing
        )
    }
}

/// Engagement, legal status and practical needs.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Engagement {
    /// Stage of change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage_of_change: Option<StageOfChange>,
    /// Able and willing to attend therapy several days a week.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_attend_several_days: Option<bool>,
    /// Work, school or caregiving commitments.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub commitments: Vec<Commitment>,
    /// When the person works (a night worker cannot take evening sessions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub work_schedule: Option<WorkSchedule>,
    /// Treatment mandated by a court, probation, child welfare or another authority.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mandated: Option<Mandate>,
    /// The person's own request for more or less intensive care than offered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_intensity: Option<RequestedIntensity>,
    /// Needs transportation to attend.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs_transportation: Option<bool>,
    /// Needs childcare to attend.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs_childcare: Option<bool>,
    /// Cultural, language or spiritual preferences, carried into the plan.
    pub preferences: Preferences,
}

choices! {
    /// Stage of change.
    #[derive(PartialOrd, Ord)]
    pub enum StageOfChange {
        /// Not yet considering change.
        Precontemplation = "precontemplation",
        /// Considering change.
        Contemplation = "contemplation",
        /// Preparing to change.
        Preparation = "preparation",
        /// Acting on change.
        Action = "action",
        /// Maintaining change.
        Maintenance = "maintenance",
    }
}

choices! {
    /// A commitment that treatment must fit around.
    pub enum Commitment {
        /// Work.
        Work = "work",
        /// School.
        School = "school",
        /// Caregiving.
        Caregiving = "caregiving",
    }
}

choices! {
    /// When the person works.
    pub enum WorkSchedule {
        /// Daytime.
        Day = "day",
        /// Evenings.
        Evening = "evening",
        /// Nights.
        Night = "night",
        /// Rotating or irregular shifts.
        Rotating = "rotating",
    }
}

choices! {
    /// Who mandated treatment.
    pub enum Mandate {
        /// Not mandated.
        None = "none",
        /// A court.
        Court = "court",
        /// Probation or parole.
        ProbationOrParole = "probation_or_parole",
        /// Child welfare.
        ChildWelfare = "child_welfare",
        /// An employer or a licensing board.
        EmployerOrLicensingBoard = "employer_or_licensing_board",
    }
}

choices! {
    /// The person's own request about intensity.
    pub enum RequestedIntensity {
        /// No request: what is offered.
        AsOffered = "as_offered",
        /// Less intensive care.
        Less = "less",
        /// More intensive care.
        More = "more",
    }
}

/// Cultural, language or spiritual preferences. Free text, carried into the plan unread.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Preferences {
    /// Cultural preferences (for example a programme built for Native American families).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cultural: Option<FreeText>,
    /// Preferred language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<FreeText>,
    /// Spiritual preferences.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spiritual: Option<FreeText>,
}

impl Preferences {
    /// Whether any preference is given.
    pub fn any(&self) -> bool {
        self.cultural.is_some() || self.language.is_some() || self.spiritual.is_some()
    }
}

/// For a person under 18: consent, school and caregivers. Only for an adolescent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Adolescent {
    /// A parent's or guardian's consent to treatment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guardian_consent: Option<GuardianConsent>,
    /// School status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub school: Option<SchoolStatus>,
    /// How involved a caregiver is in treatment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caregiver_involvement: Option<CaregiverInvolvement>,
}

impl Adolescent {
    /// Whether any item is answered.
    pub fn any(&self) -> bool {
        self.guardian_consent.is_some()
            || self.school.is_some()
            || self.caregiver_involvement.is_some()
    }
}

choices! {
    /// A guardian's consent to treatment.
    pub enum GuardianConsent {
        /// Given.
        Given = "given",
        /// Not yet given.
        Pending = "pending",
        /// Refused.
        Refused = "refused",
        /// Not needed (the law lets the adolescent consent alone).
        NotRequired = "not_required",
    }
}

choices! {
    /// School status.
    pub enum SchoolStatus {
        /// Attending.
        Attending = "attending",
        /// Attending with frequent absences.
        FrequentAbsences = "frequent_absences",
        /// Suspended or expelled.
        SuspendedOrExpelled = "suspended_or_expelled",
        /// Not enrolled.
        NotEnrolled = "not_enrolled",
        /// Finished school.
        Finished = "finished",
    }
}

choices! {
    /// How involved a caregiver is in treatment, most to least.
    #[derive(PartialOrd, Ord)]
    pub enum CaregiverInvolvement {
        /// Involved.
        Involved = "involved",
        /// Partly involved.
        Partly = "partly",
        /// Not involved.
        NotInvolved = "not_involved",
    }
}

/// Free text that may hold health information. Its `Debug` output shows only its length, so
/// it never leaks into logs through a derived `Debug`.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct FreeText(pub String);

impl fmt::Debug for FreeText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FreeText(<{} chars redacted>)", self.0.chars().count())
    }
}

impl From<&str> for FreeText {
    fn from(s: &str) -> Self {
        FreeText(s.to_owned())
    }
}

impl Intake {
    /// The dotted names of every required item that is unanswered, in intake order.
    ///
    /// # Examples
    ///
    /// ```
    /// let missing = carelevel::Intake::default().missing_required();
    /// assert!(missing.contains(&"safety.suicidal_ideation"));
    /// ```
    pub fn missing_required(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        crate::catalogue::visit_missing(self, |path| {
            missing.push(path);
            false
        });
        missing
    }

    /// Whether the person is an adolescent (under 18). `false` when age is unanswered.
    pub fn is_adolescent(&self) -> bool {
        self.age.is_some_and(|a| a < 18)
    }

    /// The most severe substance use disorder over every listed substance
    /// ([`SubstanceUse::sud_severity`]; `no_disorder` for an empty list), or `None` when the
    /// list is absent or an entry gives neither a count nor a severity.
    pub fn sud_severity(&self) -> Option<SudSeverity> {
        let list = self.substance_use.as_ref()?;
        let mut worst = SudSeverity::NoDisorder;
        for s in list {
            worst = worst.max(s.sud_severity()?);
        }
        Some(worst)
    }

    /// The most intensive level of care at which an earlier episode did not hold, if any
    /// (withdrawal management alone is not a level of care).
    pub fn highest_level_not_held(&self) -> Option<Level> {
        self.history
            .episodes
            .iter()
            .flatten()
            .filter(|e| e.outcome == Outcome::DidNotHold)
            .filter_map(|e| e.level.level())
            .max()
    }

    /// The most intensive level of care at which an earlier episode did not hold, among the
    /// episodes that ended in the past [`RECENT_MONTHS`] months or whose end is not recorded
    /// (an undated failure may be a recent one, so it is never read as an old one).
    pub fn recent_level_not_held(&self) -> Option<Level> {
        self.history
            .episodes
            .iter()
            .flatten()
            .filter(|e| e.outcome == Outcome::DidNotHold)
            .filter(|e| e.months_ago.is_none_or(|m| m <= RECENT_MONTHS))
            .filter_map(|e| e.level.level())
            .max()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn safety(json: &str) -> Result<Intake, IntakeError> {
        Intake::from_json(&format!(
            r#"{{"schema_version": "2", "safety": {{"suicidal_ideation": {json}}}}}"#
        ))
    }

    #[test]
    fn a_safety_item_reads_its_answer_or_why_there_is_none() {
        let read = |json: &str| safety(json).unwrap().safety.suicidal_ideation;
        assert_eq!(
            read(r#""none""#),
            Some(Assessed::Answer(SuicidalIdeation::None))
        );
        assert_eq!(read(r#""declined""#), Some(Assessed::Declined));
        assert_eq!(
            read(r#""unable_to_assess""#),
            Some(Assessed::UnableToAssess)
        );
        // And writes them back the same way.
        for value in ["\"none\"", "\"declined\"", "\"unable_to_assess\""] {
            let intake = safety(value).unwrap();
            assert_eq!(
                Intake::from_json(&intake.to_json().unwrap()).unwrap(),
                intake
            );
        }
    }

    #[test]
    fn a_declinable_yes_no_or_choice_refuses_other_values_without_echoing_them() {
        for bad in ["true", "3", "1.5", "{}", "[]", "null", r#""Jane Doe""#] {
            if bad == "null" {
                // `null` is "not asked", as for every optional item.
                assert_eq!(safety(bad).unwrap().safety.suicidal_ideation, None);
                continue;
            }
            let err = safety(bad).map(|_| ()).unwrap_err().to_string();
            assert!(err.contains("safety.suicidal_ideation"), "{bad}: {err}");
            assert!(!err.contains("Jane"), "{err}");
            // Every value the item takes is listed, the two "not obtained" ones included,
            // and no Rust type name.
            assert!(
                err.contains("`wish_to_be_dead`")
                    && err.contains("`declined` or `unable_to_assess`"),
                "{bad}: {err}"
            );
            assert!(!err.contains("SuicidalIdeation"), "{bad}: {err}");
        }
        let yes_no = |json: &str| {
            Intake::from_json(&format!(
                r#"{{"schema_version": "2", "home": {{"violence_or_abuse": {json}}}}}"#
            ))
        };
        assert_eq!(
            yes_no("true").unwrap().home.violence_or_abuse,
            Some(Assessed::Answer(true))
        );
        assert_eq!(
            yes_no(r#""unable_to_assess""#)
                .unwrap()
                .home
                .violence_or_abuse,
            Some(Assessed::UnableToAssess)
        );
        for bad in [r#""yes""#, "1", r#""none""#] {
            assert!(yes_no(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_intake_without_a_schema_version_is_refused_and_told_how_to_convert() {
        let err = Intake::from_json(r#"{"age": 30}"#).unwrap_err();
        assert_eq!(err, IntakeError::Version);
        // Also when a 0.1 key comes first.
        let old = r#"{"safety": {"suicide_risk": "none"}, "age": 30}"#;
        assert_eq!(Intake::from_json(old).unwrap_err(), IntakeError::Version);
        // An intake 2 with an unknown key is told which key.
        let new = r#"{"schema_version": "2", "safety": {"suicide_risk": "none"}}"#;
        assert!(matches!(
            Intake::from_json(new),
            Err(IntakeError::Json { .. })
        ));
        let msg = err.to_string();
        assert!(
            msg.contains("convert_v0_1") && msg.contains("--from-0.1"),
            "{msg}"
        );
        for other in [r#""0.1""#, "2", r#""3""#, r#""Jane""#] {
            let err = Intake::from_json(&format!(r#"{{"schema_version": {other}}}"#))
                .unwrap_err()
                .to_string();
            assert!(err.contains("schema_version"), "{other}: {err}");
            assert!(err.contains(r#""2""#), "{other}: {err}");
            assert!(!err.contains("Jane"), "{err}");
        }
    }

    #[test]
    fn severity_bands_are_the_dsm5_counts() {
        let bands: Vec<SudSeverity> = (0..=11).map(SudSeverity::of_count).collect();
        use SudSeverity::*;
        assert_eq!(
            bands,
            [
                NoDisorder, NoDisorder, Mild, Mild, Moderate, Moderate, Severe, Severe, Severe,
                Severe, Severe, Severe
            ]
        );
    }
}
