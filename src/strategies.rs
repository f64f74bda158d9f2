//! [`proptest`](mod@proptest) strategies for valid intakes, and for each group of answers: for
//! property tests of code that takes an [`Intake`] (a front end, a store, a report consumer).
//!
//! Compiled only with the `proptest` feature:
//!
//! ```toml
//! [dev-dependencies]
//! carelevel = { version = "0.1", features = ["proptest"] }
//! proptest = "1"
//! ```
//!
//! [`intake()`] gives intake 2 intakes that [`RulePack::assess`] accepts with the built-in
//! pack: every required item answered, every number in its catalogue range, an age the pack
//! supports, and no answer that conflicts with another (one entry per substance, a withdrawal
//! scale or an amount only on the substance it measures, a DSM-5 count and a severity that
//! agree, an adherence only with a medication, `history.progress` exactly when in treatment,
//! the adolescent items only under 18), and no `ratings` (the built-in pack declares none).
//!
//! Optional answers are absent about one time in five, so rules that need them are also
//! exercised as *not evaluated*; every safety item (each [`Assessed`] answer) is
//! `"declined"` or `"unable_to_assess"` about one time in ten, which a rule also reads as
//! unknown, never as no risk. Each group has its own strategy, to build intakes that hold one
//! group fixed or to vary one group of a fixture; proptest shrinks a failure towards the
//! first choice of each answer (the least severe), towards an answer rather than a declined
//! one, and towards short lists.
//!
//! # Examples
//!
//! ```
//! use carelevel::{strategies, RulePack};
//! use proptest::prelude::*;
//!
//! proptest! {
//!     #![proptest_config(ProptestConfig::with_cases(32))]
//!     // In a test module, put `#[test]` on each.
//!     fn every_valid_intake_is_placed(intake in strategies::intake()) {
//!         let report = RulePack::builtin().report(&intake).unwrap();
//!         prop_assert!(!report.binding_rules.is_empty());
//!     }
//!
//!     // One group varied over a fixture, the rest held fixed.
//!     fn acute_risk_is_urgent_or_not(safety in strategies::safety()) {
//!         let intake = carelevel::Intake { safety, ..carelevel::Intake::minimal_adult() };
//!         let report = RulePack::builtin().report(&intake).unwrap();
//!         prop_assert_eq!(report.urgent, report.fired.iter().any(|f| f.urgent));
//!     }
//! }
//! # every_valid_intake_is_placed();
//! # acute_risk_is_urgent_or_not();
//! ```

use crate::intake::{
    Adherence, Adolescent, ArrangedHousing, Assessed, AudMedication, Benzodiazepine,
    CaregiverInvolvement, ClinicianRating, Commitment, Condition, ConditionKind, ConditionSeverity,
    Engagement, Episode, EpisodeLevel, FreeText, Frequency, GuardianConsent, HarmToOthers, History,
    Home, Housing, Intake, LethalMeans, Mandate, Medical, MedicalStatus, Medication,
    MedicationSetting, OudMedication, Outcome, Overdose, Preferences, Pregnancy, Progress,
    PsychiatricMedication, Recency, Remission, RequestedIntensity, Safety, SchoolStatus,
    SelfManagement, Setting, Severity, StageOfChange, Substance, SubstanceUse, SudSeverity,
    SuicidalIdeation, Withdrawal, WorkSchedule,
};
use crate::intake::{CiwaArItems, CowsItems, CssrsScreener};
use crate::{Level, RulePack};
use proptest::prelude::*;
use std::fmt::Debug;
use std::ops::RangeInclusive;

/// An optional answer: absent one time in five, otherwise a value of `s` (shrinks to absent),
/// as in `optional(0u32..=27)` for a PHQ-9 score that may be unmeasured.
pub fn optional<T: Debug + Clone + 'static>(
    s: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<Option<T>> {
    prop_oneof![1 => Just(None), 4 => s.prop_map(Some)].boxed()
}

/// A safety item's answer: an answer of `s` nine times in ten, otherwise
/// [`Assessed::Declined`] or [`Assessed::UnableToAssess`] (shrinks to an answer), as in
/// `assessed(any::<bool>())` for `safety.psychosis_or_unable_to_self_care`.
pub fn assessed<T: Debug + Clone + 'static>(
    s: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<Assessed<T>> {
    prop_oneof![
        18 => s.prop_map(Assessed::Answer),
        1 => Just(Assessed::Declined),
        1 => Just(Assessed::UnableToAssess),
    ]
    .boxed()
}

