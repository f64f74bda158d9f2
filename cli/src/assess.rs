//! `carelevel assess`: assess one intake from a JSON file and print the rationale.
//!
//! ```text
//! carelevel assess examples/intakes/iop_primary.json           # readable text
//! carelevel assess --json examples/intakes/iop_primary.json    # machine output
//! carelevel assess --markdown examples/intakes/iop_primary.json
//! carelevel assess --pack my_rules/ FILE.json                  # your own pack
//! carelevel assess --current inpatient FILE.json               # reassessment
//! carelevel assess --override iop --reason waiting_list --note "..." FILE.json
//! carelevel assess --from-0.1 tests/v0_1/iop_primary.json      # a 0.1 intake
//! ```
//!
//! The intake is intake 2 (`"schema_version": "2"`). A 0.1 intake is refused with a message
//! saying how to convert it, unless `--from-0.1` is given: it is then converted with
//! `carelevel::intake::convert_v0_1`, each conversion note is printed on stderr (`note: ...`,
//! one a line), and the converted intake is assessed. A required item that 0.1 could not
//! express (for example suicidal behaviour earlier in life) is left unanswered by the
//! conversion, so the result is then provisional, asking for it: answer it in the intake 2
//! form (`carelevel convert OLD.json > NEW.json` writes one to complete).
//!
//! An intake missing required items (or with a required item declined) is assessed
//! provisionally: the output says so, gives the bounds and the item to ask next, and the
//! command exits 4.
//!
//! Exit codes: 0 the output was written (a final result); 4 the output was written and the
//! result is provisional; 1 bad input or usage (the error on stderr, naming the field), or
//! stdout failed; 3 stdout was closed before the output was written (for example
//! `assess --json FILE | head -1`), which ends quietly, with no message and no panic.

use carelevel::transition::{OverrideReason, OverrideRequest};
use carelevel::{Intake, Level, Status};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use std::path::PathBuf;

/// The exit code when the result was written and is provisional.
pub const PROVISIONAL: u8 = 4;

/// The exit codes, for `--help`.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  the output was written (a final result)
  4  the output was written and the result is provisional (answers are missing)
  1  bad input or usage (the error on stderr, naming the field), or stdout failed
  3  stdout was closed before the output was written (as by `| head -1`): ends quietly";

/// A level named on the command line.
pub fn level_parser() -> impl TypedValueParser<Value = Level> {
    PossibleValuesParser::new(Level::ALL.map(Level::as_str)).try_map(|s| s.parse::<Level>())
}

/// An override reason code named on the command line.
fn reason_parser() -> impl TypedValueParser<Value = OverrideReason> {
    PossibleValuesParser::new(OverrideReason::ids()).try_map(|s| {
        OverrideReason::from_id(&s).ok_or_else(|| format!("unknown override reason `{s}`"))
    })
}

/// `carelevel assess`.
#[derive(Debug, clap::Args)]
#[command(after_help = EXIT_CODES)]
pub struct Args {
    /// The intake: a JSON file, intake 2 (with --from-0.1, a 0.1 intake).
    #[arg(value_name = "INTAKE.json")]
    file: String,
    /// Print the report as JSON (the recommendation schema).
    #[arg(long, overrides_with = "markdown")]
    json: bool,
    /// Print the report as Markdown, for a chart note.
    #[arg(long, overrides_with = "json")]
    markdown: bool,
    /// A rule file, or a directory of them (every .toml file under it); repeatable. Without
    /// it, the built-in pack.
    #[arg(long = "pack", value_name = "DIR|FILE")]
    packs: Vec<PathBuf>,
    /// Read a 0.1 intake: convert it (notes on stderr), then assess it.
    #[arg(long = "from-0.1")]
    from_v0_1: bool,
    /// A reassessment: the level the person is at now; prints the transition.
    #[arg(long, value_name = "LEVEL", value_parser = level_parser(), conflicts_with = "arranged")]
    current: Option<Level>,
    /// Record a clinician's override to this level (prints the override record as JSON).
    #[arg(long = "override", value_name = "LEVEL", value_parser = level_parser())]
    arranged: Option<Level>,
    /// Why the override was arranged (a reason code); repeatable. Needs --override.
    #[arg(long = "reason", value_name = "CODE", value_parser = reason_parser(), requires = "arranged")]
    reasons: Vec<OverrideReason>,
    /// A note on the override. Needs --override.
    #[arg(long, value_name = "TEXT", requires = "arranged")]
    note: Option<String>,
}

/// The output of `assess`, and whether the result is provisional.
pub fn run(args: Args) -> Result<(String, bool), String> {
    let file = &args.file;
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read `{file}`: {e}"))?;
    let pack = crate::pack::load(&args.packs)?;
    let intake = if args.from_v0_1 {
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
    if let Some(current) = args.current {
        let t = pack
            .transition(current, &intake)
            .map_err(|e| format!("{file}: {e}"))?;
        let provisional = t.recommendation.status == Status::Provisional;
        if args.json {
            return Ok((pretty(serde_json::to_string_pretty(&t))?, provisional));
        }
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
        let text = format!(
            "Transition: {:?} from {} to {} ({}).\nRules: {}{weeks}{aftercare}\n\n{}",
            t.kind,
            t.from,
            t.to,
            t.reason,
            t.rules.join(", "),
            t.recommendation.to_text()
        );
        return Ok((text, provisional));
    }
    let report = pack.report(&intake).map_err(|e| format!("{file}: {e}"))?;
    if let Some(arranged) = args.arranged {
        let request = OverrideRequest {
            arranged,
            reasons: args.reasons,
            note: args.note.map(|n| n.as_str().into()),
        };
        let record = report
            .record_override(request)
            .map_err(|e| format!("{file}: {e}"))?;
        return Ok((pretty(serde_json::to_string_pretty(&record))?, false));
    }
    let provisional = report.status == Status::Provisional;
    let text = if args.json {
        pretty(serde_json::to_string_pretty(&report))?
    } else if args.markdown {
        report.to_markdown()
    } else {
        report.to_text()
    };
    Ok((text, provisional))
}

/// Pretty JSON and a line feed, or the error saying it could not be written.
pub fn pretty(json: serde_json::Result<String>) -> Result<String, String> {
    json.map(|s| s + "\n")
        .map_err(|e| format!("the output could not be written as JSON: {e}"))
}
