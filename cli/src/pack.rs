//! `--pack PATH`: the rule pack a subcommand uses, loaded by `carelevel_files` (a rule file,
//! or a directory standing for every `.toml` file under it; the built-in pack without one).

use carelevel::RulePack;
use std::path::PathBuf;

/// The pack made of the rule files at `paths`, or the built-in pack when `paths` is empty.
/// The error is one line naming the file, or the pack's problems.
pub fn load(paths: &[PathBuf]) -> Result<RulePack, String> {
    carelevel_files::load(paths).map_err(|e| e.to_string())
}
