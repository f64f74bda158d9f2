//! `carelevel schema NAME`: one of the JSON Schemas of the JSON contract
//! (`carelevel::schema::ALL`), exactly as committed under `schema/`;
//! `carelevel schema --list` names them, with their files.

use std::process::ExitCode;

/// The exit codes, for `--help`.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  the schema (or the list) was written
  1  bad usage (an unknown NAME), or stdout failed
  3  stdout was closed before the schema was written (as by `| head -1`): ends quietly";

/// The schema `name` names (`report` is another name for `recommendation`).
fn find(name: &str) -> Option<&'static carelevel::schema::Schema> {
    let name = if name == "report" {
        "recommendation"
    } else {
        name
    };
    carelevel::schema::ALL.iter().find(|s| s.name == name)
}

/// The names `schema` accepts, each with what it describes, for `--help` and usage errors.
fn names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(carelevel::schema::ALL.iter().map(|s| {
        let value = clap::builder::PossibleValue::new(s.name).help(s.about);
        if s.name == "recommendation" {
            value.alias("report")
        } else {
            value
        }
    }))
}

/// `carelevel schema`.
#[derive(Debug, clap::Args)]
#[command(after_help = EXIT_CODES)]
pub struct Args {
    /// The schema to print.
    #[arg(value_parser = names(), required_unless_present = "list", conflicts_with = "list")]
    name: Option<String>,
    /// List the schemas' names, one a line, each with what it describes.
    #[arg(long)]
    list: bool,
}

/// Runs `schema`.
pub fn main(args: Args) -> ExitCode {
    let text = match args.name {
        Some(name) => {
            let Some(schema) = find(&name) else {
                // clap accepted it: every accepted name is in the list.
                return crate::fail(crate::FAILURE, "internal error: an unlisted schema name");
            };
            match crate::assess::pretty(serde_json::to_string_pretty(&(schema.generate)())) {
                Ok(text) => text,
                Err(e) => return crate::fail(crate::FAILURE, &e),
            }
        }
        None => carelevel::schema::ALL
            .iter()
            .map(|s| format!("{:<18}{} (schema/{})\n", s.name, s.about, s.file))
            .collect(),
    };
    crate::print(&text, 0, crate::FAILURE)
}
