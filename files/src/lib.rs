//! Loads a carelevel rule pack from files, for the `carelevel` command and the
//! `carelevel-cds` service (the core crate does no I/O: it takes the files' text).
//!
//! Each path names a rule file (TOML) or a directory, which stands for every `.toml` file
//! under it (subdirectories included, as `rules/sources/` is), in path order; the files of
//! every path, in the order given, make one pack. With no path, the built-in pack.
//!
//! A pack from files needs a `[pack]` id of its own: `carelevel.builtin` is reserved for the
//! built-in sources, so copy `rules/` and change the id before editing the rules.

use carelevel::RulePack;
use carelevel::pack::PackError;
use std::path::{Path, PathBuf};

/// Why a pack could not be loaded: one line naming the file, or the pack's problems.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// A file or directory could not be read.
    #[error("cannot read `{path}`: {source}")]
    Read {
        /// The path, as given or found.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A directory holds no rule file.
    #[error("`{path}` holds no .toml file")]
    Empty {
        /// The directory.
        path: String,
    },
    /// The rule files do not make a valid pack (every problem, each naming its file, line
    /// and column).
    #[error(transparent)]
    Pack(#[from] PackError),
}

/// The pack made of the rule files at `paths` (see the crate documentation), or the built-in
/// pack when `paths` is empty.
///
/// # Errors
///
/// [`LoadError`]: a path that cannot be read, a directory without a `.toml` file, or the
/// pack's problems.
///
/// # Examples
///
/// ```
/// let pack = carelevel_files::load(&[])?;
/// assert_eq!(pack.meta().id, "carelevel.builtin");
/// # Ok::<(), carelevel_files::LoadError>(())
/// ```
pub fn load(paths: &[PathBuf]) -> Result<RulePack, LoadError> {
    if paths.is_empty() {
        return Ok(RulePack::try_builtin()?);
    }
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let before = files.len();
            toml_files(path, &mut files)?;
            if files.len() == before {
                return Err(LoadError::Empty {
                    path: path.display().to_string(),
                });
            }
        } else {
            files.push(path.clone());
        }
    }
    let texts: Vec<(String, String)> = files
        .iter()
        .map(|f| {
            let name = f.display().to_string();
            match std::fs::read_to_string(f) {
                Ok(text) => Ok((name, text)),
                Err(source) => Err(LoadError::Read { path: name, source }),
            }
        })
        .collect::<Result<_, _>>()?;
    let sources: Vec<(&str, &str)> = texts
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    Ok(RulePack::from_sources(&sources)?)
}

/// Appends every `.toml` file under `dir` to `files`, in path order. Symbolic links to
/// directories are not followed.
fn toml_files(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let cannot = |source: std::io::Error| LoadError::Read {
        path: dir.display().to_string(),
        source,
    };
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
            std::env::temp_dir().join(format!("carelevel-files-{}-{name}", std::process::id()));
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
            load(std::slice::from_ref(&dir)).unwrap_err().to_string(),
            format!("`{}` holds no .toml file", dir.display())
        );
        let missing = dir.join("missing.toml");
        let err = load(std::slice::from_ref(&missing))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!("cannot read `{}`: ", missing.display())),
            "{err}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
