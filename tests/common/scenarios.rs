//! The golden scenarios' files: `tests/scenarios/<group>.json`, each with a named base intake
//! (an intake 2, `"schema_version": "2"`) and cases whose intake is a JSON merge patch of it
//! (RFC 7396). Read by `golden.rs` (which checks the expectations) and `reference.rs` (which
//! needs only the intakes).

use serde::Deserialize;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// One scenario file: a topic, the base intake its cases patch, and the cases.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// What the group covers.
    pub description: String,
    /// The intake every case starts from.
    pub base: Base,
    /// The cases, still as JSON, so that a case that does not read names itself.
    pub cases: Vec<Value>,
}

/// A named base intake.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Base {
    /// A short name (`adult_no_needs`).
    pub name: String,
    /// Who this is, and where the built-in pack places them.
    pub description: String,
    /// The intake, as intake JSON.
    pub intake: Value,
}

/// `tests/scenarios`.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("scenarios")
}

/// Every entry of `tests/scenarios`, sorted.
pub fn paths() -> Vec<PathBuf> {
    let dir = dir();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    paths.sort();
    paths
}

/// Applies a JSON merge patch (RFC 7396): an object patch merges key by key into an object
/// (a non-object target becomes `{}` first), `null` removes the key, and any other value
/// (arrays included) replaces the target whole.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(target) = target else {
        unreachable!("made an object above")
    };
    for (key, value) in patch {
        if value.is_null() {
            target.remove(key);
        } else {
            merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

/// The dotted paths at which `patch` removes (`null`) a key that `target` does not have: a
/// removal that does nothing is a typo waiting to hide.
pub fn idle_removals(target: &Value, patch: &Value, at: &str, out: &mut Vec<String>) {
    let Value::Object(patch) = patch else { return };
    for (key, value) in patch {
        let path = if at.is_empty() {
            key.clone()
        } else {
            format!("{at}.{key}")
        };
        let here = target.get(key);
        if value.is_null() {
            if here.is_none() {
                out.push(path);
            }
        } else if let Some(here) = here.filter(|h| h.is_object()) {
            idle_removals(here, value, &path, out);
        } else {
            // A new or replaced value: any `null` inside it removes nothing.
            idle_removals(&Value::Null, value, &path, out);
        }
    }
}

/// Removes the item at a dotted path from an intake's JSON: `medical.pregnancy`, or
/// `substance_use[0].drinks_per_day` for an item of one entry of a list. Returns whether
/// there was one to remove.
pub fn remove_path(target: &mut Value, path: &str) -> bool {
    let (parent, key) = match path.rsplit_once('.') {
        Some((parent, key)) => (Some(parent), key),
        None => (None, path),
    };
    let mut at = target;
    for segment in parent.into_iter().flat_map(|p| p.split('.')) {
        let (name, index) = match segment.split_once('[') {
            Some((name, rest)) => {
                let Ok(index) = rest.trim_end_matches(']').parse::<usize>() else {
                    return false;
                };
                (name, Some(index))
            }
            None => (segment, None),
        };
        let Some(next) = at.get_mut(name) else {
            return false;
        };
        at = match index {
            Some(i) => match next.get_mut(i) {
                Some(entry) => entry,
                None => return false,
            },
            None => next,
        };
    }
    at.as_object_mut().is_some_and(|o| o.remove(key).is_some())
}

/// Every case's intake that can be read, as `(group/case, intake JSON)`, in file and case
/// order. Files and cases that do not read are skipped (`golden.rs` reports them).
pub fn intakes() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for path in paths() {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(group) = serde_json::from_str::<Group>(&text) else {
            continue;
        };
        let stem = path
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        for case in &group.cases {
            let (Some(name), Some(patch)) =
                (case.get("name").and_then(Value::as_str), case.get("patch"))
            else {
                continue;
            };
            let mut intake = group.base.intake.clone();
            merge_patch(&mut intake, patch);
            out.push((format!("{stem}/{name}"), intake));
        }
    }
    out
}