/// One of `values`, shrinking towards the first: give them least severe first.
fn one_of<T: Debug + Clone + 'static>(values: &[T]) -> impl Strategy<Value = T> + use<T> {
    prop::sample::select(values.to_vec())
}

/// One of `values` (least severe first), the first `first` percent of the time and the
/// others evenly otherwise; shrinks towards the first. A risk answer is mostly its least
/// severe one, as in real intakes: drawn evenly, one of the many answers that each call for a
/// 24-hour setting would nearly always be, and a property about a less intensive level would
/// seldom be tried.
fn graded<T: Debug + Clone + 'static>(
    values: &[T],
    first: u32,
) -> impl Strategy<Value = T> + use<T> {
    let values = values.to_vec();
    let rest = u32::try_from(values.len().saturating_sub(1)).unwrap_or(u32::MAX);
    let cut = first * rest.max(1);
    // `cut` of `100 * rest` draws pick the first; each other value gets `100 - first`.
    (0..100 * rest.max(1)).prop_map(move |x| {
        let at = if x < cut {
            0
        } else {
            1 + (x - cut) / (100 - first).max(1)
        };
        values
            .get(usize::try_from(at).unwrap_or(usize::MAX))
            .or(values.last())
            .cloned()
            .unwrap_or_else(|| unreachable!("graded over no values"))
    })
}

/// `true` (the worse answer of a risk item) `percent` of the time; shrinks to `false`.
fn risk(percent: u32) -> impl Strategy<Value = bool> {
    (0..100u32).prop_map(move |x| x >= 100 - percent)
}

/// A score in `range`, in its lowest quarter three times in four (scores are mostly low, as
/// in real intakes); shrinks towards the lowest.
fn score(range: RangeInclusive<u32>) -> impl Strategy<Value = u32> {
    let (min, max) = (*range.start(), *range.end());
    prop_oneof![3 => min..=min + (max - min) / 4, 1 => range]
}

/// Free text from a small set (including non-ASCII), for notes and preferences.
fn free_text() -> impl Strategy<Value = FreeText> {
    one_of(&[
        "Spanish",
        "Native American family programme",
        "faith-based",
        "Vietnamese (tiếng Việt)",
        "",
    ])
    .prop_map(FreeText::from)
}

/// The range of a whole-number item, from the intake catalogue (the same range the intake
/// check enforces), evaluated at compile time: a path that is not a whole-number item does
/// not compile. An item of a repeating group's entry is named without the `[]`
/// (`substance_use.ciwa_ar`).
const fn range_of(path: &str) -> RangeInclusive<u32> {
    match crate::catalogue::find(path) {
        Some(crate::catalogue::Item {
            kind: crate::catalogue::Kind::Int { min, max },
            ..
        }) => *min..=*max,
        _ => unreachable!(),
    }
}

const AGE: RangeInclusive<u32> = range_of("age");
const PAWSS: RangeInclusive<u32> = range_of("withdrawal.pawss");
const DSM5: RangeInclusive<u32> = range_of("substance_use.dsm5_criteria");
const DAYS_USED: RangeInclusive<u32> = range_of("substance_use.days_used_past_30");
const HOURS_SINCE_USE: RangeInclusive<u32> = range_of("substance_use.hours_since_last_use");
const DRINKS: RangeInclusive<u32> = range_of("substance_use.drinks_per_day");
const DAILY_DOSE_MG: RangeInclusive<u32> = range_of("substance_use.daily_dose_mg");
const CIWA_AR: RangeInclusive<u32> = range_of("substance_use.ciwa_ar");
const COWS: RangeInclusive<u32> = range_of("substance_use.cows");
const PHQ9: RangeInclusive<u32> = range_of("severity.phq9");
const GAD7: RangeInclusive<u32> = range_of("severity.gad7");
const DAYS_IMPAIRED: RangeInclusive<u32> = range_of("severity.days_impaired_past_30");
const MONTHS_AGO: RangeInclusive<u32> = range_of("history.episodes.months_ago");

