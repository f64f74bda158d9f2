//! Intake JSON (intake 2, and anything else: a 0.1 intake is refused): parsing never panics,
//! a parsed intake round-trips through `to_json`, and assessing it (strictly, partially, or
//! through `assess_json`) and rendering its report never panics. An incomplete intake's
//! provisional result keeps its contract: ordered bounds, no `level` unless final, something
//! to ask, and the strict assessment agreeing wherever it accepts the intake. Seed it with the bundled intakes (see
//! `Cargo.toml`; `iop_scored_from_items.json` gives the instruments item by item).

#![no_main]

use carelevel::{Intake, RulePack, Status};
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
        let strict = pack().assess(&intake);
        if let Ok(rec) = pack().assess_partial(&intake) {
            assert!(rec.level() <= rec.level_at_most(), "bounds out of order");
            // Every rendering, with the instruments' scores and the cautions.
            let report = rec.to_report(Some(&intake.engagement.preferences));
            assert_eq!(
                report.level.is_some(),
                report.status == Status::Final,
                "`level` is there exactly when final"
            );
            if report.status == Status::Final {
                assert_eq!(report.level_at_least, report.level_at_most);
            }
            if let Ok(strict) = &strict {
                assert_eq!(strict.level(), rec.level(), "strict and partial disagree");
                assert_eq!(strict.status(), rec.status(), "strict and partial disagree");
            }
            let _ = report.to_text();
            let _ = report.to_markdown();
            let _ = report.to_cds_card();
        } else {
            assert!(
                strict.is_err(),
                "the strict assessment accepts what the partial refuses"
            );
        }
    }
    let _ = pack().assess_json(&text);
});
