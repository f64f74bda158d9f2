//! `carelevel batch`: NDJSON intakes on stdin, one JSON result per line on stdout, in input
//! order, assessed in parallel across cores.
//!
//! ```text
//! carelevel batch [--pack DIR]... [--threads N] [--max-line-bytes N] < intakes.ndjson > results.ndjson
//! ```
//!
//! # Input
//!
//! Each line is one intake 2 (`"schema_version": "2"`), as `RulePack::assess_json` reads it:
//! an intake missing required items (or with one declined or not assessable) is assessed
//! provisionally, not refused (see "Final and provisional results" below).
//! A 0.1 intake is not converted: its line gets the error naming `schema_version`, which says
//! how to convert it (`carelevel convert OLD.json`, one intake at a time, or
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
//! # Pipeline, limits and memory
//!
//! Reading, assessing and writing overlap. A reader thread cuts the input into chunks of at
//! most [`CHUNK_LINES`] lines, a chunk stopping once it holds [`CHUNK_BYTES`] of input (so it
//! holds at most 256 KiB plus one line), each tagged with its sequence number; `--threads N`
//! worker threads (default: the available parallelism) each assess whole chunks into an output
//! buffer; the calling thread writes the buffers in sequence order, holding back any that
//! finish early. Channels between them are bounded (`crossbeam-channel`), and a chunk may only
//! be read once one of [`in_flight`]`(N)` = 2N + 2 slots is free; a slot is freed when its
//! chunk's results are written. So at most 2N + 3 chunks (one more being read) exist at once,
//! whatever the size of the input and however unevenly the workers progress.
//!
//! A line may hold at most `--max-line-bytes` bytes (default 1 MiB = 1,048,576), not counting
//! its line ending. A longer line is read through without being kept (no more than the limit
//! plus one byte of it is held at a time) and answered with an error naming the limit.
//!
//! Memory is therefore bounded, whatever the size of the input, by 2N + 3 chunks, each its
//! input (at most 256 KiB plus one line of at most the line limit) and its results: a report
//! is 2-7 KB for intake 2's bundled examples, and about 30 KB for a provisional one with
//! nearly everything missing (`{"schema_version": "2"}` alone: every rule waiting, every
//! answer to ask), plus the free-text preferences it carries, which come from the chunk's
//! input. So a chunk holds at most about 256 x 30 KB of results (a buffer grows by doubling,
//! so up to 8 MiB) beside its 1.25 MiB of input: about 65 MB of buffers in all with the
//! defaults and 2 threads, plus the program and the allocator's slack. Measured with 2
//! threads (BENCHMARK.md): at most 25 MB peak resident on a 200,000-line mix of intakes, bad
//! lines and 1 MB lines, 10 MB on 5,000 lines of 100 KB, 7 MB on a single 200 MB line, and
//! 83 MB on 100,000 lines of `{"schema_version": "2"}` (the worst case).
//!
//! # Exit codes
//!
//! - 0: every line was read and answered (provisional results and lines with errors included:
//!   they are in the output);
//! - 1: stdin could not be read (an I/O error, not bad UTF-8: that is a per-line error), bad
//!   usage, or the rule pack could not be loaded; the results of the lines read before a read
//!   failure are written first;
//! - 3: stdout was closed (as in `batch < big.ndjson | head -1`) or failed before every result
//!   was written; a closed stdout ends the batch quietly, without a message.
//!
//! When stderr is a terminal a progress count is shown there.

use crossbeam_channel::{Receiver, Sender, bounded};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

/// The default longest line, in bytes, not counting its line ending.
pub const DEFAULT_MAX_LINE_BYTES: usize = 1 << 20;
/// A chunk stops once it holds this many bytes of input.
pub const CHUNK_BYTES: usize = 256 << 10;
/// A chunk holds at most this many lines.
pub const CHUNK_LINES: usize = 256;

/// How many chunks may be read and not yet written with `workers` worker threads: enough
/// for each worker to hold one while as many again wait, finished or queued, behind a slow
/// one.
pub fn in_flight(workers: usize) -> usize {
    workers.max(1).saturating_mul(2).saturating_add(2)
}

