//! The adapters through the C ABI — the CDS Hooks card, the FHIR RiskAssessment, the proposed
//! FHIR ServiceRequest and the override record — give exactly the Rust API's JSON; each
//! refuses bad input as a JSON error of the one shape; the header's ABI version is the
//! library's, and its SONAME carries it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

use carelevel::fhir::FhirContext;
use carelevel::overrides::{OverrideReason, OverrideRequest};
use carelevel::{Intake, Level, RulePack};
use carelevel_ffi::*;
use common::take;
use serde_json::Value;
use std::ffi::CString;

mod common;

const IOP: &str = include_str!("../../examples/intakes/iop_primary.json");
const PLAN: &str = include_str!("../../examples/intakes/inpatient_suicide_plan.json");
const INCOMPLETE: &str = include_str!("../../examples/intakes/incomplete_missing_safety.json");
/// A FHIR context with every key, and one with the required keys alone.
const CONTEXT: &str = r#"{"id": "ra-1", "subject": "Patient/p1",
    "response": "QuestionnaireResponse/q1", "occurrence": "2026-11-29T14:05:00Z",
    "encounter": "Encounter/e1", "performer": "Device/carelevel"}"#;
const MINIMAL_CONTEXT: &str = r#"{"id": "ra-2", "subject": "Patient/p1",
    "response": "QuestionnaireResponse/q1", "occurrence": "2026-11-29"}"#;
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

fn risk_assessment(pack: *const CarelevelPack, intake: &str, context: Option<&str>) -> String {
    let (i, x) = (c(intake), context.map(c));
    // SAFETY: a live pack, valid C strings or null.
    take(unsafe {
        carelevel_risk_assessment(
            pack,
            i.as_ptr(),
            x.as_ref().map_or(std::ptr::null(), |x| x.as_ptr()),
        )
    })
}

fn service_request(
    pack: *const CarelevelPack,
    intake: &str,
    context: Option<&str>,
    id: Option<&str>,
) -> String {
    let (i, x, d) = (c(intake), context.map(c), id.map(c));
    // SAFETY: a live pack, valid C strings or null.
    take(unsafe {
        carelevel_service_request(
            pack,
            i.as_ptr(),
            x.as_ref().map_or(std::ptr::null(), |x| x.as_ptr()),
            d.as_ref().map_or(std::ptr::null(), |d| d.as_ptr()),
        )
    })
}

#[test]
fn the_risk_assessment_is_the_rust_apis_resource() {
    let pack = carelevel_pack_builtin();
    for intake in [PLAN, IOP, INCOMPLETE] {
        for context in [CONTEXT, MINIMAL_CONTEXT] {
            let got = risk_assessment(pack, intake, Some(context));
            let parsed: FhirContext = serde_json::from_str(context).unwrap();
            let want = report(intake).to_risk_assessment(&parsed).unwrap();
            assert_eq!(got, ok_of(&want));
        }
    }
    let got = risk_assessment(pack, PLAN, Some(CONTEXT));
    let v: Value = serde_json::from_str(&got).unwrap();
    assert_eq!(
        v["ok"]["prediction"][0]["outcome"]["coding"][0]["code"],
        "inpatient"
    );
    assert_eq!(
        v["ok"]["prediction"][0]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"],
        "inpatient_psychiatric"
    );
    assert_eq!(v["ok"]["id"], "ra-1");
    assert_eq!(v["ok"]["occurrenceDateTime"], "2026-11-29T14:05:00Z");
    assert_eq!(v["ok"]["encounter"]["reference"], "Encounter/e1");
    assert_eq!(v["ok"]["performer"]["reference"], "Device/carelevel");
    assert_eq!(
        v["ok"]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"],
        "emergency"
    );
    let incomplete: Value =
        serde_json::from_str(&risk_assessment(pack, INCOMPLETE, Some(CONTEXT))).unwrap();
    assert_eq!(incomplete["ok"]["status"], "preliminary");
    // A null context is refused, never dereferenced.
    let null = risk_assessment(pack, PLAN, None);
    assert_eq!(
        error_of(&null),
        ("null_argument".into(), "context_json".into())
    );
    // SAFETY: the pack came from carelevel_pack_builtin and is freed once.
    unsafe { carelevel_pack_free(pack) };
}

