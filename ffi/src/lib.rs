//! The C ABI of carelevel: JSON in, JSON out.
//!
//! Intakes are intake 2 JSON (`"schema_version": "2"`, as `carelevel::Intake::from_json`
//! reads them). A 0.1 intake is refused with the kind `unsupported_version`;
//! [`carelevel_convert_v0_1`] converts one, saying what 0.1 could not express.
//!
//! This crate is separate so that the core keeps `#![forbid(unsafe_code)]`; the only unsafe
//! code is here, at the boundary. Every function returns a NUL-terminated JSON string that the
//! caller frees with [`carelevel_free`], or a pack handle freed with [`carelevel_pack_free`].
//!
//! Every error crosses the boundary as JSON of one shape, never as a crash:
//!
//! ```json
//! {"error": {"kind": "...", "message": "...", "problems": [{"field": "...", "message": "..."}]}}
//! ```
//!
//! `kind` is one of [`ErrorKind::ALL`]; `message` is one line and never echoes the intake's or
//! an argument's text (a pack problem may name the pack's own ids); `problems` is always
//! present, always a non-empty array of objects, each one of:
//!
//! - `{"field", "message"}`: an argument (for [`ErrorKind::InvalidContext`], a key of the FHIR
//!   context as `context_json.<key>`), or for [`ErrorKind::Internal`] the function that
//!   failed;
//! - `{"field", "message", "line", "column"}`: where the intake JSON could not be read
//!   ([`ErrorKind::MalformedIntake`]; `field` is the dotted path, `line` and `column` are
//!   serde_json's, as in [`IntakeError::Json`]);
//! - `{"field", "message", "problem_kind", ...}`: an intake problem, [`IntakeProblem`] as the
//!   core serialises it (`problem_kind` is `missing`, `out_of_range` with `value`, `min`,
//!   `max`, `inconsistent` with `expected`, `conflict` with `reason`, `total_disagrees` with
//!   `given`, `sum`, `complete` and `items` (a total given beside its items that cannot be
//!   their total), `below_supported_age` with `min`, `unknown_rating` with `suggestion`?, or
//!   `more_unknown_ratings` with `count`);
//! - `{"file", "rule"?, "message", "problem_kind", "id"?, "path"?, "line"?, "column"?,
//!   "suggestion"?}`: a rule pack problem, [`PackProblem`] as the core serialises it. `rule`
//!   names the item, e.g. ``rule `x` `` or ``rating `d1` ``, and is omitted when the problem
//!   is not in one rule, rating, score or programme; `problem_kind` is a
//!   [`PackProblemKind`](carelevel::pack::PackProblemKind) in `snake_case`; `line` and
//!   `column` count from 1 (the column in characters).
//!
//! Every `field`, `file`, `rule`, `message`, `problem_kind`, `id`, `path`, `suggestion`,
//! `expected`, `reason` and `items` is a string, every `line`, `column`, `value`, `min`,
//! `max`, `count`, `given` and `sum` a number, and `complete` a boolean.
//!
//! A report ([`carelevel_assess`]'s `{"ok": report}`) is the core's JSON, byte for byte
//! (`schema/recommendation.schema.json`), with every instrument the intake carries in
//! `scores` (its total, where it comes from, the items a partial one lacks, the C-SSRS
//! screener's triage) and the answers to reconcile first in `cautions`.
//!
//! An intake missing required items (or with one declined or not assessable) is not an
//! error: its report is provisional, still inside `{"ok": ...}`. The report's first key,
//! `status`, is `final` or `provisional`; `level` is present **only when final**, so a caller
//! reading `level` alone never takes a provisional lower bound for an answer;
//! `level_at_least` (the level the known answers guarantee) and `level_at_most` (the highest
//! the missing answers could require) are always present and equal `level` when final; and
//! `ask_next` lists the missing answers, the one to ask first first (`answer`, `could_reach`,
//! `safety`, `rules`), safety items before the rest. [`carelevel_transition`] still refuses
//! an intake missing required items (kind `invalid_intake`, each problem `missing`).
//!
//! The JSON Schemas of the last two error forms are
//! `schema/intake-problem.schema.json` and `schema/pack-problem.schema.json`. Null pointers,
//! invalid UTF-8, bad JSON, 0.1 intakes, invalid intakes, bad levels, bad packs, FHIR
//! contexts that are not valid FHIR and even internal panics all take this shape. See
//! `include/carelevel.h`, which lists the same kinds (a test checks).

