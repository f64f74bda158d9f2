//! The `carelevel` command at its edges: `assess` (a closed stdout ends quietly with the
//! documented code, trailing content after the intake is refused, a 0.1 intake is refused
//! saying how to convert it, `--from-0.1` converts it first, an incomplete intake is assessed
//! provisionally and exits 4), `convert` (the intake 2 on stdout, the notes on stderr, the
//! documented exit codes), `analyze`, `schema`, `questionnaire`, `--pack`, `--help` on every
//! subcommand, and usage errors (exit 1, never clap's default 2). The batch is in `batch.rs`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

mod common;

use carelevel::{Intake, RulePack, Status};
use common::{carelevel, root, run, scratch, text};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Output, Stdio};

const GOOD: &str = include_str!("../../examples/intakes/iop_primary.json");

fn assess(args: &[&str], close_stdout: bool) -> Output {
    let args: Vec<&str> = ["assess"].iter().chain(args).copied().collect();
    run(&args, b"", close_stdout)
}

/// Runs `convert` with `args`, writing `stdin` to its standard input.
fn convert(args: &[&str], stdin: &str) -> Output {
    let args: Vec<&str> = ["convert"].iter().chain(args).copied().collect();
    run(&args, stdin.as_bytes(), false)
}

#[test]
fn a_closed_stdout_ends_quietly_with_code_3() {
    // A report far larger than a pipe's buffer, so writing it must meet the closed pipe.
    let mut v: serde_json::Value = serde_json::from_str(GOOD).unwrap();
    v["engagement"]["preferences"]["language"] = "x".repeat(4 << 20).into();
    let file = scratch("cli-big_preference.json", &v.to_string());
    let out = assess(&["--json", file.to_str().unwrap()], true);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.trim().is_empty(), "{stderr}");
}

#[test]
fn trailing_content_after_the_intake_is_refused() {
    let compact = serde_json::from_str::<serde_json::Value>(GOOD)
        .unwrap()
        .to_string();
    let file = scratch("cli-two_documents.json", &format!("{compact}{compact}"));
    let out = assess(&["--json", file.to_str().unwrap()], false);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unexpected content after the end of the document"),
        "{stderr}"
    );
}

/// The 0.1 originals of the bundled intakes, as (path from the workspace's root, text).
fn old_intakes() -> Vec<(String, String)> {
    let mut files: Vec<String> = std::fs::read_dir(root().join("tests/v0_1"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json"))
        .map(|n| format!("tests/v0_1/{n}"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "{files:?}");
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(root().join(&f)).unwrap();
            (f, text)
        })
        .collect()
}

#[test]
fn a_0_1_intake_is_refused_saying_how_to_convert_it() {
    for (file, _) in old_intakes() {
        let out = assess(&[&file], false);
        assert_eq!(out.status.code(), Some(1), "{file}: {out:?}");
        assert!(out.stdout.is_empty(), "{file}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.starts_with(&format!(
                "error: {file}: intake field `schema_version` is missing"
            )),
            "{file}: {stderr}"
        );
        for hint in ["convert_v0_1", "--from-0.1"] {
            assert!(stderr.contains(hint), "{file}: {stderr}");
        }
        assert_eq!(stderr.lines().count(), 1, "{file}: {stderr}");
    }
}

/// `--from-0.1` prints each of the library's conversion notes, then assesses the converted
/// intake exactly as the library does: every bundled 0.1 intake lacks an item 0.1 could not
/// express (suicidal behaviour earlier in life), so each is assessed provisionally (exit 4),
/// asking for it, and the strict assessment would refuse it, naming it.
#[test]
fn from_0_1_prints_the_notes_then_assesses_the_converted_intake() {
    let pack = RulePack::builtin();
    for (file, old) in old_intakes() {
        let converted = carelevel::intake::convert_v0_1(&old).unwrap();
        assert!(!converted.notes.is_empty(), "{file}");
        let out = assess(&["--json", "--from-0.1", &file], false);
        let stderr = text(&out.stderr);
        let mut lines = stderr.lines();
        for note in &converted.notes {
            assert_eq!(
                lines.next(),
                Some(format!("note: {note}").as_str()),
                "{file}"
            );
        }
        assert_eq!(lines.next(), None, "{file}: {stderr}");
        let report = pack.report(&converted.intake).unwrap();
        let expected = serde_json::to_string_pretty(&report).unwrap() + "\n";
        assert_eq!(text(&out.stdout), expected, "{file}");
        assert_eq!(report.status, Status::Provisional, "{file}");
        assert_eq!(out.status.code(), Some(4), "{file}: {stderr}");
        let suicide_item =
            |f: &str| f == "safety.suicidal_behavior" || f == "safety.suicidal_ideation";
        assert!(
            report.ask_next.iter().any(|a| suicide_item(&a.answer)),
            "{file}: {:?}",
            report.ask_next
        );
        let err = pack.assess(&converted.intake).unwrap_err();
        assert!(
            err.problems().iter().any(|p| suicide_item(&p.field)),
            "{file}: {err}"
        );
    }
    // An intake 2 needs no conversion, and is not silently read as something else.
    let out = assess(&["--from-0.1", "examples/intakes/iop_primary.json"], false);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        text(&out.stderr),
        "error: examples/intakes/iop_primary.json is already an intake 2: assess it without --from-0.1\n"
    );
}

