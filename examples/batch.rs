//! Batch assessment: NDJSON intakes on stdin, one JSON result per line on stdout, in input
//! order, assessed in parallel across cores.
//!
//! ```text
//! cargo run --release --example batch [--max-line-bytes N] < intakes.ndjson > results.ndjson
//! ```
//!
//! # Input
//!
//! Each line is one intake 2 (`"schema_version": "2"`), as `RulePack::assess_json` reads it:
//! an intake missing required items (or with one declined or not assessable) is assessed
//! provisionally, not refused (see "Final and provisional results" below).
//! A 0.1 intake is not converted: its line gets the error naming `schema_version`, which says
//! how to convert it (`cargo run --example convert_v0_1 -- OLD.json`, one intake at a time, or
//! `carelevel::intake::convert_v0_1`), so that the notes on what 0.1 could not express are
//! read before the intake is assessed.
//!
//! # Output
//!
//! Every input line yields exactly one output line, in input order, and every output object
//! starts with the 1-based input line number:
//!
//! - `{"line":N,"result":{...report...}}` for an intake that was assessed;
//! - `{"line":N,"error":"..."}` for a line that could not be assessed: invalid JSON or intake
//!   (a 0.1 intake among them), invalid UTF-8 (the message gives the byte offset, never the
//!   bytes), a line over the length limit, or an internal error (a panic while assessing that
//!   line, caught so that only that line is lost);
//! - `{"line":N,"skipped":"blank"}` for an empty line or one holding only spaces, tabs and
//!   carriage returns.
//!
//! # Final and provisional results
//!
//! A `result` is the report `RulePack::assess_json` writes, and its first key, `status`, says
//! which of the two it is:
//!
//! - `"status":"final"`: every answer the rule pack needs is known; `level` is the
//!   recommended level (and `level_at_least` and `level_at_most` equal it);
//! - `"status":"provisional"`: answers are missing, declined or could not be assessed and
//!   could still change the result. There is **no `level` key**: `level_at_least` is the
//!   level the known answers already guarantee, `level_at_most` the highest the missing ones
//!   could require, and `ask_next` lists the missing answers, the one to ask first first
//!   (safety items always before the rest).
//!
//! So a consumer tells them apart by `result.status` (or by the presence of `result.level`),
//! and one that reads only `result.level` finds nothing on a provisional line rather than a
//! lower bound taken for an answer. With `jq`, for example, `select(.result.status ==
//! "provisional")` picks the lines to complete and `.result.level // empty` reads only final
//! levels. A provisional line is an answer, not an error: it never changes the exit code.
//! Values out of range, conflicting answers and malformed JSON are still `error` lines.
//!
//! A bad line never stops the batch. Lines end at `\n`; a trailing `\r` (CRLF input) is
//! removed, and a final line without `\n` still counts. A UTF-8 byte order mark (as some
//! Windows tools write at the start of a file) is removed from the start of line 1; the
//! intake reader also ignores one at the start of any other line.
//!
//! # Limits and memory
//!
//! A line may hold at most `--max-line-bytes` bytes (default 1 MiB = 1,048,576), not counting
//! its line ending. A longer line is read through without being kept (no more than the limit
//! plus one byte of it is held at a time) and answered with an error naming the limit.
//!
//! Lines are read in blocks of at most 4,096 lines and at most 8 MiB of input (a block stops
//! once it reaches 8 MiB, so it holds at most 8 MiB plus one line); a block is assessed across
//! the cores and its results written, in order, before the next block is read. Memory is
//! therefore bounded, whatever the size of the input, by the block's input (8 MiB + the line
//! limit) plus its results: a report is 2-6 KB for intake 2's bundled examples, and up to
//! about 17 KB for a provisional one with nearly everything missing (every rule waiting, every
//! answer to ask: `{"schema_version": "2"}` alone), plus the free-text preferences it
//! carries, which come from the block's input, so at most about 4,096 x 17 KB + 9 MiB. With
//! the defaults the bound is about 2 x 9 MiB + 70 MB, about 90 MB (under 45 MB when the
//! reports are those of complete intakes, 4,096 x 6 KB). Measured: about 37 MB peak resident
//! on a 200,000-line mix of the bundled intakes and bad lines, 89 MB on 100,000 lines of
//! `{"schema_version": "2"}` (the worst case), 15 MB on 5,000 lines of 100 KB, 4 MB on a
//! single 200 MB line.
//!
//! # Exit codes
//!
//! - 0: every line was read and answered (provisional results and lines with errors included:
//!   they are in the output);
//! - 1: stdin could not be read (an I/O error, not bad UTF-8: that is a per-line error) or bad
//!   usage; the results of the lines read before the failure are written first;
//! - 3: stdout was closed (as in `batch < big.ndjson | head -1`) or failed before every result
//!   was written; a closed stdout ends the batch quietly, without a message.
//!
//! When stderr is a terminal a progress count is shown there.

