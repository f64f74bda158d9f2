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
use {carelevel::intake::ArrangedHousing, carelevel::strategies::intake, proptest::prelude::*};

/// Making answers worse, one at a time.
mod worse {
    use carelevel::intake::*;
    use carelevel::{AnswerKind, Level};

    /// The name of every ordered answer a rule may read (`carelevel::answers()` whose `worse`
    /// is not `Unordered`): [`worsen`] knows each, and a test holds this list to that set.
    pub const ORDERED: &[&str] = &[
        "safety.suicidal_ideation",
        "safety.suicidal_behavior",
        "safety.self_injury",
        "safety.phq9_item9",
        "safety.lethal_means",
        "safety.harm_to_others",
        "safety.harm_target_identified",
        "safety.psychosis_or_unable_to_self_care",
        "withdrawal.seizure_or_dt_history",
        "withdrawal.seizure_this_episode",
        "withdrawal.hallucinations_this_episode",
        "withdrawal.delirium_this_episode",
        "withdrawal.intoxicated_now",
        "withdrawal.pawss",
        "withdrawal.ciwa_ar",
        "withdrawal.cows",
        "substance_use.severity",
        "medical.status",
        "medical.injection_use",
        "medical.overdose",
        "medication.opioid_use_disorder_adherence",
        "medication.alcohol_use_disorder_adherence",
        "medication.naloxone_on_hand",
        "severity.phq9",
        "severity.gad7",
        "severity.clinician_rating",
        "severity.impairs_daily_activities",
        "severity.days_impaired_past_30",
        "self_management",
        "history.progress",
        "history.highest_level_not_held",
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

    /// A withdrawal scale: the first score given on an entry it measures, raised by `by`.
    fn bump_scale(
        i: &mut Intake,
        measures: impl Fn(&SubstanceUse) -> bool,
        score: impl Fn(&mut SubstanceUse) -> &mut Option<u32>,
        max: u32,
        by: u32,
    ) -> bool {
        let Some(list) = i.substance_use.as_mut() else {
            return false;
        };
        list.iter_mut()
            .filter(|s| measures(s))
            .any(|s| bump_num(score(s), max, by))
    }

    /// Makes one ordered answer (named as in [`ORDERED`]) worse by `by` steps (numbers) or
    /// one step (choices, yes/no); returns whether anything changed. The intake stays valid.
    pub fn worsen(i: &mut Intake, which: &str, by: u32) -> bool {
        use Substance as S;
        match which {
            "safety.suicidal_ideation" => bump_assessed(
                &mut i.safety.suicidal_ideation,
                &[
                    SuicidalIdeation::None,
                    SuicidalIdeation::WishToBeDead,
                    SuicidalIdeation::NonspecificActiveThoughts,
                    SuicidalIdeation::MethodWithoutIntent,
                    SuicidalIdeation::IntentWithoutPlan,
                    SuicidalIdeation::PlanWithIntent,
                ],
            ),
            "safety.suicidal_behavior" => bump_assessed(&mut i.safety.suicidal_behavior, RECENCY),
            "safety.self_injury" => bump_assessed(&mut i.safety.self_injury, RECENCY),
            "safety.phq9_item9" => bump_assessed(
                &mut i.safety.phq9_item9,
                &[
                    Frequency::NotAtAll,
                    Frequency::SeveralDays,
                    Frequency::MoreThanHalfTheDays,
                    Frequency::NearlyEveryDay,
                ],
            ),
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
            "safety.psychosis_or_unable_to_self_care" => {
                set_true_assessed(&mut i.safety.psychosis_or_unable_to_self_care)
            }
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
                |s| &mut s.ciwa_ar,
                max_of(which),
                by,
            ),
            "withdrawal.cows" => bump_scale(
                i,
                |s| s.substance == S::Opioids,
                |s| &mut s.cows,
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
            "severity.phq9" => bump_num(&mut i.severity.phq9, max_of(which), by),
            "severity.gad7" => bump_num(&mut i.severity.gad7, max_of(which), by),
            "severity.clinician_rating" => bump(
                &mut i.severity.clinician_rating,
                &[
                    ClinicianRating::None,
                    ClinicianRating::Mild,
                    ClinicianRating::Moderate,
                    ClinicianRating::Severe,
                ],
            ),
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
        "safety.psychosis_or_unable_to_self_care",
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

    /// A safety item declined or unable to be assessed is never read as "none": the level is
    /// never lower than with the item's least severe answer, and every rule that fires with
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
            // seizure this episode makes the lifetime history true).
            let carriers: &[&str] = match item {
                "withdrawal.seizure_this_episode" => {
                    &["withdrawal.seizure_this_episode", "withdrawal.seizure_or_dt_history"]
                }
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
                if k == 0 {
                    prop_assert!(
                        r.level >= rec.level(),
                        "{item} {not_obtained} gives {}, below {} for {answer}",
                        r.level, rec.level()
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
        prop_assert!(!r.binding_rules.is_empty());
        for b in &r.binding_rules {
            let fired = r.fired.iter().find(|f| &f.id == b).expect("binding rules fired");
            prop_assert_eq!(fired.floor, Some(r.level));
        }
        prop_assert_eq!(r.ruled_out.len(), r.level.rank());
        for ro in &r.ruled_out {
            prop_assert!(!ro.by.is_empty());
        }
        // The plan meets the level's minimum weekly hours.
        prop_assert!(r.plan.schedule.weekly_hours >= r.plan.schedule.minimum_weekly_hours);
        // A safety floor is urgent.
        let safety_floor = r.fired.iter().any(|f| f.urgent);
        prop_assert_eq!(safety_floor, r.urgent);
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
                prop_assert!(level_with(a) <= r.level, "arranging {a:?}");
            }
        } else if !substance_free {
            prop_assert!(level_with(A::SoberLiving) <= r.level);
        }
        prop_assert!(r.conditional.len() <= 1);
        match r.conditional.first() {
            Some(c) => {
                prop_assert!(c.level < r.level);
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
                    prop_assert_eq!(level_with(A::Shelter), r.level);
                } else if !substance_free {
                    prop_assert_eq!(level_with(A::SoberLiving), r.level);
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
        "safety.psychosis_or_unable_to_self_care",
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