use carelevel::fhir::{FhirContext, FhirError};
use carelevel::intake::ConversionNote;
use carelevel::pack::PackProblem;
use carelevel::{Intake, IntakeError, IntakeProblem, Level, PackError, RulePack};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

/// The ABI version (`CARELEVEL_ABI_VERSION` in `include/carelevel.h`, and the shared
/// library's SONAME on Linux: `libcarelevel_ffi.so.<ABI_VERSION>`).
pub const ABI_VERSION: &str = env!("CARELEVEL_ABI_VERSION");

/// An opaque rule pack handle.
pub struct CarelevelPack(RulePack);

/// Every value of `error.kind` the C ABI can return. `include/carelevel.h` lists the same
/// values in the same order, and a test checks that the two lists agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A pointer argument is null; the problem's `field` names the argument.
    NullArgument,
    /// A string argument is not UTF-8; the problem's `field` names the argument and its
    /// `message` gives the byte offset of the first invalid byte.
    InvalidUtf8,
    /// The intake is not JSON of the intake's shape: a syntax error, an unknown key, a value
    /// of the wrong type or an unknown choice. The problem's `field` is the dotted path (`.`
    /// for the whole document), with the `line` and `column` where reading stopped.
    MalformedIntake,
    /// The intake has no `schema_version`: a 0.1 intake (or not an intake at all). The one
    /// problem's `field` is `schema_version`; its `message` says how to convert it
    /// ([`carelevel_convert_v0_1`]). ([`IntakeError::Version`].)
    UnsupportedVersion,
    /// The intake was read but has problems (out-of-range or conflicting answers, an age the
    /// pack does not support; for [`carelevel_transition`], missing required answers too:
    /// [`carelevel_assess`] gives a provisional report for those): one problem per field (an
    /// [`IntakeProblem`]).
    InvalidIntake,
    /// `current_level` is not one of `outpatient`, `iop`, `php`, `inpatient`.
    InvalidLevel,
    /// The override request is not JSON of its shape (`{"arranged": LEVEL, "reasons": [CODE,
    /// ...], "note"?: TEXT}`), or is refused (the recommended level itself, no reason, `other`
    /// without a note, below a safety floor without `clinician_judgement` and a note, or a
    /// provisional recommendation); the one problem's `field` is `override_json`.
    InvalidOverride,
    /// The FHIR context is not JSON of its shape (`{"id", "subject", "response",
    /// "occurrence", "encounter"?, "performer"?}`, each a string: the problem's `field` is
    /// `context_json`, or `context_json.<key>` for a key that is missing or not a string), or
    /// one of its values is not valid FHIR (an id, a reference of the right type, a dateTime:
    /// `field` is `context_json.<key>`); or, for [`carelevel_service_request`], `id` is not a
    /// FHIR id (`field` is `id`).
    InvalidContext,
    /// The rule pack TOML has problems: one `{"file", "rule"?, "message", "problem_kind", ...}`
    /// per problem (a [`PackProblem`]).
    InvalidPack,
    /// No rule pack is available, so nothing is assessed (fail closed).
    Unavailable,
    /// A bug in carelevel (a caught panic); the problem's `field` names the function.
    Internal,
}

impl ErrorKind {
    /// Every kind, in the order the header lists them.
    pub const ALL: [ErrorKind; 11] = [
        ErrorKind::NullArgument,
        ErrorKind::InvalidUtf8,
        ErrorKind::MalformedIntake,
        ErrorKind::UnsupportedVersion,
        ErrorKind::InvalidIntake,
        ErrorKind::InvalidLevel,
        ErrorKind::InvalidOverride,
        ErrorKind::InvalidContext,
        ErrorKind::InvalidPack,
        ErrorKind::Unavailable,
        ErrorKind::Internal,
    ];

    /// The identifier in `error.kind`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorKind::NullArgument => "null_argument",
            ErrorKind::InvalidUtf8 => "invalid_utf8",
            ErrorKind::MalformedIntake => "malformed_intake",
            ErrorKind::UnsupportedVersion => "unsupported_version",
            ErrorKind::InvalidIntake => "invalid_intake",
            ErrorKind::InvalidLevel => "invalid_level",
            ErrorKind::InvalidOverride => "invalid_override",
            ErrorKind::InvalidContext => "invalid_context",
            ErrorKind::InvalidPack => "invalid_pack",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Internal => "internal",
        }
    }
}

