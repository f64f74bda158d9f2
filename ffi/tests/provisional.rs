//! An incomplete intake through the C ABI: `carelevel_assess` returns the provisional report
//! inside its `{"ok": ...}` envelope, byte for byte the Rust API's, with `status`
//! `provisional`, no `level` key, both bounds and what to ask next; a complete intake is
//! `final`, with its `level`; and `include/carelevel.h` documents every one of those keys.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

mod common;

use carelevel_ffi::*;
use common::take;
use serde_json::Value;
use std::ffi::CString;

const HEADER: &str = include_str!("../include/carelevel.h");
const COMPLETE: &str = include_str!("../../examples/intakes/iop_primary.json");
const INCOMPLETE: &str = include_str!("../../examples/intakes/incomplete_missing_safety.json");
/// A suicidal plan with intent, and nothing else answered.
const PLAN_ONLY: &str =
    r#"{"schema_version": "2", "safety": {"suicidal_ideation": "plan_with_intent"}}"#;

/// `carelevel_assess` with the built-in pack: the returned text, freed.
fn assess(intake: &str) -> String {
    let pack = carelevel_pack_builtin();
    let c = CString::new(intake).unwrap();
    // SAFETY: a live pack and a valid C string.
    let text = take(unsafe { carelevel_assess(pack, c.as_ptr()) });
    // SAFETY: the pack came from carelevel_pack_builtin and is freed once.
    unsafe { carelevel_pack_free(pack) };
    text
}

#[test]
fn an_incomplete_intake_is_a_provisional_report_inside_ok() {
    let rust = carelevel::RulePack::builtin();
    for (name, intake, at_least, at_most, first) in [
        (
            "incomplete_missing_safety",
            INCOMPLETE,
            "outpatient",
            "inpatient",
            "safety.psychosis",
        ),
        (
            "plan with intent alone",
            PLAN_ONLY,
            "inpatient",
            "inpatient",
            // Every missing safety item could reach inpatient here: required items first,
            // then by name.
            "safety.harm_to_others",
        ),
    ] {
        let out = assess(intake);
        // The Rust API's bytes, in the ok envelope.
        assert_eq!(
            out,
            format!("{{\"ok\":{}}}", rust.assess_json(intake).unwrap()),
            "{name}"
        );
        assert!(
            out.starts_with(r#"{"ok":{"status":"provisional","level_at_least":"#),
            "{name}: {out}"
        );
        let v: Value = serde_json::from_str(&out).unwrap();
        assert!(v.get("error").is_none(), "{name}: {out}");
        let report = &v["ok"];
        assert!(report.get("level").is_none(), "{name}: no level: {out}");
        assert_eq!(report["level_at_least"], at_least, "{name}");
        assert_eq!(report["level_at_most"], at_most, "{name}");
        let ask = report["ask_next"].as_array().unwrap();
        assert_eq!(ask[0]["answer"], first, "{name}");
        for a in ask {
            let mut keys: Vec<&String> = a.as_object().unwrap().keys().collect();
            keys.sort();
            assert_eq!(keys, ["answer", "could_reach", "rules", "safety"], "{name}");
        }
        // In the text, each entry's keys come in the documented order.
        assert!(
            out.contains(&format!(
                r#""ask_next":[{{"answer":"{first}","could_reach":"#
            )),
            "{name}: {out}"
        );
    }
    // Urgent where the known answers already make it so.
    let v: Value = serde_json::from_str(&assess(PLAN_ONLY)).unwrap();
    assert_eq!(v["ok"]["urgent"], true);
    assert_eq!(v["ok"]["urgency"], "emergency");
}

#[test]
fn a_complete_intake_is_final_with_its_level() {
    let out = assess(COMPLETE);
    assert!(
        out.starts_with(
            r#"{"ok":{"status":"final","level":"iop","level_at_least":"iop","level_at_most":"iop","#
        ),
        "{out}"
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["ok"]["ask_next"], serde_json::json!([]));
}

/// Values out of range are still errors, even with required items missing.
#[test]
fn out_of_range_is_still_an_error() {
    let v: Value = serde_json::from_str(&assess(
        r#"{"schema_version": "2", "severity": {"phq9": 40}}"#,
    ))
    .unwrap();
    assert_eq!(v["error"]["kind"], "invalid_intake", "{v}");
    let fields: Vec<&str> = v["error"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["severity.phq9"]);
}

/// The header says what a caller must know: the status, that `level` is there only when
/// final, the bounds and what to ask next, and that an incomplete intake is no error.
#[test]
fn the_header_documents_the_provisional_report() {
    let assess_doc = HEADER
        .split("char *carelevel_assess(")
        .next()
        .unwrap()
        .rsplit("/*")
        .next()
        .unwrap();
    for needle in [
        "\"status\"",
        "\"final\"",
        "\"provisional\"",
        "\"level\"",
        "ONLY when \"status\" is \"final\"",
        "ABSENT from\n *                     a provisional report",
        "\"level_at_least\"",
        "\"level_at_most\"",
        "\"ask_next\"",
        "\"answer\"",
        "\"could_reach\"",
        "\"safety\"",
        "\"rules\"",
        "is NOT an error",
    ] {
        assert!(
            assess_doc.contains(needle),
            "carelevel_assess's comment lacks {needle:?}:\n{assess_doc}"
        );
    }
}
