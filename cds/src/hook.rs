//! The hook: discovery, reading a CDS Hooks request, finding the intake, and the card with
//! its suggestion.

use crate::error::{ApiError, parse_value};
use crate::store::IssuedCard;
use crate::{HOOK, SERVICE_ID, Service};
use axum::http::StatusCode;
use carelevel::Report;
use carelevel::cds_hooks::OVERRIDE_CODE_SYSTEM;
use carelevel::fhir::{FhirContext, QuestionnaireResponse, intake_from_response_for};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// The longest FHIR id (R4: 1-64 characters of `A-Z a-z 0-9 - .`).
const MAX_ID: usize = 64;

/// A CDS Hooks request (CDS Hooks 2.0). Members the service does not use are ignored.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HookRequest {
    pub hook: String,
    pub hook_instance: String,
    #[serde(default)]
    pub fhir_server: Option<String>,
    #[serde(default)]
    pub fhir_authorization: Option<FhirAuthorization>,
    pub context: HookContext,
    #[serde(default)]
    pub prefetch: Option<Map<String, Value>>,
}

/// The `patient-view` context, with carelevel's `questionnaireResponse` extension.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HookContext {
    #[serde(default)]
    pub user_id: Option<String>,
    pub patient_id: String,
    #[serde(default)]
    pub encounter_id: Option<String>,
    /// carelevel extension: the QuestionnaireResponse itself, in the context.
    #[serde(default)]
    pub questionnaire_response: Option<Value>,
}

/// `fhirAuthorization`: only the access token is used. No `Debug`: it holds a credential.
#[derive(Deserialize)]
pub(crate) struct FhirAuthorization {
    pub access_token: String,
}

/// A FHIR id: 1-64 letters, digits, `-` and `.` (the core's check, which the resources the
/// service writes must pass).
pub(crate) fn is_fhir_id(s: &str) -> bool {
    carelevel::fhir::is_id(s)
}

/// A relative reference `Type/id` (`Practitioner/123`).
fn is_relative_reference(s: &str) -> bool {
    s.split_once('/').is_some_and(|(kind, id)| {
        !kind.is_empty()
            && kind.len() <= MAX_ID
            && kind.bytes().all(|b| b.is_ascii_alphabetic())
            && kind.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
            && is_fhir_id(id)
    })
}

/// An identifier from the client that is logged: a UUID or a similar token.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b':'))
}

/// What the audit log says instead of an identifier that fails [`is_token`].
pub(crate) const NOT_AN_IDENTIFIER: &str = "(not an identifier)";

/// An identifier as the audit log may show it: itself if it passes [`is_token`] (the check
/// `hookInstance` gets), otherwise [`NOT_AN_IDENTIFIER`] — never the raw value, which could
/// be anything the client chose to put there (a token's `jti` is any string up to 256
/// characters).
pub(crate) fn loggable(s: &str) -> &str {
    if is_token(s) { s } else { NOT_AN_IDENTIFIER }
}

/// The request's identifiers, checked.
pub(crate) struct Checked {
    pub patient_id: String,
    pub encounter_id: Option<String>,
    pub user_id: Option<String>,
    pub hook_instance: String,
}

/// Checks the hook and the identifiers in the context.
pub(crate) fn check(request: &HookRequest) -> Result<Checked, ApiError> {
    if request.hook != HOOK {
        return Err(ApiError::bad_request(format!(
            "`hook`: expected `{HOOK}`, the hook this service answers"
        )));
    }
    if !is_token(&request.hook_instance) {
        return Err(ApiError::bad_request(
            "`hookInstance`: expected a UUID (at most 128 letters, digits, `-`, `.`, `_`, `:`)",
        ));
    }
    let context = &request.context;
    if !is_fhir_id(&context.patient_id) {
        return Err(ApiError::bad_request(
            "`context.patientId`: expected a FHIR id (1-64 letters, digits, `-` and `.`)",
        ));
    }
    if context
        .encounter_id
        .as_deref()
        .is_some_and(|e| !is_fhir_id(e))
    {
        return Err(ApiError::bad_request(
            "`context.encounterId`: expected a FHIR id (1-64 letters, digits, `-` and `.`)",
        ));
    }
    if context
        .user_id
        .as_deref()
        .is_some_and(|u| !is_relative_reference(u))
    {
        return Err(ApiError::bad_request(
            "`context.userId`: expected a reference such as `Practitioner/123`",
        ));
    }
    Ok(Checked {
        patient_id: context.patient_id.clone(),
        encounter_id: context.encounter_id.clone(),
        user_id: context.user_id.clone(),
        hook_instance: request.hook_instance.clone(),
    })
}

/// Where the intake came from, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// `context.questionnaireResponse`.
    Context,
    /// `prefetch.intake`.
    Prefetch,
    /// Fetched from `fhirServer`.
    Fetched,
}

