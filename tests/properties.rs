//! Properties of the built-in pack over generated intakes (`carelevel::strategies`, the
//! `proptest` feature).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly
#![cfg_attr(not(feature = "proptest"), allow(dead_code))]

use carelevel::{Intake, RulePack};
#[cfg(feature = "proptest")]
use {
    carelevel::Status,
    carelevel::intake::{ArrangedHousing, Assessed, CssrsScreener, Frequency, SuicidalIdeation},
    carelevel::strategies::intake,
    proptest::prelude::*,
    worse::Instrument,
};

/// Making answers worse, one at a time.
mod worse {
    use carelevel::intake::*;
    use carelevel::{AnswerKind, Level};

    /// The name of every ordered answer a rule may read (`carelevel::answers()` whose `worse`
    /// is not `Unordered`): [`worsen`] knows each, and a test holds this list to that set.
    /// An instrument given item by item is no answer of its own: its items score one of
    /// these (`severity.phq9`, `severity.gad7`, `withdrawal.ciwa_ar`, `withdrawal.cows`, and
    /// the C-SSRS screener's the two suicide items), and [`worsen`] makes that answer worse
    /// through them.
    pub const ORDERED: &[&str] = &[
        "safety.suicidal_ideation",
        "safety.suicidal_behavior",
        "safety.self_injury",
        "safety.phq9_item9",
        "safety.lethal_means",
        "safety.harm_to_others",
        "safety.harm_target_identified",
        "safety.psychosis",
        "safety.unable_to_self_care",
        "withdrawal.seizure_or_dt_history",
        "withdrawal.seizure_this_episode",
        "withdrawal.hallucinations_this_episode",
        "withdrawal.delirium_this_episode",
        "withdrawal.intoxicated_now",
        "withdrawal.pawss",
        "withdrawal.ciwa_ar",
        "withdrawal.cows",
        "substance_use.severity",
        "substance_use.alcohol_disorder",
        "substance_use.sedative_disorder",
        "substance_use.opioid_disorder",
        "substance_use.use_recency",
        "substance_use.benzodiazepine_diazepam_mg",
        "medical.status",
        "medical.injection_use",
        "medical.overdose",
        "medication.opioid_use_disorder_adherence",
        "medication.alcohol_use_disorder_adherence",
        "medication.naloxone_on_hand",
        "severity.phq9",
        "severity.gad7",
        "severity.clinician_rating",
        "severity.mania",
        "severity.eating_disorder",
        "severity.catatonia",
        "severity.acute_psychosis_listed",
        "severity.impairs_daily_activities",
        "severity.days_impaired_past_30",
        "self_management",
        "history.progress",
        "history.highest_level_not_held",
        "history.recent_level_not_held",
        "history.relapse_after_abstinence",
        "home.others_use_substances",
        "home.violence_or_abuse",
        "home.supportive",
        "home.housing",
        "home.substance_free_housing_arranged",
        "home.safe_housing_arranged",
    ];

    /// The largest value of a number answer, from `carelevel::answers()`.
    fn max_of(name: &str) -> u32 {
        match carelevel::answers()
            .find(|a| a.name == name)
            .map(|a| a.kind)
        {
            Some(AnswerKind::Number { max, .. }) => max,
            other => panic!("{name} is not a number answer: {other:?}"),
        }
    }

    /// The next answer up `ladder` (least to most severe).
    fn bump<T: Copy + PartialEq>(v: &mut Option<T>, ladder: &[T]) -> bool {
        let Some(cur) = *v else { return false };
        let at = ladder
            .iter()
            .position(|x| *x == cur)
            .expect("on the ladder");
        match ladder.get(at + 1) {
            Some(next) => {
                *v = Some(*next);
                true
            }
            None => false,
        }
    }

    /// A safety item: only an answer has a worse answer. Declined and unable to assess are
    /// not ordered against the answers.
    fn bump_assessed<T: Copy + PartialEq>(v: &mut Option<Assessed<T>>, ladder: &[T]) -> bool {
        let Some(Assessed::Answer(cur)) = *v else {
            return false;
        };
        let mut answer = Some(cur);
        let changed = bump(&mut answer, ladder);
        if let Some(a) = answer {
            *v = Some(Assessed::Answer(a));
        }
        changed
    }

    fn bump_num(v: &mut Option<u32>, max: u32, by: u32) -> bool {
        match *v {
            Some(n) if n < max => {
                *v = Some((n + by).min(max));
                true
            }
            _ => false,
        }
    }

    fn set_true(v: &mut Option<bool>) -> bool {
        bump(v, &[false, true])
    }

    fn set_false(v: &mut Option<bool>) -> bool {
        bump(v, &[true, false])
    }

    fn set_true_assessed(v: &mut Option<Assessed<bool>>) -> bool {
        bump_assessed(v, &[false, true])
    }

    /// A condition answer (`severity.mania`, `severity.eating_disorder`) one step worse: its
    /// most severe entry a step more severe, or a mild entry where the list names none;
    /// nothing when the list was not asked.
    fn worsen_condition(i: &mut Intake, kind: ConditionKind) -> bool {
        let Some(list) = i.severity.conditions.as_mut() else {
            return false;
        };
        match list
            .iter_mut()
            .filter(|c| c.condition == kind)
            .max_by_key(|c| c.severity)
        {
            Some(c) => {
                let mut severity = Some(c.severity);
                let changed = bump(&mut severity, ConditionSeverity::ALL);
                c.severity = severity.unwrap_or(c.severity);
                changed
            }
            None => {
                list.push(Condition {
                    condition: kind,
                    severity: ConditionSeverity::Mild,
                });
                true
            }
        }
    }

    /// A withdrawal scale: the first entry it measures whose score can rise, raised by `by`
    /// (given item by item: an item raised by up to `by` steps of its scale, and a total
    /// given beside the items by as much).
    fn bump_scale(
        i: &mut Intake,
        measures: impl Fn(&SubstanceUse) -> bool,
        scale: Instrument,
        max: u32,
        by: u32,
    ) -> bool {
        let Some(list) = i.substance_use.as_mut() else {
            return false;
        };
        list.iter_mut().filter(|s| measures(s)).any(|s| {
            let mut items = scale.entry_items(s);
            if items.iter().all(Option::is_none) {
                return bump_num(scale.entry_total(s), max, by);
            }
            let n = items.len();
            let rise = raise(&mut items, &scale.scales(), 0..n, by);
            scale.set_entry_items(s, &items);
            let total = scale.entry_total(s);
            *total = total.map(|t| t + rise);
            rise > 0
        })
    }

    /// PHQ-9 or GAD-7: given item by item, one of its items (PHQ-9's 1-8: item 9 is a safety
    /// item of its own) raised by up to `by` steps, and a total given beside them by as
    /// much; otherwise the total raised by `by`.
    fn bump_total(i: &mut Intake, which: Instrument, max: u32, by: u32) -> bool {
        let (given, raisable) = match which {
            Instrument::Phq9 => (i.severity.phq9_items != Phq9Items::default(), 0..8),
            _ => (i.severity.gad7_items != Gad7Items::default(), 0..7),
        };
        if !given {
            // A PHQ-9 total given alone is bounded by item 9 (total <= item 9 + 24).
            let max = match (which, item9(i)) {
                (Instrument::Phq9, Some(item9)) => max.min(item9 + 24),
                _ => max,
            };
            return bump_num(which.total(i), max, by);
        }
        let mut items = which.items(i);
        let rise = raise(&mut items, &which.scales(), raisable, by);
        which.set_items(i, &items);
        let t = which.total(i);
        *t = t.map(|t| t + rise);
        rise > 0
    }

    /// Raises the first item in `among` that can rise by up to `by` steps of its scale
    /// (`scales`, each item's scores in order); returns how much its score rose.
    pub fn raise(
        items: &mut [Option<u32>],
        scales: &[&[u32]],
        among: std::ops::Range<usize>,
        by: u32,
    ) -> u32 {
        for k in among {
            let Some(value) = items[k] else { continue };
            let scale = scales[k];
            let at = scale
                .iter()
                .position(|s| *s == value)
                .expect("a score of its scale");
            let to = (at + by as usize).min(scale.len() - 1);
            if to > at {
                items[k] = Some(scale[to]);
                return scale[to] - value;
            }
        }
        0
    }

    fn item9(i: &Intake) -> Option<u32> {
        match i.safety.phq9_item9 {
            Some(Assessed::Answer(f)) => Some(f as u32),
            _ => None,
        }
    }

    const IDEATION: &[SuicidalIdeation] = &[
        SuicidalIdeation::None,
        SuicidalIdeation::WishToBeDead,
        SuicidalIdeation::NonspecificActiveThoughts,
        SuicidalIdeation::MethodWithoutIntent,
        SuicidalIdeation::IntentWithoutPlan,
        SuicidalIdeation::PlanWithIntent,
    ];

    /// The next answer up `ladder` from `current`.
    fn next<T: Copy + PartialEq>(ladder: &[T], current: T) -> Option<T> {
        let at = ladder.iter().position(|x| *x == current)?;
        ladder.get(at + 1).copied()
    }

