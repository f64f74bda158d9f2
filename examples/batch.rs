//! Batch assessment: NDJSON intakes on stdin, one JSON result per line on stdout, in input
//! order, assessed in parallel across cores.
//!
//! ```text
//! cargo run --release --example batch < intakes.ndjson > results.ndjson
//! ```
//!
//! Each output line is `{"line":N,"result":{...report...}}` or `{"line":N,"error":"..."}`;
//! a bad line never stops the batch. Blank lines are skipped. When stderr is a terminal a
//! progress count is shown there. The exit code is 0 when every line was read, even if some
//! had errors (they are in the output), and 1 only when stdin or stdout fails.

use carelevel::RulePack;
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

/// Lines handed to the workers at a time; output is written block by block, in order.
const BLOCK: usize = 4096;

fn assess_line(pack: &RulePack, number: usize, line: &str) -> String {
    match pack.assess_json(line) {
        Ok(report) => format!("{{\"line\":{number},\"result\":{report}}}"),
        Err(e) => serde_json::json!({ "line": number, "error": e.to_string() }).to_string(),
    }
}

fn run() -> std::io::Result<usize> {
    let pack = RulePack::builtin();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let progress = std::io::stderr().is_terminal();
    let stdin = std::io::stdin().lock();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut lines = stdin.lines().enumerate();
    let mut done = 0usize;
    loop {
        let mut block: Vec<(usize, String)> = Vec::with_capacity(BLOCK);
        for (i, line) in lines.by_ref() {
            let line = line?;
            if !line.trim().is_empty() {
                block.push((i + 1, line));
            }
            if block.len() == BLOCK {
                break;
            }
        }
        if block.is_empty() {
            break;
        }
        let chunk = block.len().div_ceil(workers);
        let results: Vec<Vec<String>> = std::thread::scope(|s| {
            let handles: Vec<_> = block
                .chunks(chunk)
                .map(|part| {
                    s.spawn(|| {
                        part.iter()
                            .map(|(n, l)| assess_line(&pack, *n, l))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect()
        });
        for line in results.iter().flatten() {
            writeln!(out, "{line}")?;
        }
        done += block.len();
        if progress {
            eprint!("\rassessed {done} intakes");
        }
    }
    out.flush()?;
    if progress {
        eprintln!();
    }
    Ok(done)
}

fn main() -> ExitCode {
    match run() {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
