//! Heap allocations per operation, counted (not timed): `cargo bench --bench allocations`.
//!
//! The counting allocator comes from the `allocation-counter` dev-dependency and is linked
//! into this bench target only, so the timed benches in `assess.rs` run on the system
//! allocator. Counts are exact and do not depend on machine load. The run fails if a typed
//! assessment of any bundled example intake, or the mean over the generated batch, takes
//! more than [`TYPED_BUDGET`] allocations.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

use allocation_counter::measure;
use carelevel::{Intake, RulePack};
use std::hint::black_box;

mod common;

/// Most heap allocations one typed assessment (`RulePack::assess`) may make.
const TYPED_BUDGET: u64 = 4;

const EXAMPLES: &[(&str, &str)] = &[
    (
        "adolescent_iop",
        include_str!("../examples/intakes/adolescent_iop.json"),
    ),
    (
        "inpatient_complicated_withdrawal",
        include_str!("../examples/intakes/inpatient_complicated_withdrawal.json"),
    ),
    (
        "iop_home_not_substance_free",
        include_str!("../examples/intakes/iop_home_not_substance_free.json"),
    ),
    (
        "inpatient_suicide_plan",
        include_str!("../examples/intakes/inpatient_suicide_plan.json"),
    ),
    (
        "iop_primary",
        include_str!("../examples/intakes/iop_primary.json"),
    ),
    (
        "iop_scored_from_items",
        include_str!("../examples/intakes/iop_scored_from_items.json"),
    ),
    (
        "iop_step_down_from_residential",
        include_str!("../examples/intakes/iop_step_down_from_residential.json"),
    ),
    (
        "iop_step_up_from_outpatient",
        include_str!("../examples/intakes/iop_step_up_from_outpatient.json"),
    ),
    (
        "outpatient_mild",
        include_str!("../examples/intakes/outpatient_mild.json"),
    ),
    (
        "php_daily_structure",
        include_str!("../examples/intakes/php_daily_structure.json"),
    ),
];

fn main() {
    let pack = RulePack::builtin();
    println!("heap allocations per operation (built-in pack, counted with allocation-counter)");
    println!();
    println!("| intake | assess (typed) | bytes | report (owned) | JSON in -> JSON out |");
    println!("|---|---:|---:|---:|---:|");
    let mut worst = 0u64;
    for (name, json) in EXAMPLES {
        let intake = Intake::from_json(json).unwrap();
        // Warm up once: nothing lazily initialised should be counted.
        black_box(pack.assess(&intake).unwrap().level());
        let typed = measure(|| {
            let rec = pack.assess(black_box(&intake)).unwrap();
            black_box(rec.level());
            black_box(rec.fired_rules().count());
        });
        let report = measure(|| {
            black_box(pack.report(black_box(&intake)).unwrap());
        });
        let json_out = measure(|| {
            black_box(pack.assess_json(black_box(json)).unwrap());
        });
        worst = worst.max(typed.count_total);
        println!(
            "| {name} | {} | {} | {} | {} |",
            typed.count_total, typed.bytes_total, report.count_total, json_out.count_total
        );
    }

    let batch = common::generated(10_000);
    let mut most = 0u64;
    let total = measure(|| {
        for intake in &batch {
            let one = measure(|| {
                let rec = pack.assess(black_box(intake)).unwrap();
                black_box(rec.level());
            });
            most = most.max(one.count_total);
        }
    });
    let mean = total.count_total as f64 / batch.len() as f64;
    println!(
        "| generated batch (10,000) | mean {mean:.2}, most {most} | mean {:.0} | | |",
        total.bytes_total as f64 / batch.len() as f64
    );

    let load = measure(|| {
        black_box(RulePack::from_sources(black_box(carelevel::BUILTIN_SOURCES)).unwrap());
    });
    println!();
    println!(
        "load + validate the built-in pack: {} allocations, {} bytes",
        load.count_total, load.bytes_total
    );

    assert!(
        worst <= TYPED_BUDGET && mean <= TYPED_BUDGET as f64,
        "a typed assessment made {worst} allocations (batch mean {mean:.2}); the budget is {TYPED_BUDGET}"
    );
    println!("typed assessment within the budget of {TYPED_BUDGET} allocations: ok");
}