impl Source {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Source::Context => "context",
            Source::Prefetch => "prefetch",
            Source::Fetched => "fetched",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Source::Context => "context.questionnaireResponse",
            Source::Prefetch => "prefetch.intake",
            Source::Fetched => "the QuestionnaireResponse search result from `fhirServer`",
        }
    }
}

/// The intake as the request gives it: `context.questionnaireResponse` (carelevel's
/// extension) first, then `prefetch.intake`; `None` when both are absent.
pub(crate) fn given_intake(request: &mut HookRequest) -> Option<(Value, Source)> {
    if let Some(v) = request.context.questionnaire_response.take() {
        return Some((v, Source::Context));
    }
    request
        .prefetch
        .as_mut()
        .and_then(|p| p.remove("intake"))
        .map(|v| (v, Source::Prefetch))
}

/// A QuestionnaireResponse found, with the reference a RiskAssessment's `basis` gives it.
pub(crate) struct Found {
    pub response: QuestionnaireResponse,
    pub reference: String,
    /// Whether the response named its subject (and so was checked to be the context's
    /// patient); `false` when it had no `subject` and was taken to be about that patient.
    pub subject_checked: bool,
}

/// The QuestionnaireResponse in a value: the resource itself, or the first
/// QuestionnaireResponse entry of a Bundle. `None` for `null` or a Bundle without one.
pub(crate) fn find_response(
    value: Value,
    source: Source,
    patient_id: &str,
) -> Result<Option<Found>, ApiError> {
    let path = source.path();
    let (resource, at) = match resource_type(&value, path)? {
        None => return Ok(None),
        Some("QuestionnaireResponse") => (value, path.to_owned()),
        Some("Bundle") => {
            let entries = match value.get("entry") {
                None | Some(Value::Null) => return Ok(None),
                Some(Value::Array(entries)) => entries,
                Some(_) => {
                    return Err(ApiError::bad_request(format!(
                        "`{path}.entry`: expected an array of entries"
                    )));
                }
            };
            let first = entries.iter().enumerate().find(|(_, e)| {
                e.get("resource")
                    .and_then(|r| r.get("resourceType"))
                    .and_then(Value::as_str)
                    == Some("QuestionnaireResponse")
            });
            match first {
                None => return Ok(None),
                Some((i, entry)) => (
                    entry.get("resource").cloned().unwrap_or(Value::Null),
                    format!("{path}.entry[{i}].resource"),
                ),
            }
        }
        Some(_) => {
            return Err(ApiError::bad_request(format!(
                "`{path}.resourceType`: expected `QuestionnaireResponse` or a `Bundle` of them"
            )));
        }
    };
    let subject_checked = check_subject(&resource, &at, patient_id)?;
    let reference = match resource.get("id").and_then(Value::as_str) {
        Some(id) if is_fhir_id(id) => format!("QuestionnaireResponse/{id}"),
        Some(_) => {
            return Err(ApiError::bad_request(format!(
                "`{at}.id`: expected a FHIR id (1-64 letters, digits, `-` and `.`)"
            )));
        }
        // No id: the response is not stored, so the RiskAssessment names it by a new uuid.
        None => format!("urn:uuid:{}", uuid::Uuid::new_v4()),
    };
    let response: QuestionnaireResponse = parse_value(resource, &at)?;
    Ok(Some(Found {
        response,
        reference,
        subject_checked,
    }))
}

/// `resourceType` of a resource; `None` for JSON `null`.
fn resource_type<'v>(value: &'v Value, path: &str) -> Result<Option<&'v str>, ApiError> {
    match value {
        Value::Null => Ok(None),
        Value::Object(o) => match o.get("resourceType").and_then(Value::as_str) {
            Some(t) => Ok(Some(t)),
            None => Err(ApiError::bad_request(format!(
                "`{path}.resourceType` is missing: expected `QuestionnaireResponse` or a `Bundle` of them"
            ))),
        },
        _ => Err(ApiError::bad_request(format!(
            "`{path}`: expected a QuestionnaireResponse or a Bundle of them (a JSON object)"
        ))),
    }
}

/// A response about someone other than the patient in the context is refused. One without
/// a `subject` is taken to be about the context's patient (the prefetch and the fetch search
/// by subject): `Ok(false)`, which the audit line records as `subject_checked: false`.
fn check_subject(resource: &Value, at: &str, patient_id: &str) -> Result<bool, ApiError> {
    let Some(subject) = resource.get("subject") else {
        return Ok(false);
    };
    let reference = subject.get("reference").and_then(Value::as_str);
    let reference = reference.map(|r| r.split("/_history/").next().unwrap_or(r));
    let expected = format!("Patient/{patient_id}");
    let matches = reference.is_some_and(|r| {
        r == expected
            || r.strip_suffix(&expected)
                .is_some_and(|head| head.ends_with('/'))
    });
    if matches {
        Ok(true)
    } else {
        Err(ApiError::bad_request(format!(
            "`{at}.subject.reference`: expected `Patient/` and the id in `context.patientId`: the response is not about this patient"
        )))
    }
}