/// One element of `error.problems`. The core's problem types are serialised as they are
/// ([`IntakeProblem`] and [`PackProblem`] derive their JSON shape); only a problem with an
/// argument, and where the intake JSON could not be read, are written here.
#[derive(Debug)]
enum Problem {
    /// An argument, or for [`ErrorKind::Internal`] the function that failed:
    /// `{"field", "message"}`.
    Field { field: String, message: String },
    /// Where the intake JSON could not be read: `{"field", "message", "line", "column"}`.
    Json {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// `{"field", "message", "problem_kind", ...}`.
    Intake(IntakeProblem),
    /// `{"file", "rule"?, "message", "problem_kind", "id"?, "path"?, "line"?, "column"?,
    /// "suggestion"?}`.
    Pack(PackProblem),
    /// A rule pack problem with no more than a file: `{"file", "message"}` (only if a pack
    /// error ever listed no problem).
    File { file: String, message: String },
}

impl Problem {
    fn field(field: impl Into<String>, message: impl AsRef<str>) -> Problem {
        Problem::Field {
            field: field.into(),
            message: one_line(message.as_ref()),
        }
    }
}

impl Serialize for Problem {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Problem::Intake(p) => p.serialize(s),
            Problem::Pack(p) => p.serialize(s),
            Problem::Field { field, message } => {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("field", field)?;
                m.serialize_entry("message", message)?;
                m.end()
            }
            Problem::Json {
                path,
                line,
                column,
                message,
            } => {
                let mut m = s.serialize_map(Some(4))?;
                m.serialize_entry("field", path)?;
                m.serialize_entry("message", message)?;
                m.serialize_entry("line", line)?;
                m.serialize_entry("column", column)?;
                m.end()
            }
            Problem::File { file, message } => {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("file", file)?;
                m.serialize_entry("message", message)?;
                m.end()
            }
        }
    }
}

/// An error on its way to C: `{"error": {"kind", "message", "problems"}}`.
#[derive(Debug)]
struct Failure {
    kind: ErrorKind,
    message: String,
    problems: Vec<Problem>,
}

/// What is returned if an error itself cannot be serialised (it always can: plain strings).
const FALLBACK: &str = r#"{"error":{"kind":"internal","message":"carelevel could not serialise an error; this is a bug","problems":[{"field":"carelevel","message":"internal error"}]}}"#;

impl Failure {
    /// A failure; `fallback` is the problem used if `problems` is empty, so that `problems`
    /// is never empty.
    fn new(
        kind: ErrorKind,
        message: impl AsRef<str>,
        problems: Vec<Problem>,
        fallback: Problem,
    ) -> Self {
        let problems = if problems.is_empty() {
            vec![fallback]
        } else {
            problems
        };
        Failure {
            kind,
            message: one_line(message.as_ref()),
            problems,
        }
    }

    /// A failure about one argument or field.
    fn about(kind: ErrorKind, field: &str, what: &str) -> Self {
        Failure::new(
            kind,
            format!("`{field}` {what}"),
            Vec::new(),
            Problem::field(field, what),
        )
    }

    fn null(argument: &str) -> Self {
        Failure::about(ErrorKind::NullArgument, argument, "is a null pointer")
    }

    /// A bug: a caught panic or a result that could not be serialised.
    fn internal(function: &str, what: &str) -> Self {
        Failure::new(
            ErrorKind::Internal,
            format!("carelevel {what} in `{function}`; this is a bug"),
            Vec::new(),
            Problem::field(function, "internal error"),
        )
    }

    fn from_intake(e: &IntakeError) -> Self {
        let (kind, problems) = match e {
            IntakeError::Json {
                path,
                line,
                column,
                message,
            } => (
                ErrorKind::MalformedIntake,
                vec![Problem::Json {
                    path: path.clone(),
                    line: *line,
                    column: *column,
                    message: one_line(message),
                }],
            ),
            IntakeError::Version => (
                ErrorKind::UnsupportedVersion,
                vec![Problem::field("schema_version", e.to_string())],
            ),
            IntakeError::PackUnavailable => (
                ErrorKind::Unavailable,
                vec![Problem::field("pack", e.to_string())],
            ),
            // `Invalid`, and any variant a later core adds: the intake has problems.
            _ => (
                ErrorKind::InvalidIntake,
                e.problems().iter().cloned().map(Problem::Intake).collect(),
            ),
        };
        Failure::new(
            kind,
            e.to_string(),
            problems,
            Problem::field("intake_json", e.to_string()),
        )
    }

