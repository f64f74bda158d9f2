#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// The data path, one step after another; no module imports from a later step:
// intake (the types `intake`, their item `catalogue`, the strict `json` reader, `builder`,
// the instruments scored from their items, `intake::score`)
// -> answer -> pack (rules; `analysis` proves a pack with the same evaluator) -> engine
// (level, trace; `provisional`: the bounds of an incomplete intake, what to ask next) -> plan
// -> report (contract, JSON writer, renderers) -> adapters (overrides, transition, cds_hooks,
// fhir). `level`, `vocab`, `error` and `digest` are
// shared vocabulary used by every step.
pub mod analysis;
mod answer;
mod builder;
mod catalogue;
pub mod cds_hooks;
mod digest;
mod engine;
mod error;
#[cfg(feature = "fhir")]
#[cfg_attr(docsrs, doc(cfg(feature = "fhir")))]
pub mod fhir;
pub mod intake;
mod json;
mod level;
pub mod overrides;
pub mod pack;
mod plan;
mod provisional;
mod report;
pub mod schema;
#[cfg(feature = "proptest")]
#[cfg_attr(docsrs, doc(cfg(feature = "proptest")))]
pub mod strategies;
pub mod transition;
pub mod vocab;

// The public API: curated re-exports of the implementation modules (private unless they are
// a namespace of their own: intake, pack, vocab, analysis, transition, overrides, cds_hooks,
// fhir, schema, strategies).
pub use answer::{AnswerInfo, AnswerKind, Worse, answers};
pub use builder::IntakeBuilder;
pub use engine::Recommendation;
pub use error::{IntakeError, IntakeProblem, ProblemKind};
pub use intake::Intake;
pub use level::{Level, UnknownLevel, UnknownUrgency, Urgency};
pub use pack::{BUILTIN_SOURCES, PackError, PackMeta, Rule, RulePack};
pub use provisional::{AskNext, Status};
pub use report::{
    AnswerRead, AnswerValue, Caution, ConditionalLevel, Cost, EngineInfo, FiredRule,
    InstrumentScore, NotApplicable, NotEvaluated, PackInfo, Plan, PlanCapability, PlanReferral,
    PlanService, PlanSetting, Report, RuledOut, Schedule, Weeks,
};
pub use vocab::{Capability, CareSetting};

/// The version of this crate, from its manifest (what the C ABI's `carelevel_version` returns).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
