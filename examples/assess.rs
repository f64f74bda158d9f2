//! Assess an intake from a JSON file and print the rationale.
//!
//! ```text
//! cargo run --example assess -- examples/intakes/iop_primary.json           # readable text
//! cargo run --example assess -- --json examples/intakes/iop_primary.json    # machine output
//! cargo run --example assess -- --markdown examples/intakes/iop_primary.json
//! cargo run --example assess -- --pack my_rules.toml FILE.json              # your own pack
//! cargo run --example assess -- --current inpatient FILE.json               # reassessment
//! cargo run --example assess -- --override iop --reason waiting_list --note "..." FILE.json
//! cargo run --example assess -- --from-0.1 tests/v0_1/iop_primary.json       # a 0.1 intake
//! ```
//!
//! The intake is intake 2 (`"schema_version": "2"`). A 0.1 intake is refused with a message
//! saying how to convert it, unless `--from-0.1` is given: it is then converted with
//! `carelevel::intake::convert_v0_1`, each conversion note is printed on stderr (`note: ...`,
//! one a line), and the converted intake is assessed. A required item that 0.1 could not
//! express (for example suicidal behaviour earlier in life) is left unanswered by the
//! conversion, so the assessment is then refused, naming it: answer it in the intake 2 form
//! (`cargo run --example convert_v0_1 -- OLD.json > NEW.json` writes one to complete).
//!
//! An intake missing required items (or with a required item declined) is assessed
//! provisionally: the output says so, gives the bounds and the item to ask next, and the
//! program exits 4.
//!
//! Exit codes: 0 the output was written (a final result); 4 the output was written and the
//! result is provisional; 1 bad input or usage (the error on stderr, naming the field); 3
//! stdout was closed before the output was written (for example
//! `assess --json FILE | head -1`), which ends quietly, with no message and no panic.

use carelevel::transition::{OverrideReason, OverrideRequest};
use carelevel::{Intake, Level, RulePack, Status};
use std::io::Write;
use std::process::ExitCode;

/// The exit code when the reader of stdout has gone away (documented above).
const STDOUT_CLOSED: u8 = 3;

/// The exit code when the result was written and is provisional (documented above).
const PROVISIONAL: u8 = 4;

const USAGE: &str = "usage: assess [--json | --markdown] [--pack RULES.toml]... [--from-0.1] \
                     [--current LEVEL | --override LEVEL [--reason CODE]... [--note TEXT]] INTAKE.json";

enum Format {
    Text,
    Json,
    Markdown,
}