// The choices of an answer are its enum's `ALL`, declared least severe first; these three
// are reordered (least severe, or the usual answer, first). A unit test holds each to every
// choice of its enum.
const REMISSION: &[Remission] = &[Remission::Sustained, Remission::Early];
const GUARDIAN_CONSENT: &[GuardianConsent] = &[
    GuardianConsent::Given,
    GuardianConsent::NotRequired,
    GuardianConsent::Pending,
    GuardianConsent::Refused,
];
const SCHOOL_STATUS: &[SchoolStatus] = &[
    SchoolStatus::Attending,
    SchoolStatus::Finished,
    SchoolStatus::FrequentAbsences,
    SchoolStatus::NotEnrolled,
    SchoolStatus::SuspendedOrExpelled,
];

// ---------------------------------------------------------------------------------------------
// Age

/// Age in years that the built-in pack supports: from its youngest supported age (the
/// `min_age` of `rules/pack.toml`'s `[pack]`, 12; the catalogue's 0 if it declared none) to
/// the catalogue's 120. About one in four is an adolescent (under 18).
pub fn age() -> impl Strategy<Value = u32> {
    let min = RulePack::builtin()
        .meta()
        .min_age
        .unwrap_or(*AGE.start())
        .max(*AGE.start());
    let max = *AGE.end();
    if min < 18 {
        prop_oneof![1 => min..=17, 3 => 18..=max].boxed()
    } else {
        (min..=max).boxed()
    }
}

/// Any level of care, least to most intensive.
pub fn level() -> impl Strategy<Value = Level> {
    one_of(&Level::ALL)
}

// ---------------------------------------------------------------------------------------------
// Safety

/// Any suicidal ideation on the Columbia screener's ladder: `none` about six times in seven.
pub fn suicidal_ideation() -> impl Strategy<Value = SuicidalIdeation> {
    graded(SuicidalIdeation::ALL, 85)
}

/// Any recency of a behaviour (suicidal behaviour, self-injury): `never` about six times
/// in seven, else lifetime or past 3 months.
pub fn recency() -> impl Strategy<Value = Recency> {
    graded(Recency::ALL, 85)
}

/// Any answer on the PHQ-9's frequency scale (item 9): mostly `not_at_all`.
pub fn frequency() -> impl Strategy<Value = Frequency> {
    graded(Frequency::ALL, 70)
}

/// Any access to lethal means: mostly `none`.
pub fn lethal_means() -> impl Strategy<Value = LethalMeans> {
    graded(LethalMeans::ALL, 75)
}

/// Any risk of harm to others: mostly `none`.
pub fn harm_to_others() -> impl Strategy<Value = HarmToOthers> {
    graded(HarmToOthers::ALL, 90)
}

/// The acute-safety group: the four required items always given, the others optional; each
/// an answer, or now and then declined or unable to assess ([`assessed`]).
pub fn safety() -> impl Strategy<Value = Safety> {
    (
        assessed(suicidal_ideation()),
        assessed(recency()),
        optional(assessed(recency())),
        optional(assessed(frequency())),
        optional(assessed(lethal_means())),
        assessed(harm_to_others()),
        optional(assessed(risk(20))),
        assessed(risk(5)),
    )
        .prop_map(
            |(ideation, behavior, self_injury, item9, means, harm, target, psychosis)| Safety {
                suicidal_ideation: Some(ideation),
                suicidal_behavior: Some(behavior),
                self_injury,
                phq9_item9: item9,
                lethal_means: means,
                harm_to_others: Some(harm),
                // A target is named only where there are thoughts of harming someone.
                harm_target_identified: target
                    .filter(|_| harm != Assessed::Answer(HarmToOthers::None)),
                psychosis_or_unable_to_self_care: Some(psychosis),
                cssrs: CssrsScreener::default(),
            },
        )
}

// ---------------------------------------------------------------------------------------------
// Withdrawal and substance use

/// The withdrawal group (across substances): seizure or DT history always given, this
/// episode's signs and intoxication optional, each an answer or now and then declined or
/// unable to assess; PAWSS optional. The scales themselves (CIWA-Ar, COWS) are on the
/// substance entries: [`substance_use_list`].
pub fn withdrawal() -> impl Strategy<Value = Withdrawal> {
    (
        assessed(risk(15)),
        optional(assessed(risk(10))),
        optional(assessed(risk(10))),
        optional(assessed(risk(10))),
        optional(assessed(risk(15))),
        optional(PAWSS),
    )
        .prop_map(
            |(history, seizure, hallucinations, delirium, intoxicated, pawss)| Withdrawal {
                // A seizure this episode is part of the lifetime history.
                seizure_or_dt_history: Some(if seizure == Some(Assessed::Answer(true)) {
                    Assessed::Answer(true)
                } else {
                    history
                }),
                seizure_this_episode: seizure,
                hallucinations_this_episode: hallucinations,
                delirium_this_episode: delirium,
                intoxicated_now: intoxicated,
                pawss,
            },
        )
}

