//! Every public type is Send + Sync, so a pack can be shared across threads and services.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn public_types_are_send_and_sync() {
    use carelevel::*;
    assert_send_sync::<RulePack>();
    assert_send_sync::<Recommendation<'static>>();
    assert_send_sync::<Report>();
    assert_send_sync::<Intake>();
    assert_send_sync::<IntakeError>();
    assert_send_sync::<IntakeProblem>();
    assert_send_sync::<PackError>();
    assert_send_sync::<pack::PackProblem>();
    assert_send_sync::<PackMeta>();
    assert_send_sync::<Rule>();
    assert_send_sync::<Level>();
    assert_send_sync::<AnswerInfo>();
    assert_send_sync::<pack::Programme>();
    assert_send_sync::<Plan>();
    assert_send_sync::<analysis::Analysis>();
    assert_send_sync::<transition::Transition>();
    assert_send_sync::<overrides::OverrideRecord>();
    assert_send_sync::<vocab::Service>();
    assert_send_sync::<ProblemKind>();
    assert_send_sync::<IntakeBuilder>();
    assert_send_sync::<NotApplicable>();
    // Intake 2.
    assert_send_sync::<intake::SchemaVersion>();
    assert_send_sync::<intake::Assessed<intake::SuicidalIdeation>>();
    assert_send_sync::<intake::Assessed<bool>>();
    assert_send_sync::<intake::SubstanceUse>();
    assert_send_sync::<intake::Condition>();
    assert_send_sync::<intake::Episode>();
    assert_send_sync::<intake::Conversion>();
    assert_send_sync::<intake::ConversionNote>();
}

#[test]
fn one_pack_serves_many_threads() {
    let pack = RulePack::builtin();
    let text = include_str!("../examples/intakes/iop_primary.json");
    let expected = pack.assess_json(text).unwrap();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| assert_eq!(pack.assess_json(text).unwrap(), expected));
        }
    });
}

use carelevel::RulePack;