    /// The suicide item's answer as the rules read it (the item when answered, else what a
    /// screener this test can score says: a declined item gives way to it), and whether a
    /// screener is given. `None` when there is no answer to make worse: the item not obtained
    /// and no screener, or a screener beside it that this test does not score (partial, or
    /// with an answer not obtained: what it scores is the library's to say, and a worse item
    /// could then disagree with it).
    fn effective<T: Copy>(
        given: Option<Assessed<T>>,
        screener: &CssrsScreener,
        scored: Option<T>,
    ) -> Option<(T, bool)> {
        let screened = *screener != CssrsScreener::default();
        if screened && scored.is_none() {
            return None;
        }
        match (given, scored) {
            (Some(Assessed::Answer(a)), _) | (_, Some(a)) => Some((a, screened)),
            _ => None,
        }
    }

    /// One rung up the ideation ladder: the item, and the screener beside or in place of it
    /// (the question of the next rung answered yes; items 3-5 answered no when a yes to
    /// item 2 first asks them).
    fn worsen_ideation(s: &mut Safety) -> bool {
        let scored = screened(&s.cssrs).map(|(ideation, _)| ideation);
        let Some((current, screened)) = effective(s.suicidal_ideation, &s.cssrs, scored) else {
            return false;
        };
        let Some(worse) = next(IDEATION, current) else {
            return false;
        };
        if matches!(s.suicidal_ideation, Some(Assessed::Answer(_))) {
            s.suicidal_ideation = Some(Assessed::Answer(worse));
        }
        if screened {
            let (yes, no) = (Some(Assessed::Answer(true)), Some(Assessed::Answer(false)));
            let c = &mut s.cssrs;
            match worse {
                SuicidalIdeation::WishToBeDead => c.wish_to_be_dead = yes,
                SuicidalIdeation::NonspecificActiveThoughts => {
                    c.nonspecific_thoughts = yes;
                    (c.method, c.intent, c.plan) = (no, no, no);
                }
                SuicidalIdeation::MethodWithoutIntent => c.method = yes,
                SuicidalIdeation::IntentWithoutPlan => c.intent = yes,
                SuicidalIdeation::PlanWithIntent => c.plan = yes,
                SuicidalIdeation::None => unreachable!("the bottom rung is never worse"),
            }
        }
        true
    }

    /// Suicidal behaviour one step more recent: the item, and the screener beside or in place
    /// of it (item 6 answered yes, its follow-up no; then the follow-up yes).
    fn worsen_behavior(s: &mut Safety) -> bool {
        let scored = screened(&s.cssrs).map(|(_, behavior)| behavior);
        let Some((current, screened)) = effective(s.suicidal_behavior, &s.cssrs, scored) else {
            return false;
        };
        let Some(worse) = next(RECENCY, current) else {
            return false;
        };
        if matches!(s.suicidal_behavior, Some(Assessed::Answer(_))) {
            s.suicidal_behavior = Some(Assessed::Answer(worse));
        }
        if screened {
            let (yes, no) = (Some(Assessed::Answer(true)), Some(Assessed::Answer(false)));
            let c = &mut s.cssrs;
            match worse {
                Recency::Lifetime => (c.behavior, c.behavior_past_3_months) = (yes, no),
                Recency::Past3Months => c.behavior_past_3_months = yes,
                Recency::Never => unreachable!("never is never worse"),
            }
        }
        true
    }

    /// What a C-SSRS screener scores when every question its skip logic asks is answered yes
    /// or no, and no other: the most severe rung of ideation answered yes (`none` if none),
    /// and behaviour never, earlier in life or in the past 3 months. `None` for any other
    /// screener (partial, or with an answer not obtained), which this test does not score.
    pub fn screened(c: &CssrsScreener) -> Option<(SuicidalIdeation, Recency)> {
        let yes_no = |a: Option<Assessed<bool>>| match a {
            Some(Assessed::Answer(b)) => Some(b),
            _ => None,
        };
        let wish = yes_no(c.wish_to_be_dead)?;
        let thoughts = yes_no(c.nonspecific_thoughts)?;
        let (method, intent, plan) = if thoughts {
            (yes_no(c.method)?, yes_no(c.intent)?, yes_no(c.plan)?)
        } else if c.method.is_none() && c.intent.is_none() && c.plan.is_none() {
            (false, false, false)
        } else {
            return None;
        };
        let behavior = yes_no(c.behavior)?;
        let recent = match (behavior, c.behavior_past_3_months) {
            (true, answer) => yes_no(answer)?,
            (false, None) => false,
            (false, Some(_)) => return None,
        };
        let ideation = [
            (plan, SuicidalIdeation::PlanWithIntent),
            (intent, SuicidalIdeation::IntentWithoutPlan),
            (method, SuicidalIdeation::MethodWithoutIntent),
            (thoughts, SuicidalIdeation::NonspecificActiveThoughts),
            (wish, SuicidalIdeation::WishToBeDead),
        ]
        .into_iter()
        .find_map(|(yes, rung)| yes.then_some(rung))
        .unwrap_or(SuicidalIdeation::None);
        let behavior = match (behavior, recent) {
            (false, _) => Recency::Never,
            (true, false) => Recency::Lifetime,
            (true, true) => Recency::Past3Months,
        };
        Some((ideation, behavior))
    }

