//! The adapters through the C ABI — the CDS Hooks card, the FHIR RiskAssessment and the
//! override record — give exactly the Rust API's JSON; each refuses bad input as a JSON error
//! of the one shape; the header's ABI version is the library's, and its SONAME carries it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

use carelevel::overrides::{OverrideReason, OverrideRequest};
use carelevel::{Intake, Level, RulePack};
use carelevel_ffi::*;
use common::take;
use serde_json::Value;
use std::ffi::CString;

mod common;

const IOP: &str = include_str!("../../examples/intakes/iop_primary.json");
const PLAN: &str = include_str!("../../examples/intakes/inpatient_suicide_plan.json");
const HEADER: &str = include_str!("../include/carelevel.h");

fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

/// `{"ok": X}` as X's JSON text.
fn ok_of<T: serde::Serialize>(value: &T) -> String {
    format!("{{\"ok\":{}}}", serde_json::to_string(value).unwrap())
}

/// The error kind and its one problem's field.
fn error_of(json: &str) -> (String, String) {
    let v: Value = serde_json::from_str(json).unwrap();
    let e = &v["error"];
    let problems = e["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{json}");
    (
        e["kind"].as_str().unwrap().to_owned(),
        problems[0]["field"].as_str().unwrap().to_owned(),
    )
}

fn report(json: &str) -> carelevel::Report {
    RulePack::builtin()
        .report(&Intake::from_json(json).unwrap())
        .unwrap()
}

#[test]
fn the_card_is_the_rust_apis_card() {
    let pack = carelevel_pack_builtin();
    for intake in [IOP, PLAN] {
        let i = c(intake);
        // SAFETY: a live pack and a valid C string.
        let got = take(unsafe { carelevel_cds_card(pack, i.as_ptr()) });
        assert_eq!(got, ok_of(&report(intake).to_cds_card().unwrap()));
    }
    // SAFETY: null arguments are refused, never dereferenced.
    let null = take(unsafe { carelevel_cds_card(pack, std::ptr::null()) });
    assert_eq!(
        error_of(&null),
        ("null_argument".into(), "intake_json".into())
    );
    // SAFETY: the pack came from carelevel_pack_builtin and is freed once.
    unsafe { carelevel_pack_free(pack) };
}

#[test]
fn the_risk_assessment_is_the_rust_apis_resource() {
    let pack = carelevel_pack_builtin();
    let (i, s, r) = (c(PLAN), c("Patient/p1"), c("QuestionnaireResponse/q1"));
    // SAFETY: a live pack and valid C strings.
    let got = take(unsafe { carelevel_risk_assessment(pack, i.as_ptr(), s.as_ptr(), r.as_ptr()) });
    let want = report(PLAN).to_risk_assessment("Patient/p1", "QuestionnaireResponse/q1");
    assert_eq!(got, ok_of(&want));
    let v: Value = serde_json::from_str(&got).unwrap();
    assert_eq!(
        v["ok"]["prediction"][0]["outcome"]["coding"][0]["code"],
        "inpatient"
    );
    assert_eq!(
        v["ok"]["prediction"][0]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"],
        "inpatient_psychiatric"
    );
    // SAFETY: a null subject is refused, never dereferenced.
    let null =
        take(unsafe { carelevel_risk_assessment(pack, i.as_ptr(), std::ptr::null(), r.as_ptr()) });
    assert_eq!(error_of(&null), ("null_argument".into(), "subject".into()));
    // SAFETY: the pack came from carelevel_pack_builtin and is freed once.
    unsafe { carelevel_pack_free(pack) };
}

