//! Provisional answers for incomplete intakes (`RulePack::assess_partial`): the bounds hold
//! every completion, and "ask next" puts what matters first.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use carelevel::intake::{Assessed, SuicidalIdeation};
use carelevel::{Intake, Level, RulePack, Status};

#[test]
fn plan_with_intent_alone_is_certainly_inpatient_and_urgent() {
    let mut intake = Intake::default();
    intake.safety.suicidal_ideation = Some(Assessed::Answer(SuicidalIdeation::PlanWithIntent));
    let pack = RulePack::builtin();
    assert!(
        pack.assess(&intake).is_err(),
        "the strict assessment refuses it"
    );
    let rec = pack.assess_partial(&intake).unwrap();
    assert_eq!(rec.status(), Status::Provisional);
    assert_eq!(rec.level(), Level::Inpatient);
    assert_eq!(rec.level_at_most(), Level::Inpatient);
    assert!(rec.urgent());
    // Every missing required item is listed, safety items first.
    let ask = rec.ask_next();
    assert!(ask.iter().any(|a| a.answer == "age"));
    let first_other = ask.iter().position(|a| !a.safety).unwrap_or(ask.len());
    assert!(ask[..first_other].iter().all(|a| a.safety));
    assert!(
        ask.iter()
            .any(|a| a.answer == "safety.harm_to_others" && a.safety)
    );
}

#[test]
fn a_daily_drinker_missing_only_the_withdrawal_items_is_asked_those_first() {
    // A bundled intake (a severe alcohol use disorder, daily drinking) with everything
    // answered but its withdrawal items.
    let mut intake =
        Intake::from_json(include_str!("../examples/intakes/iop_primary.json")).unwrap();
    intake.withdrawal.seizure_or_dt_history = None;
    for s in intake.substance_use.iter_mut().flatten() {
        s.ciwa_ar = None;
    }
    let pack = RulePack::builtin();
    let rec = pack.assess_partial(&intake).unwrap();
    assert_eq!(rec.status(), Status::Provisional);
    assert_eq!(rec.level(), Level::Iop);
    assert_eq!(rec.level_at_most(), Level::Inpatient);
    let ask = rec.ask_next();
    let names: Vec<&str> = ask.iter().map(|a| a.answer.as_str()).collect();
    assert!(
        names.len() >= 2 && names[..2].iter().all(|n| n.starts_with("withdrawal.")),
        "{names:?}"
    );
    assert!(names.contains(&"withdrawal.ciwa_ar"), "{names:?}");
    assert!(
        names.contains(&"withdrawal.seizure_or_dt_history"),
        "{names:?}"
    );
    assert_eq!(ask[0].could_reach, Level::Inpatient);
}

#[test]
fn a_complete_intake_with_nothing_that_could_change_it_is_final() {
    let pack = RulePack::builtin();
    let intake =
        Intake::from_json(include_str!("../examples/intakes/outpatient_mild.json")).unwrap();
    let rec = pack.assess_partial(&intake).unwrap();
    assert_eq!(rec.status(), Status::Final);
    assert_eq!(rec.level(), rec.level_at_most());
    // The strict and the partial assessment agree on a complete intake.
    assert_eq!(pack.assess(&intake).unwrap().level(), rec.level());
}

#[test]
fn a_declined_required_item_is_provisional() {
    let pack = RulePack::builtin();
    let mut intake = Intake::minimal_adult();
    intake.medical.status = Some(Assessed::Declined);
    let rec = pack.assess(&intake).unwrap();
    assert_eq!(rec.status(), Status::Provisional);
    assert!(rec.level_at_most() > rec.level());
    assert!(rec.ask_next().iter().any(|a| a.answer == "medical.status"));
}

#[test]
fn other_problems_are_still_errors() {
    let pack = RulePack::builtin();
    let mut intake = Intake::default();
    intake.severity.phq9 = Some(40);
    let err = pack.assess_partial(&intake).unwrap_err();
    assert_eq!(err.problems().len(), 1, "{err}");
    assert_eq!(err.problems()[0].field, "severity.phq9");
}