    fn from_pack(e: &PackError, file: &str) -> Self {
        let problems = e.problems().iter().cloned().map(Problem::Pack).collect();
        let fallback = Problem::File {
            file: file.to_owned(),
            message: one_line(&e.to_string()),
        };
        Failure::new(ErrorKind::InvalidPack, e.to_string(), problems, fallback)
    }

    fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| FALLBACK.to_owned())
    }
}

impl Serialize for Failure {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Body<'a>(&'a Failure);
        impl Serialize for Body<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(3))?;
                m.serialize_entry("kind", self.0.kind.as_str())?;
                m.serialize_entry("message", &self.0.message)?;
                m.serialize_entry("problems", &self.0.problems)?;
                m.end()
            }
        }
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry("error", &Body(self))?;
        m.end()
    }
}

/// Keeps a message on one line: every control character (newlines included) becomes a space.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// JSON text as a C string for the caller to free, or null if it has an interior NUL (it
/// never has: serde_json escapes U+0000 as `\u0000`).
fn to_c(text: String) -> *mut c_char {
    CString::new(text).map_or(std::ptr::null_mut(), CString::into_raw)
}

/// Reads a C string argument named `name`. Never echoes its content in an error.
///
/// # Safety
///
/// `ptr` is null or points to a NUL-terminated string valid for the call.
unsafe fn arg<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::null(name));
    }
    // SAFETY: `ptr` is not null and the caller promises a NUL-terminated string that stays
    // valid for the call.
    let c = unsafe { CStr::from_ptr(ptr) };
    c.to_str().map_err(|e| {
        let what = format!("is not valid UTF-8 at byte {}", e.valid_up_to());
        Failure::about(ErrorKind::InvalidUtf8, name, &what)
    })
}

/// Reads a level of care without ever echoing the caller's text.
fn level(text: &str) -> Result<Level, Failure> {
    text.parse::<Level>().map_err(|_| {
        // `UnknownLevel`'s Display echoes the input, so it is not used here.
        let expected: Vec<&str> = Level::ALL.iter().map(|l| l.as_str()).collect();
        let what = format!(
            "is not a level of care; expected one of {}",
            expected.join(", ")
        );
        Failure::about(ErrorKind::InvalidLevel, "current_level", &what)
    })
}

/// Runs `f` for the C function `function`, turning a panic into an `internal` error, and
/// hands the JSON text to C.
fn guarded(function: &str, f: impl FnOnce() -> Result<String, Failure>) -> *mut c_char {
    let text = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(ok)) => ok,
        Ok(Err(e)) => e.to_json(),
        Err(_) => Failure::internal(function, "panicked").to_json(),
    };
    to_c(text)
}

/// `{"ok": ...}` keeping the value's own field order (the JSON contract's order).
fn ok<T: serde::Serialize>(function: &str, value: &T) -> Result<String, Failure> {
    serde_json::to_string(value)
        .map(|v| format!("{{\"ok\":{v}}}"))
        .map_err(|_| Failure::internal(function, "could not serialise the result"))
}

/// The built-in pack. Never null. Free it with [`carelevel_pack_free`].
#[unsafe(no_mangle)]
pub extern "C" fn carelevel_pack_builtin() -> *mut CarelevelPack {
    Box::into_raw(Box::new(CarelevelPack(RulePack::builtin())))
}