/// An intake missing required items is assessed provisionally, in every format, and the
/// command exits 4 (documented in `cli/src/assess.rs`): the text and markdown never say
/// "Recommended level", but the bounds and what to ask next; the JSON says `"status":
/// "provisional"` and has no `level` key, so a reader of `level` alone finds nothing. A
/// complete intake is final: exit 0, with a `level`.
#[test]
fn an_incomplete_intake_is_assessed_provisionally_and_exits_4() {
    let incomplete = "examples/intakes/incomplete_missing_safety.json";
    let pack = RulePack::builtin();
    let report = pack
        .report(
            &Intake::from_json(include_str!(
                "../../examples/intakes/incomplete_missing_safety.json"
            ))
            .unwrap(),
        )
        .unwrap();
    assert_eq!(report.status, Status::Provisional);

    let out = assess(&[incomplete], false);
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
    let stdout = text(&out.stdout);
    assert_eq!(stdout, report.to_text());
    // Missing: suicidal ideation and behaviour, psychosis, self-care, medical status, and
    // lethal means (read with the unanswered suicide items).
    assert!(
        stdout.starts_with(
            "Provisional: at least Outpatient, up to Inpatient / residential (24-hour) (6 answers missing)\n\
             Ask next: safety.psychosis — could raise the level to Inpatient / residential (24-hour)\n"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("Recommended level"), "{stdout}");

    let out = assess(&["--markdown", incomplete], false);
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let stdout = text(&out.stdout);
    assert_eq!(stdout, report.to_markdown());
    assert!(
        stdout.starts_with("## Provisional: at least Outpatient, up to "),
        "{stdout}"
    );
    assert!(
        stdout.contains("**Ask next: `safety.psychosis`"),
        "{stdout}"
    );
    assert!(!stdout.contains("Recommended level"), "{stdout}");

    let out = assess(&["--json", incomplete], false);
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let stdout = text(&out.stdout);
    assert_eq!(
        stdout,
        serde_json::to_string_pretty(&report).unwrap() + "\n"
    );
    assert!(
        stdout.starts_with("{\n  \"status\": \"provisional\",\n"),
        "{stdout}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(json.get("level").is_none(), "{stdout}");
    assert_eq!(json["level_at_least"], "outpatient");
    assert_eq!(json["level_at_most"], "inpatient");
    assert_eq!(json["ask_next"][0]["answer"], "safety.psychosis");
    assert_eq!(json["ask_next"][0]["could_reach"], "inpatient");
    assert_eq!(json["ask_next"][0]["safety"], true);

    // A plan with intent and nothing else: certain, an emergency, still provisional.
    let file = scratch(
        "cli-plan_with_intent_alone.json",
        r#"{"schema_version": "2", "safety": {"suicidal_ideation": "plan_with_intent"}}"#,
    );
    let out = assess(&[file.to_str().unwrap()], false);
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with(
            "Provisional: at least Inpatient / residential (24-hour), up to Inpatient / residential (24-hour) ("
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("EMERGENCY: do not leave the person alone"),
        "{stdout}"
    );

    // Complete: final, exit 0, a level.
    let out = assess(&["--json", "examples/intakes/iop_primary.json"], false);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("{\n  \"status\": \"final\",\n  \"level\": \"iop\",\n"),
        "{stdout}"
    );
    let out = assess(&["examples/intakes/iop_primary.json"], false);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        text(&out.stdout).starts_with("Recommended level: Intensive outpatient (IOP)\n"),
        "{out:?}"
    );

    // There is no level to override yet: refused (exit 1), saying why.
    let out = assess(
        &["--override", "iop", "--reason", "waiting_list", incomplete],
        false,
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(out.stdout.is_empty());
    assert_eq!(
        text(&out.stderr),
        format!(
            "error: {incomplete}: the recommendation is provisional (answers are missing): complete the intake before recording an override\n"
        )
    );
}

/// The help names every option and the exit codes; bad usage is exit 1 (not clap's 2), the
/// error on stderr naming what is wrong, with the usage.
#[test]
fn assess_usage_is_accurate_and_bad_usage_is_exit_1() {
    let out = assess(&["--help"], false);
    assert_eq!(out.status.code(), Some(0));
    let usage = text(&out.stdout);
    for option in [
        "--json",
        "--markdown",
        "--pack",
        "--from-0.1",
        "--current",
        "--override",
        "--reason",
        "--note",
        "Exit codes:",
    ] {
        assert!(usage.contains(option), "{option}: {usage}");
    }
    let good = "examples/intakes/iop_primary.json";
    for (args, message) in [
        (&[][..], "required arguments were not provided"),
        (&["--nope", good], "unexpected argument '--nope'"),
        (&[good, good], &format!("unexpected argument '{good}'")),
        (
            &["--current", "iop", "--override", "php", good],
            "'--current <LEVEL>' cannot be used with '--override <LEVEL>'",
        ),
        (
            &["--reason", "waiting_list", good],
            "required arguments were not provided:\n  --override <LEVEL>",
        ),
        (
            &["--note", "text", good],
            "required arguments were not provided:\n  --override <LEVEL>",
        ),
        (
            &["--current", "nowhere", good],
            "invalid value 'nowhere' for '--current <LEVEL>'",
        ),
        (
            &["--override", "iop", "--reason", "bored", good],
            "invalid value 'bored' for '--reason <CODE>'",
        ),
    ] {
        let out = assess(args, false);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(
            stderr.contains("Usage: carelevel assess"),
            "{args:?}: {stderr}"
        );
    }
    // A file that cannot be read: exit 1, naming it.
    let out = assess(&["no/such/intake.json"], false);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        text(&out.stderr).starts_with("error: cannot read `no/such/intake.json`: "),
        "{out:?}"
    );
}