/// Any substance class.
pub fn substance() -> impl Strategy<Value = Substance> {
    one_of(Substance::ALL)
}

/// Any benzodiazepine.
pub fn benzodiazepine() -> impl Strategy<Value = Benzodiazepine> {
    one_of(Benzodiazepine::ALL)
}

/// A valid entry for `substance`: the DSM-5 criteria count (0-11), its severity band, or
/// both (then agreeing); now and then a remission specifier or maintenance therapy; days used
/// and hours since last use optional; and only what applies to the substance: drinks a day
/// (alcohol), the benzodiazepine and its daily dose (sedatives), CIWA-Ar (alcohol, and
/// sedatives as a proxy) and COWS (opioids), each optional.
pub fn substance_use_of(substance: Substance) -> impl Strategy<Value = SubstanceUse> {
    let alcohol = substance == Substance::Alcohol;
    let sedatives = substance == Substance::Sedatives;
    let opioids = substance == Substance::Opioids;
    (
        (DSM5, 0u8..3),
        prop::option::weighted(0.15, one_of(REMISSION)),
        prop::bool::weighted(0.15),
        optional(DAYS_USED),
        optional(HOURS_SINCE_USE),
        optional(DRINKS),
        optional(benzodiazepine()),
        optional(DAILY_DOSE_MG),
        optional(score(CIWA_AR)),
        optional(score(COWS)),
    )
        .prop_map(
            move |(
                (count, given),
                remission,
                maintenance,
                days,
                hours,
                drinks,
                benzo,
                dose,
                ciwa,
                cows,
            )| SubstanceUse {
                substance,
                // 0: the count alone; 1: the severity alone; 2: both.
                dsm5_criteria: (given != 1).then_some(count),
                severity: (given != 0).then_some(SudSeverity::of_count(count)),
                // A sustained remission has no criterion but craving in the past 12 months.
                remission: remission.filter(|r| {
                    *r != Remission::Sustained
                        || SudSeverity::of_count(count) == SudSeverity::NoDisorder
                }),
                // A specifier of opioid use disorder only.
                on_maintenance_therapy: maintenance && opioids,
                days_used_past_30: days,
                hours_since_last_use: hours,
                drinks_per_day: drinks.filter(|_| alcohol),
                benzodiazepine: benzo.filter(|_| sedatives),
                daily_dose_mg: dose.filter(|_| sedatives),
                ciwa_ar: ciwa.filter(|_| alcohol || sedatives),
                cows: cows.filter(|_| opioids),
                ciwa_ar_items: CiwaArItems::default(),
                cows_items: CowsItems::default(),
            },
        )
}

/// One valid substance entry, of any substance ([`substance_use_of`]).
pub fn substance_use() -> impl Strategy<Value = SubstanceUse> {
    substance().prop_flat_map(substance_use_of)
}

/// The substance-use list: absent (not asked), empty (uses none) or up to three entries,
/// each for a different substance, in any order.
pub fn substance_use_list() -> impl Strategy<Value = Option<Vec<SubstanceUse>>> {
    optional(
        prop::sample::subsequence(Substance::ALL.to_vec(), 0..=3)
            .prop_shuffle()
            .prop_flat_map(|list| list.into_iter().map(substance_use_of).collect::<Vec<_>>()),
    )
}

// ---------------------------------------------------------------------------------------------
// Medical and medication

/// Any medical status: mostly `stable`.
pub fn medical_status() -> impl Strategy<Value = MedicalStatus> {
    graded(MedicalStatus::ALL, 85)
}

/// Any pregnancy answer.
pub fn pregnancy() -> impl Strategy<Value = Pregnancy> {
    one_of(Pregnancy::ALL)
}

/// Any most recent overdose: mostly `none`.
pub fn overdose() -> impl Strategy<Value = Overdose> {
    graded(Overdose::ALL, 75)
}