/// Loads a pack from TOML text. Returns null on error and, if `error_out` is not null, sets
/// `*error_out` to a JSON error (free it with [`carelevel_free`]) listing every problem, each
/// as `{"file", "rule"?, "message", "problem_kind", "line"?, "column"?, ...}` (a
/// [`PackProblem`]); the text is named `pack.toml`.
///
/// # Safety
///
/// `toml` is null or a valid NUL-terminated string; `error_out` is null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn carelevel_pack_from_toml(
    toml: *const c_char,
    error_out: *mut *mut c_char,
) -> *mut CarelevelPack {
    const FILE: &str = "pack.toml";
    // SAFETY: `toml` is null or a valid NUL-terminated string (the caller's contract).
    let text = unsafe { arg(toml, "toml") };
    let result = text.and_then(|text| {
        catch_unwind(|| RulePack::from_toml(FILE, text))
            .map_err(|_| Failure::internal("carelevel_pack_from_toml", "panicked"))?
            .map_err(|e| Failure::from_pack(&e, FILE))
    });
    match result {
        Ok(pack) => Box::into_raw(Box::new(CarelevelPack(pack))),
        Err(e) => {
            if !error_out.is_null() {
                // SAFETY: `error_out` is not null, and the caller promises it is writable.
                unsafe { *error_out = to_c(e.to_json()) };
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
        // SAFETY: `pack` is not null, and the caller promises it came from `Box::into_raw`
        // here and is freed once.
        drop(unsafe { Box::from_raw(pack) });
    }
}

/// Assesses an intake 2 (JSON text). Returns `{"ok": report}` or `{"error": {...}}` (kind
/// `unsupported_version` for a 0.1 intake: convert it with [`carelevel_convert_v0_1`]). An
/// intake missing required items gives a provisional report (`"status": "provisional"`, no
/// `level`; see the crate's documentation), never an error.
///
/// # Safety
///
/// `pack` is null or a live handle; `intake_json` is null or a valid NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn carelevel_assess(
    pack: *const CarelevelPack,
    intake_json: *const c_char,
) -> *mut c_char {
    // SAFETY: `intake_json` is null or a valid NUL-terminated string (the caller's contract).
    let text = unsafe { arg(intake_json, "intake_json") };
    // SAFETY: the caller promises `pack` is null or a live handle from this library.
    let pack = unsafe { pack.as_ref() };
    guarded("carelevel_assess", || {
        let pack = pack.ok_or_else(|| Failure::null("pack"))?;
        let text = text?;
        match carelevel::Intake::from_json(text).and_then(|i| pack.0.report(&i)) {
            Ok(report) => ok("carelevel_assess", &report),
            Err(e) => Err(Failure::from_intake(&e)),
        }
    })
}

/// Reassesses a person at `current_level` (`outpatient`, `iop`, `php`, `inpatient`).
/// Returns `{"ok": transition}` or `{"error": {...}}`; an intake missing required items is
/// refused (kind `invalid_intake`, each problem `missing`). The transition's
/// `recommendation` is a report as [`carelevel_assess`] writes it.
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
    // SAFETY: both are null or valid NUL-terminated strings (the caller's contract).
    let (level_text, text) = unsafe {
        (
            arg(current_level, "current_level"),
            arg(intake_json, "intake_json"),
        )
    };
    // SAFETY: the caller promises `pack` is null or a live handle from this library.
    let pack = unsafe { pack.as_ref() };
    guarded("carelevel_transition", || {
        let pack = pack.ok_or_else(|| Failure::null("pack"))?;
        let (level_text, text) = (level_text?, text?);
        let level = level(level_text)?;
        match carelevel::Intake::from_json(text).and_then(|i| pack.0.transition(level, &i)) {
            Ok(t) => ok("carelevel_transition", &t),
            Err(e) => Err(Failure::from_intake(&e)),
        }
    })
}

/// The intake's report, for the adapters below.
fn report_of(pack: &CarelevelPack, text: &str) -> Result<carelevel::Report, Failure> {
    carelevel::Intake::from_json(text)
        .and_then(|i| pack.0.report(&i))
        .map_err(|e| Failure::from_intake(&e))
}

/// The intake's recommendation as a CDS Hooks card (final or provisional). Returns `{"ok":
/// card}` or `{"error": {...}}` as for [`carelevel_assess`]. The card is
/// `carelevel::cds_hooks::Card` as the Rust API writes it (`uuid`, `summary`, `detail`,
/// `indicator`, `source`, `overrideReasons`).
///
/// # Safety
///
/// As for [`carelevel_assess`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn carelevel_cds_card(
    pack: *const CarelevelPack,
    intake_json: *const c_char,
) -> *mut c_char {
    // SAFETY: `intake_json` is null or a valid NUL-terminated string (the caller's contract).
    let text = unsafe { arg(intake_json, "intake_json") };
    // SAFETY: the caller promises `pack` is null or a live handle from this library.
    let pack = unsafe { pack.as_ref() };
    guarded("carelevel_cds_card", || {
        let pack = pack.ok_or_else(|| Failure::null("pack"))?;
        let report = report_of(pack, text?)?;
        let card = report
            .to_cds_card()
            .map_err(|_| Failure::internal("carelevel_cds_card", "could not write the card"))?;
        ok("carelevel_cds_card", &card)
    })
}

/// The keys of a FHIR context, and whether each is required.
const CONTEXT_KEYS: [(&str, bool); 6] = [
    ("id", true),
    ("subject", true),
    ("response", true),
    ("occurrence", true),
    ("encounter", false),
    ("performer", false),
];

