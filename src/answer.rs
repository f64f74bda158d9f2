//! The answers rules may read: a flat, named view over the intake.
//!
//! Rules never touch the intake's structs directly: they name an answer (for example
//! `safety.suicidal_ideation`), and loading a pack resolves each name to a typed reference.
//! Three families exist: the built-in answers below (fields of the intake, plus a few
//! aggregates such as `substance_use.severity`), `rating.<id>` for ratings a pack
//! declares, and `score.<id>` for composite scores a pack declares over its ratings.

use crate::Level;
use crate::catalogue::{self, Choice, Item, Kind, Required};
use crate::intake::{
    ArrangedHousing, Assessed, Commitment, ConditionKind, Intake, Setting, Substance, SubstanceUse,
    score,
};

/// A value an answer holds, as rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Value {
    /// A yes/no answer.
    Bool(bool),
    /// A number (scores, counts, ratings).
    Num(u32),
    /// One of an ordered list of choices, by position.
    Choice(u8),
    /// The answer does not apply to this person (a withdrawal scale for a substance they do
    /// not use, progress in treatment for a person not in treatment): answered, and no test
    /// of its value holds.
    NotApplicable,
}

/// The type of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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
#[non_exhaustive]
pub struct AnswerInfo {
    /// The name rules use, e.g. `safety.suicidal_ideation`.
    pub name: &'static str,
    /// Its type.
    pub kind: AnswerKind,
    /// Whether an intake must answer it.
    pub required: bool,
    /// Whether it also takes `declined` or `unable_to_assess` (a safety item), which rules
    /// read as unknown: a required answer that is declinable can still be unknown.
    pub declinable: bool,
    /// Which direction is worse.
    pub worse: Worse,
    /// Whether the care team can arrange it (a `false` that can become `true`), so the
    /// recommendation can say what level would follow if it were arranged.
    pub arrangeable: bool,
    /// What it means, in one line.
    pub description: &'static str,
}

/// Defines [`Field`], one variant per built-in answer, in the order of [`answers()`].
///
/// An answer that is an intake item names its path, `Variant => (group.item), worse;`: its
/// name, kind, required flag and description are the catalogue's (`crate::catalogue`), and
/// it is read from that field, or as `(group.item; |i| read)` says where other items bear on
/// it. An answer derived from several items gives those facts and
/// how to read it: `Variant => { "name", kind, required, "description", |i| read }, worse;`.
/// An answer the care team can arrange ends `, arrangeable;`.
macro_rules! fields {
    ( $( $variant:ident => $source:tt, $worse:ident $(, $arrangeable:ident)? ; )+ ) => {
        /// A built-in answer.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub(crate) enum Field { $( $variant, )+ }

        impl Field {
            pub(crate) const ALL: &'static [Field] = &[ $( Field::$variant, )+ ];

            pub(crate) const fn info(self) -> AnswerInfo {
                match self {
                    $( Field::$variant => {
                        const INFO: AnswerInfo = fields!(
                            @info $source, Worse::$worse, fields!(@arrangeable $($arrangeable)?)
                        );
                        INFO
                    } )+
                }
            }

            /// Reads this answer from an intake; `None` when it is unanswered.
            #[inline]
            pub(crate) fn read(self, i: &Intake) -> Option<Value> {
                match self {
                    $( Field::$variant => fields!(@read i $source), )+
                }
            }

            /// Every built-in answer of an intake at once, in `Field::ALL` order: what
            /// [`Field::read`] gives for each, in one pass with no dispatch per answer.
            pub(crate) fn read_all(i: &Intake) -> [Option<Value>; Field::ALL.len()] {
                [ $( Field::$variant.read(i), )+ ]
            }
        }
    };

    (@arrangeable) => { false };
    (@arrangeable arrangeable) => { true };

    (@info ($first:ident $(. $rest:ident)* $(; |$p:ident| $read:expr)?), $worse:expr,
        $arrangeable:expr) => {
        known!(
            from_item(
                concat!(stringify!($first) $(, ".", stringify!($rest))*),
                $worse,
                $arrangeable,
            ),
            concat!(
                "`",
                stringify!($first) $(, ".", stringify!($rest))*,
                "` is not an item of the catalogue that a rule can read"
            )
        )
    };
    (@info { $name:literal, $kind:expr, $required:literal, $description:literal,
             |$p:ident| $read:expr }, $worse:expr, $arrangeable:expr) => {
        AnswerInfo {
            name: $name,
            kind: $kind,
            required: $required,
            declinable: false,
            worse: $worse,
            arrangeable: $arrangeable,
            description: $description,
        }
    };

    (@read $i:ident ($($seg:ident).+)) => { AsValue::value(&$i.$($seg).+) };
    (@read $i:ident ($($seg:ident).+; |$p:ident| $read:expr)) => {{
        let $p = $i;
        $read
    }};
    (@read $i:ident { $name:literal, $kind:expr, $required:literal, $description:literal,
                      |$p:ident| $read:expr }) => {{
        let $p = $i;
        $read
    }};
}