    /// An instrument given item by item, with the test's own statement of each item's scale.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Instrument {
        Phq9,
        Gad7,
        CiwaAr,
        Cows,
    }

    /// COWS's items' scores, in the order of `CowsItems`' fields (Wesson and Ling, 2003):
    /// some items skip values (a resting pulse scores 0, 1, 2 or 4).
    pub const COWS_SCALES: [&[u32]; 11] = [
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

    fn frequency(v: Option<u32>) -> Option<Frequency> {
        v.map(|v| Frequency::ALL[v as usize])
    }

    fn score(f: Option<Frequency>) -> Option<u32> {
        f.map(|f| f as u32)
    }

    impl Instrument {
        pub const ALL: [Instrument; 4] = [
            Instrument::Phq9,
            Instrument::Gad7,
            Instrument::CiwaAr,
            Instrument::Cows,
        ];

        /// Each item's scores, in order.
        pub fn scales(self) -> Vec<&'static [u32]> {
            match self {
                Instrument::Phq9 => vec![&[0, 1, 2, 3]; 9],
                Instrument::Gad7 => vec![&[0, 1, 2, 3]; 7],
                Instrument::CiwaAr => {
                    let mut scales: Vec<&[u32]> = vec![&[0, 1, 2, 3, 4, 5, 6, 7]; 9];
                    scales.push(&[0, 1, 2, 3, 4]);
                    scales
                }
                Instrument::Cows => COWS_SCALES.to_vec(),
            }
        }

        /// The answer its total is, as rules read it.
        pub fn answer(self) -> &'static str {
            match self {
                Instrument::Phq9 => "severity.phq9",
                Instrument::Gad7 => "severity.gad7",
                Instrument::CiwaAr => "withdrawal.ciwa_ar",
                Instrument::Cows => "withdrawal.cows",
            }
        }

        /// The report's name for it.
        pub fn name(self) -> &'static str {
            match self {
                Instrument::Phq9 => "phq9",
                Instrument::Gad7 => "gad7",
                Instrument::CiwaAr => "ciwa_ar",
                Instrument::Cows => "cows",
            }
        }

        /// Whether the scale measures `s` (CIWA-Ar and COWS).
        pub fn measures(self, s: &SubstanceUse) -> bool {
            match self {
                Instrument::CiwaAr => {
                    matches!(s.substance, Substance::Alcohol | Substance::Sedatives)
                }
                Instrument::Cows => s.substance == Substance::Opioids,
                _ => false,
            }
        }

        /// The items of a CIWA-Ar or COWS on an entry, in order.
        pub fn entry_items(self, s: &SubstanceUse) -> Vec<Option<u32>> {
            match self {
                Instrument::CiwaAr => {
                    let c = &s.ciwa_ar_items;
                    vec![
                        c.nausea_vomiting,
                        c.tremor,
                        c.paroxysmal_sweats,
                        c.anxiety,
                        c.agitation,
                        c.tactile_disturbances,
                        c.auditory_disturbances,
                        c.visual_disturbances,
                        c.headache,
                        c.orientation,
                    ]
                }
                Instrument::Cows => {
                    let c = &s.cows_items;
                    vec![
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
                    ]
                }
                _ => unreachable!("{self:?} is not on an entry"),
            }
        }

        pub fn set_entry_items(self, s: &mut SubstanceUse, v: &[Option<u32>]) {
            match self {
                Instrument::CiwaAr => {
                    s.ciwa_ar_items = CiwaArItems {
                        nausea_vomiting: v[0],
                        tremor: v[1],
                        paroxysmal_sweats: v[2],
                        anxiety: v[3],
                        agitation: v[4],
                        tactile_disturbances: v[5],
                        auditory_disturbances: v[6],
                        visual_disturbances: v[7],
                        headache: v[8],
                        orientation: v[9],
                    }
                }
                Instrument::Cows => {
                    s.cows_items = CowsItems {
                        pulse: v[0],
                        sweating: v[1],
                        restlessness: v[2],
                        pupil_size: v[3],
                        bone_or_joint_aches: v[4],
                        runny_nose_or_tearing: v[5],
                        gi_upset: v[6],
                        tremor: v[7],
                        yawning: v[8],
                        anxiety_or_irritability: v[9],
                        gooseflesh_skin: v[10],
                    }
                }
                _ => unreachable!("{self:?} is not on an entry"),
            }
        }

        pub fn entry_total(self, s: &mut SubstanceUse) -> &mut Option<u32> {
            match self {
                Instrument::CiwaAr => &mut s.ciwa_ar,
                Instrument::Cows => &mut s.cows,
                _ => unreachable!("{self:?} is not on an entry"),
            }
        }

        /// The entry a CIWA-Ar or COWS is put on: the first it measures, else one added
        /// (alcohol, or opioids; PAWSS, which predicts alcohol withdrawal, is then left out
        /// unless alcohol is listed).
        pub fn entry(self, i: &mut Intake) -> &mut SubstanceUse {
            if !i.substance_use.iter().flatten().any(|s| self.measures(s))
                && !i
                    .substance_use
                    .iter()
                    .flatten()
                    .any(|s| s.substance == Substance::Alcohol)
                && self == Instrument::Cows
            {
                i.withdrawal.pawss = None;
            }
            let list = i.substance_use.get_or_insert_with(Vec::new);
            let at = match list.iter().position(|s| self.measures(s)) {
                Some(at) => at,
                None => {
                    let substance = match self {
                        Instrument::CiwaAr => Substance::Alcohol,
                        _ => Substance::Opioids,
                    };
                    list.push(SubstanceUse::new(substance, 4));
                    list.len() - 1
                }
            };
            &mut list[at]
        }

        /// Its items in order (PHQ-9's ninth is `safety.phq9_item9`, when answered); CIWA-Ar
        /// and COWS on [`Self::entry`].
        pub fn items(self, i: &mut Intake) -> Vec<Option<u32>> {
            match self {
                Instrument::Phq9 => {
                    let p = &i.severity.phq9_items;
                    vec![
                        score(p.interest),
                        score(p.feeling_down),
                        score(p.sleep),
                        score(p.tiredness),
                        score(p.appetite),
                        score(p.self_worth),
                        score(p.concentration),
                        score(p.psychomotor),
                        item9(i),
                    ]
                }
                Instrument::Gad7 => {
                    let g = &i.severity.gad7_items;
                    vec![
                        score(g.nervous),
                        score(g.uncontrolled_worry),
                        score(g.excessive_worry),
                        score(g.trouble_relaxing),
                        score(g.restlessness),
                        score(g.irritability),
                        score(g.dread),
                    ]
                }
                _ => self.entry_items(self.entry(i)),
            }
        }

        /// Gives its items (on [`Self::entry`] for CIWA-Ar and COWS).
        pub fn set_items(self, i: &mut Intake, v: &[Option<u32>]) {
            match self {
                Instrument::Phq9 => {
                    i.severity.phq9_items = Phq9Items {
                        interest: frequency(v[0]),
                        feeling_down: frequency(v[1]),
                        sleep: frequency(v[2]),
                        tiredness: frequency(v[3]),
                        appetite: frequency(v[4]),
                        self_worth: frequency(v[5]),
                        concentration: frequency(v[6]),
                        psychomotor: frequency(v[7]),
                    };
                    // Item 9 kept as it is when this says nothing new (declined stays so).
                    if v[8] != item9(i) {
                        i.safety.phq9_item9 = frequency(v[8]).map(Assessed::Answer);
                    }
                }
                Instrument::Gad7 => {
                    i.severity.gad7_items = Gad7Items {
                        nervous: frequency(v[0]),
                        uncontrolled_worry: frequency(v[1]),
                        excessive_worry: frequency(v[2]),
                        trouble_relaxing: frequency(v[3]),
                        restlessness: frequency(v[4]),
                        irritability: frequency(v[5]),
                        dread: frequency(v[6]),
                    }
                }
                _ => self.set_entry_items(self.entry(i), v),
            }
        }

        /// Its total as given (on [`Self::entry`] for CIWA-Ar and COWS).
        pub fn total(self, i: &mut Intake) -> &mut Option<u32> {
            match self {
                Instrument::Phq9 => &mut i.severity.phq9,
                Instrument::Gad7 => &mut i.severity.gad7,
                _ => self.entry_total(self.entry(i)),
            }
        }
    }

    /// Makes one ordered answer (named as in [`ORDERED`]) worse by `by` steps (numbers) or
    /// one step (choices, yes/no); returns whether anything changed. The intake stays valid.
    pub fn worsen(i: &mut Intake, which: &str, by: u32) -> bool {
        use Substance as S;
        match which {
            "safety.suicidal_ideation" => worsen_ideation(&mut i.safety),
            "safety.suicidal_behavior" => worsen_behavior(&mut i.safety),
            "safety.self_injury" => bump_assessed(&mut i.safety.self_injury, RECENCY),
            // Item 9 of a PHQ-9 given item by item: a total given beside it rises as much. A
            // total given alone is bounded by item 9 (item 9 <= total <= item 9 + 24): it is
            // kept within (never below 20 where it was 20 or more, so no band is lost).
            "safety.phq9_item9" => {
                let before = item9(i);
                let worse = bump_assessed(&mut i.safety.phq9_item9, Frequency::ALL);
                let now = item9(i).unwrap_or(0);
                if worse && i.severity.phq9_items != Phq9Items::default() {
                    let rise = now - before.unwrap_or(0);
                    i.severity.phq9 = i.severity.phq9.map(|t| t + rise);
                } else if worse {
                    i.severity.phq9 = i.severity.phq9.map(|t| t.clamp(now, now + 24));
                }
                worse
            }
            "safety.lethal_means" => bump_assessed(&mut i.safety.lethal_means, LethalMeans::ALL),
            "safety.harm_to_others" => bump_assessed(
                &mut i.safety.harm_to_others,
                &[
                    HarmToOthers::None,
                    HarmToOthers::Ideation,
                    HarmToOthers::PlanOrIntent,
                ],
            ),
            // A target is named only where there are thoughts of harming someone.
            "safety.harm_target_identified" => {
                i.safety.harm_to_others != Some(Assessed::Answer(HarmToOthers::None))
                    && set_true_assessed(&mut i.safety.harm_target_identified)
            }
            "safety.psychosis" => bump_assessed(&mut i.safety.psychosis, Psychosis::ALL),
            "safety.unable_to_self_care" => set_true_assessed(&mut i.safety.unable_to_self_care),
            "withdrawal.seizure_or_dt_history" => {
                set_true_assessed(&mut i.withdrawal.seizure_or_dt_history)
            }
            // A seizure this episode is part of the lifetime history: that worsens too.
            "withdrawal.seizure_this_episode" => {
                let worse = set_true_assessed(&mut i.withdrawal.seizure_this_episode);
                if worse && i.withdrawal.seizure_or_dt_history == Some(Assessed::Answer(false)) {
                    i.withdrawal.seizure_or_dt_history = Some(Assessed::Answer(true));
                }
                worse
            }
            "withdrawal.hallucinations_this_episode" => {
                set_true_assessed(&mut i.withdrawal.hallucinations_this_episode)
            }
            "withdrawal.delirium_this_episode" => {
                set_true_assessed(&mut i.withdrawal.delirium_this_episode)
            }
            "withdrawal.intoxicated_now" => set_true_assessed(&mut i.withdrawal.intoxicated_now),
            "withdrawal.pawss" => bump_num(&mut i.withdrawal.pawss, max_of(which), by),
            // The scales are on the substance entries; the answer is the highest over them.
            "withdrawal.ciwa_ar" => bump_scale(
                i,
                |s| matches!(s.substance, S::Alcohol | S::Sedatives),
                Instrument::CiwaAr,
                max_of(which),
                by,
            ),
            "withdrawal.cows" => bump_scale(
                i,
                |s| s.substance == S::Opioids,
                Instrument::Cows,
                max_of(which),
                by,
            ),
            // The most severe disorder: more criteria on one entry (its severity, when also
            // given, kept in agreement), or a worse severity when only that is given.
            "substance_use.severity" => {
                let Some(s) = i.substance_use.as_mut().and_then(|l| l.first_mut()) else {
                    return false;
                };
                match (s.dsm5_criteria, s.severity) {
                    (Some(n), _) => {
                        let mut count = Some(n);
                        let changed = bump_num(&mut count, 11, by);
                        s.dsm5_criteria = count;
                        if s.severity.is_some() {
                            s.severity = count.map(SudSeverity::of_count);
                        }
                        // Criteria met this year end a sustained remission.
                        if count.is_some_and(|c| c >= 2) {
                            s.remission = s.remission.filter(|r| *r != Remission::Sustained);
                        }
                        changed
                    }
                    (None, _) => {
                        let changed = bump(&mut s.severity, SudSeverity::ALL);
                        // Criteria met this year end a sustained remission.
                        if s.severity.is_some_and(|v| v > SudSeverity::NoDisorder) {
                            s.remission = s.remission.filter(|r| *r != Remission::Sustained);
                        }
                        changed
                    }
                }
            }
            // A listed use disorder of the substance that is not in recent use: last used a
            // day ago (the hours since last use decide over the days of use and remission).
            "substance_use.alcohol_disorder" => make_recent(i, Some(S::Alcohol)),
            "substance_use.sedative_disorder" => make_recent(i, Some(S::Sedatives)),
            "substance_use.opioid_disorder" => make_recent(i, Some(S::Opioids)),
            "substance_use.use_recency" => make_recent(i, None),
            // A higher daily dose of a benzodiazepine whose diazepam equivalent is known.
            "substance_use.benzodiazepine_diazepam_mg" => {
                let Some(s) = i.substance_use.iter_mut().flatten().find(|s| {
                    s.substance == S::Sedatives
                        && s.daily_dose_mg.is_some()
                        && s.benzodiazepine.is_some_and(|b| b != Benzodiazepine::Other)
                }) else {
                    return false;
                };
                bump_num(&mut s.daily_dose_mg, 2000, by)
            }
            "medical.status" => bump_assessed(
                &mut i.medical.status,
                &[
                    MedicalStatus::Stable,
                    MedicalStatus::DailyMonitoring,
                    MedicalStatus::RoundTheClockCare,
                ],
            ),
            "medical.injection_use" => set_true_assessed(&mut i.medical.injection_use),
            "medical.overdose" => bump_assessed(
                &mut i.medical.overdose,
                &[Overdose::None, Overdose::Past12Months, Overdose::Past90Days],
            ),
            "medication.opioid_use_disorder_adherence" => {
                bump(&mut i.medication.opioid_use_disorder_adherence, ADHERENCE)
            }
            "medication.alcohol_use_disorder_adherence" => {
                bump(&mut i.medication.alcohol_use_disorder_adherence, ADHERENCE)
            }
            "medication.naloxone_on_hand" => set_false(&mut i.medication.naloxone_on_hand),
            "severity.phq9" => bump_total(i, Instrument::Phq9, max_of(which), by),
            "severity.gad7" => bump_total(i, Instrument::Gad7, max_of(which), by),
            "severity.clinician_rating" => bump(
                &mut i.severity.clinician_rating,
                &[
                    ClinicianRating::None,
                    ClinicianRating::Mild,
                    ClinicianRating::Moderate,
                    ClinicianRating::Severe,
                ],
            ),
            // The most severe entry of the condition one step worse, or a mild one listed.
            "severity.mania" => worsen_condition(i, ConditionKind::BipolarOrMania),
            "severity.eating_disorder" => worsen_condition(i, ConditionKind::EatingDisorder),
            "severity.catatonia" => add_condition(i, ConditionKind::Catatonia),
            "severity.acute_psychosis_listed" => add_condition(i, ConditionKind::PsychoticAcute),
            "severity.impairs_daily_activities" => {
                set_true(&mut i.severity.impairs_daily_activities)
            }
            "severity.days_impaired_past_30" => {
                bump_num(&mut i.severity.days_impaired_past_30, max_of(which), by)
            }
            "self_management" => bump(
                &mut i.self_management,
                &[
                    SelfManagement::Independent,
                    SelfManagement::WithDailyStructure,
                    SelfManagement::OnlyIn24HourSetting,
                ],
            ),
            "history.progress" => bump(
                &mut i.history.progress,
                &[
                    Progress::GoalsMet,
                    Progress::Progressing,
                    Progress::NotEnough,
                ],
            ),
            // One more episode that did not hold, a level above the highest so far.
            "history.highest_level_not_held" => {
                let next = match i.highest_level_not_held() {
                    None => Some(Level::Outpatient),
                    Some(l) => l.step_up(),
                };
                match (i.history.episodes.as_mut(), next) {
                    (Some(episodes), Some(level)) => {
                        episodes.push(Episode {
                            level: level.into(),
                            outcome: Outcome::DidNotHold,
                            months_ago: None,
                        });
                        true
                    }
                    _ => false,
                }
            }
            // Worse is more recent: every dated episode ended `by` times 6 months sooner (an
            // old failure moves into the 12-month window); with none dated and older than 0
            // months, one more episode that did not hold, a level above the highest recent
            // one, that ended this month.
            "history.recent_level_not_held" => {
                let Some(episodes) = i.history.episodes.as_mut() else {
                    return false;
                };
                let mut changed = false;
                for e in episodes.iter_mut() {
                    if let Some(m) = e.months_ago.filter(|m| *m > 0) {
                        e.months_ago = Some(m.saturating_sub(by * 6));
                        changed = true;
                    }
                }
                if changed {
                    return true;
                }
                let next = match i.recent_level_not_held() {
                    None => Some(Level::Outpatient),
                    Some(l) => l.step_up(),
                };
                match (i.history.episodes.as_mut(), next) {
                    (Some(episodes), Some(level)) => {
                        episodes.push(Episode {
                            level: level.into(),
                            outcome: Outcome::DidNotHold,
                            months_ago: Some(0),
                        });
                        true
                    }
                    _ => false,
                }
            }
            "history.relapse_after_abstinence" => set_true(&mut i.history.relapse_after_abstinence),
            "home.others_use_substances" => set_true(&mut i.home.others_use_substances),
            "home.violence_or_abuse" => set_true_assessed(&mut i.home.violence_or_abuse),
            "home.supportive" => set_false(&mut i.home.supportive),
            "home.housing" => bump(
                &mut i.home.housing,
                &[
                    Housing::Housed,
                    Housing::UnstablyHoused,
                    Housing::ShelteredHomeless,
                    Housing::Unsheltered,
                ],
            ),
            // Substance-free housing no longer arranged; a shelter keeps the housing safe.
            "home.substance_free_housing_arranged" => {
                let was = i
                    .home
                    .arranged_housing
                    .is_some_and(ArrangedHousing::is_substance_free);
                if was {
                    i.home.arranged_housing = Some(ArrangedHousing::Shelter);
                }
                was
            }
            // No housing arranged at all.
            "home.safe_housing_arranged" => {
                let was = !matches!(i.home.arranged_housing, None | Some(ArrangedHousing::None));
                if was {
                    i.home.arranged_housing = None;
                }
                was
            }
            other => panic!("unknown ordered answer {other}"),
        }
    }

    /// Makes the first listed use disorder of `substance` not in recent use a recent one.
    /// Lists a condition of `kind` (mild) where the list is asked and names none.
    fn add_condition(i: &mut Intake, kind: ConditionKind) -> bool {
        let Some(list) = i.severity.conditions.as_mut() else {
            return false;
        };
        if list.iter().any(|c| c.condition == kind) {
            return false;
        }
        list.push(Condition {
            condition: kind,
            severity: ConditionSeverity::Mild,
        });
        true
    }

    /// Makes the first use disorder of `substance` (of any substance for `None`) that is not
    /// recent, recent.
    fn make_recent(i: &mut Intake, substance: Option<Substance>) -> bool {
        let disorder = |s: &SubstanceUse| {
            s.sud_severity().is_none_or(|v| v > SudSeverity::NoDisorder)
                || s.remission.is_some()
                || s.on_maintenance_therapy
        };
        let recent = |s: &SubstanceUse| match (s.hours_since_last_use, s.days_used_past_30) {
            (Some(h), _) => h <= 336,
            (None, Some(d)) => d > 0,
            (None, None) => s.remission.is_none(),
        };
        let Some(s) = i
            .substance_use
            .iter_mut()
            .flatten()
            .find(|s| substance.is_none_or(|x| s.substance == x) && disorder(s) && !recent(s))
        else {
            return false;
        };
        s.hours_since_last_use = Some(24);
        true
    }

    const RECENCY: &[Recency] = &[Recency::Never, Recency::Lifetime, Recency::Past3Months];
    const ADHERENCE: &[Adherence] = &[
        Adherence::AsPrescribed,
        Adherence::MissingDoses,
        Adherence::Stopped,
    ];
}

