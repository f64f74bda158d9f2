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
//! The instruments are given the ways an intake may give them: PHQ-9, GAD-7, CIWA-Ar (on an
//! alcohol or sedatives entry) and COWS (on an opioids entry) as a total alone, or item by
//! item, complete or partial (a partial instrument is no total), with no total or with one
//! its items can have; COWS items only take the scores their scale gives. The C-SSRS
//! screener follows its skip logic, and is given in place of the two suicide items (which
//! are then left out: it scores them) or beside them (now and then partial), the two items
//! then agreeing with what it scores.
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
//! use carelevel::{strategies, RulePack, Urgency};
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
//!         let highest = report.fired.iter().map(|f| f.urgency).max();
//!         prop_assert_eq!(report.urgency, highest.unwrap_or(Urgency::Routine));
//!         prop_assert_eq!(report.urgent, report.urgency > Urgency::Routine);
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
    PsychiatricMedication, Psychosis, Recency, Remission, RequestedIntensity, Safety, SchoolStatus,
    SelfManagement, Setting, Severity, StageOfChange, Substance, SubstanceUse, SudSeverity,
    SuicidalIdeation, Withdrawal, WorkSchedule,
};
use crate::intake::{CiwaArItems, CowsItems, CssrsScreener, Gad7Items, Phq9Items};
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
/// `assessed(any::<bool>())` for `safety.unable_to_self_care`.
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

/// Any psychosis: mostly `none`, else chronic and stable or acute as often.
pub fn psychosis() -> impl Strategy<Value = Psychosis> {
    graded(Psychosis::ALL, 90)
}

/// The C-SSRS screener given item by item, complete: every question its skip logic asks is
/// answered yes or no (or now and then declined or unable to assess), and no other. Items 1,
/// 2 and 6 are always asked; 3-5 (a method, intent, a plan) only after anything but a no to
/// item 2; item 6's follow-up (the past 3 months) only after a yes to item 6. A complete
/// screener scores both suicide items, so it may stand in for them. Mostly no to each.
pub fn cssrs() -> impl Strategy<Value = CssrsScreener> {
    (
        assessed(risk(15)),
        assessed(risk(10)),
        (assessed(risk(50)), assessed(risk(35)), assessed(risk(25))),
        assessed(risk(10)),
        assessed(risk(40)),
    )
        .prop_map(
            |(wish, thoughts, (method, intent, plan), behavior, recent)| {
                let asked = thoughts != Assessed::Answer(false);
                CssrsScreener {
                    wish_to_be_dead: Some(wish),
                    nonspecific_thoughts: Some(thoughts),
                    method: asked.then_some(method),
                    intent: asked.then_some(intent),
                    plan: asked.then_some(plan),
                    behavior: Some(behavior),
                    behavior_past_3_months: (behavior == Assessed::Answer(true)).then_some(recent),
                }
            },
        )
}

/// How the C-SSRS screener is given beside the two suicide items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Screening {
    /// Not at all: the two items answered directly.
    No,
    /// Complete, in place of the two items (left out).
    Instead,
    /// Beside the two items, now and then with questions left out; where it scores an
    /// answer, the item agrees with it.
    Beside,
}

/// The screener, as [`Screening`] says, with the questions a partial one leaves out (`true`
/// drops one; shrinks towards none dropped).
fn screening() -> impl Strategy<Value = (Screening, CssrsScreener, Vec<bool>)> {
    (
        prop_oneof![
            6 => Just(Screening::No),
            2 => Just(Screening::Instead),
            2 => Just(Screening::Beside),
        ],
        cssrs(),
        prop::collection::vec(prop::bool::weighted(0.15), 7),
    )
}

/// The screener with the questions `drop` marks left out.
fn partial(c: CssrsScreener, drop: &[bool]) -> CssrsScreener {
    let dropped =
        |k: usize, a: Option<Assessed<bool>>| a.filter(|_| !drop.get(k).copied().unwrap_or(false));
    CssrsScreener {
        wish_to_be_dead: dropped(0, c.wish_to_be_dead),
        nonspecific_thoughts: dropped(1, c.nonspecific_thoughts),
        method: dropped(2, c.method),
        intent: dropped(3, c.intent),
        plan: dropped(4, c.plan),
        behavior: dropped(5, c.behavior),
        behavior_past_3_months: dropped(6, c.behavior_past_3_months),
    }
}

