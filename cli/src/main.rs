//! The `carelevel` command: assess intakes, run NDJSON batches, convert 0.1 intakes, analyse
//! rule packs, print the JSON schemas and the FHIR Questionnaire.
//!
//! ```text
//! carelevel assess examples/intakes/iop_primary.json
//! carelevel batch < intakes.ndjson > results.ndjson
//! carelevel convert old.json > new.json
//! carelevel analyze --pack my_rules/
//! carelevel schema intake
//! carelevel questionnaire --pack my_rules/
//! ```
//!
//! Every subcommand that uses a rule pack takes `--pack DIR|FILE` (repeatable; see
//! [`pack`]), else the built-in pack. `carelevel --help` and `carelevel SUBCOMMAND --help`
//! give the options and the exit codes. A usage error (an unknown option, a missing or bad
//! value) exits 1, like any other bad input, with the error on stderr.

mod analyze;
mod assess;
mod batch;
mod convert;
mod pack;
mod schema;

use clap::{CommandFactory, Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Bad input or usage (the error on stderr).
const FAILURE: u8 = 1;
/// Stdout was closed (or failed) before the output was written.
const STDOUT_CLOSED: u8 = 3;

const EXIT_CODES: &str = "\
Exit codes (each subcommand's --help gives its own):
  0  done: the output was written (assess: a final result; analyze: the pack is proved safe)
  4  assess: the output was written and the result is provisional (answers are missing)
  1  bad input or usage, the error on stderr (analyze: the pack is not proved safe)
  2  convert: the input is not a 0.1 intake
  3  stdout was closed before the output was written (as by `| head -1`): ends quietly";

/// Level-of-care placement for behavioural health intakes: transparent, rule-driven.
#[derive(Debug, Parser)]
#[command(name = "carelevel", version, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Assess one intake (a JSON file) and print the recommendation and its rationale.
    Assess(assess::Args),
    /// Assess NDJSON intakes from stdin: one JSON result per line on stdout, in input order.
    Batch(BatchArgs),
    /// Convert a 0.1 intake to intake 2 (the notes on stderr).
    Convert(convert::Args),
    /// Prove a rule pack safe and list dead and shadowed rules.
    Analyze(analyze::Args),
    /// Print one of the JSON Schemas of the JSON contract (--list names them).
    Schema(schema::Args),
    /// Print the intake as a FHIR R4 Questionnaire (the form of the pack, with --pack).
    Questionnaire(QuestionnaireArgs),
}

/// The exit codes of `batch`, for `--help`.
const BATCH_EXIT_CODES: &str = "\
Each input line gets exactly one output line, in order, starting with its line number:
{\"line\":N,\"result\":{...}}, {\"line\":N,\"error\":\"...\"} or {\"line\":N,\"skipped\":\"blank\"}.
A result's `status` is `final` (with a `level`) or `provisional` (bounds, no `level`).

Exit codes:
  0  every line was read and answered (provisional results and error lines included)
  1  stdin could not be read (the lines before are answered first), bad usage, or the
     pack could not be loaded
  3  stdout was closed or failed before every result was written (closed: ends quietly)";

/// `carelevel batch`.
#[derive(Debug, clap::Args)]
#[command(after_help = BATCH_EXIT_CODES)]
struct BatchArgs {
    /// A rule file, or a directory of them (every .toml file under it); repeatable. Without
    /// it, the built-in pack.
    #[arg(long = "pack", value_name = "DIR|FILE")]
    packs: Vec<PathBuf>,
    /// The longest line accepted, in bytes, not counting its line ending; a longer line is
    /// an error line.
    #[arg(long, value_name = "BYTES", default_value_t = batch::DEFAULT_MAX_LINE_BYTES,
          value_parser = positive)]
    max_line_bytes: usize,
    /// The number of threads assessing lines (default: the available parallelism).
    #[arg(long, value_name = "N", value_parser = positive)]
    threads: Option<usize>,
}

/// A whole number of at least 1.
fn positive(s: &str) -> Result<usize, String> {
    s.parse::<usize>()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| "needs a positive whole number".to_owned())
}

/// `carelevel questionnaire`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Exit codes:
  0  the Questionnaire was written
  1  bad usage, the pack could not be loaded, or stdout failed
  3  stdout was closed before the Questionnaire was written (as by `| head -1`): ends quietly")]
