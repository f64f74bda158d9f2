//! JSON through the C ABI equals JSON from the Rust API (assessing an intake 2, converting a
//! 0.1 intake), and no input crashes it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

mod common;

use carelevel_ffi::*;
use common::take;
use std::ffi::CString;

/// `input` without NUL bytes, as a C string.
fn c_string(input: &[u8]) -> CString {
    CString::new(
        input
            .iter()
            .copied()
            .filter(|b| *b != 0)
            .collect::<Vec<u8>>(),
    )
    .unwrap()
}

fn call(pack: *const CarelevelPack, input: &[u8]) -> String {
    let c = c_string(input);
    // SAFETY: a live pack and a valid C string.
    take(unsafe { carelevel_assess(pack, c.as_ptr()) })
}

fn convert(input: &[u8]) -> String {
    let c = c_string(input);
    // SAFETY: a valid C string.
    take(unsafe { carelevel_convert_v0_1(c.as_ptr()) })
}

/// The 0.1 originals of the bundled intakes.
fn old_intakes() -> Vec<(std::path::PathBuf, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/v0_1");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
}

#[test]
fn c_abi_matches_the_rust_api() {
    let pack = carelevel_pack_builtin();
    let rust = carelevel::RulePack::builtin();
    for entry in
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/intakes")).unwrap()
    {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let got = call(pack, text.as_bytes());
        match rust.assess_json(&text) {
            Ok(json) => assert_eq!(got, format!("{{\"ok\":{json}}}")),
            Err(e) => {
                let v: serde_json::Value = serde_json::from_str(&got).unwrap();
                assert_eq!(v["error"]["message"], e.to_string());
            }
        }
    }
    // SAFETY: freed once.
    unsafe { carelevel_pack_free(pack) };
}

/// A 0.1 intake is refused with its own kind, and converted exactly as the Rust API converts
/// it; the intake converted is an intake 2 that the ABI reads.
#[test]
fn a_0_1_intake_is_refused_and_converts_as_in_rust() {
    let pack = carelevel_pack_builtin();
    let rust = carelevel::RulePack::builtin();
    for (path, old) in old_intakes() {
        let name = path.display();
        let refused: serde_json::Value = serde_json::from_str(&call(pack, old.as_bytes())).unwrap();
        assert_eq!(
            refused["error"]["kind"], "unsupported_version",
            "{name}: {refused}"
        );
        assert_eq!(
            refused["error"]["problems"][0]["field"], "schema_version",
            "{name}"
        );

        let converted = carelevel::intake::convert_v0_1(&old).unwrap();
        let expected = format!(
            "{{\"ok\":{{\"intake\":{},\"notes\":{}}}}}",
            converted.intake.to_json().unwrap(),
            serde_json::to_string(&converted.notes).unwrap()
        );
        let got = convert(old.as_bytes());
        assert_eq!(got, expected, "{name}");
        let v: serde_json::Value = serde_json::from_str(&got).unwrap();
        for note in v["ok"]["notes"].as_array().unwrap() {
            let keys: Vec<&String> = note.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["field", "note"], "{name}: {note}");
        }
        // The intake written is read back as the same intake 2, and assessed as in Rust.
        let intake = v["ok"]["intake"].to_string();
        assert_eq!(
            carelevel::Intake::from_json(&intake).unwrap(),
            converted.intake
        );
        let assessed: serde_json::Value =
            serde_json::from_str(&call(pack, intake.as_bytes())).unwrap();
        match rust.assess_json(&intake) {
            Ok(json) => assert_eq!(
                assessed["ok"],
                serde_json::from_str::<serde_json::Value>(&json).unwrap()
            ),
            Err(e) => assert_eq!(assessed["error"]["message"], e.to_string(), "{name}"),
        }
    }
    // SAFETY: freed once.
    unsafe { carelevel_pack_free(pack) };
}

#[test]
fn arbitrary_bytes_give_json_errors_never_crashes() {
    let pack = carelevel_pack_builtin();
    let mut seed = 0x5EEDu64;
    for len in 0..2000usize {
        let bytes: Vec<u8> = (0..len % 97)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (seed >> 33) as u8
            })
            .collect();
        for out in [call(pack, &bytes), convert(&bytes)] {
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert!(v.get("error").is_some() || v.get("ok").is_some());
            if let Some(error) = v.get("error") {
                let problems = error["problems"].as_array();
                assert!(problems.is_some_and(|p| !p.is_empty()), "{out}");
            }
        }
    }
    // SAFETY: freed once; null is ignored.
    unsafe {
        carelevel_pack_free(pack);
        carelevel_pack_free(std::ptr::null_mut());
        carelevel_free(std::ptr::null_mut());
    }
}

/// A report scored from items crosses the boundary unchanged: its `scores` (the C-SSRS
/// screener's triage, a partial instrument's missing items) and its `cautions`.
#[test]
fn a_report_scored_from_items_passes_through_unchanged() {
    let mut v: serde_json::Value = serde_json::from_str(include_str!(
        "../../examples/intakes/iop_scored_from_items.json"
    ))
    .unwrap();
    let safety = v["safety"].as_object_mut().unwrap();
    safety.remove("suicidal_ideation");
    safety.remove("suicidal_behavior");
    v["safety"]["phq9_item9"] = "several_days".into();
    v["safety"]["cssrs"] = serde_json::json!({
        "wish_to_be_dead": false, "nonspecific_thoughts": false, "behavior": false
    });
    v["severity"]["gad7_items"]
        .as_object_mut()
        .unwrap()
        .remove("dread");
    let text = v.to_string();
    let rust = carelevel::RulePack::builtin().assess_json(&text).unwrap();
    let pack = carelevel_pack_builtin();
    let got = call(pack, text.as_bytes());
    // SAFETY: freed once.
    unsafe { carelevel_pack_free(pack) };
    assert_eq!(got, format!("{{\"ok\":{rust}}}"));
    let ok = &serde_json::from_str::<serde_json::Value>(&got).unwrap()["ok"];
    let scores = ok["scores"].as_array().unwrap();
    let instruments: Vec<&str> = scores
        .iter()
        .map(|s| s["instrument"].as_str().unwrap())
        .collect();
    assert_eq!(instruments, ["cssrs", "phq9", "gad7", "ciwa_ar"], "{ok}");
    assert_eq!(scores[0]["risk"], "none", "{ok}");
    assert_eq!(scores[2]["total"], serde_json::Value::Null, "{ok}");
    assert_eq!(
        scores[2]["missing_items"],
        serde_json::json!(["severity.gad7_items.dread"]),
        "{ok}"
    );
    assert_eq!(
        ok["cautions"][0]["code"], "phq9_item9_positive_without_suicidal_ideation",
        "{ok}"
    );
}
