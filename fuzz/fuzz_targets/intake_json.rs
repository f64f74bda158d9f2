//! Intake JSON (intake 2, and anything else: a 0.1 intake is refused): parsing never panics,
//! a parsed intake round-trips through `to_json`, and assessing it (directly or through
//! `assess_json`) and rendering its report never panics. Seed it with the bundled intakes (see
//! `Cargo.toml`; `iop_scored_from_items.json` gives the instruments item by item).

#![no_main]

use carelevel::{Intake, RulePack};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn pack() -> &'static RulePack {
    static PACK: OnceLock<RulePack> = OnceLock::new();
    PACK.get_or_init(RulePack::builtin)
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(intake) = Intake::from_json(&text) {
        let json = intake
            .to_json()
            .expect("an intake is always written as JSON");
        let again = Intake::from_json(&json);
        assert_eq!(
            again.ok().as_ref(),
            Some(&intake),
            "parse -> to_json -> parse changed the intake"
        );
        if let Ok(rec) = pack().assess(&intake) {
            // Every rendering, with the instruments' scores and the cautions.
            let report = rec.to_report(Some(&intake.engagement.preferences));
            let _ = report.to_text();
            let _ = report.to_markdown();
            let _ = report.to_cds_card();
        }
    }
    let _ = pack().assess_json(&text);
});