/// How lines are read and grouped into chunks.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The longest line accepted, in bytes, not counting its line ending.
    pub max_line_bytes: usize,
    /// A chunk stops once it holds this many bytes of input.
    pub chunk_bytes: usize,
    /// A chunk holds at most this many lines.
    pub chunk_lines: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            chunk_bytes: CHUNK_BYTES,
            chunk_lines: CHUNK_LINES,
        }
    }
}

/// One line of a chunk, without its line ending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// The line's bytes are this range of the chunk's buffer: at most the limit, not yet
    /// checked for UTF-8.
    Held(Range<usize>),
    /// A line over the limit, which was read through without being kept.
    TooLong {
        /// The line's length in bytes, not counting its line ending.
        bytes: u64,
        /// The limit it exceeded.
        limit: usize,
    },
}

/// Reads one line of at most `limit` bytes (not counting `\n` or a `\r` before it) onto the
/// end of `buf`, or `None` at the end of the input. A longer line is consumed to its end
/// without being stored: `buf` is left as it was, having held at most `limit + 1` bytes of it
/// (as it is on an error).
pub fn read_line<R: BufRead + ?Sized>(
    input: &mut R,
    limit: usize,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<Line>> {
    let start = buf.len();
    let mut total: u64 = 0;
    let mut too_long = false;
    let mut saw_any = false;
    let mut last = None;
    loop {
        let available = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => {
                buf.truncate(start);
                return Err(e);
            }
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
        let held = buf.len() - start;
        if !too_long && held.saturating_add(content.len()) <= limit.saturating_add(1) {
            buf.extend_from_slice(content);
        } else if !too_long {
            too_long = true;
            buf.truncate(start);
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
        if !too_long {
            buf.pop();
        }
        total = total.saturating_sub(1);
    }
    if too_long || buf.len() - start > limit {
        buf.truncate(start);
        return Ok(Some(Line::TooLong {
            bytes: total,
            limit,
        }));
    }
    Ok(Some(Line::Held(start..buf.len())))
}

/// A run of consecutive input lines: the unit of work of the pipeline.
#[derive(Debug, Default)]
pub struct Chunk {
    /// Its place in the input: 0 for the first chunk, then 1, 2, ...
    pub seq: u64,
    /// The 1-based number of its first line.
    pub first: usize,
    /// The bytes of its lines, one after another.
    data: Vec<u8>,
    /// Its lines, in order.
    lines: Vec<Line>,
}

impl Chunk {
    /// The number of lines.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether it holds no line.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Each line: its bytes, or `Err((bytes, limit))` for a line over the limit.
    pub fn lines(&self) -> impl Iterator<Item = Result<&[u8], (u64, usize)>> {
        self.lines.iter().map(|line| match line {
            Line::Held(range) => Ok(self.data.get(range.clone()).unwrap_or_default()),
            Line::TooLong { bytes, limit } => Err((*bytes, *limit)),
        })
    }
}

/// How reading a chunk ended.
#[derive(Debug)]
pub enum ChunkEnd {
    /// The chunk is full; more input may follow.
    Full,
    /// The input ended.
    Eof,
    /// Reading failed; the chunk holds the lines read before the failure.
    Failed(std::io::Error),
}

/// Reads chunk `seq`, whose first line is number `first`: up to `limits.chunk_lines` lines,
/// stopping once they hold `limits.chunk_bytes` bytes.
pub fn read_chunk<R: BufRead + ?Sized>(
    input: &mut R,
    limits: &Limits,
    seq: u64,
    first: usize,
) -> (Chunk, ChunkEnd) {
    let mut chunk = Chunk {
        seq,
        first,
        data: Vec::with_capacity(limits.chunk_bytes.min(CHUNK_BYTES)),
        lines: Vec::with_capacity(limits.chunk_lines.min(CHUNK_LINES)),
    };
    while chunk.lines.len() < limits.chunk_lines && chunk.data.len() < limits.chunk_bytes {
        match read_line(input, limits.max_line_bytes, &mut chunk.data) {
            Ok(Some(line)) => chunk.lines.push(line),
            Ok(None) => return (chunk, ChunkEnd::Eof),
            Err(e) => return (chunk, ChunkEnd::Failed(e)),
        }
    }
    (chunk, ChunkEnd::Full)
}

/// Appends `{"line":N,"error":"..."}` and a line feed to `out`.
fn error_line(out: &mut Vec<u8>, number: usize, message: &str) {
    let message = serde_json::Value::String(message.to_owned());
    let _ = writeln!(out, "{{\"line\":{number},\"error\":{message}}}");
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("panic while assessing this line")
}

/// Appends the output line of line `number` (its bytes) and a line feed to `out`, assessing
/// it with `assess` (intake JSON in, report JSON or an error message out). A panic in
/// `assess` is caught and becomes this line's error.
pub fn answer<F>(assess: &F, number: usize, bytes: &[u8], out: &mut Vec<u8>)
where
    F: Fn(&str) -> Result<String, String> + ?Sized,
{
    let bom = if number == 1 && bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let bytes = bytes.get(bom..).unwrap_or_default();
    if bytes.iter().all(|&b| matches!(b, b' ' | b'\t' | b'\r')) {
        let _ = writeln!(out, "{{\"line\":{number},\"skipped\":\"blank\"}}");
        return;
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let offset = bom + e.valid_up_to();
            let message = format!("line {number} is not valid UTF-8 (byte offset {offset})");
            return error_line(out, number, &message);
        }
    };
    match catch_unwind(AssertUnwindSafe(|| assess(text))) {
        Ok(Ok(report)) if !report.is_empty() => {
            let _ = write!(out, "{{\"line\":{number},\"result\":");
            out.extend_from_slice(report.as_bytes());
            out.extend_from_slice(b"}\n");
        }
        Ok(Ok(_)) => error_line(out, number, "internal error: empty report"),
        Ok(Err(message)) => error_line(out, number, &message),
        Err(payload) => {
            let message = format!("internal error: {}", panic_message(payload.as_ref()));
            error_line(out, number, &message);
        }
    }
}

/// The output of every line of `chunk`, in order, one line (ending in a line feed) per input
/// line.
pub fn answer_chunk<F>(assess: &F, chunk: &Chunk) -> Vec<u8>
where
    F: Fn(&str) -> Result<String, String> + ?Sized,
{
    let mut out = Vec::with_capacity(chunk.len().saturating_mul(4096));
    for (number, line) in (chunk.first..).zip(chunk.lines()) {
        match line {
            Ok(bytes) => answer(assess, number, bytes, &mut out),
            Err((bytes, limit)) => {
                let message = format!(
                    "line {number} is {bytes} bytes, over the limit of {limit} bytes (--max-line-bytes)"
                );
                error_line(&mut out, number, &message);
            }
        }
    }
    out
}

/// How a batch ended.
#[derive(Debug)]
pub enum Outcome {
    /// Every line was read and answered; holds the number of lines.
    Done(#[allow(dead_code)] usize), // the command needs only the output; the tests read it
    /// Reading the input failed at this line number; the earlier lines were answered.
    InputFailed(usize, std::io::Error),
    /// Writing the results failed.
    OutputFailed(std::io::Error),
    /// The pipeline itself failed (a thread could not be started or stopped early): the
    /// results were not all written.
    Internal(String),
}

/// How the batch runs.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// How lines are read and grouped into chunks.
    pub limits: Limits,
    /// The number of threads assessing chunks (at least 1).
    pub workers: usize,
    /// Show a count of the lines written on stderr.
    pub progress: bool,
}

/// One chunk's results.
struct Answered {
    seq: u64,
    lines: usize,
    bytes: Vec<u8>,
}

/// How the reader thread ended.
enum ReadEnd {
    /// The input ended after `lines` lines in `chunks` chunks.
    Eof { lines: usize, chunks: u64 },
    /// Reading failed at line `line`, after `chunks` chunks (the lines before it).
    Failed {
        line: usize,
        chunks: u64,
        error: std::io::Error,
    },
    /// The writer stopped taking results.
    Abandoned,
}

/// The reader thread: cuts `input` into chunks and hands each to the workers once a slot is
/// free (a token from `slots`).
fn read_chunks<R: Read>(
    input: R,
    limits: Limits,
    slots: Receiver<()>,
    chunks: Sender<Chunk>,
) -> ReadEnd {
    let mut input = BufReader::with_capacity(64 << 10, input);
    let mut seq = 0u64;
    let mut next_line = 1usize;
    loop {
        let (chunk, end) = read_chunk(&mut input, &limits, seq, next_line);
        next_line = next_line.saturating_add(chunk.len());
        if !chunk.is_empty() {
            if slots.recv().is_err() || chunks.send(chunk).is_err() {
                return ReadEnd::Abandoned;
            }
            seq += 1;
        }
        match end {
            ChunkEnd::Full => {}
            ChunkEnd::Eof => {
                return ReadEnd::Eof {
                    lines: next_line - 1,
                    chunks: seq,
                };
            }
            ChunkEnd::Failed(error) => {
                return ReadEnd::Failed {
                    line: next_line,
                    chunks: seq,
                    error,
                };
            }
        }
    }
}

/// A worker thread: answers chunks until there are no more, or nobody takes the results.
fn answer_chunks<F>(assess: &F, chunks: &Receiver<Chunk>, results: &Sender<Answered>)
where
    F: Fn(&str) -> Result<String, String> + ?Sized,
{
    for chunk in chunks {
        // Each line's panic is caught in `answer`; this catches anything else, so that a
        // chunk always gets its lines' answers and the writer never waits for it in vain.
        let bytes =
            catch_unwind(AssertUnwindSafe(|| answer_chunk(assess, &chunk))).unwrap_or_else(|_| {
                let mut out = Vec::new();
                for number in chunk.first..chunk.first.saturating_add(chunk.len()) {
                    error_line(&mut out, number, "internal error: worker failed");
                }
                out
            });
        let answered = Answered {
            seq: chunk.seq,
            lines: chunk.len(),
            bytes,
        };
        drop(chunk);
        if results.send(answered).is_err() {
            return;
        }
    }
}

/// Reads every line of `input` (on a thread of its own), answers it with `assess` (on
/// `settings.workers` threads) and writes the results to `output`, in input order, on the
/// calling thread.
///
/// When writing fails the batch returns at once, without waiting for the reader, which may
/// be blocked on its input: it stops at its next chunk.
pub fn run<R, W, F>(input: R, output: &mut W, assess: Arc<F>, settings: &Settings) -> Outcome
where
    R: Read + Send + 'static,
    W: Write + ?Sized,
    F: Fn(&str) -> Result<String, String> + Send + Sync + 'static + ?Sized,
{
    let workers = settings.workers.max(1);
    let slots_total = in_flight(workers);
    let (slot_tx, slot_rx) = bounded::<()>(slots_total);
    for _ in 0..slots_total {
        let _ = slot_tx.try_send(());
    }
    let (chunk_tx, chunk_rx) = bounded::<Chunk>(slots_total);
    let (result_tx, result_rx) = bounded::<Answered>(slots_total);

    let limits = settings.limits;
    let reader = match std::thread::Builder::new()
        .name("batch-reader".into())
        .spawn(move || read_chunks(input, limits, slot_rx, chunk_tx))
    {
        Ok(handle) => handle,
        Err(e) => return Outcome::Internal(format!("cannot start the reader thread: {e}")),
    };
    for n in 0..workers {
        let chunks = chunk_rx.clone();
        let results = result_tx.clone();
        let assess = Arc::clone(&assess);
        let spawned = std::thread::Builder::new()
            .name(format!("batch-worker-{n}"))
            .spawn(move || answer_chunks(&*assess, &chunks, &results));
        if let Err(e) = spawned {
            return Outcome::Internal(format!("cannot start a worker thread: {e}"));
        }
    }
    drop(chunk_rx);
    drop(result_tx);

    let mut pending: BTreeMap<u64, Answered> = BTreeMap::new();
    let mut next = 0u64;
    let mut written = 0usize;
    let mut shown = 0usize;
    loop {
        while let Some(answered) = pending.remove(&next) {
            if let Err(e) = output.write_all(&answered.bytes) {
                return Outcome::OutputFailed(e);
            }
            next += 1;
            written = written.saturating_add(answered.lines);
            // Free the chunk's slot: the reader may read one more.
            let _ = slot_tx.try_send(());
            if settings.progress && written / 4096 != shown / 4096 {
                shown = written;
                let _ = write!(std::io::stderr(), "\rassessed {written} lines");
            }
        }
        let answered = match result_rx.try_recv() {
            Ok(answered) => answered,
            Err(_) => {
                // Nothing more is ready: let what was written go before waiting.
                if let Err(e) = output.flush() {
                    return Outcome::OutputFailed(e);
                }
                match result_rx.recv() {
                    Ok(answered) => answered,
                    Err(_) => break,
                }
            }
        };
        pending.insert(answered.seq, answered);
    }
    // Every worker has stopped, so the reader has too: its end says how the batch ends.
    let end = reader.join();
    if settings.progress {
        let _ = writeln!(std::io::stderr(), "\rassessed {written} lines");
    }
    if let Err(e) = output.flush() {
        return Outcome::OutputFailed(e);
    }
    let (chunks, outcome) = match end {
        Ok(ReadEnd::Eof { lines, chunks }) => (chunks, Outcome::Done(lines)),
        Ok(ReadEnd::Failed {
            line,
            chunks,
            error,
        }) => (chunks, Outcome::InputFailed(line, error)),
        Ok(ReadEnd::Abandoned) | Err(_) => {
            return Outcome::Internal(format!(
                "the reader thread stopped early; results were written for {written} lines"
            ));
        }
    };
    if next != chunks || !pending.is_empty() {
        return Outcome::Internal(format!(
            "a worker thread stopped early; results were written for {written} lines"
        ));
    }
    outcome
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::io::Cursor;

    const MIB: usize = 1 << 20;

    fn good() -> String {
        let text = include_str!("../../examples/intakes/iop_primary.json");
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        value.to_string()
    }

    fn builtin() -> Arc<impl Fn(&str) -> Result<String, String> + Send + Sync + 'static> {
        let pack = carelevel::RulePack::builtin();
        Arc::new(move |text: &str| pack.assess_json(text).map_err(|e| e.to_string()))
    }

    fn settings(workers: usize, limits: Limits) -> Settings {
        Settings {
            limits,
            workers,
            progress: false,
        }
    }

    /// An over-long line is read through without being kept.
    #[test]
    fn an_over_long_line_is_not_held() {
        let mut input = vec![b'x'; 10 * MIB];
        input.extend_from_slice(b"\r\nnext");
        let mut reader = &input[..];
        let mut buf = b"kept".to_vec();
        assert_eq!(
            read_line(&mut reader, 1000, &mut buf).unwrap(),
            Some(Line::TooLong {
                bytes: 10 * MIB as u64,
                limit: 1000
            })
        );
        assert_eq!(buf, b"kept", "nothing of the long line is kept");
        assert!(buf.capacity() < 4 * 1000, "{}", buf.capacity());
        assert_eq!(
            read_line(&mut reader, 1000, &mut buf).unwrap(),
            Some(Line::Held(4..8))
        );
        assert_eq!(buf, b"keptnext");
        assert_eq!(read_line(&mut reader, 1000, &mut buf).unwrap(), None);
    }

    /// A line exactly at the limit is held; one byte over is not, CRLF or not.
    #[test]
    fn the_limit_excludes_the_line_ending() {
        for (input, expect) in [
            (&b"abcd\r\n"[..], Line::Held(0..4)),
            (b"abcd\n", Line::Held(0..4)),
            (b"abcd", Line::Held(0..4)),
            (b"abcde\r\n", Line::TooLong { bytes: 5, limit: 4 }),
            (b"abcde", Line::TooLong { bytes: 5, limit: 4 }),
        ] {
            let mut buf = Vec::new();
            let mut reader = BufReader::with_capacity(2, input);
            assert_eq!(
                read_line(&mut reader, 4, &mut buf).unwrap(),
                Some(expect.clone()),
                "{input:?}"
            );
        }
    }

    /// Blocks used to be 4,096 lines whatever their size (4,096 lines of 100 KB held at once);
    /// a chunk is bounded in bytes as well as lines.
    #[test]
    fn chunks_are_bounded_in_bytes() {
        let line_len = 100_000;
        let mut input = Vec::new();
        for _ in 0..300 {
            input.extend(std::iter::repeat_n(b' ', line_len));
            input.push(b'\n');
        }
        let limits = Limits::default();
        let mut reader = BufReader::new(&input[..]);
        let mut lines = 0;
        let mut seq = 0;
        loop {
            let (chunk, end) = read_chunk(&mut reader, &limits, seq, lines + 1);
            assert_eq!((chunk.seq, chunk.first), (seq, lines + 1));
            assert!(
                chunk.data.len() < CHUNK_BYTES + line_len,
                "{}",
                chunk.data.len()
            );
            lines += chunk.len();
            seq += 1;
            match end {
                ChunkEnd::Full => assert_eq!(
                    chunk.len(),
                    CHUNK_BYTES.div_ceil(line_len),
                    "256 KiB / 100 KB, rounded up"
                ),
                ChunkEnd::Eof => break,
                ChunkEnd::Failed(e) => panic!("{e}"),
            }
        }
        assert_eq!(lines, 300);
    }

    /// A panicking worker used to drop its whole share of a block; now only the panicking
    /// line is lost, and it gets an error line, whatever the number of workers and the size
    /// of the chunks.
    #[test]
    fn a_panic_loses_only_its_own_line() {
        let assess = Arc::new(|text: &str| -> Result<String, String> {
            if text == "boom" {
                panic!("assessment exploded");
            }
            Ok(format!("{{\"echo\":{}}}", text.len()))
        });
        let expected = [
            r#"{"line":1,"result":{"echo":1}}"#,
            r#"{"line":2,"error":"internal error: assessment exploded"}"#,
            r#"{"line":3,"result":{"echo":3}}"#,
            r#"{"line":4,"skipped":"blank"}"#,
            r#"{"line":5,"error":"internal error: assessment exploded"}"#,
            r#"{"line":6,"result":{"echo":4}}"#,
            r#"{"line":7,"result":{"echo":2}}"#,
        ]
        .map(|l| format!("{l}\n"))
        .concat();
        for workers in [1, 2, 3, 16] {
            for chunk_lines in [1, 2, 3, 256] {
                let limits = Limits {
                    chunk_lines,
                    ..Limits::default()
                };
                let input = Cursor::new(b"a\nboom\nccc\n\nboom\ndddd\nee".to_vec());
                let mut output = Vec::new();
                let outcome = run(
                    input,
                    &mut output,
                    Arc::clone(&assess),
                    &settings(workers, limits),
                );
                assert!(matches!(outcome, Outcome::Done(7)), "{outcome:?}");
                assert_eq!(
                    String::from_utf8(output).unwrap(),
                    expected,
                    "{workers} workers, {chunk_lines} lines a chunk"
                );
            }
        }
    }

    /// A reader that yields `data`, then fails.
    struct FailsAfter(Cursor<Vec<u8>>);

    impl Read for FailsAfter {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match self.0.read(buf)? {
                0 => Err(std::io::Error::other("disk on fire")),
                n => Ok(n),
            }
        }
    }

    /// A stdin failure used to drop the results of the block read so far.
    #[test]
    fn a_stdin_failure_first_writes_what_was_answered() {
        for chunk_lines in [1, 2, 256] {
            let input = format!("{}\n\nnot json\n", good()).into_bytes();
            let mut output = Vec::new();
            let limits = Limits {
                chunk_lines,
                ..Limits::default()
            };
            let outcome = run(
                FailsAfter(Cursor::new(input)),
                &mut output,
                builtin(),
                &settings(2, limits),
            );
            match outcome {
                Outcome::InputFailed(4, e) => assert_eq!(e.to_string(), "disk on fire"),
                other => panic!("{other:?}"),
            }
            let output = String::from_utf8(output).unwrap();
            let lines: Vec<&str> = output.lines().collect();
            assert_eq!(lines.len(), 3, "{output}");
            assert!(
                lines[0].starts_with(r#"{"line":1,"result":{"status":"final","level":"iop","#),
                "{}",
                lines[0]
            );
            assert_eq!(lines[1], r#"{"line":2,"skipped":"blank"}"#);
            assert!(
                lines[2].starts_with(r#"{"line":3,"error":"#),
                "{}",
                lines[2]
            );
        }
    }

    /// A writer that accepts `room` bytes, then fails as a closed pipe does.
    struct ClosesAfter {
        room: usize,
    }

    impl Write for ClosesAfter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.room == 0 {
                return Err(ErrorKind::BrokenPipe.into());
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// A closed output ends the batch at once, even though more input would follow (the
    /// reader is left blocked on an input that never ends).
    #[test]
    fn a_closed_output_ends_the_batch_without_waiting_for_the_input() {
        let endless = std::io::repeat(b'\n');
        let mut output = ClosesAfter { room: 100_000 };
        let outcome = run(
            endless,
            &mut output,
            builtin(),
            &settings(2, Limits::default()),
        );
        match outcome {
            Outcome::OutputFailed(e) => assert_eq!(e.kind(), ErrorKind::BrokenPipe),
            other => panic!("{other:?}"),
        }
    }

    /// Many chunks and several workers: the output is exactly the one-worker output, in order,
    /// however small the chunks.
    #[test]
    fn every_worker_count_gives_the_same_bytes() {
        let good = good();
        let mut input = Vec::new();
        for i in 0..3000 {
            match i % 5 {
                0 => input.extend_from_slice(b"not json"),
                1 => input.extend_from_slice(b"  "),
                2 => input.extend_from_slice(br#"{"schema_version": "2"}"#),
                _ => input.extend_from_slice(good.as_bytes()),
            }
            input.push(b'\n');
        }
        let run_with = |workers: usize, chunk_lines: usize| {
            let mut output = Vec::new();
            let limits = Limits {
                chunk_lines,
                ..Limits::default()
            };
            let outcome = run(
                Cursor::new(input.clone()),
                &mut output,
                builtin(),
                &settings(workers, limits),
            );
            assert!(matches!(outcome, Outcome::Done(3000)), "{outcome:?}");
            output
        };
        let one = run_with(1, CHUNK_LINES);
        assert_eq!(one.iter().filter(|&&b| b == b'\n').count(), 3000);
        for (workers, chunk_lines) in [(2, 1), (3, 7), (4, 256), (8, 13)] {
            assert!(
                run_with(workers, chunk_lines) == one,
                "{workers} workers, {chunk_lines} lines a chunk"
            );
        }
    }

    /// The number of input lines: each `\n` ends one, and a final line without one counts.
    fn count_lines(input: &[u8]) -> usize {
        let ended = input.iter().filter(|&&b| b == b'\n').count();
        ended + usize::from(input.last().is_some_and(|&b| b != b'\n'))
    }

    fn piece() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            3 => any::<u8>().prop_map(|b| vec![b]),
            2 => Just(b"\n".to_vec()),
            1 => Just(b"\r\n".to_vec()),
            1 => Just(b" \t".to_vec()),
            1 => Just(b"\xEF\xBB\xBF".to_vec()),
            1 => Just(br#"{"schema_version": "2"}"#.to_vec()),
            1 => Just(good().into_bytes()),
            1 => proptest::collection::vec(any::<u8>(), 0..40),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Random bytes: exactly one output line per input line, in order, each a JSON object
        /// with its line number and one of `result`, `error` or `skipped` (blank exactly when
        /// the line is blank).
        #[test]
        fn random_bytes_get_one_output_line_per_input_line(
            pieces in proptest::collection::vec(piece(), 0..60),
            workers in 1usize..5,
            chunk_lines in 1usize..6,
            max_line_bytes in prop_oneof![Just(DEFAULT_MAX_LINE_BYTES), 1usize..80],
        ) {
            let input: Vec<u8> = pieces.concat();
            let limits = Limits { chunk_lines, max_line_bytes, ..Limits::default() };
            let mut output = Vec::new();
            let outcome = run(Cursor::new(input.clone()), &mut output, builtin(), &settings(workers, limits));
            let total = count_lines(&input);
            prop_assert!(matches!(outcome, Outcome::Done(n) if n == total), "{:?}", outcome);
            let output = String::from_utf8(output).unwrap();
            prop_assert!(output.is_empty() || output.ends_with('\n'));
            let lines: Vec<&str> = output.lines().collect();
            prop_assert_eq!(lines.len(), total);
            let inputs = input.split(|&b| b == b'\n');
            for ((i, line), raw) in lines.iter().enumerate().zip(inputs) {
                let number = i + 1;
                let value: serde_json::Value = serde_json::from_str(line).unwrap();
                let object = value.as_object().unwrap();
                prop_assert_eq!(&object["line"], number);
                prop_assert_eq!(object.len(), 2, "{}", line);
                let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
                let held = raw.len() <= max_line_bytes;
                let raw = if number == 1 { raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw) } else { raw };
                let blank = held && raw.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r'));
                prop_assert_eq!(object.get("skipped").is_some(), blank, "{}", line);
                prop_assert!(
                    object.contains_key("result") || object.contains_key("error") || blank,
                    "{}", line
                );
            }
        }
    }
}