/// The answer for the catalogue's item at `path`: `None` when it is not an item, or is one no
/// rule can read. Evaluated in constants only, where `None` does not compile.
const fn from_item(path: &'static str, worse: Worse, arrangeable: bool) -> Option<AnswerInfo> {
    let Some(item) = catalogue::find(path) else {
        return None;
    };
    let Some(kind) = kind_of(item) else {
        return None;
    };
    Some(AnswerInfo {
        name: item.path,
        kind,
        required: matches!(item.required, Required::Always | Required::UnlessScreened),
        declinable: item.declinable,
        worse,
        arrangeable,
        description: item.description,
    })
}

/// The kind of answer an item gives a rule, if a rule can read it.
const fn kind_of(item: &Item) -> Option<AnswerKind> {
    match item.kind {
        Kind::Int { min, max } => Some(AnswerKind::Number { min, max }),
        Kind::Bool | Kind::Flag => Some(AnswerKind::Bool),
        Kind::Choice(ids) => Some(AnswerKind::Choice(ids)),
        Kind::Choices(_) | Kind::Text | Kind::Group | Kind::Groups | Kind::NoneOf(_) => None,
    }
}

/// The kind of the catalogue's item at `path`, for an answer derived from it. Evaluated in
/// constants only, where `None` does not compile.
const fn kind_at(path: &str) -> Option<AnswerKind> {
    match catalogue::find(path) {
        Some(item) => kind_of(item),
        None => None,
    }
}

/// The value of a constant, or a compile error saying what is not in the catalogue.
macro_rules! known {
    ($value:expr, $path:expr) => {
        match $value {
            Some(v) => v,
            None => panic!("{}", $path),
        }
    };
}

/// `none`, then each level least intensive first (a unit test holds it to `Level`'s ids).
const LEVEL_OR_NONE: &[&str] = &[
    "none",
    Level::Outpatient.as_str(),
    Level::Iop.as_str(),
    Level::Php.as_str(),
    Level::Inpatient.as_str(),
];