/// `convert` writes the library's conversion as intake 2 JSON on stdout (the notes on
/// stderr), from a file or stdin; the intake it writes, once the noted items are answered, is
/// assessed as its bundled intake 2 counterpart is.
#[test]
fn convert_writes_the_intake_2_and_its_notes() {
    for (file, old) in old_intakes() {
        let converted = carelevel::intake::convert_v0_1(&old).unwrap();
        let notes: String = converted
            .notes
            .iter()
            .map(|n| format!("note: {n}\n"))
            .collect();
        for out in [convert(&[&file], ""), convert(&[], &old)] {
            assert_eq!(out.status.code(), Some(0), "{file}: {out:?}");
            let stdout = text(&out.stdout);
            assert!(
                stdout.starts_with("{\n  \"schema_version\": \"2\","),
                "{file}: {stdout}"
            );
            assert_eq!(
                Intake::from_json(&stdout).unwrap(),
                converted.intake,
                "{file}"
            );
            assert_eq!(text(&out.stderr), notes, "{file}");
        }
    }

    // Answer what the notes ask, and what 0.1 had no item for (pregnancy, this episode's
    // withdrawal complications: the assessment asks for them) as the bundled intake 2 states
    // it, and the intake is assessed like the bundled intake 2.
    let old = std::fs::read_to_string(root().join("tests/v0_1/iop_primary.json")).unwrap();
    let out = convert(&[], &old);
    let mut written: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    written["safety"]["suicidal_behavior"] = "never".into();
    written["history"]["episodes"] = serde_json::json!([]);
    let file = scratch("cli-converted_iop_primary.json", &written.to_string());
    let out = assess(&["--json", file.to_str().unwrap()], false);
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["status"], "provisional");
    assert!(
        report["ask_next"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["answer"] == "medical.pregnancy"),
        "{report}"
    );
    written["medical"]["pregnancy"] = "no".into();
    for item in [
        "seizure_this_episode",
        "hallucinations_this_episode",
        "delirium_this_episode",
    ] {
        written["withdrawal"][item] = false.into();
    }
    let file = scratch("cli-converted_iop_primary_2.json", &written.to_string());
    let out = assess(&["--json", file.to_str().unwrap()], false);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["level"], "iop");
    let bundled = Intake::from_json(GOOD).unwrap();
    assert_eq!(
        report["level"],
        RulePack::builtin()
            .assess(&bundled)
            .unwrap()
            .level()
            .as_str()
    );
}