/// The medical group: the status always given, pregnancy, injection use and overdose
/// optional; each an answer or now and then declined or unable to assess.
pub fn medical() -> impl Strategy<Value = Medical> {
    (
        assessed(medical_status()),
        optional(assessed(pregnancy())),
        optional(assessed(any::<bool>())),
        optional(assessed(overdose())),
    )
        .prop_map(|(status, pregnancy, injection, overdose)| Medical {
            status: Some(status),
            pregnancy,
            injection_use: injection,
            overdose,
        })
}

/// Any medication for opioid use disorder, `none` first.
pub fn oud_medication() -> impl Strategy<Value = OudMedication> {
    one_of(OudMedication::ALL)
}

/// Any medication for alcohol use disorder, `none` first.
pub fn aud_medication() -> impl Strategy<Value = AudMedication> {
    one_of(AudMedication::ALL)
}

/// Any adherence to a medication, best to worst.
pub fn adherence() -> impl Strategy<Value = Adherence> {
    one_of(Adherence::ALL)
}

/// Any psychiatric medication answer, best to worst.
pub fn psychiatric_medication() -> impl Strategy<Value = PsychiatricMedication> {
    one_of(PsychiatricMedication::ALL)
}

/// The medication group: each item optional, and an adherence only with a medication (not
/// `none`) for the same disorder.
pub fn medication() -> impl Strategy<Value = Medication> {
    (
        optional(oud_medication()),
        optional(adherence()),
        optional(aud_medication()),
        optional(adherence()),
        optional(any::<bool>()),
        optional(psychiatric_medication()),
    )
        .prop_map(
            |(oud, oud_adherence, aud, aud_adherence, naloxone, psychiatric)| Medication {
                opioid_use_disorder: oud,
                opioid_use_disorder_adherence: oud_adherence
                    .filter(|_| !matches!(oud, None | Some(OudMedication::None))),
                alcohol_use_disorder: aud,
                alcohol_use_disorder_adherence: aud_adherence
                    .filter(|_| !matches!(aud, None | Some(AudMedication::None))),
                naloxone_on_hand: naloxone,
                psychiatric,
            },
        )
}

// ---------------------------------------------------------------------------------------------
// Mental-health severity

/// Any clinician's rating of mental-health severity.
pub fn clinician_rating() -> impl Strategy<Value = ClinicianRating> {
    one_of(ClinicianRating::ALL)
}

/// Any condition's severity.
pub fn condition_severity() -> impl Strategy<Value = ConditionSeverity> {
    one_of(ConditionSeverity::ALL)
}

/// A current condition of the given kind, of any severity.
pub fn condition_of(kind: ConditionKind) -> impl Strategy<Value = Condition> {
    condition_severity().prop_map(move |severity| Condition {
        condition: kind,
        severity,
    })
}

/// The current conditions: absent (not asked), empty (none) or up to three, each of a
/// different kind.
pub fn conditions() -> impl Strategy<Value = Option<Vec<Condition>>> {
    optional(
        prop::sample::subsequence(ConditionKind::ALL.to_vec(), 0..=3)
            .prop_shuffle()
            .prop_flat_map(|kinds| kinds.into_iter().map(condition_of).collect::<Vec<_>>()),
    )
}

/// The severity group: PHQ-9 (0-27), GAD-7 (0-21), the clinician's rating, the current
/// conditions, impairment and days impaired (0-30), each optional.
pub fn severity() -> impl Strategy<Value = Severity> {
    (
        optional(score(PHQ9)),
        optional(score(GAD7)),
        optional(clinician_rating()),
        conditions(),
        optional(any::<bool>()),
        optional(DAYS_IMPAIRED),
    )
        .prop_map(
            |(phq9, gad7, clinician_rating, conditions, impairs, days)| Severity {
                phq9,
                gad7,
                clinician_rating,
                conditions,
                impairs_daily_activities: impairs,
                days_impaired_past_30: days,
                ..Severity::default()
            },
        )
}

/// Any answer to how the person manages outside treatment hours: mostly `independent`.
pub fn self_management() -> impl Strategy<Value = SelfManagement> {
    graded(SelfManagement::ALL, 80)
}

// ---------------------------------------------------------------------------------------------
// History

/// Any current treatment setting: `none` half the time, else any level's.
pub fn setting() -> impl Strategy<Value = Setting> {
    graded(Setting::ALL, 50)
}

/// Any progress at the current setting, best to worst.
pub fn progress() -> impl Strategy<Value = Progress> {
    one_of(Progress::ALL)
}