fields! {
    Age => (age), Unordered;
    Adolescent => {
        "adolescent", AnswerKind::Bool, true, "under 18 (derived from age)",
        |i| i.age.map(|a| Value::Bool(a < 18))
    }, Unordered;
    // As given, else as the C-SSRS screener's items score them.
    SuicidalIdeation => (safety.suicidal_ideation; |i| AsValue::value(&score::suicidal_ideation(i))), Higher;
    SuicidalBehavior => (safety.suicidal_behavior; |i| AsValue::value(&score::suicidal_behavior(i))), Higher;
    SelfInjury => (safety.self_injury), Higher;
    Phq9Item9 => (safety.phq9_item9), Higher;
    LethalMeans => (safety.lethal_means), Higher;
    HarmToOthers => (safety.harm_to_others), Higher;
    HarmTarget => (safety.harm_target_identified), Higher;
    Psychosis => (safety.psychosis), Higher;
    UnableToSelfCare => (safety.unable_to_self_care), Higher;
    // A seizure in this episode is part of the lifetime history, whatever that item says.
    SeizureHistory => (withdrawal.seizure_or_dt_history; |i| {
        if i.withdrawal.seizure_this_episode == Some(Assessed::Answer(true)) {
            Some(Value::Bool(true))
        } else {
            AsValue::value(&i.withdrawal.seizure_or_dt_history)
        }
    }), Higher;
    // This episode's complications: as answered; not applicable, unanswered, to a person with
    // no recent alcohol or sedative use (`this_episode`).
    SeizureThisEpisode => (withdrawal.seizure_this_episode;
        |i| this_episode(i, i.withdrawal.seizure_this_episode)), Higher;
    HallucinationsThisEpisode => (withdrawal.hallucinations_this_episode;
        |i| this_episode(i, i.withdrawal.hallucinations_this_episode)), Higher;
    DeliriumThisEpisode => (withdrawal.delirium_this_episode;
        |i| this_episode(i, i.withdrawal.delirium_this_episode)), Higher;
    Intoxicated => (withdrawal.intoxicated_now), Higher;
    Pawss => (withdrawal.pawss), Higher;
    CiwaAr => {
        "withdrawal.ciwa_ar", known!(
            kind_at("substance_use.ciwa_ar"),
            "`substance_use.ciwa_ar` is not a number item of the catalogue"
        ), false,
        "highest CIWA-Ar score over alcohol (and sedatives, as a proxy); not applicable to a person who uses neither, or whose use of them is not recent and unmeasured",
        |i| scale(i, |s| matches!(s.substance, Substance::Alcohol | Substance::Sedatives), |s| total(score::ciwa_ar(s)))
    }, Higher;
    Cows => {
        "withdrawal.cows", known!(
            kind_at("substance_use.cows"),
            "`substance_use.cows` is not a number item of the catalogue"
        ), false,
        "highest COWS score over opioids; not applicable to a person who uses none, or whose use is not recent and unmeasured",
        |i| scale(i, |s| s.substance == Substance::Opioids, |s| total(score::cows(s)))
    }, Higher;
    AlcoholDisorder => {
        "substance_use.alcohol_disorder", AnswerKind::Choice(USE_RECENCY), false,
        "an alcohol use disorder listed: none, not recent use, or recent use (see `substance_recency`)",
        |i| disorder_use(i, Substance::Alcohol)
    }, Higher;
    SedativeDisorder => {
        "substance_use.sedative_disorder", AnswerKind::Choice(USE_RECENCY), false,
        "a sedative (benzodiazepine) use disorder listed: none, not recent use, or recent use",
        |i| disorder_use(i, Substance::Sedatives)
    }, Higher;
    OpioidDisorder => {
        "substance_use.opioid_disorder", AnswerKind::Choice(USE_RECENCY), false,
        "an opioid use disorder listed (in remission or on maintenance included): none, not recent use, or recent use",
        |i| disorder_use(i, Substance::Opioids)
    }, Higher;
    BenzodiazepineDose => {
        "substance_use.benzodiazepine_diazepam_mg", AnswerKind::Number { min: 0, max: MAX_DIAZEPAM_MG },
        false,
        "highest daily benzodiazepine dose over the sedative entries, in approximate diazepam milligrams; unknown when an entry gives no drug, no dose or another drug; not applicable without sedatives",
        |i| diazepam_mg(i)
    }, Higher;
    SudSeverity => {
        "substance_use.severity", AnswerKind::Choice(<crate::intake::SudSeverity as Choice>::IDS),
        false,
        "most severe substance use disorder over the substances listed (no_disorder when none)",
        |i| i.sud_severity().map(|s| Value::Choice(s.rank()))
    }, Higher;
    // Current use, beside the 12-month count: what a continued-stay decision rests on.
    UseRecency => {
        "substance_use.use_recency", AnswerKind::Choice(USE_RECENCY), false,
        "the most recent use over every use disorder listed: none (no disorder), not recent, or recent (see `substance_recency`)",
        |i| any_disorder_use(i)
    }, Higher;
    MedicalStatus => (medical.status), Higher;
    Pregnancy => (medical.pregnancy), Unordered;
    InjectionUse => (medical.injection_use), Higher;
    Overdose => (medical.overdose), Higher;
    OudMedication => (medication.opioid_use_disorder), Unordered;
    OudAdherence => (medication.opioid_use_disorder_adherence), Higher;
    AudMedication => (medication.alcohol_use_disorder), Unordered;
    AudAdherence => (medication.alcohol_use_disorder_adherence), Higher;
    Naloxone => (medication.naloxone_on_hand), Lower;
    PsychiatricMedication => (medication.psychiatric), Unordered;
    // As given, else scored from every one of its items (a partial instrument is no total).
    Phq9 => (severity.phq9; |i| score::phq9(i).value().map(Value::Num)), Higher;
    Gad7 => (severity.gad7; |i| score::gad7(i).value().map(Value::Num)), Higher;
    ClinicianRating => (severity.clinician_rating), Higher;
    // From the conditions listed: unknown when the list was not asked.
    Mania => {
        "severity.mania", AnswerKind::Choice(CONDITION_SEVERITY_OR_NONE), false,
        "most severe bipolar disorder or mania listed among the conditions (none when the list names none)",
        |i| condition_severity(i, ConditionKind::BipolarOrMania)
    }, Higher;
    EatingDisorder => {
        "severity.eating_disorder", AnswerKind::Choice(CONDITION_SEVERITY_OR_NONE), false,
        "most severe eating disorder listed among the conditions (none when the list names none)",
        |i| condition_severity(i, ConditionKind::EatingDisorder)
    }, Higher;
    Catatonia => {
        "severity.catatonia", AnswerKind::Bool, false,
        "catatonia listed among the conditions (false when the list names none)",
        |i| condition_listed(i, ConditionKind::Catatonia)
    }, Higher;
    // Beside the required safety item: an acute psychosis listed is never passed over.
    AcutePsychosisListed => {
        "severity.acute_psychosis_listed", AnswerKind::Bool, false,
        "an acute psychotic disorder listed among the conditions (false when the list names none)",
        |i| condition_listed(i, ConditionKind::PsychoticAcute)
    }, Higher;
    ImpairsDaily => (severity.impairs_daily_activities), Higher;
    DaysImpaired => (severity.days_impaired_past_30), Higher;
    SelfManagement => (self_management), Higher;
    CurrentSetting => (history.current_setting), Unordered;
    // Progress in a current setting: not applicable to a person not in treatment.
    Progress => (history.progress; |i| match (i.history.progress, i.history.current_setting) {
        (None, Some(Setting::None)) => Some(Value::NotApplicable),
        (p, _) => p.value(),
    }), Higher;
    MedicationSetting => (history.medication_setting), Unordered;
    HighestNotHeld => {
        "history.highest_level_not_held", AnswerKind::Choice(LEVEL_OR_NONE), false,
        "most intensive level at which an earlier episode did not hold (none when none is listed)",
        |i| i.history.episodes.as_ref().map(|_| {
            Value::Choice(i.highest_level_not_held().map_or(0, |l: Level| l as u8 + 1))
        })
    }, Higher;
    RecentNotHeld => {
        "history.recent_level_not_held", AnswerKind::Choice(LEVEL_OR_NONE), false,
        "most intensive level at which an episode that ended in the past 12 months, or at a time not recorded, did not hold (none when none is listed)",
        |i| i.history.episodes.as_ref().map(|_| {
            Value::Choice(i.recent_level_not_held().map_or(0, |l: Level| l as u8 + 1))
        })
    }, Higher;
    RelapseAfterAbstinence => (history.relapse_after_abstinence), Higher;
    OthersUseSubstances => (home.others_use_substances), Higher;
    ViolenceOrAbuse => (home.violence_or_abuse), Higher;
    Supportive => (home.supportive), Lower;
    Housing => (home.housing), Higher;
    ChildrenInHome => (home.children_in_home), Unordered;
    SubstanceFreeHousingArranged => {
        "home.substance_free_housing_arranged", AnswerKind::Bool, false,
        "substance-free housing (sober living or a transitional home) is arranged",
        |i| Some(Value::Bool(i.home.arranged_housing.is_some_and(ArrangedHousing::is_substance_free)))
    }, Lower, arrangeable;
    SafeHousingArranged => {
        "home.safe_housing_arranged", AnswerKind::Bool, false,
        "housing away from the home (sober living, a transitional home or a shelter) is arranged",
        |i| Some(Value::Bool(!matches!(i.home.arranged_housing, None | Some(ArrangedHousing::None))))
    }, Lower, arrangeable;
    StageOfChange => (engagement.stage_of_change), Unordered;
    CanAttend => (engagement.can_attend_several_days), Unordered;
    WorkOrSchool => {
        "engagement.work_or_school", AnswerKind::Bool, false, "has work or school commitments",
        |i| Some(Value::Bool(i.engagement.commitments.iter().any(|c| {
            matches!(c, Commitment::Work | Commitment::School)
        })))
    }, Unordered;
    Caregiving => {
        "engagement.caregiving", AnswerKind::Bool, false, "has caregiving commitments",
        |i| Some(Value::Bool(i.engagement.commitments.contains(&Commitment::Caregiving)))
    }, Unordered;
    WorkSchedule => (engagement.work_schedule), Unordered;
    Mandated => (engagement.mandated), Unordered;
    RequestedIntensity => (engagement.requested_intensity), Unordered;
    NeedsTransportation => (engagement.needs_transportation), Unordered;
    NeedsChildcare => (engagement.needs_childcare), Unordered;
    HasPreferences => {
        "engagement.has_preferences", AnswerKind::Bool, false,
        "has cultural, language or spiritual preferences",
        |i| Some(Value::Bool(i.engagement.preferences.any()))
    }, Unordered;
    GuardianConsent => (adolescent.guardian_consent), Unordered;
    School => (adolescent.school), Unordered;
    CaregiverInvolvement => (adolescent.caregiver_involvement), Unordered;
}