/// Safety items in JSON: which answers take `"declined"` and `"unable_to_assess"`, and every
/// answer each one takes.
mod declinable {
    use carelevel::{AnswerKind, Intake, Worse};
    use serde_json::Value;
    use std::sync::OnceLock;

    /// The items that take `"declined"` (every [`carelevel::intake::Assessed`] field); a test
    /// holds [`all`] to this list.
    pub const EXPECTED: &[&str] = &[
        "safety.suicidal_ideation",
        "safety.suicidal_behavior",
        "safety.self_injury",
        "safety.phq9_item9",
        "safety.lethal_means",
        "safety.harm_to_others",
        "safety.harm_target_identified",
        "safety.psychosis",
        "safety.unable_to_self_care",
        "withdrawal.seizure_or_dt_history",
        "withdrawal.seizure_this_episode",
        "withdrawal.hallucinations_this_episode",
        "withdrawal.delirium_this_episode",
        "withdrawal.intoxicated_now",
        "medical.status",
        "medical.pregnancy",
        "medical.injection_use",
        "medical.overdose",
        "home.violence_or_abuse",
    ];

    /// Sets the item at a dotted `path` of an intake's JSON (making its groups as needed);
    /// `false` when the path crosses something that is not a group.
    pub fn set(json: &mut Value, path: &str, value: Value) -> bool {
        let mut at = json;
        let mut keys = path.split('.').peekable();
        while let Some(key) = keys.next() {
            let Some(object) = at.as_object_mut() else {
                return false;
            };
            if keys.peek().is_none() {
                object.insert(key.to_owned(), value);
                return true;
            }
            at = object
                .entry(key.to_owned())
                .or_insert_with(|| Value::Object(Default::default()));
        }
        false
    }

