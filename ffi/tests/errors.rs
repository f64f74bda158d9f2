//! Every error through the C ABI has one shape, and the header lists every `kind`.

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
use std::collections::BTreeSet;
use std::ffi::{CStr, CString, c_char};
use std::ptr::{null, null_mut};

const HEADER: &str = include_str!("../include/carelevel.h");
const INTAKE: &str = include_str!("../../examples/intakes/iop_primary.json");
const INCOMPLETE: &str = include_str!("../../examples/intakes/incomplete_missing_safety.json");
/// The start of an intake 2 document, before its other keys.
const V2: &str = "{\"schema_version\": \"2\", ";

/// The kinds the header lists, in order: the lines ` *   kind: NAME  meaning`.
fn header_kinds() -> Vec<String> {
    HEADER
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix('*'))
        .filter_map(|l| l.trim_start().strip_prefix("kind:"))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

/// A C string of arbitrary bytes (no NUL).
fn c(bytes: &[u8]) -> CString {
    CString::new(bytes).unwrap()
}

fn assess(pack: *const CarelevelPack, intake: Option<&CString>) -> String {
    // SAFETY: a live pack or null, a valid C string or null.
    take(unsafe { carelevel_assess(pack, intake.map_or(null(), |s| s.as_ptr())) })
}

fn transition(
    pack: *const CarelevelPack,
    level: Option<&CString>,
    intake: Option<&CString>,
) -> String {
    // SAFETY: a live pack or null, valid C strings or null.
    take(unsafe {
        carelevel_transition(
            pack,
            level.map_or(null(), |s| s.as_ptr()),
            intake.map_or(null(), |s| s.as_ptr()),
        )
    })
}

fn record_override(
    pack: *const CarelevelPack,
    intake: Option<&CString>,
    request: Option<&CString>,
) -> String {
    // SAFETY: a live pack or null, valid C strings or null.
    take(unsafe {
        carelevel_record_override(
            pack,
            intake.map_or(null(), |s| s.as_ptr()),
            request.map_or(null(), |s| s.as_ptr()),
        )
    })
}

fn risk_assessment(
    pack: *const CarelevelPack,
    intake: Option<&CString>,
    context: Option<&CString>,
) -> String {
    // SAFETY: a live pack or null, valid C strings or null.
    take(unsafe {
        carelevel_risk_assessment(
            pack,
            intake.map_or(null(), |s| s.as_ptr()),
            context.map_or(null(), |s| s.as_ptr()),
        )
    })
}

fn service_request(
    pack: *const CarelevelPack,
    intake: Option<&CString>,
    context: Option<&CString>,
    id: Option<&CString>,
) -> String {
    // SAFETY: a live pack or null, valid C strings or null.
    take(unsafe {
        carelevel_service_request(
            pack,
            intake.map_or(null(), |s| s.as_ptr()),
            context.map_or(null(), |s| s.as_ptr()),
            id.map_or(null(), |s| s.as_ptr()),
        )
    })
}

fn convert(intake: Option<&CString>) -> String {
    // SAFETY: a valid C string or null.
    take(unsafe { carelevel_convert_v0_1(intake.map_or(null(), |s| s.as_ptr())) })
}

/// Loads a pack that must fail, and returns the error JSON.
fn pack_error(toml: Option<&CString>) -> String {
    let mut err: *mut c_char = null_mut();
    // SAFETY: a valid C string or null, and a writable out-pointer.
    let pack = unsafe { carelevel_pack_from_toml(toml.map_or(null(), |s| s.as_ptr()), &mut err) };
    assert!(pack.is_null(), "the pack was expected to fail");
    take(err)
}

