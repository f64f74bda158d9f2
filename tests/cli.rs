//! The `assess` command at its edges: a closed stdout ends quietly with the documented code,
//! and trailing content after the intake is refused.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

mod common;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const GOOD: &str = include_str!("../examples/intakes/iop_primary.json");

/// Writes `text` to a file of the test's own scratch folder.
fn scratch(name: &str, text: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn assess(args: &[&str], close_stdout: bool) -> Output {
    let mut child = Command::new(common::examples::example_binary("assess"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if close_stdout {
        drop(child.stdout.take());
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_stdout_ends_quietly_with_code_3() {
    // A report far larger than a pipe's buffer, so writing it must meet the closed pipe.
    let mut v: serde_json::Value = serde_json::from_str(GOOD).unwrap();
    v["engagement"]["preferences"]["language"] = "x".repeat(4 << 20).into();
    let file = scratch("big_preference.json", &v.to_string());
    let out = assess(&["--json", file.to_str().unwrap()], true);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.trim().is_empty(), "{stderr}");
}

#[test]
fn trailing_content_after_the_intake_is_refused() {
    let compact = serde_json::from_str::<serde_json::Value>(GOOD)
        .unwrap()
        .to_string();
    let file = scratch("two_documents.json", &format!("{compact}{compact}"));
    let out = assess(&["--json", file.to_str().unwrap()], false);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unexpected content after the end of the document"),
        "{stderr}"
    );
}
