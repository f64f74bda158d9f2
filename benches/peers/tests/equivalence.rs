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