/// The acute-safety group: the five required items always given, the others optional; each
/// an answer, or now and then declined or unable to assess ([`assessed`]). The C-SSRS
/// screener ([`cssrs`]) is given item by item about two times in ten instead of the two
/// suicide items (then left out: it scores them), and about two in ten beside them (now and
/// then partial), the items then agreeing with what it scores.
pub fn safety() -> impl Strategy<Value = Safety> {
    (
        assessed(suicidal_ideation()),
        assessed(recency()),
        optional(assessed(recency())),
        optional(assessed(frequency())),
        optional(assessed(lethal_means())),
        assessed(harm_to_others()),
        optional(assessed(risk(20))),
        assessed(psychosis()),
        assessed(risk(5)),
        screening(),
    )
        .prop_map(
            |(
                ideation,
                behavior,
                self_injury,
                item9,
                means,
                harm,
                target,
                psychosis,
                self_care,
                (screening, screener, drop),
            )| {
                let (ideation, behavior, cssrs) = match screening {
                    Screening::No => (Some(ideation), Some(behavior), CssrsScreener::default()),
                    Screening::Instead => (None, None, screener),
                    Screening::Beside => {
                        let c = partial(screener, &drop);
                        // Where the screener scores an answer, the item gives the same.
                        let scored_ideation = crate::intake::score::cssrs_ideation(&c)
                            .filter(|a| a.answer().is_some());
                        let scored_behavior = crate::intake::score::cssrs_behavior(&c)
                            .filter(|a| a.answer().is_some());
                        // Where it does not, the item still never lies below a yes or on a no.
                        let ideation = scored_ideation.unwrap_or_else(|| match ideation {
                            Assessed::Answer(given) => {
                                let yes = crate::intake::score::cssrs_highest_yes(&c);
                                let lifted = yes.map_or(given, |y| given.max(y));
                                if crate::intake::score::cssrs_said_no(&c, lifted) {
                                    Assessed::Answer(yes.unwrap_or(SuicidalIdeation::None))
                                } else {
                                    Assessed::Answer(lifted)
                                }
                            }
                            other => other,
                        });
                        let yes = Some(Assessed::Answer(true));
                        let no = Some(Assessed::Answer(false));
                        let behavior = scored_behavior.unwrap_or(match (c.behavior, behavior) {
                            (b, _) if b == no => Assessed::Answer(Recency::Never),
                            (b, _) if b == yes && c.behavior_past_3_months == yes => {
                                Assessed::Answer(Recency::Past3Months)
                            }
                            (b, _) if b == yes => Assessed::Answer(Recency::Lifetime),
                            // Item 6 left out: the item still agrees with its follow-up.
                            (_, Assessed::Answer(Recency::Past3Months))
                                if c.behavior_past_3_months == no =>
                            {
                                Assessed::Answer(Recency::Lifetime)
                            }
                            (_, Assessed::Answer(Recency::Lifetime))
                                if c.behavior_past_3_months == yes =>
                            {
                                Assessed::Answer(Recency::Past3Months)
                            }
                            (_, given) => given,
                        });
                        (Some(ideation), Some(behavior), c)
                    }
                };
                Safety {
                    suicidal_ideation: ideation,
                    suicidal_behavior: behavior,
                    self_injury,
                    phq9_item9: item9,
                    lethal_means: means,
                    harm_to_others: Some(harm),
                    // A target is named only where there are thoughts of harming someone.
                    harm_target_identified: target
                        .filter(|_| harm != Assessed::Answer(HarmToOthers::None)),
                    psychosis: Some(psychosis),
                    unable_to_self_care: Some(self_care),
                    cssrs,
                }
            },
        )
}

// ---------------------------------------------------------------------------------------------
// Instruments given item by item

/// An instrument's items: every one answered half the time, otherwise each left out about
/// one time in four (a partial instrument, which has no total unless one is given beside
/// it); shrinks towards every item answered. `items` gives each item's answer.
fn instrument<T: Debug + Clone + 'static>(
    items: Vec<BoxedStrategy<T>>,
) -> impl Strategy<Value = Vec<Option<T>>> {
    let n = items.len();
    (
        items,
        any::<bool>(),
        prop::collection::vec(prop::bool::weighted(0.25), n),
    )
        .prop_map(|(values, partial, left_out)| {
            values
                .into_iter()
                .zip(left_out)
                .map(|(value, out)| (!(partial && out)).then_some(value))
                .collect()
        })
}