/// Any medication-only treatment setting, `none` first.
pub fn medication_setting() -> impl Strategy<Value = MedicationSetting> {
    one_of(MedicationSetting::ALL)
}

/// Any way an episode of treatment ended, best to worst.
pub fn outcome() -> impl Strategy<Value = Outcome> {
    one_of(Outcome::ALL)
}

/// Any level of an earlier episode (a level of care, or withdrawal management alone).
pub fn episode_level() -> impl Strategy<Value = EpisodeLevel> {
    one_of(EpisodeLevel::ALL)
}

/// An earlier episode: any level and outcome, months since it ended optional (0-600).
pub fn episode() -> impl Strategy<Value = Episode> {
    (episode_level(), outcome(), optional(MONTHS_AGO)).prop_map(|(level, outcome, months_ago)| {
        Episode {
            level,
            outcome,
            months_ago,
        }
    })
}

/// The history group: the current setting; progress given exactly when in treatment (it is
/// then required, and asked only then); the medication-only setting, the earlier episodes
/// (absent, empty or up to three) and a relapse after abstinence, each optional.
pub fn history() -> impl Strategy<Value = History> {
    (
        setting(),
        progress(),
        optional(medication_setting()),
        optional(prop::collection::vec(episode(), 0..=3)),
        optional(any::<bool>()),
    )
        .prop_map(
            |(setting, progress, medication_setting, episodes, relapse)| History {
                current_setting: Some(setting),
                progress: (setting != Setting::None).then_some(progress),
                medication_setting,
                episodes,
                relapse_after_abstinence: relapse,
            },
        )
}

// ---------------------------------------------------------------------------------------------
// Home

/// Any housing status, most to least stable.
pub fn housing() -> impl Strategy<Value = Housing> {
    one_of(Housing::ALL)
}

/// Any housing arranged for treatment, `none` (nothing arranged) first.
pub fn arranged_housing() -> impl Strategy<Value = ArrangedHousing> {
    one_of(ArrangedHousing::ALL)
}

/// The home group: each item optional, mostly a home without substance use or violence whose
/// people support recovery; violence or abuse now and then declined or unable to assess;
/// arranged housing absent (nothing arranged), `none` or arranged.
pub fn home() -> impl Strategy<Value = Home> {
    (
        optional(risk(30)),
        optional(assessed(risk(15))),
        optional(risk(75)),
        optional(housing()),
        optional(any::<bool>()),
        optional(arranged_housing()),
    )
        .prop_map(
            |(others_use, violence, supportive, housing, children, arranged)| Home {
                others_use_substances: others_use,
                violence_or_abuse: violence,
                supportive,
                housing,
                children_in_home: children,
                arranged_housing: arranged,
            },
        )
}

// ---------------------------------------------------------------------------------------------
// Engagement

/// Any stage of change.
pub fn stage_of_change() -> impl Strategy<Value = StageOfChange> {
    one_of(StageOfChange::ALL)
}

/// Any commitment treatment must fit around.
pub fn commitment() -> impl Strategy<Value = Commitment> {
    one_of(Commitment::ALL)
}

/// Any work schedule.
pub fn work_schedule() -> impl Strategy<Value = WorkSchedule> {
    one_of(WorkSchedule::ALL)
}

/// Any mandate, `none` first.
pub fn mandate() -> impl Strategy<Value = Mandate> {
    one_of(Mandate::ALL)
}

/// Any request about intensity, `as_offered` first.
pub fn requested_intensity() -> impl Strategy<Value = RequestedIntensity> {
    one_of(RequestedIntensity::ALL)
}

/// Cultural, language and spiritual preferences: usually none, otherwise each optional.
pub fn preferences() -> impl Strategy<Value = Preferences> {
    let some = (
        optional(free_text()),
        optional(free_text()),
        optional(free_text()),
    )
        .prop_map(|(cultural, language, spiritual)| Preferences {
            cultural,
            language,
            spiritual,
        });
    prop_oneof![3 => Just(Preferences::default()), 1 => some]
}

