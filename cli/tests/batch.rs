//! `carelevel batch`: exactly one output line per input line, in order, each starting with
//! its line number; a bad line (invalid JSON, a 0.1 intake, invalid UTF-8, over-long, blank)
//! yields its own output line and never stops the batch; an incomplete intake is a
//! provisional result (its `status`, no `level`), never an error or a failed batch; the
//! output is the same, byte for byte, whatever the number of threads.
//!
//! These tests run the binary. The pipeline's functions are tested directly in
//! `cli/src/batch.rs` where the binary offers no honest way in: a panicking assessment, a
//! stdin that fails part-way, a writer that closes, and the byte bound on a chunk.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

mod common;

use common::{carelevel, root};
use proptest::prelude::*;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, ExitStatus, Stdio};

const MIB: usize = 1 << 20;

/// `examples/intakes/<name>.json` (an intake 2) on one line.
fn intake(name: &str) -> String {
    one_line(&format!("examples/intakes/{name}.json"))
}

/// The JSON file at `path` (from the workspace's root) on one line.
fn one_line(path: &str) -> String {
    let value: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(path)).unwrap()).unwrap();
    serde_json::to_string(&value).unwrap()
}

fn good() -> String {
    intake("iop_primary")
}

/// `good()` padded with spaces (valid JSON whitespace) to exactly `len` bytes.
fn padded(len: usize) -> String {
    let mut line = good();
    assert!(line.len() <= len);
    line.push_str(&" ".repeat(len - line.len()));
    line
}

/// `carelevel batch ARGS`.
fn batch_command(args: &[&str]) -> Command {
    let args: Vec<&str> = ["batch"].iter().chain(args).copied().collect();
    carelevel(&args)
}