/// Reads `context_json` as a [`FhirContext`] without ever echoing it: serde's messages may
/// quote a value or an unknown key, so the shape is checked here, key by key.
fn context(text: &str) -> Result<FhirContext, Failure> {
    let invalid = |field: &str, what: &str| Failure::about(ErrorKind::InvalidContext, field, what);
    let shape = "is not a FHIR context: expected {\"id\", \"subject\", \"response\", \"occurrence\", \"encounter\"?, \"performer\"?}, each a string";
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|_| invalid("context_json", shape))?;
    let object = value
        .as_object()
        .ok_or_else(|| invalid("context_json", shape))?;
    if object
        .keys()
        .any(|k| !CONTEXT_KEYS.iter().any(|(known, _)| known == k))
    {
        return Err(invalid(
            "context_json",
            "has a key that is not one of id, subject, response, occurrence, encounter, performer",
        ));
    }
    for (key, required) in CONTEXT_KEYS {
        let field = format!("context_json.{key}");
        match object.get(key) {
            None if required => return Err(invalid(&field, "is missing")),
            None | Some(serde_json::Value::String(_)) => {}
            Some(serde_json::Value::Null) if !required => {}
            Some(_) => return Err(invalid(&field, "is not a string")),
        }
    }
    serde_json::from_value(value).map_err(|_| invalid("context_json", shape))
}

/// A context (or ServiceRequest id) the core refused: `context_json.<key>`, or `id` for the
/// ServiceRequest's id. The core's message names the field and never its value.
fn from_fhir(e: &FhirError) -> Failure {
    let field = match e {
        FhirError::InvalidId { field }
        | FhirError::InvalidReference { field, .. }
        | FhirError::InvalidDateTime { field } => *field,
        _ => "",
    };
    let message = e.to_string();
    let problem = match field {
        "ServiceRequest.id" => "id".to_owned(),
        "" => "context_json".to_owned(),
        key => format!("context_json.{key}"),
    };
    // "`occurrence` is not a FHIR dateTime: ..." -> "is not a FHIR dateTime: ...".
    let what = message
        .strip_prefix(&format!("`{field}` "))
        .unwrap_or(&message);
    Failure::about(ErrorKind::InvalidContext, &problem, what)
}

/// The intake's recommendation as a FHIR R4 `RiskAssessment` (`carelevel::Report::
/// to_risk_assessment`). `context_json` is the FHIR context, `{"id", "subject", "response",
/// "occurrence", "encounter"?, "performer"?}` (`schema/fhir/fhir-context.schema.json`): the
/// resource's id, the subject (e.g. `Patient/123`), the QuestionnaireResponse it rests on,
/// when it was made (a FHIR dateTime: the library reads no clock), and the encounter and
/// performer when there are. The resource has a generated narrative, `status` `final` or
/// `preliminary`, the level coded in `prediction.outcome`, the setting in the prediction's
/// extension, the urgency in the resource's extension. Returns `{"ok": resource}` or
/// `{"error": {...}}` as for [`carelevel_assess`], with kind `invalid_context` when the
/// context is not of that shape or a value is not valid FHIR.
///
/// # Safety
///
/// As for [`carelevel_assess`]; `context_json` is null or a valid NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn carelevel_risk_assessment(
    pack: *const CarelevelPack,
    intake_json: *const c_char,
    context_json: *const c_char,
) -> *mut c_char {
    // SAFETY: each is null or a valid NUL-terminated string (the caller's contract).
    let (text, context_text) = unsafe {
        (
            arg(intake_json, "intake_json"),
            arg(context_json, "context_json"),
        )
    };
    // SAFETY: the caller promises `pack` is null or a live handle from this library.
    let pack = unsafe { pack.as_ref() };
    guarded("carelevel_risk_assessment", || {
        let pack = pack.ok_or_else(|| Failure::null("pack"))?;
        let (text, context_text) = (text?, context_text?);
        let context = context(context_text)?;
        let report = report_of(pack, text)?;
        let resource = report
            .to_risk_assessment(&context)
            .map_err(|e| from_fhir(&e))?;
        ok("carelevel_risk_assessment", &resource)
    })
}

