//! Scoring the instruments an intake may carry item by item: PHQ-9, GAD-7, CIWA-Ar and COWS
//! (totals from their items) and the C-SSRS screener (suicidal ideation and behaviour from
//! its yes/no answers, with its skip logic). Item names and scoring only; no instrument
//! wording.
//!
//! One place computes them, and every step reads them from here: the answers rules read
//! (`severity.phq9`, `withdrawal.ciwa_ar`, `safety.suicidal_ideation`, ...), the checks of an
//! intake (a total that disagrees with its items, a skipped question answered, a COWS score
//! the item's scale does not give) and the report's `scores` (what was scored, from what,
//! and what is missing). A partial instrument is not a total: its total is unanswered, and
//! the missing items are named.

use super::{
    Assessed, CiwaArItems, CowsItems, CssrsScreener, Frequency, Gad7Items, Intake, Phq9Items,
    Recency, SubstanceUse, SuicidalIdeation,
};

/// A total, given or scored from items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Total {
    /// The total as given, if it was.
    pub(crate) given: Option<u32>,
    /// The items, if given item by item.
    pub(crate) items: Option<Items>,
}

/// The items of one instrument as answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Items {
    /// The sum of the items answered.
    pub(crate) sum: u32,
    /// The items not answered, as bits of their positions in the instrument's item list.
    pub(crate) missing: u32,
    /// The largest total the missing items could add.
    pub(crate) missing_max: u32,
}

impl Items {
    /// Sums `values`, each with the largest score its item takes.
    fn of(values: &[(Option<u32>, u32)]) -> Items {
        let mut items = Items {
            sum: 0,
            missing: 0,
            missing_max: 0,
        };
        for (k, (v, max)) in values.iter().enumerate() {
            match v {
                Some(v) => items.sum = items.sum.saturating_add(*v),
                None => {
                    items.missing |= 1u32.checked_shl(k as u32).unwrap_or(0);
                    items.missing_max = items.missing_max.saturating_add(*max);
                }
            }
        }
        items
    }

    /// Every item answered.
    pub(crate) fn complete(&self) -> bool {
        self.missing == 0
    }
}

impl Total {
    /// The total: as given, or the items' sum when every item is answered; `None` otherwise
    /// (a partial instrument is not a total).
    #[inline]
    pub(crate) fn value(&self) -> Option<u32> {
        self.given
            .or_else(|| self.items.filter(Items::complete).map(|i| i.sum))
    }

    /// Whether a given total cannot be the items' total: it differs from a complete sum, or
    /// lies outside what the answered items and the missing ones could add up to.
    pub(crate) fn disagrees(&self) -> bool {
        match (self.given, self.items) {
            (Some(given), Some(items)) => {
                given < items.sum || given > items.sum.saturating_add(items.missing_max)
            }
            _ => false,
        }
    }

    /// Where the total comes from.
    pub(crate) fn source(&self) -> Option<Source> {
        match (self.given, self.items) {
            (Some(_), Some(_)) => Some(Source::GivenAndItems),
            (Some(_), None) => Some(Source::Given),
            (None, Some(_)) => Some(Source::Items),
            (None, None) => None,
        }
    }
}

/// A group of items when any is answered (an instrument given item by item).
#[inline]
pub(crate) fn given<T: Default + PartialEq>(items: &T) -> Option<&T> {
    (!super::is_default(items)).then_some(items)
}

/// Where a score comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// The total as given.
    Given,
    /// Scored from its items.
    Items,
    /// Given, and checked against its items.
    GivenAndItems,
}

impl Source {
    /// The name the report uses.
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Source::Given => "given",
            Source::Items => "items",
            Source::GivenAndItems => "given_and_items",
        }
    }
}

fn frequency(f: Option<Frequency>) -> (Option<u32>, u32) {
    (f.map(|f| f as u32), 3)
}