use carelevel::RulePack;
use std::io::{BufRead, ErrorKind, IsTerminal, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;

/// The default longest line, in bytes, not counting its line ending.
pub const DEFAULT_MAX_LINE_BYTES: usize = 1 << 20;
/// A block stops once it holds this many bytes of input.
pub const BLOCK_BYTES: usize = 8 << 20;
/// A block holds at most this many lines.
pub const BLOCK_LINES: usize = 4096;

const USAGE: &str =
    "usage: batch [--max-line-bytes N] < intakes.ndjson > results.ndjson   (one intake 2 a line)";

/// How lines are read and grouped into blocks.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The longest line accepted, in bytes, not counting its line ending.
    pub max_line_bytes: usize,
    /// A block stops once it holds this many bytes of input.
    pub block_bytes: usize,
    /// A block holds at most this many lines.
    pub block_lines: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            block_bytes: BLOCK_BYTES,
            block_lines: BLOCK_LINES,
        }
    }
}

/// One input line, without its line ending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// The line's bytes, at most the limit; not yet checked for UTF-8.
    Bytes(Vec<u8>),
    /// A line over the limit, which was read through without being kept.
    TooLong {
        /// The line's length in bytes, not counting its line ending.
        bytes: u64,
        /// The limit it exceeded.
        limit: usize,
    },
}

impl Line {
    fn held_bytes(&self) -> usize {
        match self {
            Line::Bytes(b) => b.len(),
            Line::TooLong { .. } => 0,
        }
    }
}

/// Reads one line of at most `limit` bytes (not counting `\n` or a `\r` before it), or `None`
/// at the end of the input. A longer line is consumed to its end without being stored.
pub fn read_line<R: BufRead>(input: &mut R, limit: usize) -> std::io::Result<Option<Line>> {
    let mut held = Vec::new();
    let mut total: u64 = 0;
    let mut too_long = false;
    let mut saw_any = false;
    let mut last = None;
    loop {
        let available = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        saw_any = true;
        let newline = available.iter().position(|&b| b == b'\n');
        let content = available
            .get(..newline.unwrap_or(available.len()))
            .unwrap_or_default();
        total = total.saturating_add(content.len() as u64);
        last = content.last().copied().or(last);
        // Keep one byte over the limit so that a `\r` before the `\n` still fits.
        if !too_long && held.len().saturating_add(content.len()) <= limit.saturating_add(1) {
            held.extend_from_slice(content);
        } else if !too_long {
            too_long = true;
            held = Vec::new();
        }
        let used = newline.map_or(available.len(), |at| at + 1);
        input.consume(used);
        if newline.is_some() {
            break;
        }
    }
    if !saw_any {
        return Ok(None);
    }
    if last == Some(b'\r') {
        held.pop();
        total = total.saturating_sub(1);
    }
    if too_long || held.len() > limit {
        return Ok(Some(Line::TooLong {
            bytes: total,
            limit,
        }));
    }
    held.shrink_to_fit();
    Ok(Some(Line::Bytes(held)))
}

/// How reading a block ended.
#[derive(Debug)]
pub enum BlockEnd {
    /// The block is full; more input may follow.
    Full,
    /// The input ended.
    Eof,
    /// Reading failed; the block holds the lines read before the failure.
    Failed(std::io::Error),
}

/// Reads up to `limits.block_lines` lines, stopping once they hold `limits.block_bytes` bytes.
pub fn read_block<R: BufRead>(input: &mut R, limits: &Limits) -> (Vec<Line>, BlockEnd) {
    let mut block = Vec::new();
    let mut bytes = 0usize;
    while block.len() < limits.block_lines && bytes < limits.block_bytes {
        match read_line(input, limits.max_line_bytes) {
            Ok(Some(line)) => {
                bytes = bytes.saturating_add(line.held_bytes());
                block.push(line);
            }
            Ok(None) => return (block, BlockEnd::Eof),
            Err(e) => return (block, BlockEnd::Failed(e)),
        }
    }
    (block, BlockEnd::Full)
}

/// `{"line":N,"error":"..."}`.
fn error_line(number: usize, message: String) -> String {
    format!(
        "{{\"line\":{number},\"error\":{}}}",
        serde_json::Value::String(message)
    )
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("panic while assessing this line")
}

/// Assesses one line with `assess` (intake JSON in, report JSON or an error message out) and
/// returns its output line. A panic in `assess` is caught and becomes this line's error.
pub fn answer<F>(assess: &F, number: usize, line: &Line) -> String
where
    F: Fn(&str) -> Result<String, String>,
{
    let bytes = match line {
        Line::TooLong { bytes, limit } => {
            return error_line(
                number,
                format!(
                    "line {number} is {bytes} bytes, over the limit of {limit} bytes (--max-line-bytes)"
                ),
            );
        }
        Line::Bytes(b) => b.as_slice(),
    };
    let bom = if number == 1 && bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let bytes = bytes.get(bom..).unwrap_or_default();
    if bytes.iter().all(|&b| matches!(b, b' ' | b'\t' | b'\r')) {
        return format!("{{\"line\":{number},\"skipped\":\"blank\"}}");
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let offset = bom + e.valid_up_to();
            return error_line(
                number,
                format!("line {number} is not valid UTF-8 (byte offset {offset})"),
            );
        }
    };
    match catch_unwind(AssertUnwindSafe(|| assess(text))) {
        Ok(Ok(report)) if !report.is_empty() => {
            format!("{{\"line\":{number},\"result\":{report}}}")
        }
        Ok(Ok(_)) => error_line(number, "internal error: empty report".to_owned()),
        Ok(Err(message)) => error_line(number, message),
        Err(payload) => error_line(
            number,
            format!("internal error: {}", panic_message(payload.as_ref())),
        ),
    }
}

