//! The answers rules may read: a flat, named view over the intake.
//!
//! Rules never touch the intake's structs directly: they name an answer (for example
//! `safety.suicide_risk`), and loading a pack resolves each name to a typed reference.
//! Three families exist: the built-in answers below (fields of the intake, plus a few
//! aggregates such as `severity.sud_max_criteria`), `rating.<id>` for ratings a pack
//! declares, and `score.<id>` for composite scores a pack declares over its ratings.

use crate::Level;
use crate::intake::{Intake, Setting};

/// A value an answer holds, as rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Value {
    /// A yes/no answer.
    Bool(bool),
    /// A number (scores, counts, ratings).
    Num(u32),
    /// One of an ordered list of choices, by position.
    Choice(u8),
}

/// The type of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerKind {
    /// Yes or no.
    Bool,
    /// A whole number in `min..=max`.
    Number {
        /// Smallest valid value.
        min: u32,
        /// Largest valid value.
        max: u32,
    },
    /// One of these choices, listed least to most severe where the answer is ordered.
    Choice(&'static [&'static str]),
}

/// Which direction of an answer is the worse one, for monotonicity checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Worse {
    /// A larger number, a later choice, or `true` is worse.
    Higher,
    /// A smaller number, an earlier choice, or `false` is worse.
    Lower,
    /// The answer is not a risk scale (for example the current setting).
    Unordered,
}

/// A description of one built-in answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerInfo {
    /// The name rules use, e.g. `safety.suicide_risk`.
    pub name: &'static str,
    /// Its type.
    pub kind: AnswerKind,
    /// Whether an intake must answer it.
    pub required: bool,
    /// Which direction is worse.
    pub worse: Worse,
    /// Whether the care team can arrange it (a `false` that can become `true`), so the
    /// recommendation can say what level would follow if it were arranged.
    pub arrangeable: bool,
    /// What it means, in one line.
    pub description: &'static str,
}

macro_rules! fields {
    ( $( $variant:ident => $name:literal, $kind:expr, $req:literal, $worse:ident, $arr:literal, $desc:literal; )+ ) => {
        /// A built-in answer.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub(crate) enum Field { $( $variant, )+ }

        impl Field {
            pub(crate) const ALL: &'static [Field] = &[ $( Field::$variant, )+ ];

            pub(crate) const fn info(self) -> AnswerInfo {
                match self {
                    $( Field::$variant => AnswerInfo {
                        name: $name, kind: $kind, required: $req, worse: Worse::$worse,
                        arrangeable: $arr, description: $desc,
                    }, )+
                }
            }

            /// Every built-in answer of an intake at once, in `Field::ALL` order: what
            /// [`Field::read`] gives for each, in one pass with no dispatch per answer.
            pub(crate) fn read_all(i: &Intake) -> [Option<Value>; Field::ALL.len()] {
                [ $( Field::$variant.read(i), )+ ]
            }
        }
    };
}

const SUICIDE: &[&str] = &[
    "none",
    "wish_to_be_dead",
    "nonspecific_active_thoughts",
    "method_without_intent",
    "intent_without_plan",
    "plan_with_intent",
    "recent_behavior",
];
const HARM: &[&str] = &["none", "ideation", "plan_or_intent"];
const MEDICAL: &[&str] = &["stable", "daily_monitoring", "round_the_clock_care"];
const CLINICIAN: &[&str] = &["none", "mild", "moderate", "severe"];
const SELF_MANAGEMENT: &[&str] = &[
    "independent",
    "with_daily_structure",
    "only_in_24_hour_setting",
];
const SETTING: &[&str] = &[
    "none",
    "outpatient",
    "iop",
    "php",
    "inpatient",
    "inpatient_withdrawal_management",
];
const PROGRESS: &[&str] = &["goals_met", "progressing", "not_enough"];
const LEVEL_OR_NONE: &[&str] = &["none", "outpatient", "iop", "php", "inpatient"];
const STAGE: &[&str] = &[
    "precontemplation",
    "contemplation",
    "preparation",
    "action",
    "maintenance",
];