/// PHQ-9's item names, in order; item 9 is `safety.phq9_item9`.
pub(crate) const PHQ9_ITEMS: [&str; 9] = [
    "severity.phq9_items.interest",
    "severity.phq9_items.feeling_down",
    "severity.phq9_items.sleep",
    "severity.phq9_items.tiredness",
    "severity.phq9_items.appetite",
    "severity.phq9_items.self_worth",
    "severity.phq9_items.concentration",
    "severity.phq9_items.psychomotor",
    "safety.phq9_item9",
];

/// GAD-7's item names, in order.
pub(crate) const GAD7_ITEMS: [&str; 7] = [
    "severity.gad7_items.nervous",
    "severity.gad7_items.uncontrolled_worry",
    "severity.gad7_items.excessive_worry",
    "severity.gad7_items.trouble_relaxing",
    "severity.gad7_items.restlessness",
    "severity.gad7_items.irritability",
    "severity.gad7_items.dread",
];

/// CIWA-Ar's item keys within an entry's `ciwa_ar_items`, in order.
pub(crate) const CIWA_AR_ITEMS: [&str; 10] = [
    "nausea_vomiting",
    "tremor",
    "paroxysmal_sweats",
    "anxiety",
    "agitation",
    "tactile_disturbances",
    "auditory_disturbances",
    "visual_disturbances",
    "headache",
    "orientation",
];

/// COWS's item keys within an entry's `cows_items`, in order.
pub(crate) const COWS_ITEMS: [&str; 11] = [
    "pulse",
    "sweating",
    "restlessness",
    "pupil_size",
    "bone_or_joint_aches",
    "runny_nose_or_tearing",
    "gi_upset",
    "tremor",
    "yawning",
    "anxiety_or_irritability",
    "gooseflesh_skin",
];

/// The scores each COWS item takes, in [`COWS_ITEMS`] order (its scale skips some values).
pub(crate) const COWS_SCORES: [&[u32]; 11] = [
    &[0, 1, 2, 4],
    &[0, 1, 2, 3, 4],
    &[0, 1, 3, 5],
    &[0, 1, 2, 5],
    &[0, 1, 2, 4],
    &[0, 1, 2, 4],
    &[0, 1, 2, 3, 5],
    &[0, 1, 2, 4],
    &[0, 1, 2, 4],
    &[0, 1, 2, 4],
    &[0, 3, 5],
];

/// The PHQ-9 total: `severity.phq9`, or its nine items (1-8 in `severity.phq9_items`, 9 in
/// `safety.phq9_item9`) when given item by item.
#[inline]
pub(crate) fn phq9(i: &Intake) -> Total {
    // With no item 1-8 given, item 9 alone still bounds a given total (item 9 <= total <=
    // item 9 + 24), so a total cannot silently contradict it; without a total it is no
    // instrument.
    let item9_bounds =
        i.severity.phq9.is_some() && i.safety.phq9_item9.is_some_and(|a| a.answer().is_some());
    Total {
        given: i.severity.phq9,
        items: match given(&i.severity.phq9_items) {
            Some(p) => Some(Items::of(&phq9_values(p, i.safety.phq9_item9))),
            None if item9_bounds => Some(Items::of(&phq9_values(
                &Phq9Items::default(),
                i.safety.phq9_item9,
            ))),
            None => None,
        },
    }
}

fn phq9_values(p: &Phq9Items, item9: Option<Assessed<Frequency>>) -> [(Option<u32>, u32); 9] {
    [
        frequency(p.interest),
        frequency(p.feeling_down),
        frequency(p.sleep),
        frequency(p.tiredness),
        frequency(p.appetite),
        frequency(p.self_worth),
        frequency(p.concentration),
        frequency(p.psychomotor),
        frequency(item9.and_then(|a| a.answer().copied())),
    ]
}

/// The GAD-7 total: `severity.gad7`, or its items when given item by item.
#[inline]
pub(crate) fn gad7(i: &Intake) -> Total {
    Total {
        given: i.severity.gad7,
        items: given(&i.severity.gad7_items).map(|g| Items::of(&gad7_values(g))),
    }
}

fn gad7_values(g: &Gad7Items) -> [(Option<u32>, u32); 7] {
    [
        frequency(g.nervous),
        frequency(g.uncontrolled_worry),
        frequency(g.excessive_worry),
        frequency(g.trouble_relaxing),
        frequency(g.restlessness),
        frequency(g.irritability),
        frequency(g.dread),
    ]
}

