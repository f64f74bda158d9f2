//! Builds `examples/assess.c` against the static library and runs it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

use std::path::PathBuf;
use std::process::Command;

#[test]
fn c_example_builds_and_runs() {
    // target/<profile>/deps/c_example-xxxx -> target/<profile>
    let exe = std::env::current_exe().unwrap();
    let profile_dir: PathBuf = exe.parent().unwrap().parent().unwrap().to_path_buf();
    // Cargo leaves the static library in deps/ when it builds it for tests, and uplifts it
    // to the profile directory on a plain build: take whichever is newer.
    let lib = [
        profile_dir.join("deps/libcarelevel_ffi.a"),
        profile_dir.join("libcarelevel_ffi.a"),
    ]
    .into_iter()
    .filter(|p| p.exists())
    .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
    .unwrap_or_else(|| profile_dir.join("deps/libcarelevel_ffi.a"));
    assert!(
        lib.exists(),
        "static library not found at {}",
        lib.display()
    );
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("assess_c");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let status = Command::new(cc)
        .arg(manifest.join("examples/assess.c"))
        .arg("-I")
        .arg(manifest.join("include"))
        .arg(&lib)
        .args(["-lpthread", "-ldl", "-lm", "-o"])
        .arg(&out)
        .status()
        .expect("a C compiler (cc) is needed for this test");
    assert!(status.success(), "compiling the C example failed");
    let run = Command::new(&out).output().unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    println!("{stdout}");
    assert!(run.status.success(), "C example failed:\n{stdout}");
    assert!(stdout.contains("all checks passed"));
}

#[test]
fn header_declares_every_exported_function() {
    let header = include_str!("../include/carelevel.h");
    let source = include_str!("../src/lib.rs");
    let exported: Vec<&str> = source
        .lines()
        .filter_map(|l| l.split("extern \"C\" fn ").nth(1))
        .filter_map(|rest| rest.split('(').next())
        .collect();
    assert!(exported.len() >= 7, "{exported:?}");
    for f in exported {
        assert!(
            header.contains(&format!("{f}(")),
            "carelevel.h does not declare {f}"
        );
    }
}
