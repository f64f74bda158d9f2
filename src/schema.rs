//! JSON Schemas of the JSON contract, generated from the types. The same schemas are
//! committed under `schema/` (a test keeps them equal); [`ALL`] lists them with their file
//! names, for tools that offer them by name (the `carelevel schema` command).

/// One of the JSON Schemas: its name, the file it is committed as under `schema/`, what it
/// describes, and the function that generates it.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Schema {
    /// A short name (`intake`, `recommendation`, ...).
    pub name: &'static str,
    /// The committed file, relative to `schema/`.
    pub file: &'static str,
    /// What it describes, in one line.
    pub about: &'static str,
    /// Generates it.
    pub generate: fn() -> serde_json::Value,
}

/// Every JSON Schema of the contract, in this order: the intake, the report, transitions and
/// overrides, the problems, and (with the `fhir` feature) the FHIR context.
///
/// # Examples
///
/// ```
/// let names: Vec<&str> = carelevel::schema::ALL.iter().map(|s| s.name).collect();
/// assert_eq!(names[..2], ["intake", "recommendation"]);
/// let intake = carelevel::schema::ALL.iter().find(|s| s.name == "intake").unwrap();
/// assert_eq!(intake.file, "intake.schema.json");
/// assert_eq!((intake.generate)()["title"], "Intake");
/// ```
pub const ALL: &[Schema] = &[
    Schema {
        name: "intake",
        file: "intake.schema.json",
        about: "an intake (intake 2)",
        generate: intake,
    },
    Schema {
        name: "recommendation",
        file: "recommendation.schema.json",
        about: "a recommendation report, final or provisional",
        generate: report,
    },
    Schema {
        name: "transition",
        file: "transition.schema.json",
        about: "a step-down, step-up or continued stay, with its recommendation",
        generate: transition,
    },
    Schema {
        name: "override-request",
        file: "override-request.schema.json",
        about: "a request to arrange another level",
        generate: override_request,
    },
    Schema {
        name: "override-record",
        file: "override-record.schema.json",
        about: "a validated override record",
        generate: override_record,
    },
    Schema {
        name: "intake-problem",
        file: "intake-problem.schema.json",
        about: "one problem with an intake",
        generate: intake_problem,
    },
    Schema {
        name: "pack-problem",
        file: "pack-problem.schema.json",
        about: "one problem with a rule pack",
        generate: pack_problem,
    },
    #[cfg(feature = "fhir")]
    Schema {
        name: "fhir-context",
        file: "fhir/fhir-context.schema.json",
        about: "the context of a FHIR RiskAssessment or ServiceRequest (ids, references, time)",
        generate: fhir_context,
    },
];

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
    schemars::schema_for!(crate::overrides::OverrideRequest).to_value()
}

/// The JSON Schema of an override record.
pub fn override_record() -> serde_json::Value {
    schemars::schema_for!(crate::overrides::OverrideRecord).to_value()
}

/// The JSON Schema of one problem with an intake ([`IntakeProblem`](crate::IntakeProblem)
/// as it serialises: the C ABI's `invalid_intake` problems).
///
/// # Examples
///
/// ```
/// let s = carelevel::schema::intake_problem();
/// assert_eq!(s["title"], "IntakeProblem");
/// ```
pub fn intake_problem() -> serde_json::Value {
    schemars::schema_for!(crate::IntakeProblem).to_value()
}

/// The JSON Schema of one problem with a rule pack
/// ([`PackProblem`](crate::pack::PackProblem) as it serialises: the C ABI's `invalid_pack`
/// problems).
///
/// # Examples
///
/// ```
/// let s = carelevel::schema::pack_problem();
/// assert_eq!(s["title"], "PackProblem");
/// ```
pub fn pack_problem() -> serde_json::Value {
    schemars::schema_for!(crate::pack::PackProblem).to_value()
}

/// The JSON Schema of a [`FhirContext`](crate::fhir::FhirContext): the ids, references and
/// time a FHIR RiskAssessment or ServiceRequest is written with (the C ABI's `context_json`).
///
/// # Examples
///
/// ```
/// let s = carelevel::schema::fhir_context();
/// assert_eq!(s["title"], "FhirContext");
/// ```
#[cfg(feature = "fhir")]
pub fn fhir_context() -> serde_json::Value {
    schemars::schema_for!(crate::fhir::FhirContext).to_value()
}
