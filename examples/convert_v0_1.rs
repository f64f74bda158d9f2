//! Converts a 0.1 intake (JSON in a file, or on stdin) to intake 2 with
//! `carelevel::intake::convert_v0_1`: the intake 2 JSON on stdout, and each note (an item the
//! conversion could not infer, or carried over with a changed meaning) on stderr, one a line
//! as `note: ...`.
//!
//! ```text
//! cargo run --example convert_v0_1 -- old.json > new.json
//! cargo run --example convert_v0_1 < old.json > new.json
//! ```
//!
//! The intake written may lack required items that 0.1 could not express (the notes name
//! them); answer them before assessing it. To convert and assess in one step (refused while a
//! required item is missing), use `assess --from-0.1 old.json`.
//!
//! Exit codes: 0 the intake 2 was written (with its notes); 1 bad usage, or the input could not
//! be read; 2 the input is not a 0.1 intake (the error on stderr names the field; an intake 2
//! is not one); 3 stdout was closed or failed before the intake was written (a closed stdout,
//! as in `convert_v0_1 old.json | head -1`, ends quietly, with no message).

use std::io::{Read, Write};
use std::process::ExitCode;

const USAGE: &str = "usage: convert_v0_1 [OLD.json]   (no file: stdin)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = match args.as_slice() {
        [] => None,
        [flag] if flag == "-h" || flag == "--help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        [flag] if flag.starts_with("--") => {
            eprintln!("error: unknown option `{flag}`\n{USAGE}");
            return ExitCode::from(1);
        }
        [path] => Some(path.as_str()),
        _ => {
            eprintln!("error: one file at a time\n{USAGE}");
            return ExitCode::from(1);
        }
    };
    let mut json = String::new();
    let (read, name) = match path {
        Some(path) => (std::fs::read_to_string(path).map(|s| json = s), path),
        None => (
            std::io::stdin().read_to_string(&mut json).map(drop),
            "stdin",
        ),
    };
    if let Err(e) = read {
        eprintln!("error: cannot read `{name}`: {e}");
        return ExitCode::from(1);
    }
    let converted = match carelevel::intake::convert_v0_1(&json) {
        Ok(c) => c,
        Err(e) => {
            if carelevel::Intake::from_json(&json).is_ok() {
                eprintln!("error: {name} is already an intake 2: there is nothing to convert");
            } else {
                eprintln!("error: {name}: {e}");
            }
            return ExitCode::from(2);
        }
    };
    // The intake's own field order: `schema_version` first, then form order.
    let text = match serde_json::to_string_pretty(&converted.intake) {
        Ok(s) => s + "\n",
        Err(e) => {
            eprintln!("error: the intake could not be written: {e}");
            return ExitCode::from(2);
        }
    };
    for note in &converted.notes {
        eprintln!("note: {note}");
    }
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(3),
        Err(e) => {
            eprintln!("error: cannot write the intake: {e}");
            ExitCode::from(3)
        }
    }
}