/// The items each derived answer (one that is not an item itself) is computed from, for the
/// README's intake table; a unit test holds every derived answer to be listed here.
#[cfg(test)]
pub(crate) const DERIVED_FROM: &[(&str, &[&str])] = &[
    ("adolescent", &["age"]),
    (
        "withdrawal.ciwa_ar",
        &["substance_use.substance", "substance_use.ciwa_ar"],
    ),
    (
        "withdrawal.cows",
        &["substance_use.substance", "substance_use.cows"],
    ),
    ("substance_use.alcohol_disorder", &SUBSTANCE_RECENCY_ITEMS),
    ("substance_use.sedative_disorder", &SUBSTANCE_RECENCY_ITEMS),
    ("substance_use.opioid_disorder", &SUBSTANCE_RECENCY_ITEMS),
    ("substance_use.use_recency", &SUBSTANCE_RECENCY_ITEMS),
    (
        "substance_use.benzodiazepine_diazepam_mg",
        &[
            "substance_use.substance",
            "substance_use.benzodiazepine",
            "substance_use.daily_dose_mg",
        ],
    ),
    (
        "substance_use.severity",
        &[
            "substance_use",
            "substance_use.dsm5_criteria",
            "substance_use.severity",
        ],
    ),
    (
        "history.highest_level_not_held",
        &[
            "history.episodes",
            "history.episodes.level",
            "history.episodes.outcome",
        ],
    ),
    (
        "history.recent_level_not_held",
        &[
            "history.episodes",
            "history.episodes.level",
            "history.episodes.outcome",
            "history.episodes.months_ago",
        ],
    ),
    (
        "home.substance_free_housing_arranged",
        &["home.arranged_housing"],
    ),
    ("home.safe_housing_arranged", &["home.arranged_housing"]),
    ("severity.mania", &CONDITION_ITEMS),
    ("severity.eating_disorder", &CONDITION_ITEMS),
    ("severity.catatonia", &CONDITION_ITEMS),
    ("severity.acute_psychosis_listed", &CONDITION_ITEMS),
    ("engagement.work_or_school", &["engagement.commitments"]),
    ("engagement.caregiving", &["engagement.commitments"]),
    (
        "engagement.has_preferences",
        &[
            "engagement.preferences.cultural",
            "engagement.preferences.language",
            "engagement.preferences.spiritual",
        ],
    ),
];

