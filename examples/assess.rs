//! Assess an intake from a JSON file and print the rationale.
//!
//! ```text
//! cargo run --example assess -- examples/intakes/iop_primary.json           # readable text
//! cargo run --example assess -- --json examples/intakes/iop_primary.json    # machine output
//! cargo run --example assess -- --markdown examples/intakes/iop_primary.json
//! cargo run --example assess -- --pack my_rules.toml FILE.json              # your own pack
//! ```
//!
//! Bad input exits non-zero with the error on stderr.

use carelevel::{Intake, RulePack};
use std::process::ExitCode;

enum Format {
    Text,
    Json,
    Markdown,
}

fn run() -> Result<String, String> {
    let mut format = Format::Text;
    let mut file = None;
    let mut packs: Vec<String> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--json" => format = Format::Json,
            "--markdown" => format = Format::Markdown,
            "--pack" => packs.push(args.next().ok_or("--pack needs a file")?),
            "-h" | "--help" => {
                return Ok(
                    "usage: assess [--json | --markdown] [--pack RULES.toml]... INTAKE.json\n"
                        .into(),
                );
            }
            other if other.starts_with("--") => return Err(format!("unknown option `{other}`")),
            other => file = Some(other.to_owned()),
        }
    }
    let file =
        file.ok_or("usage: assess [--json | --markdown] [--pack RULES.toml]... INTAKE.json")?;
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
    let intake = Intake::from_json(&text).map_err(|e| format!("{file}: {e}"))?;
    let report = pack.report(&intake).map_err(|e| format!("{file}: {e}"))?;
    Ok(match format {
        Format::Text => report.to_text(),
        Format::Markdown => report.to_markdown(),
        Format::Json => serde_json::to_string_pretty(&report).map_err(|e| e.to_string())? + "\n",
    })
}

fn main() -> ExitCode {
    match run() {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