/// An entry's CIWA-Ar total: `ciwa_ar`, or its items when given item by item.
#[inline]
pub(crate) fn ciwa_ar(s: &SubstanceUse) -> Total {
    Total {
        given: s.ciwa_ar,
        items: given(&s.ciwa_ar_items).map(|c| Items::of(&ciwa_values(c))),
    }
}

pub(crate) fn ciwa_values(c: &CiwaArItems) -> [(Option<u32>, u32); 10] {
    [
        (c.nausea_vomiting, 7),
        (c.tremor, 7),
        (c.paroxysmal_sweats, 7),
        (c.anxiety, 7),
        (c.agitation, 7),
        (c.tactile_disturbances, 7),
        (c.auditory_disturbances, 7),
        (c.visual_disturbances, 7),
        (c.headache, 7),
        (c.orientation, 4),
    ]
}

/// An entry's COWS total: `cows`, or its items when given item by item.
#[inline]
pub(crate) fn cows(s: &SubstanceUse) -> Total {
    Total {
        given: s.cows,
        items: given(&s.cows_items).map(|c| Items::of(&cows_values(c))),
    }
}

pub(crate) fn cows_values(c: &CowsItems) -> [(Option<u32>, u32); 11] {
    let v = [
        c.pulse,
        c.sweating,
        c.restlessness,
        c.pupil_size,
        c.bone_or_joint_aches,
        c.runny_nose_or_tearing,
        c.gi_upset,
        c.tremor,
        c.yawning,
        c.anxiety_or_irritability,
        c.gooseflesh_skin,
    ];
    let mut out = [(None, 0); 11];
    for ((slot, value), scores) in out.iter_mut().zip(v).zip(COWS_SCORES) {
        *slot = (value, scores.last().copied().unwrap_or(0));
    }
    out
}

/// A yes/no answer of the screener: yes, no, not obtained, or not asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Said {
    Yes,
    No,
    NotObtained(Assessed<()>),
    NotAsked,
}

fn said(a: Option<Assessed<bool>>) -> Said {
    match a {
        Some(Assessed::Answer(true)) => Said::Yes,
        Some(Assessed::Answer(false)) => Said::No,
        Some(Assessed::Declined) => Said::NotObtained(Assessed::Declined),
        Some(Assessed::UnableToAssess) => Said::NotObtained(Assessed::UnableToAssess),
        None => Said::NotAsked,
    }
}

/// What the screener says of the past month's ideation: the most severe rung answered yes,
/// once every more severe rung that applies is answered no. Not obtained when a rung above
/// the highest yes (or, with no yes, any rung) was declined or could not be assessed: the yes
/// is then only a floor ([`cssrs_floor_only`]), which the triage and a caution use while the
/// rules wait; `None` when a rung that applies was not asked. Items 3-5 apply only after a yes to item 2: a no skips them, and a
/// declined item 2 leaves them not obtained.
pub(crate) fn cssrs_ideation(c: &CssrsScreener) -> Option<Assessed<SuicidalIdeation>> {
    let thoughts = said(c.nonspecific_thoughts);
    let skipped = |a| match (thoughts, said(a)) {
        (Said::No, _) => Said::No,
        (Said::NotObtained(why), Said::NotAsked) => Said::NotObtained(why),
        (_, s) => s,
    };
    let ladder = [
        (skipped(c.plan), SuicidalIdeation::PlanWithIntent),
        (skipped(c.intent), SuicidalIdeation::IntentWithoutPlan),
        (skipped(c.method), SuicidalIdeation::MethodWithoutIntent),
        (thoughts, SuicidalIdeation::NonspecificActiveThoughts),
        (said(c.wish_to_be_dead), SuicidalIdeation::WishToBeDead),
    ];
    let mut blocked: Option<Option<Assessed<SuicidalIdeation>>> = None;
    for (answer, rung) in ladder {
        match answer {
            // Not asked above a yes: the intake is incomplete. Declined above a yes: the yes
            // is a floor.
            // A rung above the yes not obtained leaves the answer open (the yes is only its
            // floor: the triage and a caution use it, the rules wait).
            Said::Yes => return blocked.unwrap_or(Some(Assessed::Answer(rung))),
            Said::No => {}
            Said::NotObtained(why) => {
                blocked.get_or_insert(Some(match why {
                    Assessed::UnableToAssess => Assessed::UnableToAssess,
                    _ => Assessed::Declined,
                }));
            }
            Said::NotAsked => {
                blocked = Some(None);
            }
        }
    }
    blocked.unwrap_or(Some(Assessed::Answer(SuicidalIdeation::None)))
}