/// The assessment of a response: the report, or a 400 naming the linkId or field.
pub(crate) fn assess(state: &Service, found: &Found, source: Source) -> Result<Report, ApiError> {
    let intake = intake_from_response_for(&state.pack, &found.response)
        .map_err(|e| ApiError::bad_request(format!("`{}`: {e}", source.path())))?;
    state.pack.report(&intake).map_err(|e| match e {
        carelevel::IntakeError::PackUnavailable => {
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string())
        }
        carelevel::IntakeError::Output { .. } => {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
        }
        _ => ApiError::bad_request(format!("the intake was refused: {e}")),
    })
}

/// Now as a FHIR dateTime: UTC, to the second.
pub(crate) fn now_fhir() -> Result<String, ApiError> {
    let now = time::OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    now.format(&time::format_description::well_known::Rfc3339)
        .map_err(|_| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the clock could not be read",
            )
        })
}

/// The card for a report, with its suggestion, and what the store keeps for its feedback.
pub(crate) fn report_card(
    report: Report,
    checked: &Checked,
    reference: String,
) -> Result<(Value, String, IssuedCard), ApiError> {
    let internal = |what: &str, e: &dyn std::fmt::Display| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the {what} could not be written: {e}"),
        )
    };
    let mut card = report.to_cds_card().map_err(|e| internal("card", &e))?;
    let card_uuid = uuid::Uuid::new_v4().to_string();
    card.uuid = card_uuid.clone();
    let context = FhirContext {
        id: uuid::Uuid::new_v4().to_string(),
        subject: format!("Patient/{}", checked.patient_id),
        response: reference,
        occurrence: now_fhir()?,
        encounter: checked
            .encounter_id
            .as_ref()
            .map(|e| format!("Encounter/{e}")),
        // The user is the performer when a practitioner (`userId` may also name a patient
        // or a related person, who do not perform assessments).
        performer: checked
            .user_id
            .clone()
            .filter(|u| u.starts_with("Practitioner/") || u.starts_with("PractitionerRole/")),
    };
    // Every part of the context was checked above or made here: the core refusing it is the
    // service's fault, not the request's.
    let refused = |e: carelevel::fhir::FhirError| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("internal error: the assessment could not be written as FHIR: {e}"),
        )
    };
    let risk = report.to_risk_assessment(&context).map_err(refused)?;
    // The assessment first: the referral's `reasonReference` names it by the id given here.
    let mut actions = vec![json!({
        "type": "create",
        "description": "Record the level-of-care assessment",
        "resource": risk,
    })];
    let suggestion_uuid = uuid::Uuid::new_v4().to_string();
    let setting = report.plan.setting.setting;
    let (label, recommended) = match report.level {
        Some(_) => {
            let request = report
                .to_service_request(&context, &uuid::Uuid::new_v4().to_string())
                .map_err(refused)?;
            actions.push(json!({
                "type": "create",
                "description": format!("Create a referral to {}", setting.title()),
                "resource": request,
            }));
            (format!("Refer to {}", setting.title()), true)
        }
        // Answers are missing and the level may rise: no referral, only the preliminary
        // assessment.
        None => (
            format!(
                "Record the preliminary assessment (at least {})",
                report.level_at_least.title()
            ),
            false,
        ),
    };
    let mut value = serde_json::to_value(&card).map_err(|e| internal("card", &e))?;
    if let Value::Object(o) = &mut value {
        o.insert("selectionBehavior".into(), json!("at-most-one"));
        o.insert(
            "suggestions".into(),
            json!([{
                "label": label,
                "uuid": suggestion_uuid,
                "isRecommended": recommended,
                "actions": actions,
            }]),
        );
    }
    let issued = IssuedCard {
        report: Some(Arc::new(report)),
        service_id: SERVICE_ID,
        patient_id: checked.patient_id.clone(),
        encounter_id: checked.encounter_id.clone(),
        hook_instance: checked.hook_instance.clone(),
        suggestions: vec![suggestion_uuid],
        issuer: None,
    };
    Ok((value, card_uuid, issued))
}

