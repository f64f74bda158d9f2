#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// The data path, one module per step; no module imports from a later one:
// intake (read, check) -> answer -> engine (level, trace) -> plan -> report (contract,
// renderers) -> adapters (transition, overrides, cds_hooks, fhir).
pub mod analysis;
pub mod answer;
mod builder;
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
pub mod report;
pub mod schema;
#[cfg(feature = "proptest")]
#[cfg_attr(docsrs, doc(cfg(feature = "proptest")))]
pub mod strategies;
pub mod transition;
pub mod vocab;

pub use answer::{AnswerInfo, AnswerKind, Worse, answers};
pub use builder::IntakeBuilder;
pub use engine::Recommendation;
pub use error::{IntakeError, IntakeProblem, ProblemKind};
pub use intake::Intake;
pub use level::{Level, UnknownLevel};
pub use pack::{BUILTIN_SOURCES, PackError, PackMeta, Rule, RulePack};
pub use report::Report;

/// The version of this crate, from its manifest (what the C ABI's `carelevel_version` returns).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
