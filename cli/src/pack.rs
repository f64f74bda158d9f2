//! `--pack PATH`: the rule pack a subcommand uses.
//!
//! Each `--pack` names a rule file (TOML) or a directory, which stands for every `.toml` file
//! under it (subdirectories included, as `rules/sources/` is), in path order; the files of
//! every `--pack`, in the order given, make one pack. Without `--pack`, the built-in pack.
//!
//! A pack from files needs a `[pack]` id of its own: `carelevel.builtin` is reserved for the
//! built-in sources, so copy `rules/` and change the id before editing the rules.

use carelevel::RulePack;
use std::path::{Path, PathBuf};

/// The pack made of the rule files at `paths` (see the module documentation), or the built-in
/// pack when `paths` is empty. The error is one line naming the file, or the pack's problems.
pub fn load(paths: &[PathBuf]) -> Result<RulePack, String> {
    if paths.is_empty() {
        return RulePack::try_builtin().map_err(|e| e.to_string());
    }
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let before = files.len();
            toml_files(path, &mut files)?;
            if files.len() == before {
                return Err(format!("`{}` holds no .toml file", path.display()));
            }
        } else {
            files.push(path.clone());
        }
    }
    let texts: Vec<(String, String)> = files
        .iter()
        .map(|f| {
            let name = f.display().to_string();
            std::fs::read_to_string(f)
                .map(|text| (name.clone(), text))
                .map_err(|e| format!("cannot read `{name}`: {e}"))
        })
        .collect::<Result<_, _>>()?;
    let sources: Vec<(&str, &str)> = texts
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    RulePack::from_sources(&sources).map_err(|e| e.to_string())
}

/// Appends every `.toml` file under `dir` to `files`, in path order. Symbolic links to
/// directories are not followed.
fn toml_files(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let cannot = |e: std::io::Error| format!("cannot read `{}`: {e}", dir.display());
    let mut entries = std::fs::read_dir(dir)
        .map_err(cannot)?
        .map(|e| e.map(|e| (e.path(), e.file_type())))
        .collect::<Result<Vec<_>, _>>()
        .map_err(cannot)?;
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, kind) in entries {
        if kind.map_err(cannot)?.is_dir() {
            toml_files(&path, files)?;
        } else if path.extension().is_some_and(|x| x == "toml") {
            files.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("carelevel-cli-pack-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// The built-in sources under another id, written as files of a directory: the
    /// directory loads as the pack they make, with the same rules.
    #[test]
    fn a_directory_is_every_toml_file_under_it() {
        let dir = scratch("copy");
        for (name, text) in carelevel::BUILTIN_SOURCES {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let text = text.replace("id = \"carelevel.builtin\"", "id = \"example.local\"");
            std::fs::write(path, text).unwrap();
        }
        std::fs::write(dir.join("README.md"), "not a rule file").unwrap();
        let pack = load(std::slice::from_ref(&dir)).unwrap();
        assert_eq!(pack.meta().id, "example.local");
        let builtin = RulePack::builtin();
        let mut ids: Vec<&str> = pack.rules().map(|r| r.id()).collect();
        let mut want: Vec<&str> = builtin.rules().map(|r| r.id()).collect();
        ids.sort_unstable();
        want.sort_unstable();
        assert_eq!(ids, want);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn no_path_is_the_builtin_pack() {
        assert_eq!(load(&[]).unwrap().meta(), RulePack::builtin().meta());
    }

    #[test]
    fn errors_name_the_path() {
        let dir = scratch("empty");
        assert_eq!(
            load(std::slice::from_ref(&dir)).unwrap_err(),
            format!("`{}` holds no .toml file", dir.display())
        );
        let missing = dir.join("missing.toml");
        let err = load(std::slice::from_ref(&missing)).unwrap_err();
        assert!(
            err.starts_with(&format!("cannot read `{}`: ", missing.display())),
            "{err}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
