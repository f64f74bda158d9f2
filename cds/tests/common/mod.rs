//! Shared by the HTTP tests: a server on an ephemeral port, intakes as QuestionnaireResponses,
//! hook requests.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use carelevel::fhir::response_from_intake;
use carelevel::{Intake, RulePack};
use carelevel_cds::auth::Auth;
use carelevel_cds::{Config, Running};
use serde_json::{Value, json};

/// An insecure (no-token) config with the built-in pack.
pub fn config() -> Config {
    Config::new(RulePack::builtin(), Auth::InsecureNoAuth, "http://cds.test")
}

/// Starts the service on 127.0.0.1:0; its base URL.
pub async fn serve(config: Config) -> (Running, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let running = carelevel_cds::start(config, listener).await.unwrap();
    let base = format!("http://{}", running.local_addr());
    (running, base)
}

/// A bundled intake (examples/intakes/NAME) as a QuestionnaireResponse about Patient/p1.
pub fn response(name: &str, id: Option<&str>) -> Value {
    let path = format!("{}/../examples/intakes/{name}", env!("CARGO_MANIFEST_DIR"));
    let intake = Intake::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut value = serde_json::to_value(response_from_intake(&intake)).unwrap();
    if let Some(id) = id {
        value["id"] = json!(id);
    }
    value["subject"] = json!({ "reference": "Patient/p1" });
    value
}

/// A searchset Bundle of these resources.
pub fn bundle(resources: Vec<Value>) -> Value {
    let entry: Vec<Value> = resources
        .into_iter()
        .map(|r| json!({ "resource": r, "search": { "mode": "match" } }))
        .collect();
    json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "total": entry.len(),
        "entry": entry,
    })
}

/// A `patient-view` request about Patient/p1 with this `prefetch.intake`.
pub fn hook_request(intake: Value) -> Value {
    json!({
        "hook": "patient-view",
        "hookInstance": uuid::Uuid::new_v4().to_string(),
        "context": {
            "patientId": "p1",
            "encounterId": "e1",
            "userId": "Practitioner/dr1",
        },
        "prefetch": { "intake": intake },
    })
}

pub const SERVICE: &str = "/cds-services/carelevel-level-of-care";

/// POSTs JSON; the status and the JSON body (`null` when the body is not JSON).
pub async fn post(base: &str, path: &str, body: &Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The one card of a hook response.
pub fn only_card(body: &Value) -> &Value {
    let cards = body["cards"].as_array().unwrap();
    assert_eq!(cards.len(), 1, "{body}");
    &cards[0]
}