    /// Every answer the rules may read that takes `"declined"` in JSON (found by trying it on
    /// every one), with each of its answers, least severe first.
    pub fn all() -> &'static [(&'static str, Vec<Value>)] {
        static ALL: OnceLock<Vec<(&'static str, Vec<Value>)>> = OnceLock::new();
        ALL.get_or_init(|| {
            let base: Value =
                serde_json::from_str(&Intake::minimal_adult().to_json().unwrap()).unwrap();
            carelevel::answers()
                .filter(|a| {
                    let mut json = base.clone();
                    set(&mut json, a.name, Value::from("declined"))
                        && Intake::from_json(&json.to_string()).is_ok()
                })
                .map(|a| {
                    let mut answers: Vec<Value> = match a.kind {
                        AnswerKind::Bool => vec![false.into(), true.into()],
                        AnswerKind::Choice(ids) => ids.iter().map(|id| Value::from(*id)).collect(),
                        AnswerKind::Number { min, max } => vec![min.into(), max.into()],
                        other => panic!("{}: an answer of an unknown kind {other:?}", a.name),
                    };
                    if a.worse == Worse::Lower {
                        answers.reverse();
                    }
                    (a.name, answers)
                })
                .collect()
        })
    }
}

#[cfg(feature = "proptest")]
proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// Making any ordered answer worse never lowers the level. For a safety item, "worse" is
    /// a worse answer: declining or being unable to assess is not ordered against answers
    /// (the next property is about those).
    #[test]
    fn a_worse_answer_never_lowers_the_level(i in intake(), by in 1u32..12) {
        let pack = RulePack::builtin();
        let before = pack.assess(&i).expect("generated intakes are valid").level();
        for name in worse::ORDERED {
            let mut worse = i.clone();
            if worse::worsen(&mut worse, name, by) {
                let after = pack.assess(&worse).expect("still valid").level();
                prop_assert!(after >= before, "worsening {name} lowered {before} to {after}");
            }
        }
    }

    /// A safety item declined or unable to be assessed is never read as "none": the level, or
    /// the floor of a rule reported waiting for the item, is never lower than with the item's
    /// least severe answer, and every rule that fires with
    /// some answer to the item either fires without one too or is reported not evaluated,
    /// naming the item as missing. So whatever level an answer could have given, the report
    /// either reaches it or says which rule is waiting for the item.
    #[test]
    fn a_declined_safety_item_is_never_read_as_none(i in intake(), unable in any::<bool>()) {
        let pack = RulePack::builtin();
        let base: serde_json::Value = serde_json::from_str(&i.to_json().unwrap()).unwrap();
        let not_obtained = if unable { "unable_to_assess" } else { "declined" };
        let with = |item: &str, value: &serde_json::Value| {
            let mut json = base.clone();
            assert!(declinable::set(&mut json, item, value.clone()));
            Intake::from_json(&json.to_string()).unwrap()
        };
        for (item, answers) in declinable::all().iter().map(|(n, a)| (*n, a)) {
            let r = pack
                .report(&with(item, &not_obtained.into()))
                .expect("an item not obtained is not a missing one");
            // The answers that carry the item: itself, and an answer other items bear on (a
            // seizure this episode makes the lifetime history true; item 9 of a PHQ-9 given
            // item by item completes its total).
            let carriers: &[&str] = match item {
                "withdrawal.seizure_this_episode" => {
                    &["withdrawal.seizure_this_episode", "withdrawal.seizure_or_dt_history"]
                }
                "safety.phq9_item9" => &["safety.phq9_item9", "severity.phq9"],
                _ => &[item],
            };
            let waiting: Vec<&str> = r
                .not_evaluated
                .iter()
                .filter(|n| n.missing.iter().any(|m| carriers.contains(&m.as_str())))
                .map(|n| n.id.as_str())
                .collect();
            let mut completed = false;
            for (k, answer) in answers.iter().enumerate() {
                let answered = with(item, answer);
                // An answer that contradicts another item (a target named with no thoughts of
                // harm, no seizure history beside a seizure this episode) is no completion.
                // Where the least severe answer is one, "read as none" cannot happen, and
                // only the rules are compared.
                let Ok(rec) = pack.assess(&answered) else {
                    continue;
                };
                completed = true;
                // The level with the item not obtained, or the floor a rule waiting for it
                // could set, reaches the least severe answer's level: the result is never
                // the one "none" would give while nothing says an answer is awaited.
                if k == 0 {
                    let could_reach = r
                        .not_evaluated
                        .iter()
                        .filter(|n| waiting.contains(&n.id.as_str()))
                        .filter_map(|n| n.floor)
                        .fold(r.level_at_least, std::cmp::max);
                    prop_assert!(
                        could_reach >= rec.level(),
                        "{item} {not_obtained} gives {} (at most {could_reach} with the rules \
                         waiting for it), below {} for {answer}",
                        r.level_at_least, rec.level()
                    );
                }
                for rule in rec.fired_rules() {
                    let id = rule.id();
                    prop_assert!(
                        r.fired.iter().any(|f| f.id == id) || waiting.contains(&id),
                        "{id} fires when {item} is {answer}, but with {item} {not_obtained} \
                         it neither fires nor is reported waiting for {item}"
                    );
                }
            }
            prop_assert!(completed, "{item}: no answer completes the intake");
        }
    }

    /// No noise: a withdrawal scale is never "not evaluated" (nor asked next) for a person
    /// who does not use the substance it measures. An intake listing no alcohol or sedative
    /// use never lists CIWA-Ar; one listing no opioid use never lists COWS (the clinical
    /// review's T18: every "not evaluated" line is one a clinician should act on).
    #[test]
    fn a_withdrawal_scale_is_never_missing_for_a_substance_not_used(i in intake()) {
        use carelevel::intake::Substance;
        // Only an intake whose substance list was asked says which substances are not used.
        let Some(list) = i.substance_use.as_ref() else { return Ok(()); };
        let uses = |which: &[Substance]| list.iter().any(|s| which.contains(&s.substance));
        let r = RulePack::builtin().report(&i).unwrap();
        let listed: Vec<&str> = r
            .not_evaluated
            .iter()
            .flat_map(|n| n.missing.iter().map(String::as_str))
            .chain(r.ask_next.iter().map(|a| a.answer.as_str()))
            .collect();
        if !uses(&[Substance::Alcohol, Substance::Sedatives]) {
            prop_assert!(
                !listed.iter().any(|m| m.contains("ciwa_ar")),
                "CIWA-Ar listed for a person using no alcohol or sedatives: {listed:?}"
            );
        }
        if !uses(&[Substance::Opioids]) {
            prop_assert!(
                !listed.iter().any(|m| m.contains("cows")),
                "COWS listed for a person using no opioids: {listed:?}"
            );
        }
    }

    /// The same intake always gives the same result, down to the JSON bytes, and a pack
    /// loaded twice gives the same digest.
    #[test]
    fn same_input_same_output(i in intake()) {
        let a = RulePack::builtin();
        let b = RulePack::builtin();
        prop_assert_eq!(&a.meta().digest, &b.meta().digest);
        let ra = a.report(&i).unwrap();
        let rb = b.report(&i).unwrap();
        prop_assert_eq!(serde_json::to_string(&ra).unwrap(), serde_json::to_string(&rb).unwrap());
        // And through JSON: the intake survives the round trip and gives the same report.
        let back = Intake::from_json(&i.to_json().unwrap()).unwrap();
        prop_assert_eq!(&back, &i);
        prop_assert_eq!(a.report(&back).unwrap(), ra);
    }

    /// Every recommendation names at least one rule that set its level, and every less
    /// intensive level names at least one rule that rules it out.
    #[test]
    fn every_recommendation_names_its_rules(i in intake()) {
        let r = RulePack::builtin().report(&i).unwrap();
        // `level` is there exactly when the result is final, and is then both bounds; a
        // provisional result's bounds are ordered.
        match r.status {
            Status::Final => {
                prop_assert_eq!(r.level, Some(r.level_at_least));
                prop_assert_eq!(r.level_at_most, r.level_at_least);
            }
            Status::Provisional => {
                prop_assert_eq!(r.level, None);
                prop_assert!(r.level_at_most >= r.level_at_least);
            }
        }
        prop_assert!(!r.binding_rules.is_empty());
        for b in &r.binding_rules {
            let fired = r.fired.iter().find(|f| &f.id == b).expect("binding rules fired");
            prop_assert_eq!(fired.floor, Some(r.level_at_least));
        }
        prop_assert_eq!(r.ruled_out.len(), r.level_at_least.rank());
        for ro in &r.ruled_out {
            prop_assert!(!ro.by.is_empty());
        }
        // The plan meets the level's minimum weekly hours.
        prop_assert!(r.plan.schedule.weekly_hours >= r.plan.schedule.minimum_weekly_hours);
        // Every recommendation names a setting of its own level, chosen by a named rule (a
        // 24-hour one always: never the fallback) or by the level's programme, and every
        // capability names the fired rules that need it.
        let s = &r.plan.setting;
        prop_assert_eq!(s.setting.level(), r.plan.level);
        prop_assert!(!s.chosen_by.is_empty());
        for by in &s.chosen_by {
            prop_assert!(
                by.starts_with("programme.") || r.fired.iter().any(|f| &f.id == by),
                "setting chosen by {by}, which did not fire"
            );
        }
        if r.plan.level == carelevel::Level::Inpatient {
            prop_assert!(!s.chosen_by.iter().any(|b| b.starts_with("programme.")));
        }
        for c in &r.plan.capabilities {
            prop_assert!(!c.needed_by.is_empty());
        }
        // A safety floor is urgent.
        let safety_floor = r.fired.iter().any(|f| f.urgency > carelevel::Urgency::Routine);
        prop_assert_eq!(safety_floor, r.urgent);
        let tier = r.fired.iter().map(|f| f.urgency).max().unwrap_or_default();
        prop_assert_eq!(tier, r.urgency);
    }

    /// Arranging housing never raises the level, and the reported conditional level is
    /// honest: arranging exactly the condition it names gives exactly that level (sober
    /// living, when no housing was arranged, also makes the housing safe: then at most that
    /// level); with none reported, arranging one condition changes nothing.
    #[test]
    fn housing_conditional_is_honest(i in intake()) {
        use ArrangedHousing as A;
        let pack = RulePack::builtin();
        let r = pack.report(&i).unwrap();
        let level_with = |a: A| {
            let mut arranged = i.clone();
            arranged.home.arranged_housing = Some(a);
            pack.assess(&arranged).unwrap().level()
        };
        let safe = !matches!(i.home.arranged_housing, None | Some(A::None));
        let substance_free = i.home.arranged_housing.is_some_and(A::is_substance_free);
        // Arranging more never raises the level: any housing when none is arranged,
        // substance-free housing in place of a shelter.
        if !safe {
            for a in [A::SoberLiving, A::TransitionalHousing, A::Shelter] {
                prop_assert!(level_with(a) <= r.level_at_least, "arranging {a:?}");
            }
        } else if !substance_free {
            prop_assert!(level_with(A::SoberLiving) <= r.level_at_least);
        }
        prop_assert!(r.conditional.len() <= 1);
        match r.conditional.first() {
            Some(c) => {
                prop_assert!(c.level < r.level_at_least);
                match c.answer.as_str() {
                    "home.safe_housing_arranged" => {
                        // A shelter makes the housing safe, not substance-free.
                        prop_assert!(!safe);
                        prop_assert_eq!(level_with(A::Shelter), c.level);
                    }
                    "home.substance_free_housing_arranged" => {
                        prop_assert!(!substance_free);
                        if safe {
                            prop_assert_eq!(level_with(A::SoberLiving), c.level);
                        } else {
                            prop_assert!(level_with(A::SoberLiving) <= c.level);
                        }
                    }
                    other => prop_assert!(false, "a conditional on {other}"),
                }
            }
            None => {
                if !safe {
                    prop_assert_eq!(level_with(A::Shelter), r.level_at_least);
                } else if !substance_free {
                    prop_assert_eq!(level_with(A::SoberLiving), r.level_at_least);
                }
            }
        }
    }

    /// JSON in, JSON out writes the report without building it: the bytes must be exactly
    /// those of the owned `Report` serialised by serde_json (the contract).
    #[test]
    fn assess_json_writes_exactly_the_serialised_report(i in intake()) {
        let pack = RulePack::builtin();
        let json = i.to_json().unwrap();
        let expected = serde_json::to_string(&pack.report(&i).unwrap()).unwrap();
        prop_assert_eq!(pack.assess_json(&json).unwrap(), expected);
    }
}