/// The items the three `substance_use.*_disorder` answers are computed from.
#[cfg(test)]
const SUBSTANCE_RECENCY_ITEMS: [&str; 8] = [
    "substance_use.substance",
    "substance_use.dsm5_criteria",
    "substance_use.severity",
    "substance_use.remission",
    "substance_use.on_maintenance_therapy",
    "substance_use.days_used_past_30",
    "substance_use.hours_since_last_use",
    "substance_use",
];

/// The items the answers derived from the conditions listed are computed from.
#[cfg(test)]
const CONDITION_ITEMS: [&str; 3] = [
    "severity.conditions",
    "severity.conditions.condition",
    "severity.conditions.severity",
];

/// `none`, then each condition severity least severe first (a unit test holds it to
/// `ConditionSeverity`'s ids).
const CONDITION_SEVERITY_OR_NONE: &[&str] = &["none", "mild", "moderate", "severe"];

/// The most severe entry of one condition, as a rank of [`CONDITION_SEVERITY_OR_NONE`]
/// Whether a condition of `kind` is listed: unknown when the list was not asked.
fn condition_listed(i: &Intake, kind: ConditionKind) -> Option<Value> {
    let list = i.severity.conditions.as_ref()?;
    Some(Value::Bool(list.iter().any(|c| c.condition == kind)))
}

/// (`none` when the list names none): unknown when the conditions were not asked.
fn condition_severity(i: &Intake, kind: ConditionKind) -> Option<Value> {
    let list = i.severity.conditions.as_ref()?;
    let rank = list
        .iter()
        .filter(|c| c.condition == kind)
        .map(|c| c.severity.rank().saturating_add(1))
        .max()
        .unwrap_or(0);
    Some(Value::Choice(rank))
}