#[test]
fn an_override_is_recorded_as_the_rust_api_records_it() {
    let pack = carelevel_pack_builtin();
    let i = c(IOP);
    let request = r#"{"arranged": "outpatient", "reasons": ["waiting_list"]}"#;
    let o = c(request);
    // SAFETY: a live pack and valid C strings.
    let got = take(unsafe { carelevel_record_override(pack, i.as_ptr(), o.as_ptr()) });
    let want = report(IOP)
        .record_override(OverrideRequest {
            arranged: Level::Outpatient,
            reasons: vec![OverrideReason::WaitingList],
            note: None,
        })
        .unwrap();
    assert_eq!(got, ok_of(&want));
    // SAFETY: the pack came from carelevel_pack_builtin and is freed once.
    unsafe { carelevel_pack_free(pack) };
}

#[test]
fn a_bad_or_refused_override_is_an_invalid_override_that_never_echoes_the_request() {
    let pack = carelevel_pack_builtin();
    let i = c(IOP);
    for request in [
        // Not JSON; an unknown reason code carrying a name; a note that is a name.
        "not json at all",
        r#"{"arranged": "outpatient", "reasons": ["Jane Doe"]}"#,
        r#"{"arranged": "nowhere", "reasons": ["waiting_list"], "note": "Jane Doe"}"#,
        // Refused: the recommended level itself; no reason; `other` without a note.
        r#"{"arranged": "iop", "reasons": ["waiting_list"]}"#,
        r#"{"arranged": "outpatient", "reasons": []}"#,
        r#"{"arranged": "outpatient", "reasons": ["other"]}"#,
    ] {
        let o = c(request);
        // SAFETY: a live pack and valid C strings.
        let got = take(unsafe { carelevel_record_override(pack, i.as_ptr(), o.as_ptr()) });
        assert_eq!(
            error_of(&got),
            ("invalid_override".into(), "override_json".into()),
            "{request}: {got}"
        );
        assert!(!got.contains("Jane"), "{got}");
        assert!(!got.contains("nowhere"), "{got}");
    }
    // Below the safety floor without clinician judgement and a note: refused.
    let plan = c(PLAN);
    let o = c(r#"{"arranged": "iop", "reasons": ["client_preference"]}"#);
    // SAFETY: a live pack and valid C strings.
    let got = take(unsafe { carelevel_record_override(pack, plan.as_ptr(), o.as_ptr()) });
    assert_eq!(error_of(&got).0, "invalid_override", "{got}");
    // SAFETY: the pack came from carelevel_pack_builtin and is freed once.
    unsafe { carelevel_pack_free(pack) };
}

#[test]
fn the_headers_abi_version_is_the_librarys() {
    let line = HEADER
        .lines()
        .find(|l| l.starts_with("#define CARELEVEL_ABI_VERSION "))
        .expect("the header defines CARELEVEL_ABI_VERSION");
    assert_eq!(
        line.trim_start_matches("#define CARELEVEL_ABI_VERSION ")
            .trim(),
        ABI_VERSION
    );
    assert!(HEADER.contains(&format!("libcarelevel_ffi.so.{ABI_VERSION}")));
    assert!(HEADER.contains("Thread safety"));
}

/// On Linux, the shared library's SONAME is `libcarelevel_ffi.so.<ABI_VERSION>` (read with
/// `readelf`, from binutils, where it is installed).
#[test]
#[cfg(target_os = "linux")]
fn the_shared_librarys_soname_carries_the_abi_version() {
    // The test binary and the cdylib built for it are in target/<profile>/deps.
    let exe = std::env::current_exe().unwrap();
    let lib = exe.parent().unwrap().join("libcarelevel_ffi.so");
    assert!(lib.exists(), "{} is built with the tests", lib.display());
    let Ok(out) = std::process::Command::new("readelf")
        .arg("-d")
        .arg(&lib)
        .output()
    else {
        eprintln!("readelf is not installed: SONAME not checked");
        return;
    };
    let dynamic = String::from_utf8_lossy(&out.stdout);
    assert!(
        dynamic.contains(&format!("[libcarelevel_ffi.so.{ABI_VERSION}]")),
        "{dynamic}"
    );
}
