//! Heap allocations per evaluation for each engine on the peer table, counted (not timed).
//! The counting allocator is linked into this bench target only; `peers.rs` times on the
//! system allocator.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // bench code may fail loudly

use allocation_counter::measure;
use carelevel_peers::{
    Prepared, carelevel, carelevel_pack, datalogic, datalogic_eval, hand_written, zen, zen_decision,
};
use std::hint::black_box;

fn main() {
    let p = Prepared::new();
    let n = p.expected.len();
    let pack = carelevel_pack();
    let decision = zen_decision();
    let (engine, logic) = datalogic();
    let mut arena = datalogic_rs::bumpalo::Bump::new();
    // Warm every engine up once so lazily built state is not counted.
    carelevel(&pack, &p.intakes[0]);
    zen(&decision, &p.zen[0], true);
    zen(&decision, &p.zen[0], false);
    datalogic_eval(&engine, &logic, &p.datalogic[0], &arena);
    arena.reset();

    let per = |count: u64| count as f64 / n as f64;
    let mut rows: Vec<(&str, f64, f64)> = Vec::new();
    let mut run = |name: &'static str, f: &mut dyn FnMut(usize)| {
        let info = measure(|| {
            for i in 0..n {
                f(i);
            }
        });
        rows.push((name, per(info.count_total), per(info.bytes_total)));
    };
    run("carelevel, full trace", &mut |i| {
        black_box(carelevel(&pack, &p.intakes[i]));
    });
    run("zen-engine, trace", &mut |i| {
        black_box(zen(&decision, &p.zen[i], true));
    });
    run("zen-engine, no trace", &mut |i| {
        black_box(zen(&decision, &p.zen[i], false));
    });
    run("datalogic-rs (arena reset each time)", &mut |i| {
        black_box(datalogic_eval(&engine, &logic, &p.datalogic[i], &arena));
        arena.reset();
    });
    run("hand-written if/else", &mut |i| {
        black_box(hand_written(&p.typed[i]));
    });
    println!("heap allocations per evaluation, mean over {n} inputs (allocation-counter)");
    println!();
    println!("| engine | allocations | bytes |");
    println!("|---|---:|---:|");
    for (name, count, bytes) in rows {
        println!("| {name} | {count:.2} | {bytes:.0} |");
    }
}
