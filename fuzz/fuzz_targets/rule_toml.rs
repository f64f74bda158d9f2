//! Rule files: loading never panics, and a pack that loads (the fuzzed file with the
//! built-in `pack.toml`) assesses without a panic. (The file format's round trip is a unit
//! test of the crate: its types are internal.)

#![no_main]

use carelevel::{BUILTIN_SOURCES, Intake, RulePack};
use libfuzzer_sys::fuzz_target;

/// Intakes 2 that the built-in rules place (bundled examples: one given by totals, one with
/// its instruments given item by item).
const INTAKES: [&str; 2] = [
    include_str!("../../examples/intakes/iop_primary.json"),
    include_str!("../../examples/intakes/iop_scored_from_items.json"),
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The built-in `pack.toml` under a test id: the built-in id is reserved.
    let local = BUILTIN_SOURCES[0]
        .1
        .replace(r#"id = "carelevel.builtin""#, r#"id = "test.local""#);
    let pack_toml = (BUILTIN_SOURCES[0].0, local.as_str());
    for sources in [
        vec![("fuzz.toml", &*text)],
        vec![pack_toml, ("fuzz.toml", &*text)],
    ] {
        if let Ok(pack) = RulePack::from_sources(&sources) {
            for text in INTAKES {
                if let Ok(intake) = Intake::from_json(text) {
                    let _ = pack.assess(&intake);
                }
            }
        }
    }
});
