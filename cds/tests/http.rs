//! The service over HTTP: discovery, the hook, feedback, the errors, fetching a missing
//! prefetch, health and graceful shutdown. Insecure (no-token) mode: tests/auth.rs covers
//! tokens.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::{SERVICE, bundle, config, hook_request, only_card, post, response, serve};
use serde_json::{Value, json};

fn is_v4(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok_and(|u| u.get_version_num() == 4)
}

#[tokio::test]
async fn health_is_ok() {
    let (running, base) = serve(config()).await;
    let response = reqwest::get(format!("{base}/health")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"status": "ok"})
    );
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn discovery_lists_the_service_and_its_prefetch() {
    let (running, base) = serve(config()).await;
    let body: Value = reqwest::get(format!("{base}/cds-services"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let services = body["services"].as_array().unwrap();
    assert_eq!(services.len(), 1);
    let service = &services[0];
    assert_eq!(service["hook"], "patient-view");
    assert_eq!(service["id"], "carelevel-level-of-care");
    assert!(service["title"].as_str().unwrap().contains("level of care"));
    assert!(!service["description"].as_str().unwrap().is_empty());
    assert_eq!(
        service["prefetch"]["intake"],
        "QuestionnaireResponse?subject={{context.patientId}}\
         &questionnaire=urn%3Acarelevel%3Aquestionnaire%3Aintake\
         &status=completed,amended&_sort=-authored&_count=1"
    );
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_hook_round_trip_gives_a_card_with_a_referral_and_a_risk_assessment() {
    let (running, base) = serve(config()).await;
    let request = hook_request(response("iop_primary.json", Some("qr-1")));
    let (status, body) = post(&base, SERVICE, &request).await;
    assert_eq!(status, 200, "{body}");
    let card = only_card(&body);
    assert!(is_v4(card["uuid"].as_str().unwrap()), "{card}");
    assert!(
        card["summary"].as_str().unwrap().starts_with("Recommended"),
        "{card}"
    );
    assert!(card["detail"].as_str().unwrap().len() > 10);
    assert_eq!(
        card["source"]["label"].as_str().unwrap().split(' ').next(),
        Some("carelevel")
    );
    assert_eq!(card["selectionBehavior"], "at-most-one");
    let reasons = card["overrideReasons"].as_array().unwrap();
    assert!(
        reasons
            .iter()
            .all(|r| r["system"] == carelevel::cds_hooks::OVERRIDE_CODE_SYSTEM)
    );
    assert!(reasons.iter().any(|r| r["code"] == "waiting_list"));

    let suggestions = card["suggestions"].as_array().unwrap();
    assert_eq!(suggestions.len(), 1);
    let suggestion = &suggestions[0];
    assert!(
        suggestion["label"]
            .as_str()
            .unwrap()
            .starts_with("Refer to "),
        "{suggestion}"
    );
    assert!(is_v4(suggestion["uuid"].as_str().unwrap()));
    assert_eq!(suggestion["isRecommended"], true);
    let actions = suggestion["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 2);
    assert!(actions.iter().all(|a| a["type"] == "create"));
    let risk = &actions[0]["resource"];
    let request_resource = &actions[1]["resource"];
    assert_eq!(request_resource["resourceType"], "ServiceRequest");
    assert_eq!(
        (
            request_resource["status"].as_str(),
            request_resource["intent"].as_str()
        ),
        (Some("draft"), Some("proposal"))
    );
    assert_eq!(risk["resourceType"], "RiskAssessment");
    assert_eq!(risk["status"], "final");
    assert_eq!(risk["subject"]["reference"], "Patient/p1");
    assert_eq!(risk["encounter"]["reference"], "Encounter/e1");
    assert_eq!(risk["basis"][0]["reference"], "QuestionnaireResponse/qr-1");
    assert_eq!(risk["prediction"][0]["outcome"]["coding"][0]["code"], "iop");
    let ra_id = risk["id"].as_str().unwrap();
    assert!(is_v4(ra_id));
    assert_eq!(
        request_resource["reasonReference"][0]["reference"],
        format!("RiskAssessment/{ra_id}")
    );
    assert_eq!(request_resource["subject"]["reference"], "Patient/p1");
    assert_eq!(
        request_resource["requester"]["reference"],
        "Practitioner/dr1"
    );
    // The occurrence: now, UTC, to the second.
    let when = risk["occurrenceDateTime"].as_str().unwrap();
    assert_eq!(when.len(), "2026-01-01T00:00:00Z".len(), "{when}");
    assert!(when.ends_with('Z'));
    // The card's own id is not the digest-derived one (version nibble 8).
    assert_ne!(card["uuid"].as_str().unwrap().as_bytes()[14], b'8');
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn two_identical_requests_get_different_card_uuids() {
    let (running, base) = serve(config()).await;
    let request = hook_request(response("iop_primary.json", Some("qr-1")));
    let (_, a) = post(&base, SERVICE, &request).await;
    let (_, b) = post(&base, SERVICE, &request).await;
    let (a, b) = (only_card(&a), only_card(&b));
    assert_eq!(a["summary"], b["summary"]);
    assert_ne!(a["uuid"], b["uuid"]);
    assert_ne!(a["suggestions"][0]["uuid"], b["suggestions"][0]["uuid"]);
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_searchset_bundle_is_read_and_an_empty_one_or_null_means_no_intake() {
    let (running, base) = serve(config()).await;
    let found = bundle(vec![response("php_daily_structure.json", Some("qr-2"))]);
    let (status, body) = post(&base, SERVICE, &hook_request(found)).await;
    assert_eq!(status, 200, "{body}");
    let card = only_card(&body);
    assert_eq!(
        card["suggestions"][0]["actions"][0]["resource"]["basis"][0]["reference"],
        "QuestionnaireResponse/qr-2"
    );
    assert_eq!(
        card["suggestions"][0]["actions"][0]["resource"]["prediction"][0]["outcome"]["coding"][0]["code"],
        "php"
    );

    for empty in [bundle(vec![]), Value::Null] {
        let (status, body) = post(&base, SERVICE, &hook_request(empty)).await;
        assert_eq!(status, 200, "{body}");
        let card = only_card(&body);
        assert_eq!(card["indicator"], "info");
        assert!(
            card["summary"]
                .as_str()
                .unwrap()
                .contains("No completed carelevel intake"),
            "{card}"
        );
        assert!(card.get("suggestions").is_none());
        assert!(is_v4(card["uuid"].as_str().unwrap()));
    }
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_response_without_an_id_is_referenced_by_a_urn_uuid() {
    let (running, base) = serve(config()).await;
    let (status, body) = post(
        &base,
        SERVICE,
        &hook_request(response("iop_primary.json", None)),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let basis =
        only_card(&body)["suggestions"][0]["actions"][0]["resource"]["basis"][0]["reference"]
            .as_str()
            .unwrap()
            .to_owned();
    assert!(
        basis.starts_with("urn:uuid:") && is_v4(&basis["urn:uuid:".len()..]),
        "{basis}"
    );
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_response_may_come_in_the_context() {
    let (running, base) = serve(config()).await;
    let mut request = hook_request(Value::Null);
    request.as_object_mut().unwrap().remove("prefetch");
    request["context"]["questionnaireResponse"] = response("iop_primary.json", Some("qr-9"));
    let (status, body) = post(&base, SERVICE, &request).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        only_card(&body)["suggestions"][0]["actions"][0]["resource"]["basis"][0]["reference"],
        "QuestionnaireResponse/qr-9"
    );
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_provisional_card_offers_no_referral_only_the_preliminary_assessment() {
    let (running, base) = serve(config()).await;
    let request = hook_request(response("incomplete_missing_safety.json", Some("qr-3")));
    let (status, body) = post(&base, SERVICE, &request).await;
    assert_eq!(status, 200, "{body}");
    let card = only_card(&body);
    let summary = card["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("At least") && summary.contains("missing"),
        "{summary}"
    );
    assert_eq!(card["indicator"], "warning");
    let suggestion = &card["suggestions"][0];
    assert!(
        !suggestion["label"].as_str().unwrap().starts_with("Refer"),
        "{suggestion}"
    );
    assert_eq!(suggestion["isRecommended"], false);
    let actions = suggestion["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 1, "{suggestion}");
    assert_eq!(actions[0]["resource"]["resourceType"], "RiskAssessment");
    assert_eq!(actions[0]["resource"]["status"], "preliminary");
    running.shutdown().await.unwrap();
}

/// Issues a card for the intake; its uuid and the suggestion's.
async fn issue(base: &str, intake: &str) -> (String, String) {
    let (status, body) = post(base, SERVICE, &hook_request(response(intake, Some("qr-1")))).await;
    assert_eq!(status, 200, "{body}");
    let card = only_card(&body);
    (
        card["uuid"].as_str().unwrap().to_owned(),
        card["suggestions"][0]["uuid"].as_str().unwrap().to_owned(),
    )
}

fn overridden(card: &str, code: &str, arranged: Option<&str>, comment: Option<&str>) -> Value {
    let mut item = json!({
        "card": card,
        "outcome": "overridden",
        "overrideReason": {
            "reason": {
                "system": carelevel::cds_hooks::OVERRIDE_CODE_SYSTEM,
                "code": code,
                "display": "whatever the EHR shows",
            },
        },
        "outcomeTimestamp": "2026-11-29T14:05:00Z",
    });
    if let Some(comment) = comment {
        item["overrideReason"]["userComment"] = json!(comment);
    }
    if let Some(arranged) = arranged {
        item["extension"] = json!({ "carelevel-arranged-level": arranged });
    }
    json!({ "feedback": [item] })
}

const FEEDBACK: &str = "/cds-services/carelevel-level-of-care/feedback";

#[tokio::test]
async fn an_override_becomes_a_record() {
    let (running, base) = serve(config()).await;
    let (card, _) = issue(&base, "iop_primary.json").await;
    let (status, body) = post(
        &base,
        FEEDBACK,
        &overridden(&card, "waiting_list", Some("outpatient"), None),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let records = body["records"].as_array().unwrap();
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record["recommended"], "iop");
    assert_eq!(record["arranged"], "outpatient");
    assert_eq!(record["reasons"][0]["code"], "waiting_list");
    assert_eq!(record["below_safety_floor"], false);
    assert!(
        record["recommendation_digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn accepted_feedback_gives_no_record() {
    let (running, base) = serve(config()).await;
    let (card, suggestion) = issue(&base, "iop_primary.json").await;
    let feedback = json!({"feedback": [{
        "card": card,
        "outcome": "accepted",
        "acceptedSuggestions": [{"id": suggestion}],
        "outcomeTimestamp": "2026-11-29T14:05:00.123+01:00",
    }]});
    // A suggestion the card did not make (first: a card takes one outcome).
    let mut bad = feedback.clone();
    bad["feedback"][0]["acceptedSuggestions"][0]["id"] = json!(uuid::Uuid::new_v4().to_string());
    let (status, body) = post(&base, FEEDBACK, &bad).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("`feedback[0].acceptedSuggestions[0].id`"),
        "{body}"
    );

    let (status, body) = post(&base, FEEDBACK, &feedback).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"records": []}));
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn below_the_safety_floor_needs_clinician_judgement_and_a_comment() {
    let (running, base) = serve(config()).await;
    let (card, _) = issue(&base, "inpatient_suicide_plan.json").await;
    let (status, body) = post(
        &base,
        FEEDBACK,
        &overridden(&card, "waiting_list", Some("iop"), None),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("safety floor"),
        "{body}"
    );

    let comment = "Family will stay with the patient around the clock; seen again tomorrow.";
    let (status, body) = post(
        &base,
        FEEDBACK,
        &overridden(&card, "clinician_judgement", Some("iop"), Some(comment)),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let record = &body["records"][0];
    assert_eq!(record["below_safety_floor"], true);
    assert_eq!(record["review_required"], true);
    assert_eq!(record["note"], comment);
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn refused_feedback_names_the_field() {
    let (running, base) = serve(config()).await;
    let (card, _) = issue(&base, "iop_primary.json").await;
    let cases = [
        // The recommended level itself: not an override.
        (
            overridden(&card, "waiting_list", Some("iop"), None),
            400,
            "not an override",
        ),
        (
            overridden(&card, "waiting_list", None, None),
            400,
            "`feedback[0].extension.carelevel-arranged-level` is missing",
        ),
        (
            overridden(&card, "waiting_list", Some("hospital"), None),
            400,
            "`feedback[0].extension.carelevel-arranged-level`: expected",
        ),
        (
            overridden(&card, "because", Some("outpatient"), None),
            400,
            "`feedback[0].overrideReason.reason.code`",
        ),
        (
            overridden(&card, "other", Some("outpatient"), None),
            400,
            "needs a `note`",
        ),
        (
            overridden(
                &uuid::Uuid::new_v4().to_string(),
                "waiting_list",
                Some("outpatient"),
                None,
            ),
            404,
            "`feedback[0].card`",
        ),
        (json!({"feedback": []}), 400, "`feedback`"),
        (
            json!({"feedback": [{"card": card, "outcome": "ignored", "outcomeTimestamp": "2026-11-29T14:05:00Z"}]}),
            400,
            "`feedback[0].outcome`",
        ),
        (
            json!({"feedback": [{"card": card, "outcome": "accepted", "outcomeTimestamp": "yesterday"}]}),
            400,
            "`feedback[0].outcomeTimestamp`",
        ),
        (
            json!({"feedback": [{"card": card, "outcome": "overridden", "outcomeTimestamp": "2026-11-29T14:05:00Z", "extension": {"carelevel-arranged-level": "outpatient"}}]}),
            400,
            "`feedback[0].overrideReason.reason` is missing",
        ),
    ];
    for (feedback, want_status, want) in cases {
        let (status, body) = post(&base, FEEDBACK, &feedback).await;
        assert_eq!(status, want_status, "{feedback} -> {body}");
        let error = body["error"].as_str().unwrap();
        assert!(error.contains(want), "{error} lacks {want}");
        assert!(
            !error.contains("hospital")
                && !error.contains("because")
                && !error.contains("ignored")
                && !error.contains("yesterday"),
            "{error}"
        );
    }
    let mut wrong_system = overridden(&card, "waiting_list", Some("outpatient"), None);
    wrong_system["feedback"][0]["overrideReason"]["reason"]["system"] =
        json!("http://example.org/x");
    let (status, body) = post(&base, FEEDBACK, &wrong_system).await;
    assert_eq!(status, 400);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("`feedback[0].overrideReason.reason.system`"),
        "{body}"
    );

    // A provisional card has no level to override.
    let (provisional, _) = issue(&base, "incomplete_missing_safety.json").await;
    let (status, body) = post(
        &base,
        FEEDBACK,
        &overridden(&provisional, "waiting_list", Some("outpatient"), None),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["error"].as_str().unwrap().contains("provisional"),
        "{body}"
    );

    // Nothing was recorded for a batch with one bad item: the good one is refused with it
    // (a second card, since one card may have one item per request).
    let (other, _) = issue(&base, "iop_primary.json").await;
    let mut batch = overridden(&other, "waiting_list", Some("outpatient"), None);
    let bad = overridden(&card, "waiting_list", None, None)["feedback"][0].clone();
    batch["feedback"].as_array_mut().unwrap().push(bad);
    let (status, body) = post(&base, FEEDBACK, &batch).await;
    assert_eq!(status, 400);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("`feedback[1].extension.carelevel-arranged-level`"),
        "{body}"
    );
    // The good item was not recorded: it can still be given.
    let (status, body) = post(
        &base,
        FEEDBACK,
        &overridden(&other, "waiting_list", Some("outpatient"), None),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_cards_feedback_is_final() {
    let (running, base) = serve(config()).await;
    let (card, _) = issue(&base, "iop_primary.json").await;
    let override_ = overridden(&card, "waiting_list", Some("outpatient"), None);
    let (status, body) = post(&base, FEEDBACK, &override_).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["records"].as_array().unwrap().len(), 1);

    // The same override again, another one, or an acceptance: 409, nothing recorded.
    let accepted = json!({"feedback": [{
        "card": card, "outcome": "accepted", "outcomeTimestamp": "2026-11-29T14:06:00Z",
    }]});
    for again in [
        override_.clone(),
        overridden(&card, "client_preference", Some("php"), None),
        accepted,
    ] {
        let (status, body) = post(&base, FEEDBACK, &again).await;
        assert_eq!(status, 409, "{again} -> {body}");
        let error = body["error"].as_str().unwrap();
        assert!(error.starts_with("`feedback[0].card`: "), "{error}");
        assert!(error.contains("already been recorded"), "{error}");
        assert!(!error.contains(&card), "{error}");
    }

    // A batch with one card already recorded records nothing: its other card is still open.
    let (open, _) = issue(&base, "iop_primary.json").await;
    let mut batch = overridden(&open, "waiting_list", Some("outpatient"), None);
    batch["feedback"]
        .as_array_mut()
        .unwrap()
        .push(override_["feedback"][0].clone());
    let (status, body) = post(&base, FEEDBACK, &batch).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .starts_with("`feedback[1].card`: "),
        "{body}"
    );

    // Two items for one card in one request: 400 naming the second, and nothing recorded.
    let mut twice = overridden(&open, "waiting_list", Some("outpatient"), None);
    twice["feedback"].as_array_mut().unwrap().push(json!({
        "card": open, "outcome": "accepted", "outcomeTimestamp": "2026-11-29T14:06:00Z",
    }));
    let (status, body) = post(&base, FEEDBACK, &twice).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .starts_with("`feedback[1].card`: "),
        "{body}"
    );
    let (status, body) = post(
        &base,
        FEEDBACK,
        &overridden(&open, "waiting_list", Some("outpatient"), None),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["records"].as_array().unwrap().len(), 1);
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn bad_requests_are_400s_naming_the_field_and_never_the_value() {
    let (running, base) = serve(config()).await;
    let good = hook_request(response("iop_primary.json", Some("qr-1")));
    let with = |f: &dyn Fn(&mut Value)| {
        let mut r = good.clone();
        f(&mut r);
        r
    };
    let cases: Vec<(Value, &str)> = vec![
        (
            with(&|r| r["context"]["patientId"] = json!(42)),
            "`context.patientId`: wrong type",
        ),
        (
            with(&|r| r["context"]["patientId"] = json!("Jane Doe")),
            "`context.patientId`",
        ),
        (
            with(&|r| {
                r["context"].as_object_mut().unwrap().remove("patientId");
            }),
            "missing field `patientId`",
        ),
        (with(&|r| r["hook"] = json!("order-sign-Jane")), "`hook`"),
        (
            with(&|r| {
                r.as_object_mut().unwrap().remove("hookInstance");
            }),
            "missing field `hookInstance`",
        ),
        (
            with(&|r| r["context"]["encounterId"] = json!("Jane Doe")),
            "`context.encounterId`",
        ),
        (
            with(&|r| r["context"]["userId"] = json!("Dr Jane Doe")),
            "`context.userId`",
        ),
        (
            with(&|r| r["prefetch"]["intake"]["status"] = json!("in-progress")),
            "`prefetch.intake`: `status`",
        ),
        (
            with(&|r| r["prefetch"]["intake"]["item"][0]["linkId"] = json!("jane.doe")),
            "`prefetch.intake`: linkId `jane.doe`",
        ),
        (
            with(&|r| r["prefetch"]["intake"]["item"] = json!("Jane Doe")),
            "`prefetch.intake.item`: wrong type",
        ),
        (
            with(&|r| r["prefetch"]["intake"]["resourceType"] = json!("Patient")),
            "`prefetch.intake.resourceType`",
        ),
        (
            with(&|r| r["prefetch"]["intake"] = json!("Jane Doe")),
            "`prefetch.intake`",
        ),
        (
            with(&|r| r["prefetch"]["intake"]["subject"]["reference"] = json!("Patient/p2")),
            "`prefetch.intake.subject.reference`",
        ),
        (
            with(&|r| r["prefetch"]["intake"]["id"] = json!("Jane Doe")),
            "`prefetch.intake.id`",
        ),
    ];
    for (request, want) in cases {
        let (status, body) = post(&base, SERVICE, &request).await;
        assert_eq!(status, 400, "{want}: {body}");
        let error = body["error"].as_str().unwrap();
        assert!(error.contains(want), "{error:?} lacks {want:?}");
        assert!(!error.contains("Jane"), "{error}");
        assert!(!error.contains('\n'));
    }
    // Malformed JSON.
    let response = reqwest::Client::new()
        .post(format!("{base}{SERVICE}"))
        .header("content-type", "application/json")
        .body("{\"hook\": \"patient-view\", Jane")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    let error = body["error"].as_str().unwrap();
    assert!(error.starts_with("the body is not valid JSON"), "{error}");
    assert!(!error.contains("Jane"));
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_intake_the_pack_refuses_is_a_400_naming_the_field() {
    let (running, base) = serve(config()).await;
    let mut qr = response("iop_primary.json", Some("qr-1"));
    // PHQ-9 above its range, through the response's own item.
    fn set_phq9(items: &mut Value) -> bool {
        for item in items.as_array_mut().unwrap() {
            if item["linkId"] == "severity.phq9" {
                item["answer"] = json!([{ "valueInteger": 40 }]);
                return true;
            }
            if item.get("item").is_some() && set_phq9(&mut item["item"]) {
                return true;
            }
        }
        false
    }
    assert!(set_phq9(&mut qr["item"]));
    let (status, body) = post(&base, SERVICE, &hook_request(qr)).await;
    assert_eq!(status, 400, "{body}");
    let error = body["error"].as_str().unwrap();
    assert!(
        error.starts_with("the intake was refused") && error.contains("severity.phq9"),
        "{error}"
    );
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn unknown_services_and_paths_are_404s() {
    let (running, base) = serve(config()).await;
    let request = hook_request(response("iop_primary.json", Some("qr-1")));
    let (status, body) = post(&base, "/cds-services/Jane-Doe", &request).await;
    assert_eq!(status, 404);
    let error = body["error"].as_str().unwrap();
    assert!(
        error.contains("carelevel-level-of-care") && !error.contains("Jane"),
        "{error}"
    );
    let (status, body) = post(
        &base,
        "/cds-services/Jane-Doe/feedback",
        &json!({"feedback": []}),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    let response = reqwest::get(format!("{base}/nowhere")).await.unwrap();
    assert_eq!(response.status(), 404);
    assert!(response.json::<Value>().await.unwrap()["error"].is_string());
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_missing_prefetch_is_412_when_the_service_does_not_fetch() {
    let (running, base) = serve(config()).await;
    let mut request = hook_request(Value::Null);
    request.as_object_mut().unwrap().remove("prefetch");
    request["fhirServer"] = json!("http://127.0.0.1:9");
    let (status, body) = post(&base, SERVICE, &request).await;
    assert_eq!(status, 412, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("`prefetch.intake`"),
        "{body}"
    );
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let mut config = config();
    config.body_limit = 64 * 1024;
    let (running, base) = serve(config).await;
    let mut request = hook_request(response("iop_primary.json", Some("qr-1")));
    request["padding"] = json!("x".repeat(100 * 1024));
    let (status, body) = post(&base, SERVICE, &request).await;
    assert_eq!(status, 413);
    assert!(
        body["error"].as_str().unwrap().contains("--body-limit"),
        "{body}"
    );
    // Under the limit, the same service answers.
    let (status, _) = post(
        &base,
        SERVICE,
        &hook_request(response("iop_primary.json", Some("qr-1"))),
    )
    .await;
    assert_eq!(status, 200);
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_413_too() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut config = config();
    config.body_limit = 1024;
    let (running, base) = serve(config).await;
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let chunk = "x".repeat(4096);
    let request = format!(
        "POST {SERVICE} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
        chunk.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains(r#"{"error":"#), "{answer}");
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_card_beyond_the_capacity_is_forgotten() {
    let mut config = config();
    config.card_capacity = 1;
    let (running, base) = serve(config).await;
    let (first, _) = issue(&base, "iop_primary.json").await;
    let (second, _) = issue(&base, "iop_primary.json").await;
    let (status, body) = post(
        &base,
        FEEDBACK,
        &overridden(&first, "waiting_list", Some("outpatient"), None),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = post(
        &base,
        FEEDBACK,
        &overridden(&second, "waiting_list", Some("outpatient"), None),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    running.shutdown().await.unwrap();
}
