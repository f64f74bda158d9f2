//! `carelevel convert`: converts a 0.1 intake (JSON in a file, or on stdin) to intake 2 with
//! `carelevel::intake::convert_v0_1`: the intake 2 JSON on stdout, and each note (an item the
//! conversion could not infer, or carried over with a changed meaning) on stderr, one a line
//! as `note: ...`.
//!
//! ```text
//! carelevel convert old.json > new.json
//! carelevel convert < old.json > new.json
//! ```
//!
//! The intake written may lack required items that 0.1 could not express (the notes name
//! them); answer them before assessing it. To convert and assess in one step (provisional
//! while a required item is missing), use `carelevel assess --from-0.1 old.json`.
//!
//! Exit codes: 0 the intake 2 was written (with its notes); 1 bad usage, the input could not
//! be read, or an internal error; 2 the input is not a 0.1 intake (the error on stderr names the field; an intake 2
//! is not one); 3 stdout was closed or failed before the intake was written (a closed stdout,
//! as in `convert old.json | head -1`, ends quietly, with no message).

use std::io::Read;
use std::process::ExitCode;

/// The exit code when the input is not a 0.1 intake.
pub const NOT_V0_1: u8 = 2;

/// The exit codes, for `--help`.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  the intake 2 was written (its notes on stderr)
  1  bad usage, the input could not be read, or an internal error
  2  the input is not a 0.1 intake (the error names the field; an intake 2 is not one)
  3  stdout was closed or failed before the intake was written (closed: ends quietly)";

/// `carelevel convert`.
#[derive(Debug, clap::Args)]
#[command(after_help = EXIT_CODES)]
pub struct Args {
    /// The 0.1 intake (JSON); without it, stdin.
    #[arg(value_name = "OLD.json")]
    file: Option<String>,
}

/// Runs `convert`.
pub fn main(args: Args) -> ExitCode {
    let mut json = String::new();
    let (read, name) = match &args.file {
        Some(path) => (
            std::fs::read_to_string(path).map(|s| json = s),
            path.as_str(),
        ),
        None => (
            std::io::stdin().read_to_string(&mut json).map(drop),
            "stdin",
        ),
    };
    if let Err(e) = read {
        return crate::fail(crate::FAILURE, &format!("cannot read `{name}`: {e}"));
    }
    let converted = match carelevel::intake::convert_v0_1(&json) {
        Ok(c) => c,
        Err(e) => {
            let message = if carelevel::Intake::from_json(&json).is_ok() {
                format!("{name} is already an intake 2: there is nothing to convert")
            } else {
                format!("{name}: {e}")
            };
            return crate::fail(NOT_V0_1, &message);
        }
    };
    // The intake's own field order: `schema_version` first, then form order.
    let text = match serde_json::to_string_pretty(&converted.intake) {
        Ok(s) => s + "\n",
        Err(e) => {
            // Not the input's fault: an internal error, not "not a 0.1 intake".
            return crate::fail(
                crate::FAILURE,
                &format!("internal error: the intake could not be written: {e}"),
            );
        }
    };
    for note in &converted.notes {
        eprintln!("note: {note}");
    }
    crate::print(&text, 0, crate::STDOUT_CLOSED)
}