fn run() -> Result<(String, bool), String> {
    let mut format = Format::Text;
    let mut file = None;
    let mut packs: Vec<String> = Vec::new();
    let mut current: Option<Level> = None;
    let mut arranged: Option<Level> = None;
    let mut reasons: Vec<OverrideReason> = Vec::new();
    let mut note: Option<String> = None;
    let mut from_v0_1 = false;
    let level = |v: Option<String>, flag: &str| -> Result<Level, String> {
        v.ok_or(format!("{flag} needs a level"))?
            .parse::<Level>()
            .map_err(|e| e.to_string())
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--json" => format = Format::Json,
            "--markdown" => format = Format::Markdown,
            "--pack" => packs.push(args.next().ok_or("--pack needs a file")?),
            "--current" => current = Some(level(args.next(), "--current")?),
            "--override" => arranged = Some(level(args.next(), "--override")?),
            "--reason" => {
                let r = args.next().ok_or("--reason needs a code")?;
                let ids: Vec<&str> = OverrideReason::ids().collect();
                reasons.push(OverrideReason::from_id(&r).ok_or(format!(
                    "unknown override reason `{r}`, expected one of {}",
                    ids.join(", ")
                ))?);
            }
            "--note" => note = Some(args.next().ok_or("--note needs text")?),
            "--from-0.1" => from_v0_1 = true,
            "-h" | "--help" => return Ok((format!("{USAGE}\n"), false)),
            other if other.starts_with("--") => {
                return Err(format!("unknown option `{other}`\n{USAGE}"));
            }
            other if file.is_none() => file = Some(other.to_owned()),
            _ => return Err(format!("one intake file at a time\n{USAGE}")),
        }
    }
    let file = file.ok_or(USAGE)?;
    if current.is_some() && arranged.is_some() {
        return Err(format!(
            "--current and --override are alternatives\n{USAGE}"
        ));
    }
    if arranged.is_none() && (!reasons.is_empty() || note.is_some()) {
        return Err(format!("--reason and --note go with --override\n{USAGE}"));
    }
    let text = std::fs::read_to_string(&file).map_err(|e| format!("cannot read `{file}`: {e}"))?;
    let pack = if packs.is_empty() {
        RulePack::try_builtin().map_err(|e| e.to_string())?
    } else {
        let texts: Vec<(String, String)> = packs
            .iter()
            .map(|p| {
                std::fs::read_to_string(p)
                    .map(|t| (p.clone(), t))
                    .map_err(|e| format!("cannot read `{p}`: {e}"))
            })
            .collect::<Result<_, _>>()?;
        let sources: Vec<(&str, &str)> = texts
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        RulePack::from_sources(&sources).map_err(|e| e.to_string())?
    };
    let intake = if from_v0_1 {
        let converted = carelevel::intake::convert_v0_1(&text).map_err(|e| {
            if Intake::from_json(&text).is_ok() {
                format!("{file} is already an intake 2: assess it without --from-0.1")
            } else {
                format!("{file}: {e}")
            }
        })?;
        for note in &converted.notes {
            eprintln!("note: {note}");
        }
        converted.intake
    } else {
        Intake::from_json(&text).map_err(|e| format!("{file}: {e}"))?
    };
    if let Some(current) = current {
        let t = pack
            .transition(current, &intake)
            .map_err(|e| format!("{file}: {e}"))?;
        return Ok((
            match format {
                Format::Json => serde_json::to_string_pretty(&t).map_err(|e| e.to_string())? + "\n",
                _ => {
                    let weeks = t
                        .review_within_weeks
                        .map(|w| format!("\nReview within {w} weeks."))
                        .unwrap_or_default();
                    let aftercare: Vec<&str> = t.aftercare.iter().map(|a| a.title()).collect();
                    let aftercare = if aftercare.is_empty() {
                        String::new()
                    } else {
                        format!("\nAftercare: {}.", aftercare.join("; "))
                    };
                    format!(
                        "Transition: {:?} from {} to {} ({}).\nRules: {}{weeks}{aftercare}\n\n{}",
                        t.kind,
                        t.from,
                        t.to,
                        t.reason,
                        t.rules.join(", "),
                        t.recommendation.to_text()
                    )
                }
            },
            t.recommendation.status == Status::Provisional,
        ));
    }
    let report = pack.report(&intake).map_err(|e| format!("{file}: {e}"))?;
    if let Some(arranged) = arranged {
        let request = OverrideRequest {
            arranged,
            reasons,
            note: note.map(|n| n.as_str().into()),
        };
        let record = report
            .record_override(request)
            .map_err(|e| format!("{file}: {e}"))?;
        return Ok((
            serde_json::to_string_pretty(&record).map_err(|e| e.to_string())? + "\n",
            false,
        ));
    }
    let provisional = report.status == Status::Provisional;
    Ok((
        match format {
            Format::Text => report.to_text(),
            Format::Markdown => report.to_markdown(),
            Format::Json => {
                serde_json::to_string_pretty(&report).map_err(|e| e.to_string())? + "\n"
            }
        },
        provisional,
    ))
}

fn main() -> ExitCode {
    match run() {
        Ok((out, provisional)) => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(out.as_bytes())
                .and_then(|()| stdout.flush())
            {
                Ok(()) if provisional => ExitCode::from(PROVISIONAL),
                Ok(()) => ExitCode::SUCCESS,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                    ExitCode::from(STDOUT_CLOSED)
                }
                Err(e) => {
                    eprintln!("error: cannot write the output: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
