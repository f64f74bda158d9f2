//! The declared minimum Rust version holds for what a user builds: every crate that a
//! workspace member needs to build (normal and build dependencies, all features) declares a
//! `rust-version` no newer than the member's own.
//!
//! This is the part of an MSRV check that runs on any toolchain: it fails as soon as a
//! dependency update needs a newer compiler than the one we promise. `.ci/run` also builds
//! the library with the declared toolchain itself where that toolchain is installed.
//! Dev-dependencies (criterion, insta, proptest...) are not held to it: they build the
//! tests and benches, not the library.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// `major.minor` of a `rust-version` ("1.85" or "1.85.0").
fn version(v: &str) -> (u64, u64) {
    let mut parts = v.split('.').map(|p| p.parse::<u64>().unwrap());
    (parts.next().unwrap(), parts.next().unwrap_or(0))
}

#[test]
fn dependencies_build_on_the_declared_rust_version() {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--all-features"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages: BTreeMap<&str, &Value> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p))
        .collect();
    let nodes: BTreeMap<&str, &Value> = meta["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n))
        .collect();
    let members = meta["workspace_members"].as_array().unwrap();
    let mut checked = 0;
    let mut too_new = Vec::new();
    for member in members {
        let member = member.as_str().unwrap();
        // Every member promises a rust-version: one without is a gap in the promise.
        let Some(ours) = packages[member]["rust_version"].as_str() else {
            too_new.push(format!(
                "{} declares no rust-version",
                packages[member]["name"].as_str().unwrap()
            ));
            continue;
        };
        // The closure over normal and build dependencies.
        let mut seen = BTreeSet::new();
        let mut todo = vec![member];
        while let Some(id) = todo.pop() {
            for dep in nodes[id]["deps"].as_array().unwrap() {
                let builds = dep["dep_kinds"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|k| k["kind"].is_null() || k["kind"] == "build");
                let dep_id = dep["pkg"].as_str().unwrap();
                if builds && seen.insert(dep_id) {
                    todo.push(dep_id);
                }
            }
        }
        for id in &seen {
            checked += 1;
            let package = packages[id];
            if let Some(needs) = package["rust_version"].as_str() {
                if version(needs) > version(ours) {
                    too_new.push(format!(
                        "{} needs {} {} (rust-version {needs}), newer than its {ours}",
                        packages[member]["name"].as_str().unwrap(),
                        package["name"].as_str().unwrap(),
                        package["version"].as_str().unwrap()
                    ));
                }
            }
        }
    }
    assert!(
        checked > 20,
        "the dependency graph was read ({checked} edges)"
    );
    assert!(too_new.is_empty(), "{}", too_new.join("\n"));
}
