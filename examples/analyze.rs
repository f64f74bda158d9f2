//! Prove a rule pack safe: monotone, every safety answer covered, every high-risk value
//! guaranteeing more than outpatient in every context; and list dead and shadowed
//! rules (see `carelevel::analysis` for the method).
//!
//! ```text
//! cargo run --release --example analyze                          # the built-in pack
//! cargo run --release --example analyze -- my/*.toml              # a pack from files
//! ```
//!
//! A pack from files needs a `[pack]` id of its own: `carelevel.builtin` is reserved for the
//! built-in sources, so copy `rules/` and change the id before editing the rules.
//!
//! Exits non-zero when the pack cannot be proved safe (or cannot be loaded).

use carelevel::RulePack;
use carelevel::analysis::analyze;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.iter().any(|f| f == "-h" || f == "--help") {
        println!("usage: analyze [RULES.toml]...   (no files: the built-in pack)");
        return ExitCode::SUCCESS;
    }
    let pack = if files.is_empty() {
        RulePack::try_builtin()
    } else {
        let mut texts = Vec::new();
        for f in &files {
            match std::fs::read_to_string(f) {
                Ok(t) => texts.push((f.as_str(), t)),
                Err(e) => {
                    eprintln!("error: {f}: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
        let sources: Vec<(&str, &str)> = texts.iter().map(|(n, t)| (*n, t.as_str())).collect();
        RulePack::from_sources(&sources)
    };
    let pack = match pack {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let start = Instant::now();
    let analysis = analyze(&pack);
    let took = start.elapsed();
    print!("{analysis}");
    println!("Time: {:.1} ms", took.as_secs_f64() * 1000.0);
    if analysis.is_proved_safe() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