/// What the screener says of suicidal behaviour: never, earlier in life, or in the past 3
/// months (item 6 and its follow-up).
pub(crate) fn cssrs_behavior(c: &CssrsScreener) -> Option<Assessed<Recency>> {
    let not_obtained = |why: Assessed<()>| match why {
        Assessed::UnableToAssess => Assessed::UnableToAssess,
        _ => Assessed::Declined,
    };
    match said(c.behavior) {
        Said::No => Some(Assessed::Answer(Recency::Never)),
        Said::NotObtained(why) => Some(not_obtained(why)),
        Said::NotAsked => None,
        Said::Yes => match said(c.behavior_past_3_months) {
            Said::Yes => Some(Assessed::Answer(Recency::Past3Months)),
            Said::No => Some(Assessed::Answer(Recency::Lifetime)),
            Said::NotObtained(why) => Some(not_obtained(why)),
            Said::NotAsked => None,
        },
    }
}

/// Whether the screener's answer is only a floor: a yes below a rung (or a yes to item 6
/// beside a follow-up) that was declined or could not be assessed.
pub(crate) fn cssrs_floor_only(c: &CssrsScreener) -> bool {
    let declined = |a: Option<Assessed<bool>>| {
        matches!(a, Some(Assessed::Declined | Assessed::UnableToAssess))
    };
    let yes = |a: Option<Assessed<bool>>| a == Some(Assessed::Answer(true));
    cssrs_ideation_floor_only(c) || (yes(c.behavior) && declined(c.behavior_past_3_months))
}

/// Whether the screener's ideation is only a floor: a yes below a rung that was declined or
/// could not be assessed.
pub(crate) fn cssrs_ideation_floor_only(c: &CssrsScreener) -> bool {
    let declined = |a: Option<Assessed<bool>>| {
        matches!(a, Some(Assessed::Declined | Assessed::UnableToAssess))
    };
    let yes = |a: Option<Assessed<bool>>| a == Some(Assessed::Answer(true));
    let ladder = [
        c.wish_to_be_dead,
        c.nonspecific_thoughts,
        c.method,
        c.intent,
        c.plan,
    ];
    ladder.iter().enumerate().any(|(k, a)| {
        yes(*a)
            && ladder
                .get(k + 1..)
                .is_some_and(|above| above.iter().any(|x| declined(*x)))
    })
}

/// The highest rung of ideation the screener answered yes, if any.
pub(crate) fn cssrs_highest_yes(c: &CssrsScreener) -> Option<SuicidalIdeation> {
    let yes = |a: Option<Assessed<bool>>| a == Some(Assessed::Answer(true));
    [
        (c.plan, SuicidalIdeation::PlanWithIntent),
        (c.intent, SuicidalIdeation::IntentWithoutPlan),
        (c.method, SuicidalIdeation::MethodWithoutIntent),
        (
            c.nonspecific_thoughts,
            SuicidalIdeation::NonspecificActiveThoughts,
        ),
        (c.wish_to_be_dead, SuicidalIdeation::WishToBeDead),
    ]
    .into_iter()
    .find(|(a, _)| yes(*a))
    .map(|(_, rung)| rung)
}

