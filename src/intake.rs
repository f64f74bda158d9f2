//! The structured intake questionnaire: what goes in.
//!
//! Every struct denies unknown keys, so a misspelt key is an error rather than a silently
//! ignored answer. Items a placement cannot safely do without (those marked required in the
//! README's intake table, which is generated from the crate's catalogue of items) are
//! `Option`s at the serde level only so that *every* missing item can be reported at once;
//! [`RulePack::assess`](crate::RulePack::assess) refuses an intake with any of them missing.
//!
//! This module owns the intake and its reading from and writing to JSON
//! ([`Intake::from_json`], [`Intake::to_json`]).

use crate::Level;
use crate::catalogue::choices;
use crate::error::IntakeError;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A person's intake. Build it from JSON with [`Intake::from_json`] or in Rust with
/// struct-update syntax over [`Intake::default`].
///
/// # Examples
///
/// ```
/// use carelevel::intake::*;
///
/// let intake = Intake {
///     age: Some(34),
///     safety: Safety {
///         suicide_risk: Some(SuicideRisk::None),
///         harm_to_others: Some(HarmToOthers::None),
///         psychosis_or_unable_to_self_care: Some(false),
///     },
///     medical: Medical { status: Some(MedicalStatus::Stable) },
///     withdrawal: Withdrawal { seizure_or_dt_history: Some(false), ..Default::default() },
///     self_management: Some(SelfManagement::Independent),
///     history: History { current_setting: Some(Setting::None), ..Default::default() },
///     ..Default::default()
/// };
/// assert!(intake.missing_required().is_empty());
/// ```
// Adding a field: a map field reads through `crate::json::unique_keys` (no duplicate keys),
// and no type here uses serde's `flatten` or `untagged` (they bypass the strict reader).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Intake {
    /// Age in years (0-120). Under 18 is an adolescent, which changes the IOP hour minimum.
    /// Required.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 120))]
    pub age: Option<u32>,
    /// Acute safety. Every item is required.
    pub safety: Safety,
    /// Withdrawal.
    pub withdrawal: Withdrawal,
    /// Medical stability.
    pub medical: Medical,
    /// Substance-use and mental-health severity.
    pub severity: Severity,
    /// How the person manages symptoms and cravings outside treatment hours. Required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_management: Option<SelfManagement>,
    /// Treatment history: the current or just-finished setting and how it is going.
    pub history: History,
    /// Home stability.
    pub home: Home,
    /// Engagement and practical needs.
    pub engagement: Engagement,
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

impl Intake {
    /// Reads an intake from JSON. Unknown keys, values of the wrong type and unknown choices
    /// are errors naming the field. Range and completeness checks happen in
    /// [`RulePack::assess`](crate::RulePack::assess), which reports every problem at once.
    ///
    /// # Errors
    ///
    /// [`IntakeError::Json`] naming the field's dotted path and what is wrong with it.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = carelevel::Intake::from_json(r#"{"safety": {"suicide_risks": "none"}}"#).unwrap_err();
    /// assert!(err.to_string().starts_with("intake field `safety.suicide_risks`: unknown key `suicide_risks`"));
    /// ```
    pub fn from_json(json: &str) -> Result<Intake, IntakeError> {
        crate::json::read(json).map_err(IntakeError::from)
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
    /// # let json = include_str!("../examples/intakes/iop_primary.json");
    /// let intake = carelevel::Intake::from_json(json)?;
    /// assert_eq!(carelevel::Intake::from_json(&intake.to_json()?)?, intake);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }
}

/// Acute safety items. All three are required.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Safety {
    /// Suicide risk on the Columbia (C-SSRS) screener's ladder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suicide_risk: Option<SuicideRisk>,
    /// Risk of harm to others.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub harm_to_others: Option<HarmToOthers>,
    /// Psychosis, or unable to care for self.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub psychosis_or_unable_to_self_care: Option<bool>,
}

choices! {
    /// Suicide risk on the Columbia screener's ladder, least to most severe.
    #[derive(PartialOrd, Ord)]
    pub enum SuicideRisk {
        /// No suicidal ideation or behaviour.
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
        /// Suicidal behaviour in the past 3 months.
        RecentBehavior = "recent_behavior",
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

/// Withdrawal measures.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Withdrawal {
    /// CIWA-Ar alcohol withdrawal score (0-67), when measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 67))]
    pub ciwa_ar: Option<u32>,
    /// COWS opioid withdrawal score (0-48), when measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 48))]
    pub cows: Option<u32>,
    /// History of withdrawal seizures or delirium tremens. Required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seizure_or_dt_history: Option<bool>,
}

/// Medical stability.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Medical {
    /// Medical status. Required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<MedicalStatus>,
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

/// Substance-use and mental-health severity.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Severity {
    /// Each substance use disorder with its DSM-5 criteria count. An empty list means none was
    /// found; an absent list means the question was not asked (rules that need it are then
    /// reported as not evaluated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub substance_use: Option<Vec<SubstanceUse>>,
    /// PHQ-9 depression score (0-27), when measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 27))]
    pub phq9: Option<u32>,
    /// GAD-7 anxiety score (0-21), when measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 21))]
    pub gad7: Option<u32>,
    /// A clinician's rating of mental-health severity, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clinician_rating: Option<ClinicianRating>,
    /// Whether symptoms stop the person doing daily activities (work, school, self-care).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impairs_daily_activities: Option<bool>,
}

/// One substance use disorder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubstanceUse {
    /// The substance.
    pub substance: Substance,
    /// DSM-5 criteria met in the past 12 months (0-11).
    #[schemars(range(min = 0, max = 11))]
    pub dsm5_criteria: u32,
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
        /// Sedatives, hypnotics or anxiolytics.
        Sedatives = "sedatives",
        /// Any other substance.
        Other = "other",
    }
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

choices! {
    /// How the person manages symptoms and cravings in the evenings and at weekends.
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
    /// How treatment in that setting is going. Required unless the setting is `none`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<Progress>,
    /// Levels at which an earlier episode of treatment did not hold (relapse or worsening
    /// after it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub earlier_levels_not_held: Vec<Level>,
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
        /// Progressing toward the goals of the level.
        Progressing = "progressing",
        /// Not enough: relapse, worsening, or tempted to relapse.
        NotEnough = "not_enough",
    }
}

/// Home stability.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Home {
    /// The home is substance-free.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub substance_free: Option<bool>,
    /// The people at home support recovery.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supportive: Option<bool>,
    /// The home is safe: free of violence and toxicity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safe: Option<bool>,
    /// Housing is stable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stable_housing: Option<bool>,
    /// Safe, substance-free housing has been arranged: sober living, a transitional home, or
    /// a shelter away from violence. Absent means nothing has been arranged.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub substance_free_housing_arranged: bool,
}

/// Engagement and practical needs.
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
    /// assert!(missing.contains(&"safety.suicide_risk"));
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

    /// The largest DSM-5 criteria count over every listed substance use disorder (0 for an
    /// empty list), or `None` when the list is absent.
    pub fn sud_max_criteria(&self) -> Option<u32> {
        self.severity
            .substance_use
            .as_ref()
            .map(|l| l.iter().map(|s| s.dsm5_criteria).max().unwrap_or(0))
    }

    /// The most intensive level at which an earlier episode did not hold, if any.
    pub fn highest_level_not_held(&self) -> Option<Level> {
        self.history.earlier_levels_not_held.iter().copied().max()
    }
}
