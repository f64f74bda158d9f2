//! The audit log: one JSON line per feedback item, with ids, levels and codes, never the
//! clinician's comment or an answer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::{SERVICE, config, hook_request, only_card, post, response, serve};
use serde_json::{Value, json};
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Buffer {
        self.clone()
    }
}

// A current-thread runtime: the server's tasks run on this thread, under its subscriber.
#[tokio::test(flavor = "current_thread")]
async fn each_feedback_item_is_one_audit_line_without_the_comment() {
    let buffer = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_writer(buffer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let (running, base) = serve(config()).await;
    let mut request = hook_request(response("inpatient_suicide_plan.json", Some("qr-1")));
    request["hookInstance"] = json!("d1577c69-dfbe-44ad-ba6d-3e05e953b2ea");
    let (status, body) = post(&base, SERVICE, &request).await;
    assert_eq!(status, 200, "{body}");
    let card = only_card(&body)["uuid"].as_str().unwrap().to_owned();
    let comment = "Lives with her sister Jane, who will stay with her";
    let feedback = json!({"feedback": [{
        "card": card,
        "outcome": "overridden",
        "overrideReason": {
            "reason": {"system": carelevel::cds_hooks::OVERRIDE_CODE_SYSTEM, "code": "clinician_judgement"},
            "userComment": comment,
        },
        "outcomeTimestamp": "2026-11-29T14:05:00Z",
        "extension": {"carelevel-arranged-level": "php"},
    }]});
    let (status, body) = post(
        &base,
        "/cds-services/carelevel-level-of-care/feedback",
        &feedback,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    running.shutdown().await.unwrap();

    let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(!text.contains("Jane") && !text.contains("sister"), "{text}");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let audit: Vec<&Value> = lines
        .iter()
        .filter(|l| l["target"] == "carelevel_cds::audit" && l["event"] == "cds.feedback")
        .collect();
    assert_eq!(audit.len(), 1, "{text}");
    let line = audit[0];
    assert_eq!(line["card"], card.as_str());
    assert_eq!(line["service"], "carelevel-level-of-care");
    assert_eq!(
        line["hook_instance"],
        "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea"
    );
    assert_eq!(line["patient_id"], "p1");
    assert_eq!(line["encounter_id"], "e1");
    assert_eq!(line["outcome"], "overridden");
    assert_eq!(line["recommended"], "inpatient");
    assert_eq!(line["arranged"], "php");
    assert_eq!(line["reason_codes"], "clinician_judgement");
    assert_eq!(line["below_safety_floor"], true);
    assert_eq!(line["below_24_hour_floor"], true);
    assert_eq!(line["review_required"], true);
    assert!(
        line["recommendation_digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    assert_eq!(line["pack_id"], "carelevel.builtin");
    assert!(line["pack_version"].is_string());
    assert_eq!(line["outcome_timestamp"], "2026-11-29T14:05:00Z");
    // Insecure mode: no issuer, and every request warned.
    assert!(line.get("issuer").is_none());
    assert!(
        lines
            .iter()
            .any(|l| l["target"] == "carelevel_cds::auth" && l["level"] == "WARN")
    );
    // The hook call is audited too.
    assert!(
        lines
            .iter()
            .any(|l| l["event"] == "cds.hook" && l["card"] == card.as_str())
    );
}