/// Asserts the one error shape and returns `error`.
fn check_shape(case: &str, out: &str) -> Value {
    let kinds = header_kinds();
    let v: Value =
        serde_json::from_str(out).unwrap_or_else(|e| panic!("{case}: not JSON ({e}): {out}"));
    let top = v.as_object().unwrap_or_else(|| panic!("{case}: {out}"));
    assert_eq!(
        top.keys().collect::<Vec<_>>(),
        ["error"],
        "{case}: only `error` at the top: {out}"
    );
    let error = v["error"].as_object().unwrap();
    let keys: BTreeSet<&str> = error.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from(["kind", "message", "problems"]),
        "{case}: {out}"
    );
    let kind = error["kind"].as_str().unwrap();
    assert!(
        kinds.iter().any(|k| k == kind),
        "{case}: kind {kind} is not in the header"
    );
    let message = error["message"].as_str().unwrap();
    assert!(!message.is_empty(), "{case}: empty message");
    assert!(
        !message.chars().any(char::is_control),
        "{case}: message is not one line: {message:?}"
    );
    let problems = error["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("{case}: {out}"));
    assert!(!problems.is_empty(), "{case}: problems is empty: {out}");
    for p in problems {
        let p = p
            .as_object()
            .unwrap_or_else(|| panic!("{case}: problem not an object: {out}"));
        let text = p.get("message").and_then(Value::as_str);
        assert!(
            text.is_some_and(|t| !t.is_empty() && !t.chars().any(char::is_control)),
            "{case}: problem without a one-line message: {out}"
        );
        let keys: BTreeSet<&str> = p.keys().map(String::as_str).collect();
        // The keys each kind's problems must have, and those they may have besides.
        let (required, optional): (&[&str], &[&str]) = match kind {
            "malformed_intake" => (&["field", "message", "line", "column"], &[]),
            "invalid_intake" => (
                &["field", "message", "problem_kind"],
                &[
                    "value",
                    "min",
                    "max",
                    "expected",
                    "reason",
                    "suggestion",
                    "count",
                    "given",
                    "sum",
                    "complete",
                    "items",
                ],
            ),
            "invalid_pack" => (
                &["file", "message", "problem_kind"],
                &["rule", "id", "path", "line", "column", "suggestion"],
            ),
            _ => (&["field", "message"], &[]),
        };
        assert!(
            required.iter().all(|k| keys.contains(k))
                && keys
                    .iter()
                    .all(|k| required.contains(k) || optional.contains(k)),
            "{case}: problem keys {keys:?}: {out}"
        );
        for (k, v) in p {
            let number = [
                "line", "column", "value", "min", "max", "count", "given", "sum",
            ]
            .contains(&k.as_str());
            let (ok, what) = match k.as_str() {
                "complete" => (v.is_boolean(), "boolean"),
                _ if number => (v.is_u64(), "number"),
                _ => (v.is_string(), "string"),
            };
            assert!(ok, "{case}: problem {k} is not a {what}: {out}");
        }
    }
    v["error"].clone()
}

/// The core's `IntakeError::Json { path, line, column, message }` for `text`: the FFI's
/// problem must be `{"field": path, "message": message, "line": line, "column": column}`.
fn core_json_error(text: &str) -> (String, String, Value) {
    match carelevel::Intake::from_json(text) {
        Err(carelevel::IntakeError::Json {
            path,
            line,
            column,
            message,
        }) => {
            assert!(line >= 1, "{text:?}: line {line}");
            let position = serde_json::json!({ "line": line, "column": column });
            (path, message, position)
        }
        other => panic!("expected a JSON error for {text:?}, got {other:?}"),
    }
}

#[test]
fn the_header_lists_exactly_the_rust_kinds() {
    let rust: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(header_kinds(), rust);
    let distinct: BTreeSet<&str> = rust.iter().copied().collect();
    assert_eq!(distinct.len(), rust.len(), "duplicate kinds: {rust:?}");
    for expected in [
        "null_argument",
        "invalid_utf8",
        "malformed_intake",
        "unsupported_version",
        "invalid_intake",
        "invalid_level",
        "invalid_override",
        "invalid_context",
        "invalid_pack",
        "unavailable",
        "internal",
    ] {
        assert!(rust.contains(&expected), "{expected} is missing");
    }
}