#[test]
fn the_service_request_is_the_rust_apis_resource() {
    let pack = carelevel_pack_builtin();
    for intake in [PLAN, IOP, INCOMPLETE] {
        for context in [CONTEXT, MINIMAL_CONTEXT] {
            let got = service_request(pack, intake, Some(context), Some("sr-1"));
            let parsed: FhirContext = serde_json::from_str(context).unwrap();
            let want = report(intake).to_service_request(&parsed, "sr-1").unwrap();
            assert_eq!(got, ok_of(&want));
        }
    }
    let v: Value =
        serde_json::from_str(&service_request(pack, PLAN, Some(CONTEXT), Some("sr-1"))).unwrap();
    assert_eq!(
        (&v["ok"]["status"], &v["ok"]["intent"]),
        (&"draft".into(), &"proposal".into())
    );
    assert_eq!(v["ok"]["priority"], "stat");
    assert_eq!(
        v["ok"]["reasonReference"][0]["reference"],
        "RiskAssessment/ra-1"
    );
    assert_eq!(v["ok"]["requester"]["reference"], "Device/carelevel");
    // Null arguments are refused, never dereferenced.
    let null = service_request(pack, PLAN, Some(CONTEXT), None);
    assert_eq!(error_of(&null), ("null_argument".into(), "id".into()));
    let null = service_request(pack, PLAN, None, Some("sr-1"));
    assert_eq!(
        error_of(&null),
        ("null_argument".into(), "context_json".into())
    );
    // SAFETY: the pack came from carelevel_pack_builtin and is freed once.
    unsafe { carelevel_pack_free(pack) };
}

#[test]
fn a_bad_context_is_an_invalid_context_naming_the_key_and_never_echoing_it() {
    let pack = carelevel_pack_builtin();
    let with = |key: &str, value: Value| {
        let mut v: Value = serde_json::from_str(CONTEXT).unwrap();
        v[key] = value;
        v.to_string()
    };
    let without = |key: &str| {
        let mut v: Value = serde_json::from_str(CONTEXT).unwrap();
        v.as_object_mut().unwrap().remove(key);
        v.to_string()
    };
    let secret = "Jane Doe 1970-01-01";
    let cases: Vec<(String, &str)> = vec![
        ("Jane Doe".into(), "context_json"),
        ("[\"Jane Doe\"]".into(), "context_json"),
        (with("Jane Doe", "x".into()), "context_json"),
        (without("occurrence"), "context_json.occurrence"),
        (without("id"), "context_json.id"),
        (with("subject", 7.into()), "context_json.subject"),
        (
            with("performer", serde_json::json!({"reference": secret})),
            "context_json.performer",
        ),
        (with("id", secret.into()), "context_json.id"),
        (with("subject", secret.into()), "context_json.subject"),
        (
            with("subject", "Practitioner/1".into()),
            "context_json.subject",
        ),
        (with("response", secret.into()), "context_json.response"),
        (with("occurrence", secret.into()), "context_json.occurrence"),
        (
            with("occurrence", "2026-02-30".into()),
            "context_json.occurrence",
        ),
        (with("encounter", secret.into()), "context_json.encounter"),
        (
            with("performer", "Organization/1".into()),
            "context_json.performer",
        ),
    ];
    for (context, field) in &cases {
        for got in [
            risk_assessment(pack, IOP, Some(context)),
            service_request(pack, IOP, Some(context), Some("sr-1")),
        ] {
            assert_eq!(
                error_of(&got),
                ("invalid_context".into(), (*field).into()),
                "{context}: {got}"
            );
            assert!(!got.contains("Jane"), "{got}");
            assert!(
                !got.contains("Practitioner/1") && !got.contains("Organization/1"),
                "{got}"
            );
            let v: Value = serde_json::from_str(&got).unwrap();
            let message = v["error"]["message"].as_str().unwrap();
            assert!(message.starts_with(&format!("`{field}` ")), "{message}");
        }
    }
    // An optional key may be null (absent).
    let null_encounter = with("encounter", Value::Null);
    let got = risk_assessment(pack, IOP, Some(&null_encounter));
    assert!(got.starts_with("{\"ok\":"), "{got}");
    // The ServiceRequest's own id.
    for id in [secret, "", &"x".repeat(65)] {
        let got = service_request(pack, IOP, Some(CONTEXT), Some(id));
        assert_eq!(
            error_of(&got),
            ("invalid_context".into(), "id".into()),
            "{got}"
        );
        assert!(!got.contains("Jane"), "{got}");
        let v: Value = serde_json::from_str(&got).unwrap();
        assert_eq!(
            v["error"]["problems"][0]["message"],
            "is not a FHIR id: 1-64 characters, each an ASCII letter, digit, `-` or `.`"
        );
    }
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
