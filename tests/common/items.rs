//! The items of the intake, as its JSON Schema (`carelevel::schema::intake()`, generated from
//! the intake's types) lists them, and the items an intake's JSON answers. Paths are dotted,
//! as the catalogue writes them: an item of each entry of a repeating group is
//! `group.item` (`substance_use.ciwa_ar`, `history.episodes.level`).

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// One item of the intake's JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaItem {
    /// Its dotted path.
    pub path: String,
    /// Whether it holds other items (a group, or a repeating group's entries).
    pub group: bool,
    /// Whether it also takes `"declined"` and `"unable_to_assess"`.
    pub declinable: bool,
}

/// Every item of the intake's JSON, in schema order (groups before their items).
pub fn schema_items() -> Vec<SchemaItem> {
    let schema = carelevel::schema::intake();
    let mut out = Vec::new();
    walk(&schema, &schema, "", &mut out, 0);
    out
}

/// The paths of every item of the intake's JSON.
pub fn schema_paths() -> BTreeSet<String> {
    schema_items().into_iter().map(|i| i.path).collect()
}

fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.strip_prefix("#/$defs/").expect("a local definition");
            resolve(root, &root["$defs"][name])
        }
        None => node,
    }
}

/// The branches of a node (itself, and each `anyOf` / `oneOf` / `allOf` alternative, and a
/// list's items), resolved.
fn branches<'a>(root: &'a Value, node: &'a Value, out: &mut Vec<&'a Value>, depth: usize) {
    assert!(depth < 32, "the intake schema nests too deep");
    let node = resolve(root, node);
    out.push(node);
    for key in ["anyOf", "oneOf", "allOf"] {
        for alt in node
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            branches(root, alt, out, depth + 1);
        }
    }
    if let Some(items) = node.get("items") {
        branches(root, items, out, depth + 1);
    }
}

fn walk(root: &Value, node: &Value, at: &str, out: &mut Vec<SchemaItem>, depth: usize) {
    let mut all = Vec::new();
    branches(root, node, &mut all, depth);
    for b in all {
        let Some(props) = b.get("properties").and_then(Value::as_object) else {
            continue;
        };
        for (key, child) in props {
            let path = if at.is_empty() {
                key.clone()
            } else {
                format!("{at}.{key}")
            };
            let mut kids = Vec::new();
            branches(root, child, &mut kids, depth + 1);
            let group = kids.iter().any(|k| k.get("properties").is_some());
            let declinable = kids.iter().any(|k| {
                k.get("enum")
                    .and_then(Value::as_array)
                    .is_some_and(|e| e.iter().any(|x| x == "declined"))
            });
            out.push(SchemaItem {
                path: path.clone(),
                group,
                declinable,
            });
            if group {
                walk(root, child, &path, out, depth + 1);
            }
        }
    }
}

/// Each item an intake's JSON answers, with every value given to it (as compact JSON): the
/// entries of a list of objects are walked as their group's items.
pub fn answered(intake: &Value, at: &str, out: &mut BTreeMap<String, BTreeSet<String>>) {
    match intake {
        Value::Object(map) => {
            for (key, value) in map {
                let path = if at.is_empty() {
                    key.clone()
                } else {
                    format!("{at}.{key}")
                };
                if value.is_null() {
                    continue;
                }
                out.entry(path.clone())
                    .or_default()
                    .insert(value.to_string());
                answered(value, &path, out);
            }
        }
        Value::Array(list) => {
            for v in list.iter().filter(|v| v.is_object()) {
                answered(v, at, out);
            }
        }
        _ => {}
    }
}