#[test]
fn every_error_path_returns_the_one_shape() {
    let pack = carelevel_pack_builtin();
    let intake = c(INTAKE.as_bytes());
    // The bundled incomplete intake (its safety items and medical status missing), of a
    // person in outpatient care, so that a transition from outpatient reaches the intake.
    let incomplete_in_treatment = {
        let mut v: serde_json::Value = serde_json::from_str(INCOMPLETE).unwrap();
        v["history"]["current_setting"] = "outpatient".into();
        v["history"]["progress"] = "progressing".into();
        c(v.to_string().as_bytes())
    };
    let bad_utf8_intake = b"{\"notes\":\"\xffSECRET\"}";
    let bad_utf8_level = b"php\xc3SECRET";
    let bad_utf8_toml = b"[pack]\nid = \"\xfe SECRET\"\n";
    let at = |bytes: &[u8]| std::str::from_utf8(bytes).unwrap_err().valid_up_to();
    // Intake 2 documents, each malformed after its `schema_version` (`V2` adds 23 bytes to
    // each column).
    let syntax = format!("{V2}\"age\": 34, \"notes\": \"SECRET");
    let wrong_type = format!("{V2}\"age\": \"SECRET\"}}");
    let not_object = "[SECRET";
    let unknown_key = format!("{V2}\"SECRET\": 1}}");
    // A declinable safety item: an answer, "declined" or "unable_to_assess", nothing else.
    let wrong_answer = format!("{V2}\"safety\": {{\"suicidal_ideation\": \"SECRET\"}}}}");
    let (syntax_path, syntax_message, syntax_at) = core_json_error(&syntax);
    let (wrong_type_path, wrong_type_message, wrong_type_at) = core_json_error(&wrong_type);
    let (not_object_path, not_object_message, not_object_at) = core_json_error(not_object);
    let (unknown_key_path, unknown_key_message, unknown_key_at) = core_json_error(&unknown_key);
    let (wrong_answer_path, wrong_answer_message, wrong_answer_at) = core_json_error(&wrong_answer);
    assert_eq!(wrong_answer_path, "safety.suicidal_ideation");
    // Where reading stopped: the end of the string for the wrong type, the end for the
    // unterminated string, the unknown key's closing quote.
    assert_eq!(
        wrong_type_at,
        serde_json::json!({ "line": 1, "column": 39 })
    );
    assert_eq!(syntax_at, serde_json::json!({ "line": 1, "column": 51 }));
    assert_eq!(
        unknown_key_at,
        serde_json::json!({ "line": 1, "column": 32 })
    );
    // A 0.1 intake has no `schema_version` (this one has only 0.1's keys, and free text).
    let version = carelevel::IntakeError::Version.to_string();
    let old = "{\"age\": 34, \"notes\": \"SECRET\"}";
    // Conflicting answers, and an age below the pack's: the core's problems, as they are.
    let mut conflicting: Value = serde_json::from_str(INTAKE).unwrap();
    conflicting["substance_use"][0]["cows"] = 3.into();
    conflicting["notes"] = "SECRET".into();
    let conflicting = conflicting.to_string();
    // A total its items cannot make: GAD-7 8, its seven items all `not_at_all`.
    let mut disagreeing: Value = serde_json::from_str(INTAKE).unwrap();
    disagreeing["severity"]["gad7_items"] = serde_json::json!({
        "nervous": "not_at_all", "uncontrolled_worry": "not_at_all",
        "excessive_worry": "not_at_all", "trouble_relaxing": "not_at_all",
        "restlessness": "not_at_all", "irritability": "not_at_all", "dread": "not_at_all"
    });
    disagreeing["notes"] = "SECRET".into();
    let disagreeing = disagreeing.to_string();
    let mut too_young: Value = serde_json::from_str(INTAKE).unwrap();
    too_young["age"] = 4.into();
    too_young["notes"] = "SECRET".into();
    let too_young = too_young.to_string();
    // FHIR contexts: one whose occurrence is no FHIR dateTime, one that is not an object.
    let context = c(br#"{"id": "ra-1", "subject": "Patient/1", "response": "QuestionnaireResponse/2", "occurrence": "2026-11-29"}"#);
    let bad_occurrence = c(br#"{"id": "ra-1", "subject": "Patient/1", "response": "QuestionnaireResponse/2", "occurrence": "SECRET"}"#);

    // (case, output, kind, first problem's field or file, first problem's message if fixed)
    let cases: Vec<(&str, String, &str, &str, Option<String>)> = vec![
        (
            "assess: null pack",
            assess(null(), Some(&intake)),
            "null_argument",
            "pack",
            Some("is a null pointer".into()),
        ),
        (
            "assess: null intake",
            assess(pack, None),
            "null_argument",
            "intake_json",
            Some("is a null pointer".into()),
        ),
        (
            "assess: non-UTF-8 intake",
            assess(pack, Some(&c(bad_utf8_intake))),
            "invalid_utf8",
            "intake_json",
            Some(format!(
                "is not valid UTF-8 at byte {}",
                at(bad_utf8_intake)
            )),
        ),
        (
            "assess: 0.1 intake",
            assess(pack, Some(&c(old.as_bytes()))),
            "unsupported_version",
            "schema_version",
            Some(version.clone()),
        ),
        (
            "assess: wrong answer to a safety item",
            assess(pack, Some(&c(wrong_answer.as_bytes()))),
            "malformed_intake",
            &wrong_answer_path,
            Some(wrong_answer_message),
        ),
        (
            "assess: conflicting answers",
            assess(pack, Some(&c(conflicting.as_bytes()))),
            "invalid_intake",
            "substance_use[0].cows",
            None,
        ),
        (
            "assess: a total its items cannot make",
            assess(pack, Some(&c(disagreeing.as_bytes()))),
            "invalid_intake",
            "severity.gad7",
            None,
        ),
        (
            "assess: below the supported age",
            assess(pack, Some(&c(too_young.as_bytes()))),
            "invalid_intake",
            "age",
            None,
        ),
        (
            "assess: malformed JSON",
            assess(pack, Some(&c(syntax.as_bytes()))),
            "malformed_intake",
            &syntax_path,
            Some(syntax_message),
        ),
        (
            "assess: wrong type",
            assess(pack, Some(&c(wrong_type.as_bytes()))),
            "malformed_intake",
            &wrong_type_path,
            Some(wrong_type_message),
        ),
        (
            "assess: unknown key",
            assess(pack, Some(&c(unknown_key.as_bytes()))),
            "malformed_intake",
            &unknown_key_path,
            Some(unknown_key_message),
        ),
        (
            // `carelevel_assess` reports an incomplete intake provisionally (`provisional.rs`);
            // a transition still refuses it.
            "transition: incomplete intake",
            transition(
                pack,
                Some(&c(b"outpatient")),
                Some(&incomplete_in_treatment),
            ),
            "invalid_intake",
            "",
            None,
        ),
        (
            "transition: null pack",
            transition(null(), Some(&c(b"iop")), Some(&intake)),
            "null_argument",
            "pack",
            Some("is a null pointer".into()),
        ),
        (
            "transition: null level",
            transition(pack, None, Some(&intake)),
            "null_argument",
            "current_level",
            Some("is a null pointer".into()),
        ),
        (
            "transition: null intake",
            transition(pack, Some(&c(b"iop")), None),
            "null_argument",
            "intake_json",
            Some("is a null pointer".into()),
        ),
        (
            "transition: non-UTF-8 level",
            transition(pack, Some(&c(bad_utf8_level)), Some(&intake)),
            "invalid_utf8",
            "current_level",
            Some(format!("is not valid UTF-8 at byte {}", at(bad_utf8_level))),
        ),
        (
            "transition: bad level",
            transition(pack, Some(&c(b"sideways SECRET")), Some(&intake)),
            "invalid_level",
            "current_level",
            Some("is not a level of care; expected one of outpatient, iop, php, inpatient".into()),
        ),
        (
            "transition: malformed JSON",
            transition(pack, Some(&c(b"iop")), Some(&c(not_object.as_bytes()))),
            "malformed_intake",
            &not_object_path,
            Some(not_object_message),
        ),
        (
            "transition: 0.1 intake",
            transition(pack, Some(&c(b"iop")), Some(&c(old.as_bytes()))),
            "unsupported_version",
            "schema_version",
            Some(version.clone()),
        ),
        (
            "convert: null intake",
            convert(None),
            "null_argument",
            "intake_json",
            Some("is a null pointer".into()),
        ),
        (
            "convert: non-UTF-8 intake",
            convert(Some(&c(bad_utf8_intake))),
            "invalid_utf8",
            "intake_json",
            Some(format!(
                "is not valid UTF-8 at byte {}",
                at(bad_utf8_intake)
            )),
        ),
        (
            "convert: an intake 2",
            convert(Some(&intake)),
            "malformed_intake",
            "schema_version",
            None,
        ),
        (
            "convert: malformed 0.1 intake",
            convert(Some(&c(b"{\"safety\": {\"suicide_risk\": \"SECRET\"}}"))),
            "malformed_intake",
            "safety.suicide_risk",
            None,
        ),
        (
            "pack: null TOML",
            pack_error(None),
            "null_argument",
            "toml",
            Some("is a null pointer".into()),
        ),
        (
            "pack: non-UTF-8 TOML",
            pack_error(Some(&c(bad_utf8_toml))),
            "invalid_utf8",
            "toml",
            Some(format!("is not valid UTF-8 at byte {}", at(bad_utf8_toml))),
        ),
        (
            "pack: bad TOML",
            pack_error(Some(&c(b"not toml = "))),
            "invalid_pack",
            "pack.toml",
            None,
        ),
        (
            "pack: invalid rules",
            pack_error(Some(&c(b"[[rule]]\nid = 'x'\n"))),
            "invalid_pack",
            "pack.toml",
            None,
        ),
        (
            "override: null request",
            record_override(pack, Some(&intake), None),
            "null_argument",
            "override_json",
            Some("is a null pointer".into()),
        ),
        (
            "override: malformed request",
            record_override(
                pack,
                Some(&intake),
                Some(&c(b"{\"arranged\": \"SECRET\", \"reasons\": []}")),
            ),
            "invalid_override",
            "override_json",
            None,
        ),
        (
            "risk assessment: null context",
            risk_assessment(pack, Some(&intake), None),
            "null_argument",
            "context_json",
            Some("is a null pointer".into()),
        ),
        (
            "risk assessment: non-UTF-8 context",
            risk_assessment(pack, Some(&intake), Some(&c(bad_utf8_intake))),
            "invalid_utf8",
            "context_json",
            Some(format!(
                "is not valid UTF-8 at byte {}",
                at(bad_utf8_intake)
            )),
        ),
        (
            "risk assessment: not a context",
            risk_assessment(pack, Some(&intake), Some(&c(b"[\"SECRET\"]"))),
            "invalid_context",
            "context_json",
            None,
        ),
        (
            "risk assessment: not a FHIR dateTime",
            risk_assessment(pack, Some(&intake), Some(&bad_occurrence)),
            "invalid_context",
            "context_json.occurrence",
            None,
        ),
        (
            "risk assessment: invalid intake",
            risk_assessment(pack, Some(&c(too_young.as_bytes())), Some(&context)),
            "invalid_intake",
            "age",
            None,
        ),
        (
            "service request: not a FHIR id",
            service_request(pack, Some(&intake), Some(&context), Some(&c(b"SECRET id"))),
            "invalid_context",
            "id",
            Some(
                "is not a FHIR id: 1-64 characters, each an ASCII letter, digit, `-` or `.`".into(),
            ),
        ),
        (
            "service request: null id",
            service_request(pack, Some(&intake), Some(&context), None),
            "null_argument",
            "id",
            Some("is a null pointer".into()),
        ),
    ];

    let mut seen = BTreeSet::new();
    for (case, out, kind, location, message) in &cases {
        let error = check_shape(case, out);
        assert_eq!(error["kind"], *kind, "{case}: {out}");
        seen.insert(kind.to_string());
        let first = &error["problems"][0];
        let at = first.get("field").or_else(|| first.get("file")).unwrap();
        if !location.is_empty() {
            assert_eq!(at, location, "{case}: {out}");
        }
        if let Some(message) = message {
            assert_eq!(first["message"], message.as_str(), "{case}: {out}");
        }
        assert!(!out.contains("SECRET"), "{case}: caller text echoed: {out}");
    }
    // The pack problem with a rule names it; the incomplete intake names its fields.
    let output = |name: &str| {
        let case = cases.iter().find(|c| c.0 == name).unwrap();
        (check_shape(name, &case.1), case.1.clone())
    };
    let (rules, out) = output("pack: invalid rules");
    let problems = rules["problems"].as_array().unwrap();
    assert!(
        problems.contains(&serde_json::json!({
            "file": "pack.toml", "rule": "rule `x`", "message": "has no `criterion`",
            "problem_kind": "missing_field", "id": "x", "path": "rule[0]", "line": 1, "column": 1
        })),
        "{out}"
    );
    let (syntax_error, out) = output("pack: bad TOML");
    assert_eq!(
        syntax_error["problems"][0],
        serde_json::json!({
            "file": "pack.toml",
            "message": "key with no value, expected `=`",
            "problem_kind": "syntax", "line": 1, "column": 5
        }),
        "{out}"
    );
    let (incomplete, out) = output("transition: incomplete intake");
    let problems = incomplete["problems"].as_array().unwrap();
    assert!(
        problems.contains(&serde_json::json!({
            "field": "safety.suicidal_ideation",
            "message": "`safety.suicidal_ideation` is unanswered; a safety item is required and never assumed to be no risk",
            "problem_kind": "missing"
        })),
        "{out}"
    );
    // Conflicts and ages below the pack's are the core's problems, serialised as they are.
    for (name, text, problem_kind) in [
        ("assess: conflicting answers", &conflicting, "conflict"),
        (
            "assess: a total its items cannot make",
            &disagreeing,
            "total_disagrees",
        ),
        (
            "assess: below the supported age",
            &too_young,
            "below_supported_age",
        ),
    ] {
        let (error, out) = output(name);
        let intake = carelevel::Intake::from_json(text).unwrap();
        let core = carelevel::RulePack::builtin().assess(&intake).unwrap_err();
        let expected: Vec<Value> = core
            .problems()
            .iter()
            .map(|p| serde_json::to_value(p).unwrap())
            .collect();
        assert_eq!(error["problems"].as_array().unwrap(), &expected, "{out}");
        assert_eq!(error["problems"][0]["problem_kind"], problem_kind, "{out}");
    }
    let (conflict, _) = output("assess: conflicting answers");
    assert!(conflict["problems"][0]["reason"].is_string());
    let (disagrees, out) = output("assess: a total its items cannot make");
    assert_eq!(
        disagrees["problems"][0],
        serde_json::json!({
            "field": "severity.gad7",
            "message": "`severity.gad7` is 8, but its items (`severity.gad7_items`) sum to 0",
            "problem_kind": "total_disagrees",
            "given": 8,
            "sum": 0,
            "complete": true,
            "items": "severity.gad7_items"
        }),
        "{out}"
    );
    let (too_young, _) = output("assess: below the supported age");
    assert_eq!(too_young["problems"][0]["min"], 12);
    // A malformed intake's problem carries the core's line and column.
    for (name, at) in [
        ("assess: malformed JSON", &syntax_at),
        ("assess: wrong type", &wrong_type_at),
        ("assess: unknown key", &unknown_key_at),
        ("assess: wrong answer to a safety item", &wrong_answer_at),
        ("transition: malformed JSON", &not_object_at),
    ] {
        let (error, out) = output(name);
        let first = &error["problems"][0];
        assert_eq!(
            (&first["line"], &first["column"]),
            (&at["line"], &at["column"]),
            "{name}: {out}"
        );
    }
    // Every kind but the two no caller can provoke (a missing pack, a bug) is exercised.
    let all: BTreeSet<String> = header_kinds().into_iter().collect();
    let untested: Vec<&String> = all.difference(&seen).collect();
    assert_eq!(untested, ["internal", "unavailable"]);

    // SAFETY: freed once.
    unsafe { carelevel_pack_free(pack) };
}

#[test]
fn a_bad_pack_with_no_error_out_is_null_and_does_not_crash() {
    let toml = c(b"not toml = ");
    // SAFETY: a valid C string; a null out-pointer is allowed.
    let pack = unsafe { carelevel_pack_from_toml(toml.as_ptr(), null_mut()) };
    assert!(pack.is_null());
    // SAFETY: both null, which is allowed.
    let pack = unsafe { carelevel_pack_from_toml(null(), null_mut()) };
    assert!(pack.is_null());
}

#[test]
fn version_is_the_core_crate_version() {
    let first = carelevel_version();
    assert!(!first.is_null());
    // SAFETY: a static NUL-terminated string.
    let version = unsafe { CStr::from_ptr(first) }.to_str().unwrap();
    assert_eq!(version, carelevel::VERSION);
    assert!(!version.is_empty());
    assert_eq!(
        carelevel_version(),
        first,
        "the same static string every call"
    );
}