/// Answers a block whose first line is number `first`, split across `workers` threads;
/// the output lines come back in input order, one per input line.
pub fn answer_block<F>(assess: &F, first: usize, block: &[Line], workers: usize) -> Vec<String>
where
    F: Fn(&str) -> Result<String, String> + Sync,
{
    let chunk = block.len().div_ceil(workers.max(1)).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = block
            .chunks(chunk)
            .enumerate()
            .map(|(i, part)| {
                let start = first + i * chunk;
                let handle = s.spawn(move || {
                    part.iter()
                        .enumerate()
                        .map(|(j, line)| answer(assess, start + j, line))
                        .collect::<Vec<_>>()
                });
                (start, part.len(), handle)
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|(start, len, handle)| {
                // Panics are caught per line, so a worker dying is not expected; if one
                // does, each of its lines still gets an answer.
                handle.join().unwrap_or_else(|_| {
                    (start..start + len)
                        .map(|n| error_line(n, "internal error: worker thread failed".to_owned()))
                        .collect()
                })
            })
            .collect()
    })
}

/// How a batch ended.
#[derive(Debug)]
pub enum Outcome {
    /// Every line was read and answered; holds the number of lines.
    Done(usize),
    /// Reading stdin failed at this line number; the earlier lines were answered.
    InputFailed(usize, std::io::Error),
    /// Writing the results failed.
    OutputFailed(std::io::Error),
}

fn write_block<W: Write>(output: &mut W, lines: &[String]) -> std::io::Result<()> {
    for line in lines {
        writeln!(output, "{line}")?;
    }
    output.flush()
}

/// Reads every line of `input`, answers it with `assess` and writes the results to `output`.
pub fn run<R, W, F>(
    input: &mut R,
    output: &mut W,
    assess: &F,
    limits: &Limits,
    workers: usize,
) -> Outcome
where
    R: BufRead,
    W: Write,
    F: Fn(&str) -> Result<String, String> + Sync,
{
    let progress = std::io::stderr().is_terminal();
    let mut done = 0usize;
    loop {
        let (block, end) = read_block(input, limits);
        let answers = answer_block(assess, done + 1, &block, workers);
        done += block.len();
        if let Err(e) = write_block(output, &answers) {
            return Outcome::OutputFailed(e);
        }
        if progress {
            let _ = write!(std::io::stderr(), "\rassessed {done} lines");
        }
        match end {
            BlockEnd::Full => {}
            BlockEnd::Eof => break,
            BlockEnd::Failed(e) => return Outcome::InputFailed(done + 1, e),
        }
    }
    if progress {
        let _ = writeln!(std::io::stderr());
    }
    Outcome::Done(done)
}

/// Parses the command line into limits; `Ok(None)` means help was asked for.
fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Option<Limits>, String> {
    let mut limits = Limits::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let value = match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--max-line-bytes" => args.next(),
            _ => match arg.strip_prefix("--max-line-bytes=") {
                Some(v) => Some(v.to_owned()),
                None => return Err(format!("unknown argument `{arg}`")),
            },
        };
        limits.max_line_bytes = value
            .as_deref()
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|&n| n > 0)
            .ok_or("--max-line-bytes needs a positive whole number of bytes")?;
    }
    Ok(Some(limits))
}

fn main() -> ExitCode {
    let limits = match parse_args(std::env::args().skip(1)) {
        Ok(Some(limits)) => limits,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e}\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    let pack = RulePack::builtin();
    let assess = |text: &str| pack.assess_json(text).map_err(|e| e.to_string());
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut input = std::io::stdin().lock();
    let mut output = std::io::BufWriter::new(std::io::stdout().lock());
    match run(&mut input, &mut output, &assess, &limits, workers) {
        Outcome::Done(_) => ExitCode::SUCCESS,
        Outcome::InputFailed(line, e) => {
            let _ = writeln!(
                std::io::stderr(),
                "error: reading stdin at line {line}: {e}"
            );
            ExitCode::FAILURE
        }
        Outcome::OutputFailed(e) => {
            if e.kind() != ErrorKind::BrokenPipe {
                let _ = writeln!(std::io::stderr(), "error: writing stdout: {e}");
            }
            ExitCode::from(3)
        }
    }
}