/// An instrument of `n` items whose answers are mostly mild (`mild(k)` for item `k`), one
/// time in five mostly severe (`severe(k)`): item-level totals then reach every band.
fn mild_or_severe<T: Debug + Clone + 'static>(
    n: usize,
    mild: impl Fn(usize) -> BoxedStrategy<T>,
    severe: impl Fn(usize) -> BoxedStrategy<T>,
) -> impl Strategy<Value = Vec<Option<T>>> {
    prop_oneof![
        4 => instrument((0..n).map(&mild).collect()),
        1 => instrument((0..n).map(&severe).collect()),
    ]
}

/// `n` items on the PHQ's frequency scale (PHQ-9, GAD-7).
fn frequency_items(n: usize) -> impl Strategy<Value = Vec<Option<Frequency>>> {
    mild_or_severe(
        n,
        |_| frequency().boxed(),
        |_| graded(Frequency::ALL, 10).boxed(),
    )
}

/// PHQ-9 items 1-8 ([`Phq9Items`]; item 9 is the safety group's `phq9_item9`): complete or
/// partial, mostly `not_at_all`, one time in five mostly worse.
pub fn phq9_items() -> impl Strategy<Value = Phq9Items> {
    frequency_items(8).prop_map(|v| {
        let mut v = v.into_iter();
        let mut next = || v.next().flatten();
        Phq9Items {
            interest: next(),
            feeling_down: next(),
            sleep: next(),
            tiredness: next(),
            appetite: next(),
            self_worth: next(),
            concentration: next(),
            psychomotor: next(),
        }
    })
}

/// GAD-7's seven items ([`Gad7Items`]): complete or partial, mostly `not_at_all`, one time in
/// five mostly worse.
pub fn gad7_items() -> impl Strategy<Value = Gad7Items> {
    frequency_items(7).prop_map(|v| {
        let mut v = v.into_iter();
        let mut next = || v.next().flatten();
        Gad7Items {
            nervous: next(),
            uncontrolled_worry: next(),
            excessive_worry: next(),
            trouble_relaxing: next(),
            restlessness: next(),
            irritability: next(),
            dread: next(),
        }
    })
}

/// CIWA-Ar's ten items ([`CiwaArItems`]; each 0-7, orientation 0-4): complete or partial,
/// mostly low, one time in five mostly high.
pub fn ciwa_ar_items() -> impl Strategy<Value = CiwaArItems> {
    // Orientation, the tenth item, scores 0-4.
    let max = |k: usize| if k == 9 { 4 } else { 7 };
    mild_or_severe(
        10,
        move |k| score(0..=max(k)).boxed(),
        move |k| (1..=max(k)).boxed(),
    )
    .prop_map(|v| {
        let mut v = v.into_iter();
        let mut next = || v.next().flatten();
        CiwaArItems {
            nausea_vomiting: next(),
            tremor: next(),
            paroxysmal_sweats: next(),
            anxiety: next(),
            agitation: next(),
            tactile_disturbances: next(),
            auditory_disturbances: next(),
            visual_disturbances: next(),
            headache: next(),
            orientation: next(),
        }
    })
}

/// COWS's eleven items ([`CowsItems`]): complete or partial, each only a score its item's
/// scale gives (a resting pulse scores 0, 1, 2 or 4, never 3), mostly 0, one time in five
/// mostly above.
pub fn cows_items() -> impl Strategy<Value = CowsItems> {
    let scale = |k: usize| -> &'static [u32] {
        crate::intake::score::COWS_SCORES
            .get(k)
            .copied()
            .unwrap_or(&[0])
    };
    mild_or_severe(
        11,
        move |k| graded(scale(k), 60).boxed(),
        move |k| one_of(scale(k).get(1..).unwrap_or(scale(k))).boxed(),
    )
    .prop_map(|v| {
        let mut v = v.into_iter();
        let mut next = || v.next().flatten();
        CowsItems {
            pulse: next(),
            sweating: next(),
            restlessness: next(),
            pupil_size: next(),
            bone_or_joint_aches: next(),
            runny_nose_or_tearing: next(),
            gi_upset: next(),
            tremor: next(),
            yawning: next(),
            anxiety_or_irritability: next(),
            gooseflesh_skin: next(),
        }
    })
}

