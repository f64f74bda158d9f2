//! The C ABI of carelevel: JSON in, JSON out.
//!
//! This crate is separate so that the core keeps `#![forbid(unsafe_code)]`; the only unsafe
//! code is here, at the boundary. Every function returns a NUL-terminated JSON string that the
//! caller frees with [`carelevel_free`], or a pack handle freed with [`carelevel_pack_free`].
//! Every error crosses the boundary as JSON (`{"error": {...}}`), never as a crash: null
//! pointers, invalid UTF-8, bad JSON, invalid intakes and even internal panics are caught.
//! See `include/carelevel.h`.

use carelevel::{IntakeError, Level, RulePack};
use serde_json::{Value, json};
use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// An opaque rule pack handle.
pub struct CarelevelPack(RulePack);

fn to_c(value: &Value) -> *mut c_char {
    // serde_json never emits an interior NUL (it escapes U+0000 as \u0000).
    CString::new(value.to_string()).map_or(std::ptr::null_mut(), CString::into_raw)
}

fn error(kind: &str, message: String) -> Value {
    json!({ "error": { "kind": kind, "message": message } })
}

fn intake_error(e: &IntakeError) -> Value {
    let problems: Vec<Value> = e
        .problems()
        .iter()
        .map(|p| json!({ "field": p.field, "message": p.to_string() }))
        .collect();
    let kind = match e {
        IntakeError::Json { .. } => "malformed_intake",
        IntakeError::Invalid(_) => "invalid_intake",
        _ => "unavailable",
    };
    json!({ "error": { "kind": kind, "message": e.to_string(), "problems": problems } })
}

/// Reads a C string argument.
///
/// # Safety
///
/// `ptr` is null or points to a NUL-terminated string valid for the call.
unsafe fn arg<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Value> {
    if ptr.is_null() {
        return Err(error(
            "null_argument",
            format!("`{name}` is a null pointer"),
        ));
    }
    // SAFETY: the caller promises a valid NUL-terminated string.
    let c = unsafe { CStr::from_ptr(ptr) };
    c.to_str()
        .map_err(|e| error("invalid_utf8", format!("`{name}` is not UTF-8: {e}")))
}

/// Runs `f`, turning a panic into a JSON error, and hands the JSON text to C.
fn guarded(f: impl FnOnce() -> Result<String, Value>) -> *mut c_char {
    let text = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(ok)) => ok,
        Ok(Err(e)) => e.to_string(),
        Err(_) => error("internal", "carelevel panicked; this is a bug".into()).to_string(),
    };
    CString::new(text).map_or(std::ptr::null_mut(), CString::into_raw)
}

/// `{"ok": ...}` keeping the value's own field order (the JSON contract's order).
fn ok<T: serde::Serialize>(value: &T) -> Result<String, Value> {
    serde_json::to_string(value)
        .map(|v| format!("{{\"ok\":{v}}}"))
        .map_err(|e| error("internal", e.to_string()))
}

/// The built-in pack. Never null. Free it with [`carelevel_pack_free`].
#[unsafe(no_mangle)]
pub extern "C" fn carelevel_pack_builtin() -> *mut CarelevelPack {
    Box::into_raw(Box::new(CarelevelPack(RulePack::builtin())))
}

/// Loads a pack from TOML text. Returns null on error and, if `error_out` is not null, sets
/// `*error_out` to a JSON error (free it with [`carelevel_free`]) listing every problem.
///
/// # Safety
///
/// `toml` is null or a valid NUL-terminated string; `error_out` is null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn carelevel_pack_from_toml(
    toml: *const c_char,
    error_out: *mut *mut c_char,
) -> *mut CarelevelPack {
    // SAFETY: forwarded from the caller's contract.
    let result = match unsafe { arg(toml, "toml") } {
        Err(e) => Err(e),
        Ok(text) => catch_unwind(|| RulePack::from_toml("pack.toml", text))
            .map_err(|_| error("internal", "carelevel panicked; this is a bug".into()))
            .and_then(|r| {
                r.map_err(|e| {
                    let problems: Vec<String> = e.problems().iter().map(ToString::to_string).collect();
                    json!({ "error": { "kind": "invalid_pack", "message": e.to_string(), "problems": problems } })
                })
            }),
    };
    match result {
        Ok(pack) => Box::into_raw(Box::new(CarelevelPack(pack))),
        Err(e) => {
            if !error_out.is_null() {
                // SAFETY: the caller promises `error_out` is writable when not null.
                unsafe { *error_out = to_c(&e) };
            }
            std::ptr::null_mut()
        }
    }
}

/// Frees a pack. Null is ignored.
///
/// # Safety
///
/// `pack` is null or was returned by this library and not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn carelevel_pack_free(pack: *mut CarelevelPack) {
    if !pack.is_null() {
        // SAFETY: the caller promises it came from Box::into_raw here.
        drop(unsafe { Box::from_raw(pack) });
    }
}

/// Assesses an intake (JSON text). Returns `{"ok": report}` or `{"error": {...}}`.
///
/// # Safety
///
/// `pack` is null or a live handle; `intake_json` is null or a valid NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn carelevel_assess(
    pack: *const CarelevelPack,
    intake_json: *const c_char,
) -> *mut c_char {
    // SAFETY: forwarded from the caller's contract.
    let text = unsafe { arg(intake_json, "intake_json") };
    // SAFETY: the caller promises `pack` is null or live.
    let pack = unsafe { pack.as_ref() };
    guarded(|| {
        let pack = pack.ok_or_else(|| error("null_argument", "`pack` is a null pointer".into()))?;
        let text = text?;
        match carelevel::Intake::from_json(text).and_then(|i| pack.0.report(&i)) {
            Ok(report) => ok(&report),
            Err(e) => Err(intake_error(&e)),
        }
    })
}

/// Reassesses a person at `current_level` (`outpatient`, `iop`, `php`, `inpatient`).
/// Returns `{"ok": transition}` or `{"error": {...}}`.
///
/// # Safety
///
/// As for [`carelevel_assess`]; `current_level` is null or a valid NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn carelevel_transition(
    pack: *const CarelevelPack,
    current_level: *const c_char,
    intake_json: *const c_char,
) -> *mut c_char {
    // SAFETY: forwarded from the caller's contract.
    let (level, text) = unsafe {
        (
            arg(current_level, "current_level"),
            arg(intake_json, "intake_json"),
        )
    };
    // SAFETY: the caller promises `pack` is null or live.
    let pack = unsafe { pack.as_ref() };
    guarded(|| {
        let pack = pack.ok_or_else(|| error("null_argument", "`pack` is a null pointer".into()))?;
        let (level, text) = (level?, text?);
        let level = level
            .parse::<Level>()
            .map_err(|e| error("invalid_level", e.to_string()))?;
        match carelevel::Intake::from_json(text).and_then(|i| pack.0.transition(level, &i)) {
            Ok(t) => ok(&t),
            Err(e) => Err(intake_error(&e)),
        }
    })
}

/// The crate version, as a static string the caller must not free.
#[unsafe(no_mangle)]
pub extern "C" fn carelevel_version() -> *const c_char {
    c"0.1.0".as_ptr()
}

/// Frees a string returned by this library. Null is ignored.
///
/// # Safety
///
/// `s` is null or was returned by this library and not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn carelevel_free(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: the caller promises it came from CString::into_raw here.
        drop(unsafe { CString::from_raw(s) });
    }
}
