//! The NDJSON batch command: one result per line, in order; a bad line yields an error line
//! carrying its line number and never stops the batch.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

use std::io::Write;
use std::process::{Command, Stdio};

#[test]
fn batch_round_trip_with_bad_lines() {
    let good = serde_json::to_string(
        &serde_json::from_str::<serde_json::Value>(include_str!(
            "../examples/intakes/iop_primary.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let bad = r#"{"age": 30, "safety": {"suicide_risk": "maybe"}}"#;
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
    let mut child = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--example", "batch"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()).unwrap());
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(output.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
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
    assert_eq!(
        lines[0]["result"],
        serde_json::from_str::<serde_json::Value>(&direct).unwrap()
    );
}
