//! The committed JSON Schemas under `schema/` must equal the ones generated from the types,
//! so a non-Rust integrator reading them reads the truth. Regenerate with
//! `UPDATE_SCHEMAS=1 cargo test --test schema`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

use std::path::Path;

fn check(file: &str, generated: serde_json::Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schema")
        .join(file);
    let text = serde_json::to_string_pretty(&generated).unwrap() + "\n";
    if std::env::var_os("UPDATE_SCHEMAS").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let committed = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    assert!(
        committed == text,
        "{} differs from the schema generated from the types; run UPDATE_SCHEMAS=1 cargo test --test schema",
        path.display()
    );
}

/// Every schema of `carelevel::schema::ALL` is committed as generated, and every schema file
/// under `schema/` (but the FHIR CodeSystems, which `tests/fhir_r4_schema.rs` keeps) is one of
/// them, so neither can be forgotten.
#[test]
fn every_schema_is_committed() {
    let mut listed = std::collections::BTreeSet::new();
    for schema in carelevel::schema::ALL {
        check(schema.file, (schema.generate)());
        assert!(listed.insert(schema.file), "{} listed twice", schema.file);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
    let mut present = std::collections::BTreeSet::new();
    for dir in ["", "fhir"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".schema.json") {
                present.insert(if dir.is_empty() {
                    name
                } else {
                    format!("{dir}/{name}")
                });
            }
        }
    }
    let listed: std::collections::BTreeSet<String> =
        listed.into_iter().map(str::to_owned).collect();
    if cfg!(feature = "fhir") {
        assert_eq!(present, listed, "schema files that nothing generates");
    } else {
        assert!(listed.is_subset(&present), "{listed:?} {present:?}");
    }
}

/// The intake schema is intake 2's: `schema_version` takes `"2"` alone, and every bundled
/// intake gives it, first.
#[test]
fn the_intake_schema_and_the_bundled_intakes_are_intake_2() {
    let schema = carelevel::schema::intake();
    let version = &schema["properties"]["schema_version"];
    assert!(
        !version.is_null(),
        "the intake schema has no schema_version"
    );
    let text = serde_json::to_string(&schema["$defs"]["SchemaVersion"]).unwrap();
    assert!(text.contains(r#""2""#), "SchemaVersion: {text}");
    for entry in
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/intakes")).unwrap()
    {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let first_key = text
            .trim_start()
            .strip_prefix('{')
            .map(str::trim_start)
            .is_some_and(|rest| rest.starts_with(r#""schema_version": "2""#));
        assert!(
            first_key,
            "{}: `\"schema_version\": \"2\"` first",
            path.display()
        );
    }
}

#[test]
fn every_bundled_report_validates_shape_against_its_type() {
    // A report survives JSON and back unchanged: the JSON contract loses nothing.
    let pack = carelevel::RulePack::builtin();
    for entry in
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/intakes")).unwrap()
    {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        // Every bundled intake is assessed (the incomplete one provisionally).
        let intake = carelevel::Intake::from_json(&text).unwrap();
        let report = pack.report(&intake).unwrap();
        let json = serde_json::to_string(&report).unwrap();
        let back: carelevel::Report = serde_json::from_str(&json).unwrap();
        assert_eq!(back, report, "{}", path.display());
    }
}

/// The report schema carries the status contract: `status` (`final` or `provisional`), both
/// bounds and `ask_next` are required and `level` is not (a provisional report has none); a
/// provisional report and a final one each have every key the schema requires and no key it
/// does not list.
#[test]
fn the_report_schema_describes_provisional_results() {
    let schema = carelevel::schema::report();
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    for key in ["status", "level_at_least", "level_at_most", "ask_next"] {
        assert!(
            required.contains(&key),
            "{key} is not required: {required:?}"
        );
    }
    assert!(!required.contains(&"level"), "`level` must not be required");
    let statuses: Vec<&str> = schema["$defs"]["Status"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["const"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["final", "provisional"]);
    let described = schema["properties"].as_object().unwrap();
    let ask_next = &schema["$defs"]["AskNext"];
    let pack = carelevel::RulePack::builtin();
    for (name, json, status) in [
        (
            "plan with intent alone",
            r#"{"schema_version": "2", "safety": {"suicidal_ideation": "plan_with_intent"}}"#,
            "provisional",
        ),
        (
            "iop_primary",
            include_str!("../examples/intakes/iop_primary.json"),
            "final",
        ),
    ] {
        let report: serde_json::Value =
            serde_json::from_str(&pack.assess_json(json).unwrap()).unwrap();
        let report = report.as_object().unwrap();
        assert_eq!(report["status"], status, "{name}");
        assert_eq!(report.contains_key("level"), status == "final", "{name}");
        for key in &required {
            assert!(report.contains_key(*key), "{name}: no `{key}`");
        }
        for key in report.keys() {
            assert!(
                described.contains_key(key),
                "{name}: `{key}` is not in the schema"
            );
        }
        for entry in report["ask_next"].as_array().unwrap() {
            for key in entry.as_object().unwrap().keys() {
                assert!(
                    ask_next["properties"].get(key).is_some(),
                    "{name}: ask_next `{key}` is not in the schema"
                );
            }
        }
    }
}