/// The values of the `substance_use.*_disorder` answers, least to most severe.
const USE_RECENCY: &[&str] = &["none", "not_recent", "recent"];

/// Last use within this many hours is recent: 14 days, long enough to cover the late onset
/// of withdrawal from a long-acting benzodiazepine.
const RECENT_HOURS: u32 = 14 * 24;

/// The largest diazepam-equivalent dose the answer reports (larger doses read as this).
const MAX_DIAZEPAM_MG: u32 = 2000;

/// Whether an entry records a use disorder: at least mild (or of unknown severity), in
/// remission, or on maintenance therapy.
fn is_disorder(s: &SubstanceUse) -> bool {
    s.sud_severity()
        .is_none_or(|v| v > crate::intake::SudSeverity::NoDisorder)
        || s.remission.is_some()
        || s.on_maintenance_therapy
}

/// An entry's use, as a rank of [`USE_RECENCY`] (1 not recent, 2 recent): the hours since
/// last use when given, else the days of use in the past 30, else not recent in remission,
/// else recent (a current disorder with no recency recorded is presumed to be in use).
fn recency_rank(s: &SubstanceUse) -> u8 {
    match (s.hours_since_last_use, s.days_used_past_30, s.remission) {
        (Some(h), _, _) => 1 + u8::from(h <= RECENT_HOURS),
        (None, Some(d), _) => 1 + u8::from(d > 0),
        (None, None, Some(_)) => 1,
        (None, None, None) => 2,
    }
}

/// A complication of this episode's withdrawal (a seizure, hallucinations, delirium): the
/// answer when one is given; unanswered, not applicable when the substance list names no
/// alcohol or sedative use that is recent ([`recency_rank`]: the withdrawal that seizes and
/// turns to delirium), and unknown otherwise (so a recent drinker must be asked).
fn this_episode(i: &Intake, a: Option<Assessed<bool>>) -> Option<Value> {
    let recent = |list: &[SubstanceUse]| {
        list.iter()
            .filter(|s| matches!(s.substance, Substance::Alcohol | Substance::Sedatives))
            .any(|s| recency_rank(s) == 2)
    };
    match (a, i.substance_use.as_deref()) {
        (None, Some(list)) if !recent(list) => Some(Value::NotApplicable),
        (a, _) => AsValue::value(&a),
    }
}

/// A use disorder of one substance, by recency: unknown when substance use was not asked.
fn disorder_use(i: &Intake, substance: Substance) -> Option<Value> {
    use_rank(i, |s| s.substance == substance)
}

/// Any use disorder, by its most recent use: unknown when substance use was not asked.
fn any_disorder_use(i: &Intake) -> Option<Value> {
    use_rank(i, |_| true)
}

/// The most recent use over the use disorders `which` selects ([`recency_rank`]; 0 when
/// there is none): unknown when substance use was not asked.
fn use_rank(i: &Intake, which: impl Fn(&SubstanceUse) -> bool) -> Option<Value> {
    let list = i.substance_use.as_ref()?;
    let rank = list
        .iter()
        .filter(|s| which(s) && is_disorder(s))
        .map(recency_rank)
        .max()
        .unwrap_or(0);
    Some(Value::Choice(rank))
}

/// The highest benzodiazepine dose over the sedative entries in approximate diazepam
/// milligrams (alprazolam and clonazepam 0.5 mg, lorazepam 1 mg and chlordiazepoxide 25 mg
/// taken as diazepam 10 mg): unknown when substance use was not asked, or an entry gives no
/// drug, no dose, or another drug; not applicable when no sedative is listed.
fn diazepam_mg(i: &Intake) -> Option<Value> {
    use crate::intake::Benzodiazepine as B;
    let list = i.substance_use.as_ref()?;
    let mut top: Option<u32> = None;
    for s in list.iter().filter(|s| s.substance == Substance::Sedatives) {
        let dose = s.daily_dose_mg?;
        let mg = match s.benzodiazepine? {
            B::Alprazolam | B::Clonazepam => dose.saturating_mul(20),
            B::Lorazepam => dose.saturating_mul(10),
            B::Diazepam => dose,
            B::Chlordiazepoxide => dose.saturating_mul(2) / 5,
            B::Other => return None,
        };
        top = Some(top.unwrap_or(0).max(mg.min(MAX_DIAZEPAM_MG)));
    }
    Some(top.map_or(Value::NotApplicable, Value::Num))
}