/// Runs the batch on `input`; returns its exit status, its stdout and its stderr.
fn run_batch_raw(args: &[&str], input: Vec<u8>) -> (ExitStatus, Vec<u8>, String) {
    let mut child = batch_command(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input).unwrap());
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    (
        output.status,
        output.stdout,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Runs the batch on `input`; returns its exit status, its stdout lines and its stderr.
fn run_batch(args: &[&str], input: Vec<u8>) -> (ExitStatus, Vec<String>, String) {
    let (status, stdout, stderr) = run_batch_raw(args, input);
    let stdout = String::from_utf8(stdout).unwrap();
    let lines = stdout.lines().map(str::to_owned).collect();
    (status, lines, stderr)
}

fn parse(line: &str) -> Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

/// The text of an error line, checking its shape and line number.
fn error_of(line: &str, number: usize) -> String {
    let value = parse(line);
    assert_eq!(value["line"], number, "{line}");
    value["error"]
        .as_str()
        .unwrap_or_else(|| panic!("line {number} is not an error: {line}"))
        .to_owned()
}

/// A final result at `level`.
fn assert_result(line: &str, number: usize, level: &str) {
    let value = parse(line);
    assert_eq!(value["line"], number, "{line}");
    assert_eq!(value["result"]["status"], "final", "{line}");
    assert_eq!(value["result"]["level"], level, "{line}");
}

/// A provisional result between `at_least` and `at_most`, with no `level`, asking `first`
/// first.
fn assert_provisional(line: &str, number: usize, at_least: &str, at_most: &str, first: &str) {
    let value = parse(line);
    assert_eq!(value["line"], number, "{line}");
    let result = &value["result"];
    assert_eq!(result["status"], "provisional", "{line}");
    assert!(
        result.get("level").is_none(),
        "a provisional result has no level: {line}"
    );
    assert_eq!(result["level_at_least"], at_least, "{line}");
    assert_eq!(result["level_at_most"], at_most, "{line}");
    assert_eq!(result["ask_next"][0]["answer"], first, "{line}");
}

fn assert_blank(line: &str, number: usize) {
    assert_eq!(line, format!(r#"{{"line":{number},"skipped":"blank"}}"#));
}

#[test]
fn batch_round_trip_with_bad_lines() {
    let good = good();
    let bad = r#"{"schema_version": "2", "age": 30, "safety": {"suicidal_ideation": "maybe"}}"#;
    let mut input = String::new();
    let mut expect = Vec::new();
    for i in 0..5000 {
        match i % 7 {
            3 => {
                input.push_str(bad);
                expect.push(false);
            }
            5 => {
                input.push_str("not json at all");
                expect.push(false);
            }
            _ => {
                input.push_str(&good);
                expect.push(true);
            }
        }
        input.push('\n');
    }
    let (status, lines, _) = run_batch(&[], input.into_bytes());
    assert!(status.success());
    let lines: Vec<Value> = lines.iter().map(|l| parse(l)).collect();
    assert_eq!(lines.len(), expect.len());
    for (i, (line, ok)) in lines.iter().zip(&expect).enumerate() {
        assert_eq!(line["line"], i + 1, "results stay in input order");
        if *ok {
            assert_eq!(line["result"]["level"], "iop");
        } else {
            let e = line["error"].as_str().unwrap();
            assert!(e.starts_with("intake field `"), "{e}");
        }
    }
    let direct = carelevel::RulePack::builtin().assess_json(&good).unwrap();
    assert_eq!(lines[0]["result"], parse(&direct));
}

/// Lines are intake 2: a 0.1 intake is not converted (nor guessed at), and its line gets the
/// error naming `schema_version`, which says how to convert it.
#[test]
fn a_0_1_line_gets_the_error_naming_schema_version() {
    let old = one_line("tests/v0_1/iop_primary.json");
    assert!(!old.contains("schema_version"));
    let input = format!(
        "{good}\n{old}\n{}\n{good}\n",
        r#"{"age": 34}"#,
        good = good()
    );
    let (status, lines, _) = run_batch(&[], input.into_bytes());
    assert!(status.success());
    assert_eq!(lines.len(), 4);
    assert_result(&lines[0], 1, "iop");
    for (line, number) in [(&lines[1], 2), (&lines[2], 3)] {
        let error = error_of(line, number);
        assert!(
            error.starts_with("intake field `schema_version` is missing"),
            "line {number}: {error}"
        );
        assert!(error.contains("convert_v0_1"), "line {number}: {error}");
    }
    assert_result(&lines[3], 4, "iop");
}

/// An intake missing required items is a result, not an error: `"status":"provisional"` as
/// the report's first key, no `level` key (a reader of `result.level` finds nothing), the
/// bounds and what to ask next; the batch still exits 0. A value out of range is still an
/// error line; a complete intake is final, with its level.
#[test]
fn a_provisional_line_is_a_result_with_its_status_and_no_level() {
    let empty = r#"{"schema_version": "2"}"#;
    let plan = r#"{"schema_version": "2", "safety": {"suicidal_ideation": "plan_with_intent"}}"#;
    let out_of_range = r#"{"schema_version": "2", "severity": {"phq9": 40}}"#;
    let incomplete = intake("incomplete_missing_safety");
    let input = format!(
        "{good}\n{incomplete}\n{empty}\n{plan}\n{out_of_range}\n{good}\n",
        good = good()
    );
    let (status, lines, stderr) = run_batch(&[], input.clone().into_bytes());
    assert!(
        status.success(),
        "a provisional line is not a failure: {status:?} {stderr}"
    );
    assert_eq!(lines.len(), 6);
    assert_result(&lines[0], 1, "iop");
    assert_provisional(&lines[1], 2, "outpatient", "inpatient", "safety.psychosis");
    assert_provisional(
        &lines[2],
        3,
        "outpatient",
        "inpatient",
        "safety.harm_to_others",
    );
    // Certain although incomplete: both bounds inpatient, urgent, still provisional. (Every
    // missing safety item could reach inpatient here: required items first, then by name.)
    assert_provisional(
        &lines[3],
        4,
        "inpatient",
        "inpatient",
        "safety.harm_to_others",
    );
    assert_eq!(parse(&lines[3])["result"]["urgent"], true);
    assert!(
        error_of(&lines[4], 5).contains("severity.phq9"),
        "{}",
        lines[4]
    );
    assert_result(&lines[5], 6, "iop");
    // The status is the report's first key, right after the line number.
    assert!(
        lines[1].starts_with(r#"{"line":2,"result":{"status":"provisional","level_at_least":"#),
        "{}",
        lines[1]
    );
    assert!(
        lines[0].starts_with(r#"{"line":1,"result":{"status":"final","level":"iop","#),
        "{}",
        lines[0]
    );
    // Each result is the library's own JSON.
    let pack = carelevel::RulePack::builtin();
    for (line, text) in lines.iter().zip(input.lines()).take(4) {
        assert_eq!(
            parse(line)["result"],
            parse(&pack.assess_json(text).unwrap())
        );
    }
}

/// Invalid UTF-8 used to abort the whole batch (exit 1) and drop the block read so far.
#[test]
fn invalid_utf8_is_an_error_for_that_line_only() {
    let good = good();
    let mut input = Vec::new();
    for _ in 0..3000 {
        input.extend_from_slice(good.as_bytes());
        input.push(b'\n');
    }
    input.extend_from_slice(b"{\"age\": \"\xff\xfe secret\"}\n");
    input.extend_from_slice(good.as_bytes());
    input.push(b'\n');
    let (status, lines, _) = run_batch(&[], input);
    assert!(status.success());
    assert_eq!(lines.len(), 3002);
    assert_result(&lines[2999], 3000, "iop");
    assert_eq!(
        error_of(&lines[3000], 3001),
        "line 3001 is not valid UTF-8 (byte offset 9)"
    );
    assert!(!lines[3000].contains("secret"), "the line is never echoed");
    assert_result(&lines[3001], 3002, "iop");
}

/// Blank lines used to vanish from the output (leaving gaps in the numbering) and a leading
/// byte order mark on line 1 was passed through.
#[test]
fn every_line_is_answered_blank_crlf_bom_and_no_final_newline() {
    let good = good();
    let input = format!("\u{feff}{good}\r\n\n   \t\n\r\n\u{feff}\nnot json\r\n{good}\r\n{good}");
    let (status, lines, _) = run_batch(&[], input.into_bytes());
    assert!(status.success());
    assert_eq!(lines.len(), 8, "{lines:#?}");
    assert_result(&lines[0], 1, "iop");
    for number in 2..=4 {
        assert_blank(&lines[number - 1], number);
    }
    // Not line 1, so the byte order mark stays; the intake reader ignores it, leaving "".
    assert!(error_of(&lines[4], 5).starts_with("intake field `.`"));
    assert!(error_of(&lines[5], 6).starts_with("intake field `.`"));
    assert_result(&lines[6], 7, "iop");
    assert_result(&lines[7], 8, "iop");
    let (status, lines, _) = run_batch(&[], b"\xEF\xBB\xBF  \n".to_vec());
    assert!(status.success());
    assert_eq!(lines, [r#"{"line":1,"skipped":"blank"}"#]);
    let (status, lines, _) = run_batch(&[], Vec::new());
    assert!(status.success());
    assert!(lines.is_empty());
}

/// Every output object starts with `"line"` (errors used to start with `"error"`).
#[test]
fn output_objects_start_with_the_line_number() {
    let mut input = format!("{}\nnot json\n\n", good()).into_bytes();
    input.extend_from_slice(b"\x80\n");
    let (status, lines, _) = run_batch(&[], input);
    assert!(status.success());
    assert_eq!(lines.len(), 4);
    for (i, line) in lines.iter().enumerate() {
        let prefix = format!("{{\"line\":{},\"", i + 1);
        assert!(line.starts_with(&prefix), "{line}");
    }
}

/// Lines had no length limit: a line of any size was held in memory and assessed. Bad
/// usage is exit 1, with the usage, never clap's default 2.
#[test]
fn over_long_lines_are_errors_naming_the_limit() {
    let at_limit = padded(MIB);
    let over = padded(MIB + 1);
    let input = format!("{at_limit}\n{over}\n{at_limit}\r\n{over}\r\n{}\n", good());
    let (status, lines, _) = run_batch(&[], input.into_bytes());
    assert!(status.success());
    assert_eq!(lines.len(), 5);
    assert_result(&lines[0], 1, "iop");
    assert_eq!(
        error_of(&lines[1], 2),
        "line 2 is 1048577 bytes, over the limit of 1048576 bytes (--max-line-bytes)"
    );
    assert_result(&lines[2], 3, "iop");
    assert!(error_of(&lines[3], 4).contains("over the limit of 1048576 bytes"));
    assert_result(&lines[4], 5, "iop");

    let small = good().len() + 10;
    let input = format!("{}\n{}\n{}", padded(small), padded(small + 1), good());
    let limit = small.to_string();
    for args in [
        vec!["--max-line-bytes", &limit],
        vec!["--max-line-bytes", &limit, "--threads", "3"],
    ] {
        let (status, lines, _) = run_batch(&args, input.clone().into_bytes());
        assert!(status.success());
        assert_eq!(lines.len(), 3);
        assert_result(&lines[0], 1, "iop");
        assert!(error_of(&lines[1], 2).contains(&format!("over the limit of {small} bytes")));
        assert_result(&lines[2], 3, "iop");
    }

    for (bad, message) in [
        (&["--max-line-bytes", "0"][..], "invalid value '0'"),
        (
            &["--max-line-bytes"],
            "a value is required for '--max-line-bytes",
        ),
        (&["--max-line-bytes", "lots"], "invalid value 'lots'"),
        (&["--threads", "0"], "invalid value '0' for '--threads <N>'"),
        (&["--threads", "-1"], "unexpected argument '-1'"),
        (&["--nope"], "unexpected argument '--nope'"),
        (&["intakes.ndjson"], "unexpected argument 'intakes.ndjson'"),
    ] {
        let (status, lines, stderr) = run_batch(bad, Vec::new());
        assert_eq!(status.code(), Some(1), "{bad:?}: {stderr}");
        assert!(lines.is_empty());
        assert!(stderr.starts_with("error: "), "{bad:?}: {stderr}");
        assert!(stderr.contains(message), "{bad:?}: {stderr}");
        assert!(stderr.contains("Usage: carelevel batch"), "{stderr}");
    }
}

/// The binary: stdin that cannot be read at all is exit code 1 with a message. (The results
/// of the lines read before a failure part-way are written first: `cli/src/batch.rs`.)
#[test]
fn an_unreadable_stdin_is_exit_1() {
    let output = batch_command(&[])
        .stdin(std::fs::File::open(root()).unwrap())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("error: reading stdin at line 1"),
        "{stderr}"
    );
}

/// `batch < big.ndjson | head -1` used to print "error: Broken pipe" and exit 1.
#[test]
fn a_closed_stdout_ends_quietly_with_exit_code_3() {
    let good = good();
    let mut input = Vec::new();
    for _ in 0..20_000 {
        input.extend_from_slice(good.as_bytes());
        input.push(b'\n');
    }
    for threads in ["1", "2", "4"] {
        let mut child = batch_command(&["--threads", threads])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let input = input.clone();
        // The batch may exit before reading all its input, so a failed write is expected.
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let mut stderr = child.stderr.take().unwrap();
        let errors = std::thread::spawn(move || {
            let mut text = String::new();
            stderr.read_to_string(&mut text).unwrap();
            text
        });
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        assert_result(first.trim_end(), 1, "iop");
        drop(stdout);
        let status = child.wait().unwrap();
        writer.join().unwrap();
        let stderr = errors.join().unwrap();
        assert_eq!(status.code(), Some(3), "{threads} threads: {stderr}");
        for bad in ["panicked", "Broken pipe", "error:"] {
            assert!(!stderr.contains(bad), "{stderr}");
        }
    }
}

/// The batch stops at a closed stdout even when its stdin never ends (the reader may be
/// blocked on it): stdin is left open here, and the test only ends if the batch does.
#[test]
fn a_closed_stdout_ends_the_batch_while_stdin_stays_open() {
    let mut child = batch_command(&[])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let line = format!("{}\n", good()).repeat(1000);
    // Enough lines to fill a chunk and be answered; then nothing more, and no end.
    stdin.write_all(line.as_bytes()).unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert_result(first.trim_end(), 1, "iop");
    drop(stdout);
    // More input makes the batch write again, and meet the closed pipe.
    let _ = stdin.write_all(line.as_bytes());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(3));
    drop(stdin);
}

/// Two intakes on one line, the second at risk, must not yield a result for the first.
#[test]
fn two_intakes_on_one_line_are_an_error() {
    let input = format!(
        "{}{}\n{} garbage\n",
        good(),
        intake("inpatient_suicide_plan"),
        good()
    );
    assert!(input.contains(r#""suicidal_ideation":"plan_with_intent""#));
    let (status, lines, _) = run_batch(&[], input.into_bytes());
    assert!(status.success());
    assert_eq!(lines.len(), 2);
    error_of(&lines[0], 1);
    error_of(&lines[1], 2);
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Result,
    JsonError,
    Blank,
    NotUtf8,
    TooLong,
    Provisional,
}

/// A large mix of `total` lines and the kind of answer each must get.
fn large_mix(total: usize) -> (Vec<u8>, Vec<Kind>) {
    let good = good();
    let incomplete = intake("incomplete_missing_safety");
    let bad = r#"{"schema_version": "2", "age": 30, "safety": {"suicidal_ideation": "maybe"}}"#;
    let too_long = padded(MIB + 1);
    let mut input = Vec::new();
    let mut expect = Vec::new();
    for i in 0..total {
        let (bytes, kind): (&[u8], Kind) = if i % 4999 == 1234 {
            (too_long.as_bytes(), Kind::TooLong)
        } else {
            match i % 10 {
                0..=4 => (good.as_bytes(), Kind::Result),
                5 => (b"not json", Kind::JsonError),
                6 => (bad.as_bytes(), Kind::JsonError),
                7 => ([&b""[..], b"  ", b"\t", b"\r"][i / 10 % 4], Kind::Blank),
                8 => (b"{\"age\": 3\xc3}", Kind::NotUtf8),
                _ if i % 20 == 19 => (incomplete.as_bytes(), Kind::Provisional),
                _ => (good.as_bytes(), Kind::Result),
            }
        };
        input.extend_from_slice(bytes);
        if i % 3 == 0 {
            input.push(b'\r');
        }
        if i + 1 < total {
            input.push(b'\n');
        }
        expect.push(kind);
    }
    (input, expect)
}

/// A large mix: exactly one output line per input line, in order, of the right kind.
#[test]
fn a_large_mix_answers_every_line_in_order() {
    let total = 20_000;
    let (input, expect) = large_mix(total);
    assert_eq!(expect.iter().filter(|k| **k == Kind::TooLong).count(), 4);
    assert!(expect.iter().filter(|k| **k == Kind::Provisional).count() >= 900);
    let (status, lines, _) = run_batch(&[], input);
    assert!(status.success());
    assert_eq!(lines.len(), total);
    for (i, (line, kind)) in lines.iter().zip(&expect).enumerate() {
        let number = i + 1;
        assert!(line.starts_with(&format!("{{\"line\":{number},")), "{line}");
        match kind {
            Kind::Result => assert_result(line, number, "iop"),
            Kind::Provisional => {
                assert_provisional(line, number, "outpatient", "inpatient", "safety.psychosis")
            }
            Kind::Blank => assert_blank(line, number),
            Kind::JsonError => {
                assert!(
                    error_of(line, number).starts_with("intake field `"),
                    "{line}"
                );
            }
            Kind::NotUtf8 => assert_eq!(
                error_of(line, number),
                format!("line {number} is not valid UTF-8 (byte offset 9)")
            ),
            Kind::TooLong => {
                assert!(error_of(line, number).contains("over the limit of 1048576 bytes"));
            }
        }
    }
}

/// Several threads and many lines: the output is the single-thread output, byte for byte
/// (so in input order), and every bundled intake's line is the library's JSON for it.
#[test]
fn the_output_is_the_same_whatever_the_number_of_threads() {
    let names = [
        "adolescent_iop",
        "incomplete_missing_safety",
        "inpatient_complicated_withdrawal",
        "inpatient_suicide_plan",
        "iop_home_not_substance_free",
        "iop_primary",
        "iop_scored_from_items",
        "iop_step_down_from_residential",
        "iop_step_up_from_outpatient",
        "outpatient_mild",
        "php_daily_structure",
    ];
    let intakes: Vec<String> = names.iter().map(|n| intake(n)).collect();
    let (mix, _) = large_mix(2_500);
    let mut input = Vec::new();
    for (i, line) in mix.split(|&b| b == b'\n').enumerate() {
        input.extend_from_slice(line);
        input.push(b'\n');
        input.extend_from_slice(intakes[i % intakes.len()].as_bytes());
        input.push(b'\n');
    }
    let lines = 5_000;
    let (status, one, stderr) = run_batch_raw(&["--threads", "1"], input.clone());
    assert!(status.success(), "{stderr}");
    let text = String::from_utf8(one.clone()).unwrap();
    assert_eq!(text.lines().count(), lines);
    let pack = carelevel::RulePack::builtin();
    for (i, line) in text.lines().enumerate() {
        assert!(
            line.starts_with(&format!("{{\"line\":{},", i + 1)),
            "{line}"
        );
        if i % 2 == 1 {
            let intake = &intakes[(i / 2) % intakes.len()];
            let expected = format!(
                "{{\"line\":{},\"result\":{}}}",
                i + 1,
                pack.assess_json(intake).unwrap()
            );
            assert_eq!(line, expected);
        }
    }
    for threads in ["2", "3", "8"] {
        let (status, many, stderr) = run_batch_raw(&["--threads", threads], input.clone());
        assert!(status.success(), "{threads}: {stderr}");
        assert!(
            many == one,
            "{threads} threads: not the single-thread output"
        );
    }
    // The default (the available parallelism) too.
    let (status, default, _) = run_batch_raw(&[], input);
    assert!(status.success());
    assert!(
        default == one,
        "default threads: not the single-thread output"
    );
}

/// The number of input lines: each `\n` ends one, and a final line without one counts.
fn count_lines(input: &[u8]) -> usize {
    let ended = input.iter().filter(|&&b| b == b'\n').count();
    ended + usize::from(input.last().is_some_and(|&b| b != b'\n'))
}

fn piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => proptest::collection::vec(any::<u8>(), 1..30),
        3 => Just(b"\n".to_vec()),
        1 => Just(b"\r\n".to_vec()),
        1 => Just(b"\xEF\xBB\xBF".to_vec()),
        1 => Just(good().into_bytes()),
        1 => Just(br#"{"schema_version": "2"}"#.to_vec()),
    ]
}

proptest! {
    // Each case runs the binary: a few dozen cases, each with up to a few hundred lines.
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Random bytes through the binary: exactly one output line per input line, in order,
    /// each a JSON object with its line number; exit 0.
    #[test]
    fn random_bytes_get_one_output_line_per_input_line(
        pieces in proptest::collection::vec(piece(), 0..600),
        threads in 1usize..4,
        max_line_bytes in prop_oneof![Just(MIB), 16usize..2000],
    ) {
        let input: Vec<u8> = pieces.concat();
        let threads = threads.to_string();
        let limit = max_line_bytes.to_string();
        let (status, stdout, stderr) = run_batch_raw(
            &["--threads", &threads, "--max-line-bytes", &limit],
            input.clone(),
        );
        prop_assert!(status.success(), "{}", stderr);
        let stdout = String::from_utf8(stdout).unwrap();
        let lines: Vec<&str> = stdout.lines().collect();
        prop_assert_eq!(lines.len(), count_lines(&input));
        for (i, line) in lines.iter().enumerate() {
            let value = parse(line);
            prop_assert_eq!(&value["line"], i + 1);
            let keys = ["result", "error", "skipped"];
            let object = value.as_object().unwrap();
            prop_assert_eq!(object.len(), 2, "{}", line);
            prop_assert!(keys.iter().any(|k| object.contains_key(*k)), "{}", line);
        }
    }
}