/// The card for a patient with no completed intake.
pub(crate) fn no_intake_card(state: &Service, checked: &Checked) -> (Value, String, IssuedCard) {
    let card_uuid = uuid::Uuid::new_v4().to_string();
    let meta = state.pack.meta();
    let card = json!({
        "uuid": card_uuid,
        "summary": "No completed carelevel intake found for this patient",
        "detail": format!(
            "No `completed` or `amended` QuestionnaireResponse to the carelevel intake \
             questionnaire (`{}`) was found for this patient, so no level of care is \
             recommended. Complete the intake to get a recommendation.",
            state.questionnaire_url
        ),
        "indicator": "info",
        "source": {
            "label": format!("carelevel {} {}", meta.id, meta.version),
            "topic": {
                "system": "urn:carelevel:topic",
                "code": "level-of-care",
                "display": "Behavioural-health level of care",
            },
        },
    });
    let issued = IssuedCard {
        report: None,
        service_id: SERVICE_ID,
        patient_id: checked.patient_id.clone(),
        encounter_id: checked.encounter_id.clone(),
        hook_instance: checked.hook_instance.clone(),
        suggestions: Vec::new(),
        issuer: None,
    };
    (card, card_uuid, issued)
}

/// The discovery document.
pub(crate) fn discovery(questionnaire_url: &str) -> Value {
    json!({
        "services": [{
            "hook": HOOK,
            "id": SERVICE_ID,
            "title": "carelevel level of care",
            "description": "Recommends a behavioural-health level of care (outpatient, IOP, PHP, \
                inpatient) from the patient's latest completed carelevel intake, with the rules \
                that set it, and offers a referral and a RiskAssessment to record.",
            "prefetch": { "intake": prefetch_query("{{context.patientId}}", questionnaire_url) },
            "usageRequirements": format!(
                "Prefetch `intake`: the latest completed or amended QuestionnaireResponse to \
                 `{questionnaire_url}`. Override feedback needs the extension \
                 `{}` (the level arranged) and a reason coded in `{OVERRIDE_CODE_SYSTEM}`.",
                crate::ARRANGED_LEVEL_EXTENSION
            ),
        }]
    })
}

/// The search for the patient's latest completed intake (the prefetch template, or the query
/// fetched from `fhirServer`).
pub(crate) fn prefetch_query(patient: &str, questionnaire_url: &str) -> String {
    format!(
        "QuestionnaireResponse?subject={patient}&questionnaire={}&status=completed,amended&_sort=-authored&_count=1",
        percent_encode(questionnaire_url)
    )
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn the_prefetch_query_encodes_the_canonical() {
        assert_eq!(
            prefetch_query(
                "{{context.patientId}}",
                "urn:carelevel:questionnaire:intake"
            ),
            "QuestionnaireResponse?subject={{context.patientId}}&questionnaire=urn%3Acarelevel%3Aquestionnaire%3Aintake&status=completed,amended&_sort=-authored&_count=1"
        );
    }

    #[test]
    fn ids_and_references() {
        assert!(is_fhir_id("abc-1.2"));
        assert!(!is_fhir_id(""));
        assert!(!is_fhir_id("Jane Doe"));
        assert!(!is_fhir_id(&"a".repeat(65)));
        assert!(is_relative_reference("Practitioner/123"));
        assert!(is_relative_reference("PractitionerRole/a.b"));
        assert!(!is_relative_reference("practitioner/123"));
        assert!(!is_relative_reference("Practitioner/"));
        assert!(!is_relative_reference("Dr Jane"));
    }

    #[test]
    fn the_subject_must_be_the_patient() {
        let qr = |r: &str| json!({"subject": {"reference": r}});
        assert_eq!(check_subject(&qr("Patient/p1"), "x", "p1"), Ok(true));
        assert_eq!(
            check_subject(&qr("https://ehr/fhir/Patient/p1"), "x", "p1"),
            Ok(true)
        );
        assert_eq!(
            check_subject(&qr("Patient/p1/_history/2"), "x", "p1"),
            Ok(true)
        );
        assert!(check_subject(&qr("Patient/p2"), "x", "p1").is_err());
        assert!(check_subject(&qr("Patient/xp1"), "x", "p1").is_err());
        assert!(check_subject(&json!({"subject": {}}), "x", "p1").is_err());
        // No subject: accepted as the context's patient, but not checked.
        assert_eq!(check_subject(&json!({}), "x", "p1"), Ok(false));
    }

    #[test]
    fn only_identifiers_are_logged() {
        assert_eq!(
            loggable("d1577c69-dfbe-44ad-ba6d-3e05e953b2ea"),
            "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea"
        );
        assert_eq!(loggable("jti_1:2.3"), "jti_1:2.3");
        assert_eq!(loggable("Jane \"Doe\""), NOT_AN_IDENTIFIER);
        assert_eq!(loggable(""), NOT_AN_IDENTIFIER);
        assert_eq!(loggable(&"a".repeat(200)), NOT_AN_IDENTIFIER);
    }
}