struct QuestionnaireArgs {
    /// A rule file, or a directory of them (every .toml file under it); repeatable. The form
    /// then includes the pack's ratings. Without it, the intake's own form.
    #[arg(long = "pack", value_name = "DIR|FILE")]
    packs: Vec<PathBuf>,
}

/// Prints `error: message` on stderr and returns `code`.
fn fail(code: u8, message: &str) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "error: {message}");
    ExitCode::from(code)
}

/// Writes `text` to stdout and returns `code`; if stdout was closed, [`STDOUT_CLOSED`]
/// quietly; if writing failed otherwise, `failed` with a message.
fn print(text: &str, code: u8, failed: u8) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::from(code),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(STDOUT_CLOSED),
        Err(e) => fail(failed, &format!("cannot write the output: {e}")),
    }
}

fn run_batch(args: BatchArgs) -> ExitCode {
    let pack = match pack::load(&args.packs) {
        Ok(pack) => pack,
        Err(e) => return fail(FAILURE, &e),
    };
    let assess = Arc::new(move |text: &str| pack.assess_json(text).map_err(|e| e.to_string()));
    let settings = batch::Settings {
        limits: batch::Limits {
            max_line_bytes: args.max_line_bytes,
            ..batch::Limits::default()
        },
        workers: args
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        progress: std::io::stderr().is_terminal(),
    };
    let mut output = std::io::stdout().lock();
    match batch::run(std::io::stdin(), &mut output, assess, &settings) {
        batch::Outcome::Done(_) => ExitCode::SUCCESS,
        batch::Outcome::InputFailed(line, e) => {
            fail(FAILURE, &format!("reading stdin at line {line}: {e}"))
        }
        batch::Outcome::OutputFailed(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::from(STDOUT_CLOSED)
        }
        batch::Outcome::OutputFailed(e) => fail(STDOUT_CLOSED, &format!("writing stdout: {e}")),
        batch::Outcome::Internal(e) => fail(FAILURE, &format!("internal error: {e}")),
    }
}

fn run_questionnaire(args: QuestionnaireArgs) -> ExitCode {
    let questionnaire = if args.packs.is_empty() {
        carelevel::fhir::questionnaire()
    } else {
        match pack::load(&args.packs) {
            Ok(pack) => carelevel::fhir::questionnaire_for(&pack),
            Err(e) => return fail(FAILURE, &e),
        }
    };
    match assess::pretty(serde_json::to_string_pretty(&questionnaire)) {
        Ok(text) => print(&text, 0, FAILURE),
        Err(e) => fail(FAILURE, &e),
    }
}

/// Prints a usage error on stderr, with the usage of the subcommand it concerns, and returns
/// 1, the code of any bad input (clap's own default is 2, which `convert` uses for "not a 0.1
/// intake").
fn usage_error(e: &clap::Error) -> ExitCode {
    let mut text = e.render().to_string();
    if !text.contains("Usage:") {
        let mut cli = Cli::command();
        cli.build();
        let usage = std::env::args()
            .skip(1)
            .find(|a| !a.starts_with('-'))
            .and_then(|name| cli.find_subcommand_mut(&name).map(|c| c.render_usage()))
            .unwrap_or_else(|| cli.render_usage());
        let at = text.find("\nFor more information").unwrap_or(text.len());
        text.insert_str(at, &format!("\n{usage}\n"));
    }
    let _ = write!(std::io::stderr(), "{text}");
    ExitCode::from(FAILURE)
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // Help and version: on stdout, exit 0.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => return usage_error(&e),
    };
    match cli.command {
        Command::Assess(args) => match assess::run(args) {
            Ok((text, provisional)) => {
                let code = if provisional { assess::PROVISIONAL } else { 0 };
                print(&text, code, FAILURE)
            }
            Err(e) => fail(FAILURE, &e),
        },
        Command::Batch(args) => run_batch(args),
        Command::Convert(args) => convert::main(args),
        Command::Analyze(args) => analyze::main(args),
        Command::Schema(args) => schema::main(args),
        Command::Questionnaire(args) => run_questionnaire(args),
    }
}
