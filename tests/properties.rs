//! Properties of the built-in pack over generated intakes (`carelevel::strategies`, the
//! `proptest` feature).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

mod common;

use carelevel::{Intake, RulePack};
#[cfg(feature = "proptest")]
use {
    carelevel::strategies::intake,
    common::{ORDERED, worsen},
    proptest::prelude::*,
};

#[cfg(feature = "proptest")]
proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// Raising any ordered risk answer never lowers the level.
    #[test]
    fn a_worse_answer_never_lowers_the_level(i in intake(), by in 1u32..12) {
        let pack = RulePack::builtin();
        let before = pack.assess(&i).expect("generated intakes are valid").level();
        for name in ORDERED {
            let mut worse = i.clone();
            if worsen(&mut worse, name, by) {
                let after = pack.assess(&worse).expect("still valid").level();
                prop_assert!(after >= before, "worsening {name} lowered {before} to {after}");
            }
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

    /// Arranging substance-free housing never raises the level, and the reported
    /// conditional level is exactly what arranging it gives.
    #[test]
    fn housing_conditional_is_honest(i in intake()) {
        let pack = RulePack::builtin();
        let r = pack.report(&i).unwrap();
        let mut arranged = i.clone();
        arranged.home.substance_free_housing_arranged = true;
        let with = pack.assess(&arranged).unwrap().level();
        prop_assert!(with <= r.level);
        match r.conditional.first() {
            Some(c) => prop_assert_eq!(c.level, with),
            None => prop_assert_eq!(with, r.level),
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

/// Removing any required item makes assessment fail, naming that item: never a quiet "no".
#[test]
fn every_required_item_is_enforced() {
    let text = include_str!("../examples/intakes/iop_primary.json");
    let full: serde_json::Value = serde_json::from_str(text).unwrap();
    let required = [
        ("age", None),
        ("safety", Some("suicide_risk")),
        ("safety", Some("harm_to_others")),
        ("safety", Some("psychosis_or_unable_to_self_care")),
        ("withdrawal", Some("seizure_or_dt_history")),
        ("medical", Some("status")),
        ("self_management", None),
        ("history", Some("current_setting")),
    ];
    let pack = RulePack::builtin();
    for (outer, inner) in required {
        let mut v = full.clone();
        let name = match inner {
            Some(k) => {
                v[outer].as_object_mut().unwrap().remove(k);
                format!("{outer}.{k}")
            }
            None => {
                v.as_object_mut().unwrap().remove(outer);
                outer.to_owned()
            }
        };
        let intake = Intake::from_json(&v.to_string()).unwrap();
        let err = pack.assess(&intake).unwrap_err();
        let fields: Vec<&str> = err.problems().iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, vec![name.as_str()], "removing {name}");
        assert!(
            err.to_string().contains(&format!("`{name}` is unanswered")),
            "{err}"
        );
    }
}
