//! carelevel, zen-engine (trace on and off) and datalogic-rs give the hand-written chain's
//! level and row on all 10,000 generated inputs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use carelevel_peers::{JDM_GRAPH, JSONLOGIC_RULE, Prepared, prove_identical};

#[test]
fn every_engine_agrees_on_all_10000_inputs() {
    let p = Prepared::new();
    assert_eq!(p.expected.len(), 10_000);
    prove_identical(&p);
}

#[test]
fn the_peer_files_are_the_shared_ones() {
    // When the shared copy is present (a developer machine, CI), the vendored copies match.
    let shared = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/bench/peer-table/"
    );
    for (name, ours) in [
        ("jdm_graph.json", JDM_GRAPH),
        ("jsonlogic_rule.json", JSONLOGIC_RULE),
    ] {
        if let Ok(theirs) = std::fs::read_to_string(format!("{shared}{name}")) {
            assert_eq!(ours, theirs, "{name} differs from shared/bench/peer-table");
        }
    }
}