/// A set of built-in answers: one bit per position in `Field::ALL` (`Cond::fields_read`).
pub(crate) type FieldBits = u128;

const _: () = assert!(Field::ALL.len() <= FieldBits::BITS as usize);

/// An instrument given item by item but not complete: no total, and not "not measured".
struct Partial;

/// An entry's total, or [`Partial`].
#[inline]
fn total(t: score::Total) -> Result<Option<u32>, Partial> {
    match t.value() {
        None if t.items.is_some() => Err(Partial),
        v => Ok(v),
    }
}

/// A withdrawal scale over the substances it measures: `None` when substance use was not
/// asked, when a substance it measures is listed but no score is given, or when one of its
/// entries gives the instrument item by item but incomplete (a partial instrument is never
/// passed over for another entry's score); not applicable when no substance it measures is
/// listed, or none with a score is and none was used recently ([`recency_rank`]: a person who
/// has not used for weeks is not in withdrawal, so an unmeasured scale is no gap); else the
/// highest score given (one measurement covers the person).
#[inline]
fn scale(
    i: &Intake,
    measures: impl Fn(&SubstanceUse) -> bool,
    score: impl Fn(&SubstanceUse) -> Result<Option<u32>, Partial>,
) -> Option<Value> {
    let list = i.substance_use.as_ref()?;
    let mut relevant = false;
    let mut worst: Option<u32> = None;
    for s in list.iter().filter(|s| measures(s)) {
        match score(s) {
            Ok(Some(v)) => worst = Some(worst.map_or(v, |w| w.max(v))),
            // Unmeasured: a gap only where the use is recent.
            Ok(None) if recency_rank(s) < 2 => continue,
            Ok(None) => {}
            Err(Partial) => return None,
        }
        relevant = true;
    }
    match (relevant, worst) {
        (false, _) => Some(Value::NotApplicable),
        (true, w) => w.map(Value::Num),
    }
}

/// Every built-in answer a rule may read, in a stable order.
///
/// # Examples
///
/// ```
/// let names: Vec<_> = carelevel::answers().map(|a| a.name).collect();
/// assert!(names.contains(&"safety.suicidal_ideation"));
/// ```
pub fn answers() -> impl Iterator<Item = AnswerInfo> {
    Field::ALL.iter().map(|f| f.info())
}

macro_rules! rank_of {
    ($($t:ty),+) => { $( impl From<$t> for u8 { fn from(v: $t) -> u8 { v as u8 } } )+ };
}
rank_of!(
    crate::intake::SuicidalIdeation,
    crate::intake::Recency,
    crate::intake::HarmToOthers,
    crate::intake::MedicalStatus,
    crate::intake::ClinicianRating,
    crate::intake::SelfManagement,
    crate::intake::Progress,
    crate::intake::StageOfChange,
    Setting
);

impl Field {
    /// Whether this answer, absent, was nonetheless obtained in part: an instrument given
    /// item by item but incomplete. (A declined safety item is read as absent, as the
    /// analysis models it; a rule testing it is not evaluated either way, and the built-in
    /// pack reads no declinable answer under `any_given`.)
    pub(crate) fn obtained(self, i: &Intake) -> bool {
        let partial = |t: score::Total| t.items.is_some() && t.value().is_none();
        let in_entries = |measures: &dyn Fn(&SubstanceUse) -> bool,
                          total: &dyn Fn(&SubstanceUse) -> score::Total| {
            i.substance_use
                .iter()
                .flatten()
                .filter(|s| measures(s))
                .any(|s| partial(total(s)))
        };
        match self {
            Field::Phq9 => partial(score::phq9(i)),
            Field::Gad7 => partial(score::gad7(i)),
            Field::CiwaAr => in_entries(
                &|s| matches!(s.substance, Substance::Alcohol | Substance::Sedatives),
                &score::ciwa_ar,
            ),
            Field::Cows => in_entries(&|s| s.substance == Substance::Opioids, &score::cows),
            _ => false,
        }
    }

