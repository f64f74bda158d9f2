//! The peer table, side by side, in one criterion run:
//! `cargo bench --manifest-path benches/peers/Cargo.toml`.
//!
//! Before timing anything it proves that carelevel, zen-engine (trace on and off) and
//! datalogic-rs give the hand-written chain's level and row on all 10,000 inputs. Each timed
//! iteration evaluates the next input (cycling through all 10,000, as the peer README asks)
//! and checks the outcome against the expected one inside the timed closure.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // bench code may fail loudly

use carelevel_peers::{
    Prepared, carelevel, carelevel_pack, datalogic, datalogic_eval, hand_written, prove_identical,
    zen, zen_decision,
};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn peers(c: &mut Criterion) {
    let p = Prepared::new();
    let counts = prove_identical(&p);
    eprintln!(
        "identical on all {} inputs: level and row agree for carelevel, zen-engine (trace on, \
         off), datalogic-rs and hand-written (inpatient {}, php {}, iop {}, outpatient {})",
        p.expected.len(),
        counts[0],
        counts[1],
        counts[2],
        counts[3]
    );
    let n = p.expected.len();
    let mut g = c.benchmark_group("peer_table");

    let pack = carelevel_pack();
    let mut i = 0usize;
    g.bench_function("carelevel_full_trace", |b| {
        b.iter(|| {
            i = if i + 1 == n { 0 } else { i + 1 };
            let got = carelevel(&pack, black_box(&p.intakes[i]));
            assert_eq!(got, p.expected[i]);
        })
    });

    let decision = zen_decision();
    g.bench_function("zen_engine_trace", |b| {
        b.iter(|| {
            i = if i + 1 == n { 0 } else { i + 1 };
            let got = zen(&decision, black_box(&p.zen[i]), true);
            assert_eq!(got, p.expected[i]);
        })
    });
    g.bench_function("zen_engine_no_trace", |b| {
        b.iter(|| {
            i = if i + 1 == n { 0 } else { i + 1 };
            let got = zen(&decision, black_box(&p.zen[i]), false);
            assert_eq!(got, p.expected[i]);
        })
    });

    let (engine, logic) = datalogic();
    let mut arena = datalogic_rs::bumpalo::Bump::new();
    g.bench_function("datalogic_rs", |b| {
        b.iter(|| {
            i = if i + 1 == n { 0 } else { i + 1 };
            let got = datalogic_eval(&engine, &logic, black_box(&p.datalogic[i]), &arena);
            assert_eq!(got, p.expected[i]);
            arena.reset();
        })
    });

    g.bench_function("hand_written", |b| {
        b.iter(|| {
            i = if i + 1 == n { 0 } else { i + 1 };
            let got = hand_written(black_box(&p.typed[i]));
            assert_eq!(got, p.expected[i]);
        })
    });
    g.finish();
}

criterion_group!(peer_table, peers);
criterion_main!(peer_table);
