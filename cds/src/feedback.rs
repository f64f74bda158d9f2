//! Feedback (CDS Hooks 2.0): an overridden card becomes an override record; every item is
//! one audit line. A card takes one outcome: once recorded, further feedback on it is a 409.

use crate::ARRANGED_LEVEL_EXTENSION;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::store::{CardStore, IssuedCard, NotRecorded};
use axum::http::StatusCode;
use carelevel::Level;
use carelevel::cds_hooks::OVERRIDE_CODE_SYSTEM;
use carelevel::intake::FreeText;
use carelevel::overrides::{OverrideReason, OverrideRecord, OverrideRequest};
use serde::Deserialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The feedback request.
#[derive(Deserialize)]
pub(crate) struct FeedbackRequest {
    pub feedback: Vec<FeedbackItem>,
}

/// One card's outcome.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FeedbackItem {
    pub card: String,
    pub outcome: Outcome,
    #[serde(default)]
    pub override_reason: Option<OverrideReasonIn>,
    #[serde(default)]
    pub accepted_suggestions: Vec<AcceptedSuggestion>,
    pub outcome_timestamp: String,
    #[serde(default)]
    pub extension: Option<Map<String, Value>>,
}

/// `accepted` or `overridden`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Outcome {
    Accepted,
    Overridden,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Overridden => "overridden",
        }
    }
}

/// `overrideReason`. No `Debug`: the comment is free text.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OverrideReasonIn {
    #[serde(default)]
    pub reason: Option<CodingIn>,
    #[serde(default)]
    pub user_comment: Option<String>,
}

/// A Coding as given.
#[derive(Deserialize)]
pub(crate) struct CodingIn {
    #[serde(default)]
    pub system: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
}

/// An accepted suggestion.
#[derive(Deserialize)]
pub(crate) struct AcceptedSuggestion {
    pub id: String,
}

/// One item, checked: what to log and the record, if it was an override.
struct Checked {
    card: String,
    issued: IssuedCard,
    outcome: Outcome,
    outcome_timestamp: String,
    accepted_suggestion: bool,
    record: Option<OverrideRecord>,
}

/// Checks every item (nothing is logged unless all are valid) and logs each.
pub(crate) fn handle(
    store: &CardStore,
    caller: Option<&Caller>,
    request: FeedbackRequest,
) -> Result<Vec<OverrideRecord>, ApiError> {
    if request.feedback.is_empty() {
        return Err(ApiError::bad_request(
            "`feedback`: expected at least one item",
        ));
    }
    let mut checked: Vec<Checked> = Vec::with_capacity(request.feedback.len());
    for (i, item) in request.feedback.into_iter().enumerate() {
        let item = check(store, caller, i, item)?;
        if checked.iter().any(|c| c.card == item.card) {
            return Err(ApiError::bad_request(format!(
                "`feedback[{i}].card`: an earlier item in this request is about the same card; \
                 give one outcome per card"
            )));
        }
        checked.push(item);
    }
    // Recorded for every card or for none, under the store's lock: another request may have
    // recorded one since it was checked.
    let cards: Vec<&str> = checked.iter().map(|c| c.card.as_str()).collect();
    store.record(&cards).map_err(|e| match e {
        NotRecorded::Recorded(i) => already_recorded(i),
        NotRecorded::Gone(i) => gone(i),
    })?;
    let mut records = Vec::new();
    for item in checked {
        audit(&item, caller);
        if let Some(record) = item.record {
            records.push(record);
        }
    }
    Ok(records)
}

