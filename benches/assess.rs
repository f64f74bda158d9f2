//! Library benchmarks: `cargo bench --bench assess`. Every timed closure checks its result,
//! so a broken engine cannot post a fast time. Heap allocations per assessment are counted
//! by the separate `allocations` bench (`cargo bench --bench allocations`), which links a
//! counting allocator that would distort these timings.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

use carelevel::{Intake, Level, RulePack};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

mod common;

const TYPICAL_JSON: &str = include_str!("../examples/intakes/iop_primary.json");
const SCORED_JSON: &str = include_str!("../examples/intakes/iop_scored_from_items.json");

fn assess(c: &mut Criterion) {
    let pack = RulePack::builtin();
    let typical = Intake::from_json(TYPICAL_JSON).unwrap();
    let mut g = c.benchmark_group("assess");

    // A typed intake to the full recommendation: the intake checked, every rule evaluated,
    // the level, the fired rules with the answers they read (the rationale), the
    // not-evaluated rules, the plan's services, referrals and schedule, and the housing
    // what-if.
    g.bench_function("typed", |b| {
        b.iter(|| {
            let rec = pack.assess(black_box(&typical)).unwrap();
            assert_eq!(rec.level(), Level::Iop);
            assert_eq!(rec.schedule().days_per_week, 5);
            rec
        })
    });

    // An intake given its instruments item by item (PHQ-9, GAD-7 and CIWA-Ar scored from
    // their items): the scoring on top of the above.
    let scored = Intake::from_json(SCORED_JSON).unwrap();
    g.bench_function("typed_scored_from_items", |b| {
        b.iter(|| {
            let rec = pack.assess(black_box(&scored)).unwrap();
            assert_eq!(rec.level(), Level::Iop);
            rec
        })
    });

    // The same over 10,000 varied generated intakes, cycled (one assessment per iteration),
    // so neither the branch predictor nor the cache sees one intake over and over.
    let batch = common::generated(10_000);
    let levels: Vec<Level> = batch
        .iter()
        .map(|i| pack.assess(i).unwrap().level())
        .collect();
    let mut i = 0usize;
    g.bench_function("typed_batch_10k_cycled", |b| {
        b.iter(|| {
            i = if i + 1 == batch.len() { 0 } else { i + 1 };
            let rec = pack.assess(black_box(&batch[i])).unwrap();
            assert_eq!(rec.level(), levels[i]);
            rec
        })
    });

    // JSON string in to JSON string out: parse, assess, write the report's JSON straight from
    // the recommendation (the bytes `serde_json::to_string` of the owned report gives).
    g.bench_function("json_to_json", |b| {
        b.iter(|| {
            let out = pack.assess_json(black_box(TYPICAL_JSON)).unwrap();
            assert!(out.starts_with(r#"{"status":"final","level":"iop""#));
            out
        })
    });

    g.bench_function("json_to_json_scored_from_items", |b| {
        b.iter(|| {
            let out = pack.assess_json(black_box(SCORED_JSON)).unwrap();
            assert!(out.contains(r#""scores":[{"instrument":"phq9""#));
            out
        })
    });

    // Where JSON to JSON spends its time, step by step; `typed_to_report` and
    // `serialise_report` are the owned path (`RulePack::report`, then serde_json), which
    // `assess_json` no longer takes but `report` callers do.
    g.bench_function("json_steps/parse_intake", |b| {
        b.iter(|| {
            let intake = Intake::from_json(black_box(TYPICAL_JSON)).unwrap();
            assert_eq!(intake.age, typical.age);
            intake
        })
    });
    g.bench_function("json_steps/typed_to_report", |b| {
        b.iter(|| {
            let r = pack.report(black_box(&typical)).unwrap();
            assert_eq!(r.level, Some(Level::Iop));
            r
        })
    });
    let report = pack.report(&typical).unwrap();
    g.bench_function("json_steps/serialise_report", |b| {
        b.iter(|| {
            let out = serde_json::to_string(black_box(&report)).unwrap();
            assert!(out.starts_with(r#"{"status":"final","level":"iop""#));
            out
        })
    });
    g.finish();
}

fn rules(c: &mut Criterion) {
    let mut g = c.benchmark_group("rules");
    // Loading and validating the built-in pack from its TOML sources (parse, check every
    // rule, compile the conditions, digest the sources).
    g.bench_function("load_builtin", |b| {
        b.iter(|| {
            let p = RulePack::from_sources(black_box(carelevel::BUILTIN_SOURCES)).unwrap();
            assert!(p.rules().count() > 30);
            p
        })
    });
    g.finish();
}

criterion_group!(library, assess, rules);
criterion_main!(library);