/// Instruments given item by item, against their totals given instead.
#[cfg(feature = "proptest")]
mod scoring {
    use super::worse::Instrument;
    use carelevel::intake::*;
    use carelevel::{Level, Report, RulePack};
    use proptest::prelude::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// An instrument and a score for each of its items, from its item's scale: mostly 0 to
    /// mostly above, by a weight drawn first, so that totals reach every band of every rule.
    pub fn complete_items() -> impl Strategy<Value = (Instrument, Vec<u32>)> {
        (
            prop::sample::select(Instrument::ALL.to_vec()),
            prop::sample::select(vec![10u32, 35, 65, 95]),
        )
            .prop_flat_map(|(which, above)| {
                let items: Vec<BoxedStrategy<u32>> = which
                    .scales()
                    .into_iter()
                    .map(|scale| {
                        prop::strategy::Union::new_weighted(vec![
                            (100 - above, Just(0).boxed()),
                            (above, prop::sample::select(scale.to_vec()).boxed()),
                        ])
                        .boxed()
                    })
                    .collect();
                (Just(which), items)
            })
    }

    /// A C-SSRS screener with every question its skip logic asks answered yes or no, and no
    /// other: items 3-5 after a yes to item 2, item 6's follow-up after a yes to item 6.
    pub fn answered_screener() -> impl Strategy<Value = CssrsScreener> {
        prop::collection::vec(prop::bool::weighted(0.3), 7).prop_map(|a| {
            let answer = |b: bool| Some(Assessed::Answer(b));
            let after = |asked: bool, b: bool| if asked { answer(b) } else { None };
            CssrsScreener {
                wish_to_be_dead: answer(a[0]),
                nonspecific_thoughts: answer(a[1]),
                method: after(a[1], a[2]),
                intent: after(a[1], a[3]),
                plan: after(a[1], a[4]),
                behavior: answer(a[5]),
                behavior_past_3_months: after(a[5], a[6]),
            }
        })
    }

    /// The C-SSRS screener's triage of what it scores: high for intent, a plan or behaviour
    /// in the past 3 months; moderate for a method, or behaviour earlier in life; low for a
    /// wish to be dead or non-specific thoughts; else none.
    pub fn triage(ideation: SuicidalIdeation, behavior: Recency) -> &'static str {
        use SuicidalIdeation as S;
        match (ideation, behavior) {
            (S::IntentWithoutPlan | S::PlanWithIntent, _) | (_, Recency::Past3Months) => "high",
            (S::MethodWithoutIntent, _) | (_, Recency::Lifetime) => "moderate",
            (S::WishToBeDead | S::NonspecificActiveThoughts, _) => "low",
            (S::None, Recency::Never) => "none",
        }
    }

    /// The item paths the report names, in order (CIWA-Ar's and COWS's within entry
    /// `index`).
    pub fn item_paths(which: Instrument, index: usize) -> Vec<String> {
        let (prefix, names): (String, &[&str]) = match which {
            Instrument::Phq9 => (
                "severity.phq9_items.".into(),
                &[
                    "interest",
                    "feeling_down",
                    "sleep",
                    "tiredness",
                    "appetite",
                    "self_worth",
                    "concentration",
                    "psychomotor",
                ],
            ),
            Instrument::Gad7 => (
                "severity.gad7_items.".into(),
                &[
                    "nervous",
                    "uncontrolled_worry",
                    "excessive_worry",
                    "trouble_relaxing",
                    "restlessness",
                    "irritability",
                    "dread",
                ],
            ),
            Instrument::CiwaAr => (
                format!("substance_use[{index}].ciwa_ar_items."),
                &[
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
                ],
            ),
            Instrument::Cows => (
                format!("substance_use[{index}].cows_items."),
                &[
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
                ],
            ),
        };
        let mut paths: Vec<String> = names.iter().map(|n| format!("{prefix}{n}")).collect();
        if which == Instrument::Phq9 {
            paths.push("safety.phq9_item9".into());
        }
        paths
    }

    /// Where the report puts the instrument's total: its item, or its entry's.
    pub fn field(which: Instrument, i: &Intake) -> String {
        match which {
            Instrument::Phq9 | Instrument::Gad7 => which.answer().into(),
            _ => {
                let index = entry_index(which, i);
                format!("substance_use[{index}].{}", which.name())
            }
        }
    }

    /// The index of the entry [`Instrument::entry`] puts a CIWA-Ar or COWS on.
    pub fn entry_index(which: Instrument, i: &Intake) -> usize {
        i.substance_use
            .iter()
            .flatten()
            .position(|s| which.measures(s))
            .expect("an entry it measures")
    }

    /// `i` with `which` given item by item (`items`; `None` for one left out) and no total:
    /// CIWA-Ar and COWS on the first entry they measure, one added if there is none.
    pub fn by_items(i: &Intake, which: Instrument, items: &[Option<u32>]) -> Intake {
        let mut i = i.clone();
        which.set_items(&mut i, items);
        *which.total(&mut i) = None;
        i
    }

    /// `i` with `which`'s total given as `total` and no items (PHQ-9's item 9, a safety item
    /// of its own, answered `item9`).
    pub fn by_total(i: &Intake, which: Instrument, total: u32, item9: Option<u32>) -> Intake {
        let mut i = i.clone();
        let mut none = vec![None; which.scales().len()];
        if which == Instrument::Phq9 {
            none[8] = item9;
        }
        which.set_items(&mut i, &none);
        *which.total(&mut i) = Some(total);
        i
    }

    pub fn some(items: &[u32]) -> Vec<Option<u32>> {
        items.iter().copied().map(Some).collect()
    }

    /// The report with its `scores` left out (how each instrument was given).
    pub fn without_scores(mut r: Report) -> Report {
        r.scores.clear();
        r
    }

    /// What became of a rule.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Outcome {
        Fired,
        NotEvaluated(Vec<String>),
        NotFired,
    }

    /// What became of every rule of the built-in pack.
    pub fn outcomes(r: &Report) -> BTreeMap<String, Outcome> {
        RulePack::builtin()
            .rules()
            .map(|rule| {
                let id = rule.id();
                let outcome = if r.fired.iter().any(|f| f.id == id) {
                    Outcome::Fired
                } else if let Some(n) = r.not_evaluated.iter().find(|n| n.id == id) {
                    Outcome::NotEvaluated(n.missing.clone())
                } else {
                    Outcome::NotFired
                };
                (id.to_owned(), outcome)
            })
            .collect()
    }

    /// The built-in rules that ask whether `answer` is given (`answered = given`), from their
    /// TOML: with `false`, an unanswered total is what they look for; with `true`, they are
    /// decided only once it is given.
    pub fn ask_whether_answered(answer: &str, given: bool) -> BTreeSet<String> {
        fn asks(v: &toml::Value, answer: &str, given: bool) -> bool {
            match v {
                toml::Value::Table(t) => {
                    (t.get("answer").and_then(toml::Value::as_str) == Some(answer)
                        && t.get("answered").and_then(toml::Value::as_bool) == Some(given))
                        || t.values().any(|x| asks(x, answer, given))
                }
                toml::Value::Array(a) => a.iter().any(|x| asks(x, answer, given)),
                _ => false,
            }
        }
        let mut ids = BTreeSet::new();
        for (_, text) in carelevel::BUILTIN_SOURCES {
            let file: toml::Table = toml::from_str(text).unwrap();
            for rule in file
                .get("rule")
                .and_then(toml::Value::as_array)
                .into_iter()
                .flatten()
            {
                if rule.get("when").is_some_and(|w| asks(w, answer, given)) {
                    ids.insert(rule["id"].as_str().unwrap().to_owned());
                }
            }
        }
        ids
    }

    pub fn level(i: &Intake) -> Level {
        RulePack::builtin().assess(i).expect("valid").level()
    }
}