fn check(
    store: &CardStore,
    caller: Option<&Caller>,
    i: usize,
    item: FeedbackItem,
) -> Result<Checked, ApiError> {
    let at = format!("feedback[{i}]");
    // A card issued to another client is, to this one, a card it was never given.
    let issuer = caller.map(|c| c.issuer.as_str());
    let (issued, recorded) = store
        .get(&item.card)
        .filter(|(card, _)| card.issuer.as_deref() == issuer)
        .ok_or_else(|| gone(i))?;
    if recorded {
        return Err(already_recorded(i));
    }
    let timestamp = OffsetDateTime::parse(&item.outcome_timestamp, &Rfc3339).map_err(|_| {
        ApiError::bad_request(format!(
            "`{at}.outcomeTimestamp`: expected an ISO 8601 date-time with a time zone (RFC 3339)"
        ))
    })?;
    let outcome_timestamp = timestamp.format(&Rfc3339).map_err(|_| {
        ApiError::bad_request(format!("`{at}.outcomeTimestamp`: expected a date-time"))
    })?;
    let mut accepted_suggestion = false;
    for (j, s) in item.accepted_suggestions.iter().enumerate() {
        if issued.suggestions.contains(&s.id) {
            accepted_suggestion = true;
        } else {
            return Err(ApiError::bad_request(format!(
                "`{at}.acceptedSuggestions[{j}].id`: not the uuid of one of the card's suggestions"
            )));
        }
    }
    let record = match item.outcome {
        Outcome::Accepted => None,
        Outcome::Overridden => Some(override_record(&at, &issued, &item)?),
    };
    Ok(Checked {
        card: item.card,
        issued,
        outcome: item.outcome,
        outcome_timestamp,
        accepted_suggestion,
        record,
    })
}

fn gone(i: usize) -> ApiError {
    ApiError::not_found(format!(
        "`feedback[{i}].card`: no card with this uuid was issued by this service, or it has expired"
    ))
}

fn already_recorded(i: usize) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        format!(
            "`feedback[{i}].card`: this card's outcome has already been recorded; a card's \
             feedback is final"
        ),
    )
}

fn override_record(
    at: &str,
    issued: &IssuedCard,
    item: &FeedbackItem,
) -> Result<OverrideRecord, ApiError> {
    let report = issued.report.as_ref().ok_or_else(|| {
        ApiError::bad_request(format!(
            "`{at}.outcome`: the card says no intake was found, so there is no recommendation to override"
        ))
    })?;
    let reason_in = item.override_reason.as_ref();
    let coding = reason_in.and_then(|r| r.reason.as_ref()).ok_or_else(|| {
        ApiError::bad_request(format!(
            "`{at}.overrideReason.reason` is missing: an overridden card needs one of the card's `overrideReasons`"
        ))
    })?;
    if coding.system.as_deref() != Some(OVERRIDE_CODE_SYSTEM) {
        return Err(ApiError::bad_request(format!(
            "`{at}.overrideReason.reason.system`: expected `{OVERRIDE_CODE_SYSTEM}`, the system of the card's `overrideReasons`"
        )));
    }
    let reason = coding
        .code
        .as_deref()
        .and_then(OverrideReason::from_id)
        .ok_or_else(|| {
            let codes: Vec<String> = OverrideReason::ids().map(|c| format!("`{c}`")).collect();
            ApiError::bad_request(format!(
                "`{at}.overrideReason.reason.code`: expected one of the card's override reason codes: {}",
                codes.join(", ")
            ))
        })?;
    let field = format!("`{at}.extension.{ARRANGED_LEVEL_EXTENSION}`");
    let arranged = match item
        .extension
        .as_ref()
        .and_then(|e| e.get(ARRANGED_LEVEL_EXTENSION))
    {
        None | Some(Value::Null) => {
            return Err(ApiError::bad_request(format!(
                "{field} is missing: an overridden card needs the level actually arranged \
                 (`outpatient`, `iop`, `php` or `inpatient`)"
            )));
        }
        Some(v) => v
            .as_str()
            .and_then(|s| s.parse::<Level>().ok())
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "{field}: expected one of `outpatient`, `iop`, `php`, `inpatient`"
                ))
            })?,
    };
    let note = reason_in
        .and_then(|r| r.user_comment.as_deref())
        .map(FreeText::from);
    report
        .record_override(OverrideRequest {
            arranged,
            reasons: vec![reason],
            note,
        })
        .map_err(|e| match e {
            // The service's own failure, not the request's.
            carelevel::overrides::OverrideError::Digest { .. } => {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("`{at}`: {e}"))
            }
            _ => ApiError::bad_request(format!("`{at}`: {e}")),
        })
}