/// A proposed FHIR R4 `ServiceRequest` for the intake's recommended setting
/// (`carelevel::Report::to_service_request`): `status` `draft`, `intent` `proposal` (never an
/// order), `id` the given `id`, `priority` from the urgency (`stat`, `urgent`, `routine`),
/// `code` the setting, `reasonReference` `RiskAssessment/<context id>`, and a note listing
/// what the programme must offer (and, for a provisional result, that answers are missing).
/// `context_json` is as for [`carelevel_risk_assessment`]. Returns `{"ok": resource}` or
/// `{"error": {...}}`, with kind `invalid_context` for a bad context or an `id` that is not a
/// FHIR id.
///
/// # Safety
///
/// As for [`carelevel_risk_assessment`]; `id` is null or a valid NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn carelevel_service_request(
    pack: *const CarelevelPack,
    intake_json: *const c_char,
    context_json: *const c_char,
    id: *const c_char,
) -> *mut c_char {
    // SAFETY: each is null or a valid NUL-terminated string (the caller's contract).
    let (text, context_text, id) = unsafe {
        (
            arg(intake_json, "intake_json"),
            arg(context_json, "context_json"),
            arg(id, "id"),
        )
    };
    // SAFETY: the caller promises `pack` is null or a live handle from this library.
    let pack = unsafe { pack.as_ref() };
    guarded("carelevel_service_request", || {
        let pack = pack.ok_or_else(|| Failure::null("pack"))?;
        let (text, context_text, id) = (text?, context_text?, id?);
        let context = context(context_text)?;
        let report = report_of(pack, text)?;
        let resource = report
            .to_service_request(&context, id)
            .map_err(|e| from_fhir(&e))?;
        ok("carelevel_service_request", &resource)
    })
}

/// Records a clinician's override of the intake's recommendation. `override_json` is
/// `{"arranged": LEVEL, "reasons": [CODE, ...], "note"?: TEXT}` (reasons:
/// `service_not_available`, `waiting_list`, `client_preference`, `clinician_judgement`,
/// `transportation_or_access`, `financial_or_coverage`, `language_or_cultural_fit`,
/// `court_ordered`, `other`). Returns `{"ok": record}` (`schema/override-record.schema.json`:
/// the levels, the coded reasons with their CDS Hooks codes, `below_safety_floor`,
/// `below_24_hour_floor`, `review_required`, the recommendation's digest) or `{"error":
/// {...}}`: kind `invalid_override` when the request is not of that shape or is refused.
///
/// # Safety
///
/// As for [`carelevel_assess`]; `override_json` is null or a valid NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn carelevel_record_override(
    pack: *const CarelevelPack,
    intake_json: *const c_char,
    override_json: *const c_char,
) -> *mut c_char {
    // SAFETY: both are null or valid NUL-terminated strings (the caller's contract).
    let (text, request) = unsafe {
        (
            arg(intake_json, "intake_json"),
            arg(override_json, "override_json"),
        )
    };
    // SAFETY: the caller promises `pack` is null or a live handle from this library.
    let pack = unsafe { pack.as_ref() };
    guarded("carelevel_record_override", || {
        let pack = pack.ok_or_else(|| Failure::null("pack"))?;
        let (text, request) = (text?, request?);
        // serde's message may quote the request's text (a note, an unknown code): not used.
        let request: carelevel::overrides::OverrideRequest = serde_json::from_str(request)
            .map_err(|_| {
                Failure::about(
                    ErrorKind::InvalidOverride,
                    "override_json",
                    "is not an override request: expected {\"arranged\": LEVEL, \"reasons\": [CODE, ...], \"note\"?: TEXT}",
                )
            })?;
        let report = report_of(pack, text)?;
        match report.record_override(request) {
            Ok(record) => ok("carelevel_record_override", &record),
            // Its messages name levels and fields, never the note.
            Err(e) => Err(Failure::about(
                ErrorKind::InvalidOverride,
                "override_json",
                &format!("is refused: {e}"),
            )),
        }
    })
}

/// Converts a 0.1 intake (JSON with no `schema_version`) to intake 2 with
/// `carelevel::intake::convert_v0_1`. Returns `{"ok": {"intake": INTAKE, "notes": [{"field",
/// "note"}, ...]}}`, where each note names an intake 2 item the conversion left unanswered (or
/// carried over with a changed meaning) and says what to ask, or `{"error": {...}}` (kind
/// `malformed_intake` when the JSON is not a 0.1 intake; an intake 2 is not one). The intake
/// may lack required items that 0.1 could not express: until they are answered,
/// [`carelevel_assess`] gives a provisional report asking for them and
/// [`carelevel_transition`] refuses it.
///
/// # Safety
///
/// `intake_json` is null or a valid NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn carelevel_convert_v0_1(intake_json: *const c_char) -> *mut c_char {
    /// `{"intake": ..., "notes": [...]}`, in that order.
    struct Converted<'a>(&'a Intake, &'a [ConversionNote]);
    impl Serialize for Converted<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(2))?;
            m.serialize_entry("intake", self.0)?;
            m.serialize_entry("notes", self.1)?;
            m.end()
        }
    }
    // SAFETY: `intake_json` is null or a valid NUL-terminated string (the caller's contract).
    let text = unsafe { arg(intake_json, "intake_json") };
    guarded(
        "carelevel_convert_v0_1",
        || match carelevel::intake::convert_v0_1(text?) {
            Ok(c) => ok("carelevel_convert_v0_1", &Converted(&c.intake, &c.notes)),
            Err(e) => Err(Failure::from_intake(&e)),
        },
    )
}

