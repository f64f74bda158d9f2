//! Golden scenarios for transitions (`tests/transitions/*.json`) and overrides
//! (`tests/overrides/*.json`), and the property that a transition never lands below the
//! fresh recommendation's floor unless it is a flagged override.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

use carelevel::transition::{OverrideReason, OverrideRequest, Transition, TransitionKind};
use carelevel::vocab::Referral;
use carelevel::{Intake, Level, RulePack};
use proptest::prelude::*;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransitionCase {
    description: String,
    current: Level,
    intake: serde_json::Value,
    expect: TransitionExpect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransitionExpect {
    kind: Option<TransitionKind>,
    to: Option<Level>,
    rules: Option<Vec<String>>,
    #[serde(default, deserialize_with = "some")]
    review_within_weeks: Option<Option<u32>>,
    aftercare: Option<Vec<Referral>>,
    error_fields: Option<Vec<String>>,
}

fn some<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OverrideCase {
    description: String,
    intake: serde_json::Value,
    #[serde(rename = "override")]
    request: OverrideRequest,
    expect: OverrideExpect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OverrideExpect {
    ok: bool,
    error: Option<String>,
    below_safety_floor: Option<bool>,
    below_24_hour_floor: Option<bool>,
    review_required: Option<bool>,
    cds_hooks_codes: Option<Vec<Option<String>>>,
}

fn files(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    v.sort();
    v
}

#[test]
fn transition_scenarios() {
    let pack = RulePack::builtin();
    let mut failures = Vec::new();
    let all = files("tests/transitions");
    assert!(all.len() >= 9);
    let mut kinds = std::collections::BTreeSet::new();
    for path in all {
        let case: TransitionCase =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!case.description.is_empty());
        let intake = Intake::from_json(&case.intake.to_string()).unwrap();
        let got = pack.transition(case.current, &intake);
        let e = &case.expect;
        let mut fail = |m: String| failures.push(format!("{name}: {m}"));
        match (got, &e.error_fields) {
            (Err(err), Some(fields)) => {
                let got: Vec<&str> = err.problems().iter().map(|p| p.field.as_str()).collect();
                if got != *fields {
                    fail(format!("error fields {got:?}, expected {fields:?}"));
                }
            }
            (Err(err), None) => fail(format!("unexpected error {err}")),
            (Ok(t), Some(_)) => fail(format!("expected an error, got {:?}", t.kind)),
            (Ok(t), None) => {
                kinds.insert(format!("{:?}", t.kind));
                check_transition(&t, e, &mut fail);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        kinds.len(),
        4,
        "every transition kind has a scenario: {kinds:?}"
    );
}

fn check_transition(t: &Transition, e: &TransitionExpect, fail: &mut impl FnMut(String)) {
    if let Some(k) = e.kind {
        if t.kind != k {
            fail(format!("kind {:?}, expected {k:?}", t.kind));
        }
    }
    if let Some(to) = e.to {
        if t.to != to {
            fail(format!("to {}, expected {to}", t.to));
        }
    }
    if let Some(r) = &e.rules {
        if &t.rules != r {
            fail(format!("rules {:?}, expected {r:?}", t.rules));
        }
    }
    if let Some(w) = e.review_within_weeks {
        if t.review_within_weeks != w {
            fail(format!(
                "review_within_weeks {:?}, expected {w:?}",
                t.review_within_weeks
            ));
        }
    }
    if let Some(a) = &e.aftercare {
        if &t.aftercare != a {
            fail(format!("aftercare {:?}, expected {a:?}", t.aftercare));
        }
    }
    // The recommendation's level (its lower bound, were it provisional).
    if t.to < t.recommendation.level_at_least {
        fail(format!(
            "transition to {} is below the recommendation {}",
            t.to, t.recommendation.level_at_least
        ));
    }
}

#[test]
fn override_scenarios() {
    let pack = RulePack::builtin();
    let mut failures = Vec::new();
    let all = files("tests/overrides");
    assert!(all.len() >= 9);
    for path in all {
        let case: OverrideCase =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!case.description.is_empty());
        let report = pack
            .report(&Intake::from_json(&case.intake.to_string()).unwrap())
            .unwrap();
        let e = &case.expect;
        match report.record_override(case.request.clone()) {
            Ok(rec) => {
                if !e.ok {
                    failures.push(format!("{name}: accepted, expected {:?}", e.error));
                    continue;
                }
                assert_eq!(
                    rec.recommendation_digest,
                    report.digest().unwrap(),
                    "{name}"
                );
                assert_eq!(Some(rec.recommended), report.level, "{name}");
                if let Some(b) = e.below_safety_floor {
                    if rec.below_safety_floor != b {
                        failures.push(format!(
                            "{name}: below_safety_floor {}, expected {b}",
                            rec.below_safety_floor
                        ));
                    }
                }
                for (what, want, got) in [
                    (
                        "below_24_hour_floor",
                        e.below_24_hour_floor,
                        rec.below_24_hour_floor,
                    ),
                    ("review_required", e.review_required, rec.review_required),
                ] {
                    if want.is_some_and(|w| w != got) {
                        failures.push(format!("{name}: {what} {got}, expected {want:?}"));
                    }
                }
                if let Some(codes) = &e.cds_hooks_codes {
                    let got: Vec<Option<String>> = rec
                        .reasons
                        .iter()
                        .map(|r| r.cds_hooks_code.clone())
                        .collect();
                    if &got != codes {
                        failures.push(format!(
                            "{name}: CDS Hooks codes {got:?}, expected {codes:?}"
                        ));
                    }
                }
                // The note never leaks through Debug.
                if let Some(n) = &case.request.note {
                    assert!(!format!("{rec:?}").contains(&n.0), "{name}");
                }
            }
            Err(err) => {
                if e.ok {
                    failures.push(format!("{name}: refused: {err}"));
                } else if Some(err.to_string()) != e.error {
                    failures.push(format!("{name}: error `{err}`, expected {:?}", e.error));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn override_codes_are_stable_strings() {
    let ids: Vec<&str> = OverrideReason::ids().collect();
    assert_eq!(
        ids,
        [
            "service_not_available",
            "waiting_list",
            "client_preference",
            "clinician_judgement",
            "transportation_or_access",
            "financial_or_coverage",
            "language_or_cultural_fit",
            "court_ordered",
            "other"
        ]
    );
    for r in OverrideReason::ALL {
        assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    /// A transition never lands below the fresh recommendation's floor; an arranged level
    /// below a safety floor is only ever accepted as a flagged override.
    #[cfg(feature = "proptest")]
    #[test]
    fn never_below_the_floor_unless_flagged(i in carelevel::strategies::intake(), arranged in 0usize..4, reasons in prop::collection::vec(0usize..9, 0..3), note in any::<bool>()) {
        let pack = RulePack::builtin();
        let current = i.history.current_setting.and_then(|s| s.level());
        if let Some(current) = current {
            let t = pack.transition(current, &i).unwrap();
            prop_assert!(t.to >= t.recommendation.level_at_least);
            prop_assert!(t.to >= current || t.kind == TransitionKind::StepDown);
        }
        let report = pack.report(&i).unwrap();
        let request = OverrideRequest {
            arranged: Level::ALL[arranged],
            reasons: reasons.into_iter().map(|r| OverrideReason::ALL[r]).collect(),
            note: note.then(|| "reviewed with the team".into()),
        };
        let result = report.record_override(request);
        // A provisional report has no level to override.
        if report.status == carelevel::Status::Provisional {
            prop_assert!(
                matches!(result, Err(carelevel::transition::OverrideError::Provisional)),
                "{result:?}"
            );
        }
        if let Ok(rec) = result {
            let floor = report.safety_floor();
            prop_assert_eq!(rec.below_safety_floor, floor.is_some_and(|f| rec.arranged < f));
            if rec.below_safety_floor {
                prop_assert!(rec.reasons.iter().any(|r| r.code == OverrideReason::ClinicianJudgement));
                prop_assert!(rec.note.is_some());
            }
        }
    }
}
