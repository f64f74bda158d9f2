//! Converts a 0.1 intake (JSON on stdin or in a file) to intake 2, writing the intake 2 on
//! stdout and each note (what could not be inferred) on stderr.
//!
//! ```text
//! cargo run --example convert_v0_1 -- old.json > new.json
//! ```
use std::io::Read;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut json = String::new();
    let read = match std::env::args().nth(1) {
        Some(path) => std::fs::read_to_string(path).map(|s| json = s),
        None => std::io::stdin().read_to_string(&mut json).map(|_| ()),
    };
    if let Err(e) = read {
        eprintln!("convert_v0_1: cannot read the input: {e}");
        return ExitCode::from(1);
    }
    let converted = match carelevel::intake::convert_v0_1(&json) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("convert_v0_1: {e}");
            return ExitCode::from(2);
        }
    };
    let value = match serde_json::to_value(&converted.intake)
        .and_then(|v| serde_json::to_string_pretty(&v))
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("convert_v0_1: the intake could not be written: {e}");
            return ExitCode::from(2);
        }
    };
    println!("{value}");
    for note in &converted.notes {
        eprintln!("note: {note}");
    }
    ExitCode::SUCCESS
}
