//! JSON Schemas of the JSON contract, generated from the types. The same schemas are
//! committed under `schema/` (a test keeps them equal).

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
