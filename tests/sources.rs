//! Clinical honesty: every rule names a source, every seed section cited is a real heading of
//! the seed document, and every product default says why.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

use carelevel::RulePack;
use carelevel::pack::SourceKind;
use std::path::Path;

fn seed_text() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seed");
    let mut text = String::new();
    for entry in std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the seed is expected at {}: {e}", dir.display()))
    {
        text.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    text
}

/// The quoted section names in a `seed: "A", "B"; more` source.
fn cited_sections(source: &str) -> Vec<String> {
    let seed_part = source.split(';').next().unwrap_or_default();
    seed_part
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_cited_seed_section_is_a_heading_of_the_seed() {
    let seed = seed_text();
    let headings: Vec<&str> = seed.lines().map(str::trim).collect();
    let pack = RulePack::builtin();
    let mut checked = 0;
    let programme_sources = carelevel::Level::ALL
        .iter()
        .map(|l| pack.programme(*l).source.clone());
    let rule_sources = pack.rules().map(|r| r.source().to_owned());
    for source in rule_sources.chain(programme_sources) {
        if !source.starts_with("seed:") {
            continue;
        }
        let sections = cited_sections(&source);
        assert!(!sections.is_empty(), "`{source}` names no quoted section");
        for s in sections {
            assert!(
                headings.contains(&s.as_str()),
                "`{s}` (in `{source}`) is not a heading of the seed"
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} seed citations checked");
}

#[test]
fn every_rule_has_a_typed_source_and_product_defaults_say_why() {
    let pack = RulePack::builtin();
    let mut kinds = [0; 3];
    for r in pack.rules() {
        match r.source_kind() {
            SourceKind::Seed => kinds[0] += 1,
            SourceKind::Reference => kinds[1] += 1,
            SourceKind::ProductDefault => {
                kinds[2] += 1;
                let why = r.source().trim_start_matches("product default:").trim();
                assert!(
                    why.split_whitespace().count() >= 5,
                    "{}: a product default needs a reason",
                    r.id()
                );
            }
        }
    }
    assert!(kinds.iter().all(|k| *k > 0), "{kinds:?}");
}

#[test]
fn no_licensed_instrument_text_is_copied() {
    // ASAM and LOCUS dimension grids are licensed. The pack may name public facts (e.g. the
    // ASAM 2020 withdrawal guideline's CIWA-Ar bands) but never "dimension" grids or LOCUS.
    for (name, text) in carelevel::BUILTIN_SOURCES {
        let lower = text.to_lowercase();
        assert!(!lower.contains("locus"), "{name} mentions LOCUS");
        assert!(
            !lower.contains("dimension"),
            "{name} mentions ASAM dimensions"
        );
    }
}