#[cfg(feature = "proptest")]
proptest! {
    // Each case assesses an intake up to a dozen times: fewer cases than above.
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// A complete instrument given item by item places exactly as its total given instead:
    /// the same report but for how `scores` says it was given (PHQ-9, GAD-7, CIWA-Ar, COWS).
    #[test]
    fn a_complete_instrument_places_as_its_total_given_instead(
        i in intake(),
        (which, items) in scoring::complete_items(),
    ) {
        use scoring::*;
        let pack = RulePack::builtin();
        let total: u32 = items.iter().sum();
        let by_items = by_items(&i, which, &some(&items));
        let by_total = by_total(&i, which, total, items.get(8).copied());
        let (a, b) = (pack.report(&by_items).unwrap(), pack.report(&by_total).unwrap());
        let at = field(which, &by_items);
        let line = a.scores.iter().find(|l| l.field == at).expect("scored");
        prop_assert_eq!(
            (line.instrument.as_str(), line.total, line.from.as_str(), line.missing_items.len()),
            (which.name(), Some(total), "items", 0)
        );
        let line = b.scores.iter().find(|l| l.field == at).expect("given");
        prop_assert_eq!((line.total, line.from.as_str()), (Some(total), "given"));
        prop_assert_eq!(without_scores(a), without_scores(b));
    }

    /// The C-SSRS screener places exactly as the two suicide items it scores, whether it
    /// stands in for them or is given beside them; the report gives its triage.
    #[test]
    fn the_screener_places_as_the_two_answers_it_scores(
        i in intake(),
        c in scoring::answered_screener(),
    ) {
        use scoring::*;
        let pack = RulePack::builtin();
        let (ideation, behavior) = worse::screened(&c).expect("every question asked is answered");
        let mut direct = i.clone();
        direct.safety.cssrs = CssrsScreener::default();
        direct.safety.suicidal_ideation = Some(Assessed::Answer(ideation));
        direct.safety.suicidal_behavior = Some(Assessed::Answer(behavior));
        let mut instead = i.clone();
        instead.safety.cssrs = c;
        instead.safety.suicidal_ideation = None;
        instead.safety.suicidal_behavior = None;
        let mut beside = direct.clone();
        beside.safety.cssrs = c;
        let expected = without_scores(pack.report(&direct).unwrap());
        for screened in [&instead, &beside] {
            let r = pack.report(screened).unwrap();
            let line = r.scores.iter().find(|l| l.instrument == "cssrs").expect("the screener");
            prop_assert_eq!(line.field.as_str(), "safety.cssrs");
            prop_assert_eq!(line.risk.as_deref(), Some(triage(ideation, behavior)));
            prop_assert!(line.missing_items.is_empty(), "{:?}", line);
            prop_assert_eq!(&without_scores(r), &expected);
        }
    }

    /// Raising one item of a complete instrument by one score of its scale (and a total
    /// given beside the items by as much) never lowers the level.
    #[test]
    fn raising_one_item_never_lowers_the_level(
        i in intake(),
        (which, items) in scoring::complete_items(),
        with_total in any::<bool>(),
    ) {
        use scoring::*;
        let give = |items: &[u32]| {
            let mut j = by_items(&i, which, &some(items));
            if with_total {
                *which.total(&mut j) = Some(items.iter().sum());
            }
            j
        };
        let before = level(&give(&items));
        for (k, scale) in which.scales().into_iter().enumerate() {
            let Some(higher) = scale.iter().copied().find(|s| *s > items[k]) else {
                continue;
            };
            let mut raised = items.clone();
            raised[k] = higher;
            let after = level(&give(&raised));
            prop_assert!(after >= before, "{which:?} item {k} to {higher}: {before} to {after}");
        }
    }

    /// Removing one item from a complete instrument given with no total leaves a partial
    /// instrument, which is no total: the level never rises; every rule ends as before, or
    /// is not evaluated naming the total (or item 9, a safety item of its own, for PHQ-9's
    /// last), or asks whether the total is missing and now fires, or is decided only once the
    /// total is given and now does not fire; and the report names the item missing.
    #[test]
    fn removing_an_item_never_raises_the_level_and_leaves_the_total_unanswered(
        i in intake(),
        (which, items) in scoring::complete_items(),
    ) {
        use scoring::*;
        let pack = RulePack::builtin();
        let complete = by_items(&i, which, &some(&items));
        let before = pack.report(&complete).unwrap();
        let was = outcomes(&before);
        let asks_missing = ask_whether_answered(which.answer(), false);
        let asks_given = ask_whether_answered(which.answer(), true);
        let at = field(which, &complete);
        let index = if matches!(which, Instrument::CiwaAr | Instrument::Cows) {
            entry_index(which, &complete)
        } else {
            0
        };
        let paths = item_paths(which, index);
        for k in 0..items.len() {
            let mut partial = some(&items);
            partial[k] = None;
            let mut j = complete.clone();
            which.set_items(&mut j, &partial);
            let after = pack.report(&j).expect("a partial instrument with no total is valid");
            prop_assert!(after.level_at_least <= before.level_at_least, "{which:?} without item {k}: {} to {}", before.level_at_least, after.level_at_least);
            let line = after.scores.iter().find(|l| l.field == at).expect("scored");
            prop_assert_eq!(line.total, None);
            prop_assert_eq!(&line.missing_items, &vec![paths[k].clone()]);
            let item9 = which == Instrument::Phq9 && k == 8;
            for (id, now) in outcomes(&after) {
                let then = &was[&id];
                let unevaluated = matches!(&now, Outcome::NotEvaluated(missing)
                    if missing.iter().any(|m| m == which.answer() || (item9 && m == "safety.phq9_item9")));
                let asked = (asks_missing.contains(&id) && now == Outcome::Fired)
                    || (asks_given.contains(&id) && now == Outcome::NotFired);
                prop_assert!(
                    &now == then || unevaluated || asked,
                    "{which:?} without item {k}: {id} was {then:?}, now {now:?}"
                );
            }
        }
    }

    /// The same intake, its instruments given item by item (one of them partial) and the
    /// screener standing in for the suicide items, gives the same bytes every time: through
    /// two packs, through JSON, and written without building the report.
    #[test]
    fn same_input_same_bytes_with_items(
        i in intake(),
        (which, items) in scoring::complete_items(),
        c in scoring::answered_screener(),
        left_out in any::<prop::sample::Index>(),
    ) {
        use scoring::*;
        let mut partial = some(&items);
        partial[left_out.index(items.len())] = None;
        // The others complete, at the middle of each item's scale; then `which`.
        let mut j = i.clone();
        for other in Instrument::ALL.into_iter().filter(|o| *o != which) {
            let middle: Vec<Option<u32>> =
                other.scales().iter().map(|s| Some(s[s.len() / 2])).collect();
            j = by_items(&j, other, &middle);
        }
        let mut j = by_items(&j, which, &partial);
        j.safety.cssrs = c;
        j.safety.suicidal_ideation = None;
        j.safety.suicidal_behavior = None;
        let (a, b) = (RulePack::builtin(), RulePack::builtin());
        let ra = serde_json::to_string(&a.report(&j).unwrap()).unwrap();
        prop_assert_eq!(&ra, &serde_json::to_string(&b.report(&j).unwrap()).unwrap());
        let json = j.to_json().unwrap();
        let back = Intake::from_json(&json).unwrap();
        prop_assert_eq!(&back, &j);
        prop_assert_eq!(&serde_json::to_string(&a.report(&back).unwrap()).unwrap(), &ra);
        prop_assert_eq!(&a.assess_json(&json).unwrap(), &ra);
    }

    /// PHQ-9 item 9 answered above `not_at_all` beside suicidal ideation of `none` (answered,
    /// or scored by the screener) is a caution to reconcile, and nothing else raises that
    /// caution. (A screener this test does not score, with no answered item beside it, is left
    /// out; the screener's own caution, a rung declined above a yes, is another property's.)
    #[test]
    fn item_9_positive_without_ideation_is_a_caution(i in intake()) {
        let r = RulePack::builtin().report(&i).unwrap();
        let item9 = match i.safety.phq9_item9 {
            Some(Assessed::Answer(f)) => f > Frequency::NotAtAll,
            _ => false,
        };
        // Ideation as the rules read it: the item when answered, else the screener's answer
        // (a declined item gives way to it), else none to read.
        let no_screener = i.safety.cssrs == CssrsScreener::default();
        let ideation = match (i.safety.suicidal_ideation, worse::screened(&i.safety.cssrs)) {
            (Some(Assessed::Answer(a)), _) | (_, Some((a, _))) => Some(Some(a)),
            _ if no_screener => Some(None),
            _ => None,
        };
        let flagged: Vec<&str> = r
            .cautions
            .iter()
            .map(|c| c.code.as_str())
            .filter(|c| *c == "phq9_item9_positive_without_suicidal_ideation")
            .collect();
        // A screener this test does not score (one with an answer not obtained) is left out.
        if let Some(ideation) = ideation {
            let expected = item9 && ideation == Some(SuicidalIdeation::None);
            let codes: &[&str] = if expected {
                &["phq9_item9_positive_without_suicidal_ideation"]
            } else {
                &[]
            };
            prop_assert_eq!(flagged, codes);
        }
    }
}

