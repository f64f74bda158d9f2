//! Regressions: an intake is exactly one JSON document, and a rating is given once. Trailing
//! content and duplicate rating keys are errors through the C ABI, never silently accepted.

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
use std::ffi::{CStr, CString, c_char};
use std::ptr::null_mut;

const INTAKE: &str = include_str!("../../examples/intakes/php_daily_structure.json");

fn assess(pack: *const CarelevelPack, intake: &str) -> Value {
    let c = CString::new(intake).unwrap();
    // SAFETY: a live pack and a valid C string.
    let text = take(unsafe { carelevel_assess(pack, c.as_ptr()) });
    serde_json::from_str(&text).unwrap()
}

/// Asserts `v` is an error of one of `kinds` with at least one problem.
fn assert_error(v: &Value, kinds: &[&str], what: &str) {
    let kind = v["error"]["kind"].as_str();
    assert!(
        kind.is_some_and(|k| kinds.contains(&k)),
        "{what} must be an error of kind {kinds:?}, got {v}"
    );
    let problems = v["error"]["problems"].as_array();
    assert!(
        problems.is_some_and(|p| !p.is_empty()),
        "{what}: problems must be non-empty: {v}"
    );
}

#[test]
fn concatenated_intakes_are_malformed() {
    let pack = carelevel_pack_builtin();
    assert!(
        assess(pack, INTAKE).get("ok").is_some(),
        "one intake is fine"
    );
    let two = format!("{}{}", INTAKE.trim(), INTAKE.trim());
    assert_error(
        &assess(pack, &two),
        &["malformed_intake"],
        "two concatenated intakes",
    );
    let garbage = format!("{} garbage", INTAKE.trim());
    assert_error(
        &assess(pack, &garbage),
        &["malformed_intake"],
        "an intake followed by garbage",
    );
    // SAFETY: freed once.
    unsafe { carelevel_pack_free(pack) };
}

#[test]
fn duplicate_rating_keys_are_an_error() {
    // The built-in `pack.toml` (under a test id: the built-in id is reserved), the one source
    // record its baseline rule cites, and a rating `d1`, as one TOML text (a text holds at
    // most one source record, so not every built-in file).
    let file = |name: &str| {
        carelevel::BUILTIN_SOURCES
            .iter()
            .find(|(n, _)| n.ends_with(name))
            .unwrap_or_else(|| panic!("no built-in {name}"))
            .1
    };
    let mut toml = file("pack.toml").replace(r#"id = "carelevel.builtin""#, r#"id = "test.local""#);
    toml.push('\n');
    toml.push_str(file("samhsa-tip-47.toml"));
    toml.push_str("\n[[rating]]\nid = \"d1\"\nmin = 0\nmax = 4\nrequired = false\n");
    let toml = CString::new(toml).unwrap();
    let mut err: *mut c_char = null_mut();
    // SAFETY: a valid C string and a writable out-pointer.
    let pack = unsafe { carelevel_pack_from_toml(toml.as_ptr(), &mut err) };
    if pack.is_null() {
        // SAFETY: set by the failed call; read once, never freed twice.
        let why = unsafe { CStr::from_ptr(err).to_string_lossy().into_owned() };
        panic!("the test pack must load: {why}");
    }
    assert!(err.is_null());

    let mut intake: Value = serde_json::from_str(INTAKE).unwrap();
    intake["ratings"] = serde_json::json!({ "d1": 4 });
    let once = intake.to_string();
    assert!(
        assess(pack, &once).get("ok").is_some(),
        "a rating given once is fine"
    );
    let twice = once.replacen("\"d1\":4", "\"d1\":4,\"d1\":0", 1);
    assert!(twice.contains("{\"d1\":4,\"d1\":0}"), "{twice}");
    assert_error(
        &assess(pack, &twice),
        &["malformed_intake", "invalid_intake"],
        "a rating given twice",
    );
    // SAFETY: freed once.
    unsafe { carelevel_pack_free(pack) };
}