const fn num(min: u32, max: u32) -> AnswerKind {
    AnswerKind::Number { min, max }
}

fields! {
    Age => "age", num(0, 120), true, Unordered, false, "age in years";
    Adolescent => "adolescent", AnswerKind::Bool, true, Unordered, false, "under 18 (derived from age)";
    SuicideRisk => "safety.suicide_risk", AnswerKind::Choice(SUICIDE), true, Higher, false, "suicide risk on the Columbia screener's ladder";
    HarmToOthers => "safety.harm_to_others", AnswerKind::Choice(HARM), true, Higher, false, "risk of harm to others";
    Psychosis => "safety.psychosis_or_unable_to_self_care", AnswerKind::Bool, true, Higher, false, "psychosis or unable to care for self";
    CiwaAr => "withdrawal.ciwa_ar", num(0, 67), false, Higher, false, "CIWA-Ar alcohol withdrawal score";
    Cows => "withdrawal.cows", num(0, 48), false, Higher, false, "COWS opioid withdrawal score";
    SeizureHistory => "withdrawal.seizure_or_dt_history", AnswerKind::Bool, true, Higher, false, "history of withdrawal seizures or delirium tremens";
    MedicalStatus => "medical.status", AnswerKind::Choice(MEDICAL), true, Higher, false, "medical stability";
    SudMaxCriteria => "severity.sud_max_criteria", num(0, 11), false, Higher, false, "largest DSM-5 criteria count over the listed substance use disorders (0 when none)";
    Phq9 => "severity.phq9", num(0, 27), false, Higher, false, "PHQ-9 depression score";
    Gad7 => "severity.gad7", num(0, 21), false, Higher, false, "GAD-7 anxiety score";
    ClinicianRating => "severity.clinician_rating", AnswerKind::Choice(CLINICIAN), false, Higher, false, "clinician's mental-health severity rating";
    ImpairsDaily => "severity.impairs_daily_activities", AnswerKind::Bool, false, Higher, false, "symptoms stop daily activities (work, school, self-care)";
    SelfManagement => "self_management", AnswerKind::Choice(SELF_MANAGEMENT), true, Higher, false, "how symptoms and cravings are managed in evenings and at weekends";
    CurrentSetting => "history.current_setting", AnswerKind::Choice(SETTING), true, Unordered, false, "current or just-finished treatment setting";
    Progress => "history.progress", AnswerKind::Choice(PROGRESS), false, Higher, false, "how treatment at the current setting is going";
    HighestNotHeld => "history.highest_level_not_held", AnswerKind::Choice(LEVEL_OR_NONE), false, Higher, false, "most intensive level at which an earlier episode did not hold";
    SubstanceFree => "home.substance_free", AnswerKind::Bool, false, Lower, false, "the home is substance-free";
    Supportive => "home.supportive", AnswerKind::Bool, false, Lower, false, "the people at home support recovery";
    SafeHome => "home.safe", AnswerKind::Bool, false, Lower, false, "the home is free of violence and toxicity";
    StableHousing => "home.stable_housing", AnswerKind::Bool, false, Lower, false, "housing is stable";
    HousingArranged => "home.substance_free_housing_arranged", AnswerKind::Bool, false, Lower, true, "safe, substance-free housing (sober living, a transitional home or a shelter) is arranged";
    StageOfChange => "engagement.stage_of_change", AnswerKind::Choice(STAGE), false, Unordered, false, "stage of change";
    CanAttend => "engagement.can_attend_several_days", AnswerKind::Bool, false, Unordered, false, "able and willing to attend several days a week";
    WorkOrSchool => "engagement.work_or_school", AnswerKind::Bool, false, Unordered, false, "has work or school commitments";
    Caregiving => "engagement.caregiving", AnswerKind::Bool, false, Unordered, false, "has caregiving commitments";
    NeedsTransportation => "engagement.needs_transportation", AnswerKind::Bool, false, Unordered, false, "needs transportation to attend";
    NeedsChildcare => "engagement.needs_childcare", AnswerKind::Bool, false, Unordered, false, "needs childcare to attend";
    HasPreferences => "engagement.has_preferences", AnswerKind::Bool, false, Unordered, false, "has cultural, language or spiritual preferences";
}