#[cfg(feature = "proptest")]
mod completions {
    use super::*;
    use carelevel::strategies;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    /// Items that may be missing, each with every value it takes (declinable ones also
    /// `declined`), so that every completion can be tried.
    fn items() -> Vec<(&'static str, Vec<Value>)> {
        let ladder = |v: &[&str]| v.iter().map(|s| json!(s)).collect::<Vec<_>>();
        let yes_no = vec![json!(true), json!(false), json!("declined")];
        vec![
            (
                "/safety/suicidal_ideation",
                ladder(&[
                    "none",
                    "wish_to_be_dead",
                    "nonspecific_active_thoughts",
                    "method_without_intent",
                    "intent_without_plan",
                    "plan_with_intent",
                    "declined",
                ]),
            ),
            (
                "/safety/suicidal_behavior",
                ladder(&["never", "lifetime", "past_3_months", "unable_to_assess"]),
            ),
            (
                "/safety/harm_to_others",
                ladder(&["none", "ideation", "plan_or_intent", "declined"]),
            ),
            (
                "/safety/psychosis",
                ladder(&["none", "chronic_stable", "acute", "declined"]),
            ),
            ("/safety/unable_to_self_care", yes_no.clone()),
            ("/withdrawal/seizure_or_dt_history", yes_no),
            (
                "/medical/status",
                ladder(&[
                    "stable",
                    "daily_monitoring",
                    "round_the_clock_care",
                    "declined",
                ]),
            ),
            (
                "/self_management",
                ladder(&[
                    "independent",
                    "with_daily_structure",
                    "only_in_24_hour_setting",
                ]),
            ),
            (
                "/history/current_setting",
                ladder(&["none", "outpatient", "iop", "php", "inpatient"]),
            ),
            (
                "/age",
                vec![json!(12), json!(16), json!(17), json!(18), json!(40)],
            ),
        ]
    }

    fn set(doc: &mut Value, pointer: &str, value: Value) {
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let parent = if parent.is_empty() {
            doc
        } else {
            doc.pointer_mut(parent).unwrap()
        };
        match value {
            Value::Null => {
                parent.as_object_mut().unwrap().remove(key);
            }
            v => {
                parent.as_object_mut().unwrap().insert(key.to_owned(), v);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 10_000, ..ProptestConfig::default() })]

        /// Remove one or two required items from a valid intake: every way of answering them
        /// that the intake accepts places between the provisional bounds, and is urgent where
        /// the provisional result already is.
        #[test]
        fn every_completion_lies_between_the_bounds(
            i in strategies::intake(),
            a in 0usize..9,
            b in 0usize..9,
        ) {
            let pack = RulePack::builtin();
            let items = items();
            let mut doc: Value = serde_json::from_str(&i.to_json().unwrap()).unwrap();
            // The screener can stand in for the suicide items; leave it out.
            if let Some(s) = doc.pointer_mut("/safety") {
                s.as_object_mut().unwrap().remove("cssrs");
            }
            let removed: Vec<usize> = if a == b { vec![a] } else { vec![a, b] };
            for k in &removed {
                set(&mut doc, items[*k].0, Value::Null);
            }
            let partial = Intake::from_json(&doc.to_string()).unwrap();
            let Ok(rec) = pack.assess_partial(&partial) else {
                // The intake without its screener may conflict (nothing to test).
                return Ok(());
            };
            let (lower, upper, urgent) = (rec.level(), rec.level_at_most(), rec.urgent());
            prop_assert_eq!(rec.status(), Status::Provisional);
            let first = &items[removed[0]].1;
            let second: &[Value] = removed.get(1).map_or(&[Value::Null][..], |k| &items[*k].1);
            for x in first {
                for y in second {
                    let mut full = doc.clone();
                    set(&mut full, items[removed[0]].0, x.clone());
                    if let Some(k) = removed.get(1) {
                        set(&mut full, items[*k].0, y.clone());
                    }
                    let done = Intake::from_json(&full.to_string()).unwrap();
                    let Ok(c) = pack.assess_partial(&done) else { continue };
                    prop_assert!(lower <= c.level(), "{x} {y}: {} below the lower bound {lower}", c.level());
                    prop_assert!(c.level_at_most() <= upper, "{x} {y}: {} above the upper bound {upper}", c.level_at_most());
                    prop_assert!(!urgent || c.urgent(), "{x} {y}: urgency lost");
                }
            }
        }
    }
}
