//! Round trips through each interface: CDS Hooks cards and (with `--features fhir`) FHIR.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

use carelevel::cds_hooks::{Card, Indicator};
use carelevel::transition::OverrideReason;
use carelevel::{Intake, RulePack};
use proptest::prelude::*;

fn bundled() -> Vec<(String, Intake)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/intakes");
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v.into_iter()
        .map(|(n, t)| (n, Intake::from_json(&t).unwrap()))
        .collect()
}

#[test]
fn cds_cards_follow_the_spec_and_round_trip() {
    let pack = RulePack::builtin();
    let mut indicators = std::collections::BTreeSet::new();
    for (name, intake) in bundled() {
        let Ok(report) = pack.report(&intake) else {
            continue;
        };
        let card = report.to_cds_card().unwrap();
        assert!(
            card.summary.chars().count() < 140,
            "{name}: {}",
            card.summary
        );
        assert!(card.summary.contains(report.level.title()), "{name}");
        for b in &report.binding_rules {
            assert!(
                card.detail.contains(&format!("`{b}`")),
                "{name}: detail lacks {b}"
            );
        }
        assert_eq!(
            card.indicator == Indicator::Critical,
            report.urgent,
            "{name}"
        );
        assert!(card.source.label.contains(&report.pack.version));
        let codes: Vec<&str> = card
            .override_reasons
            .iter()
            .map(|c| c.code.as_str())
            .collect();
        let ids: Vec<&str> = OverrideReason::ids().collect();
        assert_eq!(codes, ids, "override reasons match the override codes");
        // Same recommendation, same card id; and the card survives JSON.
        assert_eq!(report.to_cds_card().unwrap().uuid, card.uuid);
        let json = serde_json::to_value(&card).unwrap();
        assert!(
            json.get("overrideReasons").is_some(),
            "CDS Hooks spells it overrideReasons"
        );
        let back: Card = serde_json::from_value(json).unwrap();
        assert_eq!(back, card);
        indicators.insert(format!("{:?}", card.indicator));
    }
    assert_eq!(
        indicators.len(),
        3,
        "info, warning and critical all appear: {indicators:?}"
    );
}

#[cfg(feature = "fhir")]
mod fhir {
    use super::*;
    use carelevel::fhir::*;

    #[test]
    fn questionnaire_has_every_required_item_and_loinc_codes() {
        let q = questionnaire();
        let json = serde_json::to_string(&q).unwrap();
        for link in carelevel::Intake::default().missing_required() {
            assert!(json.contains(&format!(r#""linkId":"{link}""#)), "{link}");
        }
        assert!(json.contains(r#""code":"44261-6""#) && json.contains(r#""code":"70274-6""#));
        let back: Questionnaire = serde_json::from_str(&json).unwrap();
        assert_eq!(back, q);
    }

    #[test]
    fn bundled_intakes_round_trip_through_questionnaire_responses() {
        for (name, intake) in bundled() {
            let qr = response_from_intake(&intake);
            let json = serde_json::to_string(&qr).unwrap();
            let parsed: QuestionnaireResponse = serde_json::from_str(&json).unwrap();
            assert_eq!(intake_from_response(&parsed).unwrap(), intake, "{name}");
        }
    }

    #[test]
    fn errors_name_the_link_id() {
        let intake = bundled()
            .into_iter()
            .find(|(n, _)| n.ends_with("iop_primary.json"))
            .unwrap()
            .1;
        let mut qr = response_from_intake(&intake);
        let safety = qr.item.iter_mut().find(|i| i.link_id == "safety").unwrap();
        safety.item[0].answer[0].value_coding.as_mut().unwrap().code = Some("maybe".into());
        let err = intake_from_response(&qr).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "linkId `safety.suicide_risk`: expected a code of the item's answer options: `none`"
            ),
            "{err}"
        );
        assert!(!err.to_string().contains("maybe"), "{err}");

        let mut qr = response_from_intake(&intake);
        qr.item[0].answer[0] = ResponseAnswer {
            value_string: Some("thirty".into()),
            ..Default::default()
        };
        assert_eq!(
            intake_from_response(&qr).unwrap_err().to_string(),
            "linkId `age`: expected an integer answer (valueInteger)"
        );

        let mut qr = response_from_intake(&intake);
        qr.item.push(ResponseItem {
            link_id: "safety.mood".into(),
            answer: vec![],
            item: vec![],
        });
        assert_eq!(
            intake_from_response(&qr).unwrap_err().to_string(),
            "linkId `safety.mood` is not an item of the carelevel intake questionnaire"
        );
    }

    #[test]
    fn risk_assessment_references_the_response() {
        let pack = RulePack::builtin();
        for (name, intake) in bundled() {
            let Ok(report) = pack.report(&intake) else {
                continue;
            };
            let ra = report.to_risk_assessment("Patient/p1", "QuestionnaireResponse/qr1");
            assert_eq!(ra.resource_type, "RiskAssessment");
            assert_eq!(ra.basis[0].reference, "QuestionnaireResponse/qr1", "{name}");
            assert_eq!(
                ra.prediction[0].outcome.coding[0].code.as_deref(),
                Some(report.level.as_str())
            );
            let json = serde_json::to_string(&ra).unwrap();
            assert_eq!(serde_json::from_str::<RiskAssessment>(&json).unwrap(), ra);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
        /// Any valid intake survives intake -> QuestionnaireResponse -> intake.
        #[cfg(feature = "proptest")]
        #[test]
        fn generated_intakes_round_trip(i in carelevel::strategies::intake()) {
            let back = intake_from_response(&response_from_intake(&i)).unwrap();
            prop_assert_eq!(back, i);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
    /// Every generated recommendation makes a card within the spec's limits.
    #[cfg(feature = "proptest")]
    #[test]
    fn generated_cards_stay_within_limits(i in carelevel::strategies::intake()) {
        let card = RulePack::builtin().report(&i).unwrap().to_cds_card().unwrap();
        prop_assert!(card.summary.chars().count() < 140);
        prop_assert_eq!(card.uuid.len(), 36);
    }
}