/// A rule's outcome for a total that a partial instrument leaves open: it fires, or it is
/// reported not evaluated naming the total; never quietly false.
fn fires_or_waits_for(r: &carelevel::Report, rule: &str, total: &str) -> bool {
    r.fired.iter().any(|f| f.id == rule)
        || r.not_evaluated
            .iter()
            .any(|n| n.id == rule && n.missing.iter().any(|m| m == total))
}

/// A partial PHQ-9 is no total, and a rule that reads it among other scores (`any_given`)
/// is not decided by the others alone: here the eight items answered already sum to 24, past
/// the severe band (20), and GAD-7 is mild.
#[test]
fn a_partial_phq9_is_not_passed_over_for_the_other_scores() {
    use carelevel::intake::{Frequency, Phq9Items};
    let f = Some(Frequency::NearlyEveryDay);
    let mut i = Intake::builder().gad7(3).build();
    i.severity.phq9_items = Phq9Items {
        interest: f,
        feeling_down: f,
        sleep: f,
        tiredness: f,
        appetite: f,
        self_worth: f,
        concentration: f,
        psychomotor: f,
    };
    let r = RulePack::builtin().report(&i).unwrap();
    let phq9 = r.scores.iter().find(|s| s.instrument == "phq9").unwrap();
    assert_eq!(phq9.total, None);
    assert_eq!(phq9.missing_items, ["safety.phq9_item9"]);
    for rule in ["severity.mental.severe", "severity.mental.moderate"] {
        assert!(
            fires_or_waits_for(&r, rule, "severity.phq9"),
            "{rule} neither fires nor waits for `severity.phq9`: {:#?}",
            (&r.fired, &r.not_evaluated)
        );
    }
}

/// A partial CIWA-Ar on one entry is no total, and another entry's lower score is not read
/// in its place: here alcohol's items answered already sum to 27 (severe, 19 or more) and
/// sedatives' CIWA-Ar is 5.
#[test]
fn a_partial_ciwa_ar_is_not_passed_over_for_another_entry_s_score() {
    use carelevel::intake::{CiwaArItems, Substance, SubstanceUse};
    let mut alcohol = SubstanceUse::new(Substance::Alcohol, 6);
    alcohol.ciwa_ar_items = CiwaArItems {
        nausea_vomiting: Some(7),
        tremor: Some(7),
        paroxysmal_sweats: Some(7),
        anxiety: Some(6),
        ..CiwaArItems::default()
    };
    let mut sedatives = SubstanceUse::new(Substance::Sedatives, 2);
    sedatives.ciwa_ar = Some(5);
    let mut i = Intake::minimal_adult();
    i.substance_use = Some(vec![alcohol, sedatives]);
    let r = RulePack::builtin().report(&i).unwrap();
    assert!(
        !r.fired.iter().any(|f| f.id == "withdrawal.alcohol.mild"),
        "the sedatives' 5 read as the highest CIWA-Ar: {:#?}",
        r.fired
    );
    assert!(
        fires_or_waits_for(&r, "withdrawal.alcohol.severe", "withdrawal.ciwa_ar"),
        "{:#?}",
        (&r.fired, &r.not_evaluated)
    );
}

/// The test's own statement of COWS's scales is the library's: every score of an item's
/// scale is accepted, every other in its range refused as a conflict naming the item.
#[test]
fn the_cows_scales_are_the_library_s() {
    use carelevel::ProblemKind;
    use carelevel::intake::Substance;
    use worse::{COWS_SCALES, Instrument};
    let names: Vec<String> = scoring_paths_cows();
    for (k, scale) in COWS_SCALES.iter().enumerate() {
        for value in 0..=*scale.last().unwrap() {
            let mut i = Intake::minimal_adult();
            let mut items = vec![None; 11];
            items[k] = Some(value);
            let mut entry = carelevel::intake::SubstanceUse::new(Substance::Opioids, 4);
            Instrument::Cows.set_entry_items(&mut entry, &items);
            i.substance_use = Some(vec![entry]);
            let result = RulePack::builtin().assess(&i).map(|_| ());
            if scale.contains(&value) {
                assert_eq!(result, Ok(()), "{} = {value}", names[k]);
            } else {
                let err = result.unwrap_err();
                let problems: Vec<(&str, bool)> = err
                    .problems()
                    .iter()
                    .map(|p| {
                        (
                            p.field.as_str(),
                            matches!(p.kind, ProblemKind::Conflict { .. }),
                        )
                    })
                    .collect();
                assert_eq!(
                    problems,
                    [(names[k].as_str(), true)],
                    "{} = {value}",
                    names[k]
                );
            }
        }
    }
}

/// `substance_use[0].cows_items.<item>` for each COWS item, in order.
fn scoring_paths_cows() -> Vec<String> {
    [
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
    ]
    .iter()
    .map(|n| format!("substance_use[0].cows_items.{n}"))
    .collect()
}

/// [`worse::ORDERED`] is every ordered answer a rule may read.
#[test]
fn every_ordered_answer_can_be_worsened() {
    let mut ordered: Vec<&str> = carelevel::answers()
        .filter(|a| a.worse != carelevel::Worse::Unordered)
        .map(|a| a.name)
        .collect();
    ordered.sort_unstable();
    let mut listed = worse::ORDERED.to_vec();
    listed.sort_unstable();
    assert_eq!(listed, ordered);
}

/// The safety items found to take `"declined"` are exactly the expected ones, and each also
/// takes `"unable_to_assess"`.
#[test]
fn the_declinable_items_are_the_safety_items() {
    let found: Vec<&str> = declinable::all().iter().map(|(name, _)| *name).collect();
    assert_eq!(found, declinable::EXPECTED);
    let base: serde_json::Value =
        serde_json::from_str(&Intake::minimal_adult().to_json().unwrap()).unwrap();
    for item in declinable::EXPECTED {
        let mut json = base.clone();
        assert!(declinable::set(&mut json, item, "unable_to_assess".into()));
        let intake = Intake::from_json(&json.to_string()).unwrap();
        RulePack::builtin().assess(&intake).unwrap();
    }
}

/// Removing any required item makes assessment fail, naming that item: never a quiet "no".
/// Declining a required safety item is not removing it: that is accepted.
#[test]
fn every_required_item_is_enforced() {
    let text = include_str!("../examples/intakes/iop_primary.json");
    let full: serde_json::Value = serde_json::from_str(text).unwrap();
    let required = [
        "age",
        "safety.suicidal_ideation",
        "safety.suicidal_behavior",
        "safety.harm_to_others",
        "safety.psychosis",
        "safety.unable_to_self_care",
        "withdrawal.seizure_or_dt_history",
        "medical.status",
        "self_management",
        "history.current_setting",
    ];
    // The catalogue's required items, as an intake with nothing answered lists them.
    assert_eq!(Intake::default().missing_required(), required);
    let pack = RulePack::builtin();
    let refused = |v: &serde_json::Value, name: &str| {
        let intake = Intake::from_json(&v.to_string()).unwrap();
        let err = pack.assess(&intake).unwrap_err();
        let fields: Vec<&str> = err.problems().iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, vec![name], "removing {name}");
        assert!(
            err.to_string().contains(&format!("`{name}` is unanswered")),
            "{err}"
        );
    };
    for name in required {
        let mut v = full.clone();
        match name.split_once('.') {
            Some((outer, inner)) => v[outer].as_object_mut().unwrap().remove(inner),
            None => v.as_object_mut().unwrap().remove(name),
        };
        refused(&v, name);
        if declinable::EXPECTED.contains(&name) {
            assert!(declinable::set(&mut v, name, "declined".into()));
            let intake = Intake::from_json(&v.to_string()).unwrap();
            assert!(pack.assess(&intake).is_ok(), "declining {name}");
        }
    }
    // In treatment, how it is going is required too.
    let mut v = full.clone();
    v["history"]["current_setting"] = "iop".into();
    refused(&v, "history.progress");
}