#[test]
fn convert_exit_codes_are_as_documented() {
    // 0: help.
    let out = convert(&["--help"], "");
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    assert!(
        help.contains("Usage: carelevel convert [OLD.json]"),
        "{help}"
    );
    assert!(help.contains("Exit codes:"), "{help}");
    // 1: bad usage, or the input cannot be read.
    for (args, message) in [
        (&["a.json", "b.json"][..], "unexpected argument 'b.json'"),
        (&["--nope"], "unexpected argument '--nope'"),
        (&["no/such/file.json"], "cannot read `no/such/file.json`"),
    ] {
        let out = convert(args, "");
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(text(&out.stderr).contains(message), "{args:?}: {out:?}");
    }
    // 2: not a 0.1 intake: an intake 2, or not an intake at all (naming the field, never
    // echoing a value).
    let out = convert(&["examples/intakes/iop_primary.json"], "");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(
        text(&out.stderr),
        "error: examples/intakes/iop_primary.json is already an intake 2: there is nothing to convert\n"
    );
    let out = convert(
        &[],
        r#"{"age": 34, "safety": {"suicide_risk": "John Smith"}}"#,
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: stdin: intake field `safety.suicide_risk`"),
        "{stderr}"
    );
    assert!(!stderr.contains("Smith"), "{stderr}");
    // 3: stdout closed before the intake was written, quietly. The command reads stdin to
    // its end first, so stdout is surely closed by the time it writes.
    let old = &old_intakes()[0].1;
    let mut child = carelevel(&["convert"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut input = child.stdin.take().unwrap();
    input.write_all(old.as_bytes()).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let stderr = text(&out.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("error"),
        "{stderr}"
    );
}

/// A reassessment (`--current`) with a safety item declined is provisional: it continues at
/// the current level rather than stepping down on a lower bound, and exits 4 like any
/// provisional result; the same reassessment complete exits 0.
#[test]
fn a_provisional_reassessment_continues_and_exits_4() {
    let case: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            root().join("tests/transitions/provisional_never_steps_down.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let file = scratch(
        "cli-provisional_reassessment.json",
        &case["intake"].to_string(),
    );
    let out = assess(
        &["--json", "--current", "inpatient", file.to_str().unwrap()],
        false,
    );
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let json: serde_json::Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(
        (json["kind"].as_str(), json["to"].as_str()),
        (Some("continue"), Some("inpatient"))
    );
    assert_eq!(json["recommendation"]["status"], "provisional");

    let mut complete = case["intake"].clone();
    complete["safety"]["suicidal_ideation"] = "none".into();
    let file = scratch("cli-complete_reassessment.json", &complete.to_string());
    let out = assess(
        &["--json", "--current", "inpatient", file.to_str().unwrap()],
        false,
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let json: serde_json::Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(
        (json["kind"].as_str(), json["to"].as_str()),
        (Some("step_down"), Some("iop"))
    );
    // The text form of a transition says what it is, then the recommendation.
    let out = assess(&["--current", "inpatient", file.to_str().unwrap()], false);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        text(&out.stdout).starts_with("Transition: StepDown from "),
        "{out:?}"
    );
}

/// An override is recorded as the library records it: the override record as JSON, exit 0.
#[test]
fn an_override_prints_the_override_record() {
    let out = assess(
        &[
            "--override",
            "outpatient",
            "--reason",
            "waiting_list",
            "--note",
            "starts IOP in two weeks",
            "examples/intakes/iop_primary.json",
        ],
        false,
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report = RulePack::builtin()
        .report(&Intake::from_json(GOOD).unwrap())
        .unwrap();
    let record = report
        .record_override(carelevel::transition::OverrideRequest {
            arranged: carelevel::Level::Outpatient,
            reasons: vec![carelevel::transition::OverrideReason::WaitingList],
            note: Some("starts IOP in two weeks".into()),
        })
        .unwrap();
    assert_eq!(
        text(&out.stdout),
        serde_json::to_string_pretty(&record).unwrap() + "\n"
    );
}

/// A copy of the built-in rules under the id `id`, in a directory of the scratch folder,
/// with `replace` files (name, text) replacing or adding to them.
fn local_pack(dir: &str, id: &str, replace: &[(&str, &str)]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(dir);
    let _ = std::fs::remove_dir_all(&dir);
    for (name, text) in carelevel::BUILTIN_SOURCES {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = text.replace("id = \"carelevel.builtin\"", &format!("id = \"{id}\""));
        std::fs::write(path, text).unwrap();
    }
    for (name, text) in replace {
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir
}

/// `--pack DIR` loads every rule file under the directory: the reports name that pack, and
/// are otherwise the built-in pack's; a pack that cannot be loaded is exit 1, naming why.
#[test]
fn assess_and_batch_take_a_pack_directory() {
    let dir = local_pack("cli-pack-same-rules", "example.local", &[]);
    let dir = dir.to_str().unwrap();
    let out = assess(
        &["--json", "--pack", dir, "examples/intakes/iop_primary.json"],
        false,
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["pack"]["id"], "example.local", "{json}");
    assert_eq!(json["level"], "iop");

    let line = serde_json::from_str::<serde_json::Value>(GOOD)
        .unwrap()
        .to_string();
    let out = run(
        &["batch", "--pack", dir],
        format!("{line}\n").as_bytes(),
        false,
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["result"]["pack"]["id"], "example.local", "{json}");

    // The built-in id is reserved for the built-in sources.
    let builtin_copy = local_pack("cli-pack-builtin-id", "carelevel.builtin", &[]);
    for sub in ["assess", "batch", "analyze", "questionnaire"] {
        let mut args = vec![sub, "--pack", builtin_copy.to_str().unwrap()];
        if sub == "assess" {
            args.push("examples/intakes/iop_primary.json");
        }
        let out = run(&args, b"", false);
        assert_eq!(out.status.code(), Some(1), "{sub}: {out:?}");
        assert!(out.stdout.is_empty(), "{sub}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.starts_with("error: ") && stderr.contains("`carelevel.builtin` is reserved"),
            "{sub}: {stderr}"
        );
    }
    let out = assess(
        &["--pack", "no/such/dir", "examples/intakes/iop_primary.json"],
        false,
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        text(&out.stderr).starts_with("error: cannot read `no/such/dir`: "),
        "{out:?}"
    );
}

/// `analyze` proves the built-in pack (exit 0) and refuses a pack whose suicide rules are
/// gated on a PHQ-9 being given (exit 1), from a directory or from files.
#[test]
fn analyze_exit_codes_are_as_documented() {
    let out = run(&["analyze"], b"", false);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = text(&out.stdout);
    assert!(stdout.contains("\nPROVED: "), "{stdout}");
    assert!(stdout.contains("\nTime: "), "{stdout}");
    assert_eq!(
        stdout.split("\nTime: ").next().unwrap(),
        carelevel::analysis::analyze(&RulePack::builtin())
            .to_string()
            .trim_end_matches('\n')
    );

    let gated =
        std::fs::read_to_string(root().join("tests/packs/v7_safety_gated_on_phq9.toml")).unwrap();
    let dir = local_pack(
        "cli-pack-gated",
        "example.gated",
        &[("safety.toml", &gated)],
    );
    let out = run(&["analyze", "--pack", dir.to_str().unwrap()], b"", false);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stdout = text(&out.stdout);
    assert!(stdout.contains("\n    FAIL "), "{stdout}");
    assert!(stdout.contains("\nNOT PROVED: "), "{stdout}");
    assert!(!stdout.contains("\nPROVED: "), "{stdout}");
    // The same files named one by one, as arguments.
    let mut files: Vec<String> = carelevel::BUILTIN_SOURCES
        .iter()
        .map(|(name, _)| dir.join(name).to_str().unwrap().to_owned())
        .collect();
    files.insert(0, "analyze".to_owned());
    let args: Vec<&str> = files.iter().map(String::as_str).collect();
    let by_files = run(&args, b"", false);
    assert_eq!(by_files.status.code(), Some(1), "{by_files:?}");
    assert!(text(&by_files.stdout).contains("\nNOT PROVED: "));

    let out = run(&["analyze", "--pack", "no/such.toml"], b"", false);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(text(&out.stderr).starts_with("error: cannot read `no/such.toml`"));
}

/// `schema NAME` prints the schema exactly as committed under `schema/`; `--list` names every
/// one (those of `carelevel::schema::ALL`: every `*.schema.json` under `schema/` and
/// `schema/fhir/`) with its file; `report` is another name for `recommendation`.
#[test]
fn schema_prints_each_committed_schema() {
    let out = run(&["schema", "--list"], b"", false);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let list = text(&out.stdout);
    let entries: Vec<(&str, &str)> = list
        .lines()
        .map(|l| {
            let file = l
                .rsplit_once("(schema/")
                .unwrap()
                .1
                .strip_suffix(')')
                .unwrap();
            (l.split_whitespace().next().unwrap(), file)
        })
        .collect();
    let names: Vec<&str> = entries.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "intake",
            "recommendation",
            "transition",
            "override-request",
            "override-record",
            "intake-problem",
            "pack-problem",
            "fhir-context"
        ]
    );
    let mut committed: Vec<String> = Vec::new();
    for dir in ["", "fhir/"] {
        for entry in std::fs::read_dir(root().join("schema").join(dir)).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            if name.ends_with(".schema.json") {
                committed.push(format!("{dir}{name}"));
            }
        }
    }
    committed.sort();
    let mut listed: Vec<String> = entries.iter().map(|(_, f)| (*f).to_owned()).collect();
    listed.sort();
    assert_eq!(listed, committed, "every committed schema, and only those");
    for (name, file) in entries {
        let out = run(&["schema", name], b"", false);
        assert_eq!(out.status.code(), Some(0), "{name}: {out:?}");
        let committed = std::fs::read_to_string(root().join("schema").join(file)).unwrap();
        assert_eq!(text(&out.stdout), committed, "{name}");
    }
    let report = run(&["schema", "report"], b"", false);
    assert_eq!(
        report.stdout,
        run(&["schema", "recommendation"], b"", false).stdout
    );

    for args in [
        &["schema"][..],
        &["schema", "nope"],
        &["schema", "intake", "--list"],
    ] {
        let out = run(args, b"", false);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(
            text(&out.stderr).contains("Usage: carelevel schema"),
            "{args:?}: {out:?}"
        );
    }
}

/// `questionnaire` prints the FHIR R4 Questionnaire of the intake; with `--pack`, the
/// pack's form (its ratings included).
#[test]
fn questionnaire_prints_the_form_of_the_pack() {
    let out = run(&["questionnaire"], b"", false);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let expected = serde_json::to_string_pretty(&carelevel::fhir::questionnaire()).unwrap() + "\n";
    assert_eq!(text(&out.stdout), expected);

    let dir = local_pack(
        "cli-pack-ratings",
        "dims",
        &[("d1.toml", "[[rating]]\nid = \"d1\"\nmin = 0\nmax = 4\n")],
    );
    let out = run(
        &["questionnaire", "--pack", dir.to_str().unwrap()],
        b"",
        false,
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["url"], "urn:carelevel:questionnaire:intake:pack:dims");
    let ratings = json["item"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["linkId"] == "ratings")
        .unwrap();
    assert_eq!(ratings["item"][0]["linkId"], "ratings.d1");
}

/// `--help` on the tool and on every subcommand: exit 0, on stdout, the usage and the exit
/// codes; no subcommand, or an unknown one, is a usage error: exit 1.
#[test]
fn every_subcommand_has_help_with_its_exit_codes() {
    let out = run(&["--help"], b"", false);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let help = text(&out.stdout);
    for sub in [
        "assess",
        "batch",
        "convert",
        "analyze",
        "schema",
        "questionnaire",
    ] {
        assert!(help.contains(&format!("\n  {sub} ")), "{sub}: {help}");
        for args in [vec![sub, "--help"], vec!["help", sub]] {
            let out = run(&args, b"", false);
            assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
            assert!(out.stderr.is_empty(), "{args:?}");
            let help = text(&out.stdout);
            assert!(
                help.contains(&format!("Usage: carelevel {sub}")),
                "{args:?}: {help}"
            );
            assert!(help.contains("\nExit codes:\n  0  "), "{args:?}: {help}");
        }
    }
    for code in ["0  ", "4  ", "1  ", "2  ", "3  "] {
        assert!(help.contains(&format!("\n  {code}")), "{code}: {help}");
    }
    let out = run(&["--version"], b"", false);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(text(&out.stdout).starts_with("carelevel "), "{out:?}");

    for args in [&[][..], &["nope"], &["--nope"]] {
        let out = run(args, b"", false);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(
            text(&out.stderr).contains("Usage: carelevel"),
            "{args:?}: {out:?}"
        );
    }
}
