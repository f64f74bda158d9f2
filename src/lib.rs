#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod analysis;
pub mod answer;
pub mod cds_hooks;
mod engine;
mod error;
#[cfg(feature = "fhir")]
pub mod fhir;
pub mod intake;
mod json;
mod level;
pub mod pack;
pub mod report;
pub mod transition;
pub mod vocab;

pub use answer::{AnswerInfo, AnswerKind, Worse, answers};
pub use engine::Recommendation;
pub use error::{IntakeError, IntakeProblem, ProblemKind};
pub use intake::Intake;
pub use level::{Level, UnknownLevel};
pub use pack::{BUILTIN_SOURCES, PackError, PackMeta, Rule, RulePack};
pub use report::Report;

/// The version of this crate, from its manifest (what the C ABI's `carelevel_version` returns).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

impl Intake {
    /// Reads an intake from JSON. Unknown keys, values of the wrong type and unknown choices
    /// are errors naming the field. Range and completeness checks happen in
    /// [`RulePack::assess`], which reports every problem at once.
    ///
    /// # Errors
    ///
    /// [`IntakeError::Json`] naming the field's dotted path and what is wrong with it.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = carelevel::Intake::from_json(r#"{"safety": {"suicide_risks": "none"}}"#).unwrap_err();
    /// assert!(err.to_string().starts_with("intake field `safety.suicide_risks`: unknown key `suicide_risks`"));
    /// ```
    pub fn from_json(json: &str) -> Result<Intake, IntakeError> {
        json::read(json).map_err(|e| IntakeError::Json {
            path: e.path,
            message: e.message,
        })
    }

    /// The intake as JSON (what [`Intake::from_json`] reads back to the same intake).
    ///
    /// # Errors
    ///
    /// serde_json's error if the intake cannot be written (it holds only strings, numbers,
    /// lists and string-keyed maps, so this is not expected; it is passed on, never hidden).
    ///
    /// # Examples
    ///
    /// ```
    /// # let json = include_str!("../examples/intakes/iop_primary.json");
    /// let intake = carelevel::Intake::from_json(json)?;
    /// assert_eq!(carelevel::Intake::from_json(&intake.to_json()?)?, intake);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }
}

impl RulePack {
    /// Assesses an intake and returns the owned [`Report`], with the intake's preferences
    /// carried into the plan.
    ///
    /// # Errors
    ///
    /// As for [`RulePack::assess`].
    ///
    /// # Examples
    ///
    /// ```
    /// # let json = include_str!("../examples/intakes/inpatient_suicide_plan.json");
    /// let pack = carelevel::RulePack::builtin();
    /// let report = pack.report(&carelevel::Intake::from_json(json)?)?;
    /// assert!(report.urgent);
    /// # Ok::<(), carelevel::IntakeError>(())
    /// ```
    pub fn report(&self, intake: &Intake) -> Result<Report, IntakeError> {
        let rec = self.assess(intake)?;
        Ok(rec.to_report(Some(&intake.engagement.preferences)))
    }

    /// JSON in, JSON out: reads an intake, assesses it and returns the report as JSON.
    ///
    /// # Errors
    ///
    /// As for [`Intake::from_json`] and [`RulePack::assess`]; [`IntakeError::Output`] if the
    /// report cannot be written as JSON (not expected, but never hidden).
    ///
    /// # Examples
    ///
    /// ```
    /// # let json = include_str!("../examples/intakes/php_daily_structure.json");
    /// let pack = carelevel::RulePack::builtin();
    /// let out = pack.assess_json(json)?;
    /// assert!(out.starts_with(r#"{"level":"#));
    /// # Ok::<(), carelevel::IntakeError>(())
    /// ```
    pub fn assess_json(&self, json: &str) -> Result<String, IntakeError> {
        let intake = Intake::from_json(json)?;
        let report = self.report(&intake)?;
        serde_json::to_string(&report).map_err(|e| IntakeError::Output {
            message: e.to_string(),
        })
    }
}

/// JSON Schemas of the JSON contract, generated from the types. The same schemas are
/// committed under `schema/` (a test keeps them equal).
pub mod schema {
    /// The JSON Schema of an intake.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = carelevel::schema::intake();
    /// assert_eq!(s["title"], "Intake");
    /// ```
    pub fn intake() -> serde_json::Value {
        schemars::schema_for!(crate::Intake).to_value()
    }

    /// The JSON Schema of a recommendation report.
    pub fn report() -> serde_json::Value {
        schemars::schema_for!(crate::Report).to_value()
    }

    /// The JSON Schema of a transition (which embeds its recommendation).
    pub fn transition() -> serde_json::Value {
        schemars::schema_for!(crate::transition::Transition).to_value()
    }

    /// The JSON Schema of an override request.
    pub fn override_request() -> serde_json::Value {
        schemars::schema_for!(crate::transition::OverrideRequest).to_value()
    }

    /// The JSON Schema of an override record.
    pub fn override_record() -> serde_json::Value {
        schemars::schema_for!(crate::transition::OverrideRecord).to_value()
    }
}
