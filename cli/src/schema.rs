//! `carelevel schema NAME`: one of the JSON Schemas of the JSON contract
//! (`carelevel::schema`), exactly as committed under `schema/` (`NAME.schema.json`);
//! `carelevel schema --list` names them.

use clap::ValueEnum;
use std::process::ExitCode;

/// The exit codes, for `--help`.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  the schema (or the list) was written
  1  bad usage (an unknown NAME), or stdout failed
  3  stdout was closed before the schema was written (as by `| head -1`): ends quietly";

/// A schema `carelevel::schema` exposes, by the name of its file under `schema/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Name {
    /// An intake (intake 2).
    Intake,
    /// A recommendation report: `assess --json`, a batch line's `result`.
    #[value(alias = "report")]
    Recommendation,
    /// A transition: `assess --current LEVEL --json`.
    Transition,
    /// An override request.
    OverrideRequest,
    /// An override record: `assess --override LEVEL`.
    OverrideRecord,
    /// One problem with an intake (the C ABI's `invalid_intake` problems).
    IntakeProblem,
    /// One problem with a rule pack (the C ABI's `invalid_pack` problems).
    PackProblem,
}

impl Name {
    /// The schema.
    pub fn schema(self) -> serde_json::Value {
        use carelevel::schema;
        match self {
            Name::Intake => schema::intake(),
            Name::Recommendation => schema::report(),
            Name::Transition => schema::transition(),
            Name::OverrideRequest => schema::override_request(),
            Name::OverrideRecord => schema::override_record(),
            Name::IntakeProblem => schema::intake_problem(),
            Name::PackProblem => schema::pack_problem(),
        }
    }
}

/// `carelevel schema`.
#[derive(Debug, clap::Args)]
#[command(after_help = EXIT_CODES)]
pub struct Args {
    /// The schema to print.
    #[arg(value_enum, required_unless_present = "list", conflicts_with = "list")]
    name: Option<Name>,
    /// List the schemas' names, one a line, each with what it describes.
    #[arg(long)]
    list: bool,
}

/// Runs `schema`.
pub fn main(args: Args) -> ExitCode {
    let text = match args.name {
        Some(name) => match crate::assess::pretty(serde_json::to_string_pretty(&name.schema())) {
            Ok(text) => text,
            Err(e) => return crate::fail(crate::FAILURE, &e),
        },
        None => Name::value_variants()
            .iter()
            .filter_map(|n| n.to_possible_value())
            .map(|v| {
                let help = v.get_help().map(ToString::to_string).unwrap_or_default();
                format!("{:<18}{help}\n", v.get_name())
            })
            .collect(),
    };
    crate::print(&text, 0, crate::FAILURE)
}