/// Whether the screener answered no to the item of this rung.
pub(crate) fn cssrs_said_no(c: &CssrsScreener, rung: SuicidalIdeation) -> bool {
    let no = Some(Assessed::Answer(false));
    match rung {
        SuicidalIdeation::None => false,
        SuicidalIdeation::WishToBeDead => c.wish_to_be_dead == no,
        SuicidalIdeation::NonspecificActiveThoughts => c.nonspecific_thoughts == no,
        // A no to item 2 skips items 3-5: each of them is a no.
        SuicidalIdeation::MethodWithoutIntent => c.method == no || c.nonspecific_thoughts == no,
        SuicidalIdeation::IntentWithoutPlan => c.intent == no || c.nonspecific_thoughts == no,
        SuicidalIdeation::PlanWithIntent => c.plan == no || c.nonspecific_thoughts == no,
    }
}

/// The screener's triage: low (a wish to be dead or non-specific thoughts), moderate
/// (thoughts of a method, or behaviour earlier in life), high (intent, a plan with intent, or
/// behaviour in the past 3 months); `None` when the answers leave it open.
pub(crate) fn cssrs_risk(c: &CssrsScreener) -> Option<&'static str> {
    // Where a rung above a yes was not obtained, the yes is a floor: enough for "high".
    let by_ideation = cssrs_ideation(c)
        .and_then(|a| a.answer().copied())
        .or_else(|| cssrs_highest_yes(c).filter(|y| *y >= SuicidalIdeation::IntentWithoutPlan))
        .map(|ideation| match ideation {
            SuicidalIdeation::None => 0,
            SuicidalIdeation::WishToBeDead | SuicidalIdeation::NonspecificActiveThoughts => 1,
            SuicidalIdeation::MethodWithoutIntent => 2,
            SuicidalIdeation::IntentWithoutPlan | SuicidalIdeation::PlanWithIntent => 3,
        });
    let by_behavior = cssrs_behavior(c)
        .and_then(|a| a.answer().copied())
        .map(|behavior| match behavior {
            Recency::Never => 0,
            Recency::Lifetime => 2,
            Recency::Past3Months => 3,
        });
    // High on either axis is high whatever the other; below that, both must be known.
    let worst = match (by_ideation, by_behavior) {
        (Some(3), _) | (_, Some(3)) => 3,
        (Some(a), Some(b)) => a.max(b),
        _ => return None,
    };
    Some(match worst {
        0 => "none",
        1 => "low",
        2 => "moderate",
        _ => "high",
    })
}

/// The past month's suicidal ideation: `safety.suicidal_ideation` when answered, else the
/// screener's answer, else whichever says why there is none (a declined direct item never
/// hides what the screener found).
#[inline]
pub(crate) fn suicidal_ideation(i: &Intake) -> Option<Assessed<SuicidalIdeation>> {
    prefer_an_answer(
        i.safety.suicidal_ideation,
        given(&i.safety.cssrs).and_then(cssrs_ideation),
    )
}

/// Suicidal behaviour: `safety.suicidal_behavior` when answered, else the screener's answer,
/// else whichever says why there is none.
#[inline]
pub(crate) fn suicidal_behavior(i: &Intake) -> Option<Assessed<Recency>> {
    prefer_an_answer(
        i.safety.suicidal_behavior,
        given(&i.safety.cssrs).and_then(cssrs_behavior),
    )
}

#[inline]
fn prefer_an_answer<T>(
    direct: Option<Assessed<T>>,
    screened: Option<Assessed<T>>,
) -> Option<Assessed<T>> {
    match (direct, screened) {
        (Some(Assessed::Answer(d)), _) => Some(Assessed::Answer(d)),
        (_, Some(Assessed::Answer(s))) => Some(Assessed::Answer(s)),
        (d, s) => d.or(s),
    }
}

/// Whether the C-SSRS screener's items answer the required item at `path` (one of the two
/// suicide items): its answers decide it, or leave it not obtained. Not when an item it needs
/// was not asked.
pub(crate) fn screened(i: &Intake, path: &str) -> bool {
    let Some(c) = given(&i.safety.cssrs) else {
        return false;
    };
    match path {
        "safety.suicidal_ideation" => cssrs_ideation(c).is_some(),
        "safety.suicidal_behavior" => cssrs_behavior(c).is_some(),
        _ => false,
    }
}
