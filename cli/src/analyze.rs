//! `carelevel analyze`: prove a rule pack safe — monotone, every safety answer covered, every
//! high-risk value guaranteeing more than outpatient in every context — and list dead and
//! shadowed rules (see `carelevel::analysis` for the method).
//!
//! ```text
//! carelevel analyze                     # the built-in pack
//! carelevel analyze --pack my_rules/    # a pack from files (or: carelevel analyze my/*.toml)
//! ```
//!
//! A pack from files needs a `[pack]` id of its own: `carelevel.builtin` is reserved for the
//! built-in sources, so copy `rules/` and change the id before editing the rules.
//!
//! Exit codes: 0 the pack is proved safe; 1 it is not (the findings say why), or it cannot be
//! loaded, or stdout failed; 3 stdout was closed before the analysis was written.

use carelevel::analysis::analyze;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// The exit codes, for `--help`.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  the pack is proved safe
  1  the pack is not proved safe (the findings say why), cannot be loaded, or stdout failed
  3  stdout was closed before the analysis was written (as by `| head -1`): ends quietly";

/// `carelevel analyze`.
#[derive(Debug, clap::Args)]
#[command(after_help = EXIT_CODES)]
pub struct Args {
    /// A rule file, or a directory of them (every .toml file under it); repeatable. Without
    /// it (and without FILES), the built-in pack.
    #[arg(long = "pack", value_name = "DIR|FILE")]
    packs: Vec<PathBuf>,
    /// Rule files, as with --pack (after the --pack ones).
    #[arg(value_name = "FILES")]
    files: Vec<PathBuf>,
}

/// Runs `analyze`.
pub fn main(args: Args) -> ExitCode {
    let paths: Vec<PathBuf> = args.packs.into_iter().chain(args.files).collect();
    let pack = match crate::pack::load(&paths) {
        Ok(pack) => pack,
        Err(e) => return crate::fail(crate::FAILURE, &e),
    };
    let start = Instant::now();
    let analysis = analyze(&pack);
    let took = start.elapsed();
    let text = format!("{analysis}Time: {:.1} ms\n", took.as_secs_f64() * 1000.0);
    let code = if analysis.is_proved_safe() {
        0
    } else {
        crate::FAILURE
    };
    crate::print(&text, code, crate::FAILURE)
}