/// One JSON audit line: ids, levels and codes only; never the note or an answer.
fn audit(item: &Checked, caller: Option<&Caller>) {
    let issued = &item.issued;
    let report = issued.report.as_deref();
    let recommended = report.map(|r| r.level.map_or("provisional", Level::as_str));
    let level_at_least = report.map(|r| r.level_at_least.as_str());
    let pack_id = report.map(|r| r.pack.id.as_str());
    let pack_version = report.map(|r| r.pack.version.as_str());
    let record = item.record.as_ref();
    let digest = match record {
        Some(r) => Some(r.recommendation_digest.clone()),
        None => report.and_then(|r| r.digest().ok()),
    };
    let reason_codes = record.map(|r| {
        r.reasons
            .iter()
            .map(|c| c.code.as_str())
            .collect::<Vec<_>>()
            .join(",")
    });
    tracing::info!(
        target: "carelevel_cds::audit",
        event = "cds.feedback",
        card = %item.card,
        service = issued.service_id,
        hook_instance = %issued.hook_instance,
        patient_id = %issued.patient_id,
        encounter_id = issued.encounter_id.as_deref(),
        issuer = caller.map(|c| c.issuer.as_str()),
        jti = caller.map(|c| crate::hook::loggable(&c.jti)),
        outcome = item.outcome.as_str(),
        accepted_suggestion = item.accepted_suggestion,
        recommended,
        level_at_least,
        arranged = record.map(|r| r.arranged.as_str()),
        reason_codes,
        below_safety_floor = record.map(|r| r.below_safety_floor),
        below_24_hour_floor = record.map(|r| r.below_24_hour_floor),
        review_required = record.map(|r| r.review_required),
        recommendation_digest = digest,
        pack_id,
        pack_version,
        outcome_timestamp = %item.outcome_timestamp,
        "feedback"
    );
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn card(issuer: Option<&str>) -> IssuedCard {
        IssuedCard {
            report: None,
            service_id: "s",
            patient_id: "p".into(),
            encounter_id: None,
            hook_instance: "h".into(),
            suggestions: Vec::new(),
            issuer: issuer.map(str::to_owned),
        }
    }

    fn accepted(card: &str) -> FeedbackRequest {
        serde_json::from_value(serde_json::json!({"feedback": [{
            "card": card, "outcome": "accepted", "outcomeTimestamp": "2026-11-29T14:05:00Z",
        }]}))
        .unwrap()
    }

    fn caller(issuer: &str) -> Caller {
        Caller {
            issuer: issuer.into(),
            jti: "j".into(),
        }
    }

    #[test]
    fn only_the_issuer_a_card_was_given_to_may_give_its_feedback() {
        let store = CardStore::new(10, Duration::from_secs(60));
        store.insert("a".into(), card(Some("https://ehr-a.example")));
        let other = handle(
            &store,
            Some(&caller("https://ehr-b.example")),
            accepted("a"),
        );
        assert_eq!(
            other.map(|r| r.len()).map_err(|e| e.status),
            Err(axum::http::StatusCode::NOT_FOUND)
        );
        // Nor without a token (a card issued under authentication).
        assert!(handle(&store, None, accepted("a")).is_err());
        let own = handle(
            &store,
            Some(&caller("https://ehr-a.example")),
            accepted("a"),
        );
        assert_eq!(own.map(|r| r.len()).map_err(|e| e.status), Ok(0));
        // A card issued without authentication takes feedback without a token.
        store.insert("b".into(), card(None));
        assert!(handle(&store, None, accepted("b")).is_ok());
    }
}