    /// Whether this answer can be [`Value::NotApplicable`]: the withdrawal scales (and the
    /// benzodiazepine dose), for a person who uses no substance they measure; this episode's
    /// withdrawal complications, for a person with no recent alcohol or sedative use; and
    /// progress in treatment, for a person not in treatment.
    pub(crate) const fn can_be_not_applicable(self) -> bool {
        matches!(
            self,
            Field::CiwaAr
                | Field::Cows
                | Field::BenzodiazepineDose
                | Field::SeizureThisEpisode
                | Field::HallucinationsThisEpisode
                | Field::DeliriumThisEpisode
                | Field::Progress
        )
    }

    pub(crate) fn from_name(name: &str) -> Option<Field> {
        Field::ALL.iter().copied().find(|f| f.info().name == name)
    }
}

/// The value an intake's field gives the answer of the same name.
trait AsValue {
    fn value(&self) -> Option<Value>;
}

impl AsValue for Option<u32> {
    #[inline(always)]
    fn value(&self) -> Option<Value> {
        self.map(Value::Num)
    }
}

impl AsValue for Option<bool> {
    #[inline(always)]
    fn value(&self) -> Option<Value> {
        self.map(Value::Bool)
    }
}

/// A flag: absent means `false`, so it is always answered.
impl AsValue for bool {
    #[inline(always)]
    fn value(&self) -> Option<Value> {
        Some(Value::Bool(*self))
    }
}

impl<T: Choice> AsValue for Option<T> {
    #[inline(always)]
    fn value(&self) -> Option<Value> {
        self.map(|c| Value::Choice(c.rank()))
    }
}

/// A safety item: declined or unable to assess reads as unknown, as if not asked.
impl<T: Copy> AsValue for Option<Assessed<T>>
where
    Option<T>: AsValue,
{
    #[inline(always)]
    fn value(&self) -> Option<Value> {
        match self {
            Some(Assessed::Answer(v)) => Some(*v).value(),
            _ => None,
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_derived_answer_names_the_items_it_is_computed_from() {
        for info in answers() {
            let item = catalogue::find(info.name);
            let derived = DERIVED_FROM.iter().find(|(name, _)| *name == info.name);
            // An answer is an item, or derived and listed; `substance_use.severity` is both a
            // name of its own and derived from the entries' severity item.
            match (item, derived) {
                (Some(_), None) | (_, Some(_)) => {}
                (None, None) => panic!("`{}` is derived but not in DERIVED_FROM", info.name),
            }
            if let Some((_, items)) = derived {
                for path in *items {
                    assert!(catalogue::find(path).is_some(), "`{path}` is not an item");
                }
            }
        }
    }

    #[test]
    fn highest_level_not_held_is_none_then_each_level() {
        let mut expected = vec!["none"];
        expected.extend(<Level as Choice>::IDS);
        assert_eq!(LEVEL_OR_NONE, expected);
    }

    #[test]
    fn condition_severity_is_none_then_each_severity() {
        let mut expected = vec!["none"];
        expected.extend(<crate::intake::ConditionSeverity as Choice>::IDS);
        assert_eq!(CONDITION_SEVERITY_OR_NONE, expected);
    }

    #[test]
    fn conditions_give_mania_eating_disorder_and_catatonia() {
        use crate::intake::{Condition, ConditionSeverity};
        let read = |conditions: Option<Vec<Condition>>| {
            let mut i = Intake::minimal_adult();
            i.severity.conditions = conditions;
            [Field::Mania, Field::EatingDisorder, Field::Catatonia].map(|f| f.read(&i))
        };
        // Not asked: unknown.
        assert_eq!(read(None), [None, None, None]);
        // Asked, none listed.
        let none = [
            Some(Value::Choice(0)),
            Some(Value::Choice(0)),
            Some(Value::Bool(false)),
        ];
        assert_eq!(read(Some(vec![])), none);
        let entry = |condition, severity| Condition {
            condition,
            severity,
        };
        assert_eq!(
            read(Some(vec![entry(
                ConditionKind::Depressive,
                ConditionSeverity::Severe
            )])),
            none
        );
        // The most severe entry of each.
        assert_eq!(
            read(Some(vec![
                entry(ConditionKind::BipolarOrMania, ConditionSeverity::Mild),
                entry(ConditionKind::BipolarOrMania, ConditionSeverity::Severe),
                entry(ConditionKind::EatingDisorder, ConditionSeverity::Moderate),
                entry(ConditionKind::Catatonia, ConditionSeverity::Mild),
            ])),
            [
                Some(Value::Choice(3)),
                Some(Value::Choice(2)),
                Some(Value::Bool(true)),
            ]
        );
    }
}
