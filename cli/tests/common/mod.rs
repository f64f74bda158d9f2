//! Running the `carelevel` binary from the workspace's root, as a user would from a clone.

#![allow(dead_code)] // each test file uses some of these

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The workspace's root: the paths the tests pass (`examples/intakes/...`, `tests/v0_1/...`)
/// and the paths the errors name are relative to it.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// The `carelevel` binary, run from the workspace's root.
pub fn carelevel(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_carelevel"));
    command.args(args).current_dir(root());
    command
}

/// Runs `carelevel` with `args`, writing `stdin` to its standard input (a failed write is
/// ignored: the command may not read stdin), and optionally closing its stdout at once.
pub fn run(args: &[&str], stdin: &[u8], close_stdout: bool) -> Output {
    let mut child = carelevel(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if close_stdout {
        drop(child.stdout.take());
    }
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let _ = input.write_all(&stdin);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

/// Writes `text` to a file of the test's own scratch folder.
pub fn scratch(name: &str, text: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// `bytes` as UTF-8.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}