/// The engagement group: stage of change, attendance, commitments, work schedule, mandate,
/// the person's own request, practical needs and preferences, each optional.
pub fn engagement() -> impl Strategy<Value = Engagement> {
    (
        optional(stage_of_change()),
        optional(any::<bool>()),
        prop::collection::vec(commitment(), 0..3),
        optional(work_schedule()),
        optional(mandate()),
        optional(requested_intensity()),
        optional(any::<bool>()),
        optional(any::<bool>()),
        preferences(),
    )
        .prop_map(
            |(
                stage,
                attend,
                commitments,
                work_schedule,
                mandated,
                requested,
                transportation,
                childcare,
                preferences,
            )| Engagement {
                stage_of_change: stage,
                can_attend_several_days: attend,
                commitments,
                work_schedule,
                mandated,
                requested_intensity: requested,
                needs_transportation: transportation,
                needs_childcare: childcare,
                preferences,
            },
        )
}

// ---------------------------------------------------------------------------------------------
// Adolescent

/// Any guardian's consent, given first.
pub fn guardian_consent() -> impl Strategy<Value = GuardianConsent> {
    one_of(GUARDIAN_CONSENT)
}

/// Any school status, attending first.
pub fn school_status() -> impl Strategy<Value = SchoolStatus> {
    one_of(SCHOOL_STATUS)
}

/// Any caregiver involvement, most involved first.
pub fn caregiver_involvement() -> impl Strategy<Value = CaregiverInvolvement> {
    one_of(CaregiverInvolvement::ALL)
}

/// The adolescent group, each item optional. Valid only for a person under 18: [`intake`]
/// leaves it empty for an adult.
pub fn adolescent() -> impl Strategy<Value = Adolescent> {
    (
        optional(guardian_consent()),
        optional(school_status()),
        optional(caregiver_involvement()),
    )
        .prop_map(
            |(guardian_consent, school, caregiver_involvement)| Adolescent {
                guardian_consent,
                school,
                caregiver_involvement,
            },
        )
}

// ---------------------------------------------------------------------------------------------
// The intake

/// A valid intake 2 for the built-in pack: every group from its strategy above, the
/// adolescent group only under 18, no ratings, and notes now and then (never read by a rule).
pub fn intake() -> impl Strategy<Value = Intake> {
    (
        (age(), adolescent()),
        safety(),
        withdrawal(),
        substance_use_list(),
        medical(),
        medication(),
        severity(),
        self_management(),
        history(),
        home(),
        engagement(),
        prop::option::weighted(0.1, free_text()),
    )
        .prop_map(
            |(
                (age, adolescent),
                safety,
                withdrawal,
                substance_use,
                medical,
                medication,
                severity,
                self_management,
                history,
                home,
                engagement,
                notes,
            )| Intake {
                age: Some(age),
                safety,
                withdrawal: consistent(withdrawal, substance_use.as_deref()),
                substance_use,
                medical,
                medication,
                severity,
                self_management: Some(self_management),
                history,
                home,
                engagement,
                adolescent: if age < 18 {
                    adolescent
                } else {
                    Adolescent::default()
                },
                notes,
                ..Intake::default()
            },
        )
}

/// The withdrawal group made consistent with the substances: PAWSS (which predicts alcohol
/// withdrawal) only with alcohol listed, when the list is given.
fn consistent(mut w: Withdrawal, substances: Option<&[SubstanceUse]>) -> Withdrawal {
    if substances.is_some_and(|list| !list.iter().any(|s| s.substance == Substance::Alcohol)) {
        w.pawss = None;
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Choice;

    /// Every list above holds each choice of its enum exactly once.
    fn every_choice_once<T: Choice + PartialEq + Debug>(list: &[T]) {
        let mut ranks: Vec<u8> = list.iter().map(|c| c.rank()).collect();
        ranks.sort_unstable();
        let all: Vec<u8> = (0..T::IDS.len())
            .map(|r| u8::try_from(r).unwrap_or(u8::MAX))
            .collect();
        assert_eq!(ranks, all, "{list:?}");
    }

    #[test]
    fn each_reordered_choice_list_is_complete() {
        // The others are their enum's `ALL`, complete by construction.
        every_choice_once(REMISSION);
        every_choice_once(GUARDIAN_CONSENT);
        every_choice_once(SCHOOL_STATUS);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Every generated intake passes every check of the built-in pack (no conflict, no
        /// unsupported age, nothing missing or out of range).
        #[test]
        fn generated_intakes_are_valid(i in intake()) {
            let pack = RulePack::builtin();
            prop_assert!(pack.assess(&i).is_ok(), "{:?}", pack.assess(&i).err());
        }
    }
}