/// Each item's `(answer, largest score)`.
type Values = Vec<(Option<u32>, u32)>;

fn frequency_values(items: &[Option<Frequency>]) -> Values {
    items.iter().map(|f| (f.map(|f| f as u32), 3)).collect()
}

/// PHQ-9's nine items: 1-8, and item 9 when answered.
fn phq9_values(p: &Phq9Items, item9: Option<Assessed<Frequency>>) -> Values {
    frequency_values(&[
        p.interest,
        p.feeling_down,
        p.sleep,
        p.tiredness,
        p.appetite,
        p.self_worth,
        p.concentration,
        p.psychomotor,
        item9.and_then(|a| a.answer().copied()),
    ])
}

fn gad7_values(g: &Gad7Items) -> Values {
    frequency_values(&[
        g.nervous,
        g.uncontrolled_worry,
        g.excessive_worry,
        g.trouble_relaxing,
        g.restlessness,
        g.irritability,
        g.dread,
    ])
}

fn ciwa_ar_values(c: &CiwaArItems) -> Values {
    crate::intake::score::ciwa_values(c).to_vec()
}

fn cows_values(c: &CowsItems) -> Values {
    crate::intake::score::cows_values(c).to_vec()
}

/// A total its items can have: their sum when every item is answered; otherwise from the
/// answered items' sum up to what the others could add, `at` percent of the way.
fn agreeing(values: &[(Option<u32>, u32)], at: u32) -> u32 {
    let (sum, room) = values
        .iter()
        .fold((0u32, 0u32), |(sum, room), (value, max)| match value {
            Some(v) => (sum.saturating_add(*v), room),
            None => (sum, room.saturating_add(*max)),
        });
    sum.saturating_add(room.saturating_mul(at.min(100)) / 100)
}