/// Every built-in answer a rule may read, in a stable order.
///
/// # Examples
///
/// ```
/// let names: Vec<_> = carelevel::answers().map(|a| a.name).collect();
/// assert!(names.contains(&"safety.suicide_risk"));
/// ```
pub fn answers() -> impl Iterator<Item = AnswerInfo> {
    Field::ALL.iter().map(|f| f.info())
}

fn choice<T: Copy + Into<u8>>(v: Option<T>) -> Option<Value> {
    v.map(|x| Value::Choice(x.into()))
}

macro_rules! rank_of {
    ($($t:ty),+) => { $( impl From<$t> for u8 { fn from(v: $t) -> u8 { v as u8 } } )+ };
}
rank_of!(
    crate::intake::SuicideRisk,
    crate::intake::HarmToOthers,
    crate::intake::MedicalStatus,
    crate::intake::ClinicianRating,
    crate::intake::SelfManagement,
    crate::intake::Progress,
    crate::intake::StageOfChange,
    Setting
);

impl Field {
    /// Reads this answer from an intake; `None` when it is unanswered.
    #[inline]
    pub(crate) fn read(self, i: &Intake) -> Option<Value> {
        use Value::{Bool, Num};
        match self {
            Field::Age => i.age.map(Num),
            Field::Adolescent => i.age.map(|a| Bool(a < 18)),
            Field::SuicideRisk => choice(i.safety.suicide_risk),
            Field::HarmToOthers => choice(i.safety.harm_to_others),
            Field::Psychosis => i.safety.psychosis_or_unable_to_self_care.map(Bool),
            Field::CiwaAr => i.withdrawal.ciwa_ar.map(Num),
            Field::Cows => i.withdrawal.cows.map(Num),
            Field::SeizureHistory => i.withdrawal.seizure_or_dt_history.map(Bool),
            Field::MedicalStatus => choice(i.medical.status),
            Field::SudMaxCriteria => i.sud_max_criteria().map(Num),
            Field::Phq9 => i.severity.phq9.map(Num),
            Field::Gad7 => i.severity.gad7.map(Num),
            Field::ClinicianRating => choice(i.severity.clinician_rating),
            Field::ImpairsDaily => i.severity.impairs_daily_activities.map(Bool),
            Field::SelfManagement => choice(i.self_management),
            Field::CurrentSetting => choice(i.history.current_setting),
            Field::Progress => choice(i.history.progress),
            Field::HighestNotHeld => Some(Value::Choice(
                i.highest_level_not_held().map_or(0, |l: Level| l as u8 + 1),
            )),
            Field::SubstanceFree => i.home.substance_free.map(Bool),
            Field::Supportive => i.home.supportive.map(Bool),
            Field::SafeHome => i.home.safe.map(Bool),
            Field::StableHousing => i.home.stable_housing.map(Bool),
            Field::HousingArranged => Some(Bool(i.home.substance_free_housing_arranged)),
            Field::StageOfChange => choice(i.engagement.stage_of_change),
            Field::CanAttend => i.engagement.can_attend_several_days.map(Bool),
            Field::WorkOrSchool => Some(Bool(i.engagement.commitments.iter().any(|c| {
                matches!(
                    c,
                    crate::intake::Commitment::Work | crate::intake::Commitment::School
                )
            }))),
            Field::Caregiving => Some(Bool(
                i.engagement
                    .commitments
                    .contains(&crate::intake::Commitment::Caregiving),
            )),
            Field::NeedsTransportation => i.engagement.needs_transportation.map(Bool),
            Field::NeedsChildcare => i.engagement.needs_childcare.map(Bool),
            Field::HasPreferences => Some(Bool(i.engagement.preferences.any())),
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Field> {
        Field::ALL.iter().copied().find(|f| f.info().name == name)
    }
}

/// A resolved reference to an answer, made when a pack is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum AnswerRef {
    /// A built-in answer.
    Field(Field),
    /// The pack's rating at this index.
    Rating(u16),
    /// The pack's score at this index.
    Score(u16),
}
