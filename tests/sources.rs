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
/// The seed's section headings, from its source record shipped with the rules (so that this
/// test needs nothing outside the repository).
fn seed_headings() -> Vec<String> {
    let record: toml::Table = include_str!("../rules/sources/seed.toml").parse().unwrap();
    record["source"]["headings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().to_owned())
        .collect()
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
    let headings = seed_headings();
    assert!(headings.len() > 20, "{headings:?}");
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
                headings.contains(&s),
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
            other => panic!(
                "{}: a source kind this test does not know: {other:?}",
                r.id()
            ),
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