/// An instrument's total and items: the total alone (optional) three times in five,
/// otherwise its items given item by item ([`instrument`]), with no total (the items score
/// it) or with a total they can have.
fn total_and_items<T: Debug + Clone + Default + 'static, S: Strategy<Value = T> + 'static>(
    total: RangeInclusive<u32>,
    items: impl Fn() -> S,
    values: fn(&T) -> Values,
) -> impl Strategy<Value = (Option<u32>, T)> {
    prop_oneof![
        3 => optional(score(total)).prop_map(|t| (t, T::default())),
        1 => items().prop_map(|i| (None, i)),
        1 => (items(), 0u32..=100).prop_map(move |(i, at)| (Some(agreeing(&values(&i), at)), i)),
    ]
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
/// sedatives as a proxy) and COWS (opioids). Each scale is optional, and about two times in
/// five given item by item ([`ciwa_ar_items`], [`cows_items`]: complete or partial), with no
/// total (the items score it) or with a total the items can have.
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
        total_and_items(CIWA_AR, ciwa_ar_items, ciwa_ar_values),
        total_and_items(COWS, cows_items, cows_values),
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
            )| {
                let (ciwa_ar, ciwa_ar_items) = if alcohol || sedatives {
                    ciwa
                } else {
                    (None, CiwaArItems::default())
                };
                let (cows, cows_items) = if opioids {
                    cows
                } else {
                    (None, CowsItems::default())
                };
                SubstanceUse {
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
                    ciwa_ar,
                    cows,
                    ciwa_ar_items,
                    cows_items,
                }
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
/// conditions, impairment and days impaired (0-30), each optional. GAD-7 is about two times
/// in five given item by item ([`gad7_items`]: complete or partial), with no total or with a
/// total its items can have; PHQ-9 about two in five as items 1-8 ([`phq9_items`]) with no
/// total, since item 9 is the safety group's (`safety.phq9_item9`): [`intake`] gives a total
/// beside them that the nine items can have half the time.
pub fn severity() -> impl Strategy<Value = Severity> {
    (
        prop_oneof![
            3 => optional(score(PHQ9)).prop_map(|t| (t, Phq9Items::default())),
            2 => phq9_items().prop_map(|p| (None, p)),
        ],
        total_and_items(GAD7, gad7_items, gad7_values),
        optional(clinician_rating()),
        conditions(),
        optional(any::<bool>()),
        optional(DAYS_IMPAIRED),
    )
        .prop_map(
            |(
                (phq9, phq9_items),
                (gad7, gad7_items),
                clinician_rating,
                conditions,
                impairs,
                days,
            )| {
                Severity {
                    phq9,
                    gad7,
                    phq9_items,
                    gad7_items,
                    clinician_rating,
                    conditions,
                    impairs_daily_activities: impairs,
                    days_impaired_past_30: days,
                }
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

/// An earlier episode: any level and outcome, months since it ended optional (0-600, half
/// the time within two years, so that both sides of the 12-month window come up).
pub fn episode() -> impl Strategy<Value = Episode> {
    let months_ago = prop_oneof![0u32..=24, MONTHS_AGO];
    (episode_level(), outcome(), optional(months_ago)).prop_map(|(level, outcome, months_ago)| {
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
        (severity(), prop::option::weighted(0.5, 0u32..=100)),
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
                (mut severity, phq9_total),
                self_management,
                history,
                home,
                engagement,
                notes,
            )| {
                // A PHQ-9 total beside its items, which item 9 (a safety item) completes.
                if let Some(at) = phq9_total
                    && severity.phq9_items != Phq9Items::default()
                {
                    let values = phq9_values(&severity.phq9_items, safety.phq9_item9);
                    severity.phq9 = Some(agreeing(&values, at));
                }
                // Without items 1-8, item 9 still bounds a given total.
                if severity.phq9_items == Phq9Items::default() {
                    if let (Some(total), Some(item9)) = (
                        severity.phq9,
                        safety.phq9_item9.and_then(|a| a.answer().copied()),
                    ) {
                        let low = item9 as u32;
                        severity.phq9 = Some(total.clamp(low, low + 24));
                    }
                }
                Intake {
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
                }
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

    /// Over many intakes, every way of giving an instrument appears: PHQ-9, GAD-7, CIWA-Ar
    /// and COWS item by item, complete and partial, each with no total and with one beside
    /// it; the C-SSRS screener in place of the two suicide items and beside them.
    #[test]
    fn generated_intakes_give_every_instrument_every_way() {
        use crate::intake::score;
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        use std::collections::BTreeMap;

        let mut runner = TestRunner::deterministic();
        let strategy = intake();
        let mut counts: BTreeMap<String, u32> = BTreeMap::new();
        for _ in 0..2000 {
            let i = strategy.new_tree(&mut runner).unwrap().current();
            let mut count = |what: String| *counts.entry(what).or_default() += 1;
            let mut instrument = |name: &str, t: score::Total| {
                if let Some(items) = t.items {
                    let complete = if items.complete() {
                        "complete"
                    } else {
                        "partial"
                    };
                    let total = if t.given.is_some() {
                        "with a total"
                    } else {
                        "alone"
                    };
                    count(format!("{name} {complete} {total}"));
                }
            };
            instrument("phq9", score::phq9(&i));
            instrument("gad7", score::gad7(&i));
            for s in i.substance_use.iter().flatten() {
                instrument("ciwa_ar", score::ciwa_ar(s));
                instrument("cows", score::cows(s));
            }
            if score::given(&i.safety.cssrs).is_some() {
                let how = match (i.safety.suicidal_ideation, i.safety.suicidal_behavior) {
                    (None, None) => "cssrs instead of the suicide items",
                    (Some(_), Some(_)) => "cssrs beside the suicide items",
                    _ => "cssrs beside one suicide item",
                };
                count(how.to_owned());
            }
        }
        let mut expected = vec![
            "cssrs instead of the suicide items".to_owned(),
            "cssrs beside the suicide items".to_owned(),
        ];
        for name in ["phq9", "gad7", "ciwa_ar", "cows"] {
            for complete in ["complete", "partial"] {
                for total in ["with a total", "alone"] {
                    expected.push(format!("{name} {complete} {total}"));
                }
            }
        }
        for what in expected {
            let n = counts.get(&what).copied().unwrap_or(0);
            assert!(n >= 20, "{what}: {n} of 2000 intakes: {counts:?}");
        }
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