/// The version of carelevel (`carelevel::VERSION`, from the core's manifest), as a static
/// string the caller must not free.
#[unsafe(no_mangle)]
pub extern "C" fn carelevel_version() -> *const c_char {
    static VERSION: OnceLock<CString> = OnceLock::new();
    VERSION
        // A version string has no NUL byte; if it ever had, the empty string is returned.
        .get_or_init(|| CString::new(carelevel::VERSION).unwrap_or_default())
        .as_ptr()
}

/// Frees a string returned by this library. Null is ignored.
///
/// # Safety
///
/// `s` is null or was returned by this library and not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn carelevel_free(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: `s` is not null, and the caller promises it came from
        // `CString::into_raw` here and is freed once.
        drop(unsafe { CString::from_raw(s) });
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)] // tests fail loudly
mod tests {
    use super::*;

    fn take(ptr: *mut c_char) -> serde_json::Value {
        assert!(!ptr.is_null());
        // SAFETY: a string from this library, freed once here.
        let text = unsafe { CString::from_raw(ptr) };
        serde_json::from_str(text.to_str().unwrap()).unwrap()
    }

    #[test]
    fn a_panic_is_an_internal_error_naming_the_function() {
        let v = take(guarded("carelevel_assess", || panic!("boom")));
        assert_eq!(v["error"]["kind"], "internal");
        assert_eq!(
            v["error"]["problems"],
            serde_json::json!([{ "field": "carelevel_assess", "message": "internal error" }])
        );
        assert!(!v["error"]["message"].as_str().unwrap().contains("boom"));
    }

    #[test]
    fn the_fallback_error_has_the_one_shape() {
        let v: serde_json::Value = serde_json::from_str(FALLBACK).unwrap();
        assert_eq!(v["error"]["kind"], ErrorKind::Internal.as_str());
        assert_eq!(v["error"]["problems"][0]["message"], "internal error");
    }

    #[test]
    fn messages_are_one_line_and_problems_never_empty() {
        let f = Failure::new(
            ErrorKind::InvalidIntake,
            "a\nb\r\tc",
            Vec::new(),
            Problem::field("intake_json", "x\ny"),
        );
        let v: serde_json::Value = serde_json::from_str(&f.to_json()).unwrap();
        assert_eq!(v["error"]["message"], "a b  c");
        assert_eq!(
            v["error"]["problems"],
            serde_json::json!([{ "field": "intake_json", "message": "x y" }])
        );
    }

    #[test]
    fn a_missing_schema_version_is_its_own_kind_naming_the_field() {
        let e = IntakeError::Version;
        let v: serde_json::Value =
            serde_json::from_str(&Failure::from_intake(&e).to_json()).unwrap();
        assert_eq!(v["error"]["kind"], "unsupported_version");
        assert_eq!(v["error"]["message"], e.to_string());
        assert_eq!(
            v["error"]["problems"],
            serde_json::json!([{ "field": "schema_version", "message": e.to_string() }])
        );
        assert!(e.to_string().contains("convert_v0_1"), "{e}");
    }

    #[test]
    fn pack_problems_keep_file_rule_message_order_and_omit_a_missing_rule() {
        let e = RulePack::from_toml("mine.toml", "[[rule]]\nid = 'x'\n").unwrap_err();
        let json = Failure::from_pack(&e, "mine.toml").to_json();
        assert!(
            json.contains(
                r#"{"file":"mine.toml","rule":"rule `x`","message":"has no `criterion`","problem_kind":"missing_field","id":"x","path":"rule[0]","line":1,"column":1}"#
            ),
            "{json}"
        );
        let e = RulePack::from_toml("mine.toml", "not toml = ").unwrap_err();
        let json = Failure::from_pack(&e, "mine.toml").to_json();
        assert!(json.contains(r#"{"file":"mine.toml","message":"#), "{json}");
        assert!(!json.contains("\"rule\""), "{json}");
    }
}
