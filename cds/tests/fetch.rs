//! A missing prefetch fetched from the EHR's FHIR server (a stub on an ephemeral port), and
//! graceful shutdown with a request in flight.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use common::{SERVICE, bundle, config, hook_request, only_card, post, response, serve};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the stub saw: the Authorization header and the query of each search.
#[derive(Default)]
struct Seen {
    authorization: Vec<Option<String>>,
    queries: Vec<Option<String>>,
}

#[derive(Clone)]
struct Stub {
    seen: Arc<Mutex<Seen>>,
    status: StatusCode,
    body: Value,
    delay: Duration,
}

async fn search(
    State(stub): State<Stub>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> (StatusCode, axum::Json<Value>) {
    {
        let mut seen = stub.seen.lock().unwrap();
        seen.authorization.push(
            headers
                .get("authorization")
                .map(|v| v.to_str().unwrap().to_owned()),
        );
        seen.queries.push(query);
    }
    tokio::time::sleep(stub.delay).await;
    (stub.status, axum::Json(stub.body.clone()))
}

/// A FHIR server answering `GET /fhir/QuestionnaireResponse` with `body`.
async fn stub_fhir(status: StatusCode, body: Value, delay: Duration) -> (String, Arc<Mutex<Seen>>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let app = axum::Router::new()
        .route("/fhir/QuestionnaireResponse", get(search))
        .with_state(Stub {
            seen: seen.clone(),
            status,
            body,
            delay,
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/fhir"), seen)
}

fn without_prefetch(fhir_server: &str) -> Value {
    let mut request = hook_request(Value::Null);
    request.as_object_mut().unwrap().remove("prefetch");
    request["fhirServer"] = json!(fhir_server);
    request["fhirAuthorization"] = json!({
        "access_token": "token-abc.123",
        "token_type": "Bearer",
        "expires_in": 300,
        "scope": "patient/QuestionnaireResponse.read",
        "subject": "carelevel-cds",
    });
    request
}

fn fetching() -> carelevel_cds::Config {
    let mut config = config();
    config.fetch_missing_prefetch = true;
    config
}

#[tokio::test]
async fn a_missing_prefetch_is_fetched_with_the_bearer_token() {
    let found = bundle(vec![response("iop_primary.json", Some("qr-7"))]);
    let (fhir, seen) = stub_fhir(StatusCode::OK, found, Duration::ZERO).await;
    let (running, base) = serve(fetching()).await;
    let (status, body) = post(&base, SERVICE, &without_prefetch(&fhir)).await;
    assert_eq!(status, 200, "{body}");
    let card = only_card(&body);
    assert_eq!(
        card["suggestions"][0]["actions"][0]["resource"]["basis"][0]["reference"],
        "QuestionnaireResponse/qr-7"
    );
    {
        let seen = seen.lock().unwrap();
        assert_eq!(
            seen.authorization,
            vec![Some("Bearer token-abc.123".to_owned())]
        );
        assert_eq!(
            seen.queries,
            vec![Some(
                "subject=p1&questionnaire=urn%3Acarelevel%3Aquestionnaire%3Aintake\
                 &status=completed,amended&_sort=-authored&_count=1"
                    .to_owned()
            )]
        );
    }
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_empty_search_result_means_no_intake() {
    let (fhir, _) = stub_fhir(StatusCode::OK, bundle(vec![]), Duration::ZERO).await;
    let (running, base) = serve(fetching()).await;
    let (status, body) = post(&base, SERVICE, &without_prefetch(&fhir)).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        only_card(&body)["summary"]
            .as_str()
            .unwrap()
            .contains("No completed")
    );
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_failing_fhir_server_is_a_502_and_no_server_a_412() {
    let (fhir, _) = stub_fhir(StatusCode::UNAUTHORIZED, json!({}), Duration::ZERO).await;
    let (running, base) = serve(fetching()).await;
    let (status, body) = post(&base, SERVICE, &without_prefetch(&fhir)).await;
    assert_eq!(status, 502, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("HTTP 401"),
        "{body}"
    );

    let mut no_server = without_prefetch(&fhir);
    no_server.as_object_mut().unwrap().remove("fhirServer");
    let (status, body) = post(&base, SERVICE, &no_server).await;
    assert_eq!(status, 412, "{body}");

    let (status, body) = post(&base, SERVICE, &without_prefetch("ftp://Jane.Doe/fhir")).await;
    assert_eq!(status, 400, "{body}");
    let error = body["error"].as_str().unwrap();
    assert!(
        error.contains("`fhirServer`") && !error.contains("Jane"),
        "{error}"
    );
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn shutdown_lets_a_request_in_flight_finish() {
    let found = bundle(vec![response("iop_primary.json", Some("qr-8"))]);
    let (fhir, seen) = stub_fhir(StatusCode::OK, found, Duration::from_millis(600)).await;
    let (running, base) = serve(fetching()).await;
    let request = without_prefetch(&fhir);
    let in_flight = tokio::spawn({
        let base = base.clone();
        async move { post(&base, SERVICE, &request).await }
    });
    // Wait until the request has reached the FHIR server, then shut down.
    for _ in 0..100 {
        if !seen.lock().unwrap().queries.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(seen.lock().unwrap().queries.len(), 1);
    running.shutdown().await.unwrap();
    let (status, body) = in_flight.await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(
        only_card(&body)["summary"]
            .as_str()
            .unwrap()
            .starts_with("Recommended")
    );
    // And nothing is served afterwards.
    assert!(reqwest::get(format!("{base}/health")).await.is_err());
}
