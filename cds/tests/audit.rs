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
    // The card's outcome is final: a second override is refused and writes no audit line.
    let (status, body) = post(
        &base,
        "/cds-services/carelevel-level-of-care/feedback",
        &feedback,
    )
    .await;
    assert_eq!(status, 409, "{body}");
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
    // The hook call is audited too, and the response named its subject.
    assert!(lines.iter().any(|l| l["event"] == "cds.hook"
        && l["card"] == card.as_str()
        && l["subject_checked"] == true));
}

/// A JSON-lines subscriber writing to a buffer; the guard sets it for this thread.
fn capture() -> (Buffer, tracing::subscriber::DefaultGuard) {
    let buffer = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_writer(buffer.clone())
        .finish();
    (buffer.clone(), tracing::subscriber::set_default(subscriber))
}

/// The captured lines with this `event`.
fn events(buffer: &Buffer, event: &str) -> Vec<Value> {
    let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    text.lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|l| l["target"] == "carelevel_cds::audit" && l["event"] == event)
        .collect()
}

#[tokio::test(flavor = "current_thread")]
async fn a_response_without_a_subject_is_accepted_and_audited_as_unchecked() {
    let (buffer, _guard) = capture();
    let (running, base) = serve(config()).await;

    let mut without = response("iop_primary.json", Some("qr-1"));
    without.as_object_mut().unwrap().remove("subject");
    // In the prefetch and in the context.
    let (status, body) = post(&base, SERVICE, &hook_request(without.clone())).await;
    assert_eq!(status, 200, "{body}");
    let prefetched = only_card(&body)["uuid"].as_str().unwrap().to_owned();
    let mut in_context = hook_request(Value::Null);
    in_context["prefetch"] = json!({});
    in_context["context"]["questionnaireResponse"] = without;
    let (status, body) = post(&base, SERVICE, &in_context).await;
    assert_eq!(status, 200, "{body}");
    let from_context = only_card(&body)["uuid"].as_str().unwrap().to_owned();

    let (status, body) = post(
        &base,
        SERVICE,
        &hook_request(response("iop_primary.json", Some("qr-1"))),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let with_subject = only_card(&body)["uuid"].as_str().unwrap().to_owned();

    // Another patient's response stays a 400.
    let mut other = response("iop_primary.json", Some("qr-1"));
    other["subject"] = json!({ "reference": "Patient/p2" });
    let (status, body) = post(&base, SERVICE, &hook_request(other)).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("`prefetch.intake.subject.reference`"),
        "{body}"
    );
    // No intake at all: nothing to check, so the field is absent.
    let (status, body) = post(&base, SERVICE, &hook_request(Value::Null)).await;
    assert_eq!(status, 200, "{body}");
    let no_intake = only_card(&body)["uuid"].as_str().unwrap().to_owned();
    running.shutdown().await.unwrap();

    let lines = events(&buffer, "cds.hook");
    let line = |card: &str| {
        lines
            .iter()
            .find(|l| l["card"] == card)
            .cloned()
            .expect("a cds.hook line for each card")
    };
    assert_eq!(line(&prefetched)["subject_checked"], false);
    assert_eq!(line(&prefetched)["source"], "prefetch");
    assert_eq!(line(&from_context)["subject_checked"], false);
    assert_eq!(line(&from_context)["source"], "context");
    assert_eq!(line(&with_subject)["subject_checked"], true);
    assert!(line(&no_intake).get("subject_checked").is_none());
    assert_eq!(lines.len(), 4, "{lines:?}");
}

mod jwt {
    //! An ES384 key made at test time, its JWKS file, and the service trusting it.

    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use carelevel::RulePack;
    use carelevel_cds::auth::{Auth, Client, JwksSource, Verifier};
    use carelevel_cds::{Config, Running};
    use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
    use p384::elliptic_curve::sec1::ToEncodedPoint as _;
    use p384::pkcs8::EncodePrivateKey as _;
    use rand_core::OsRng;
    use serde_json::{Value, json};
    use std::path::PathBuf;
    use std::time::{SystemTime, UNIX_EPOCH};

    pub const ISS: &str = "https://ehr.example.org";
    const KID: &str = "ehr-2026";

    /// A directory removed on drop.
    struct TempDir(PathBuf);

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    pub struct Trusted {
        pub running: Running,
        pub base: String,
        key: EncodingKey,
        _dir: TempDir,
    }

    pub async fn serve() -> Trusted {
        let secret = p384::SecretKey::random(&mut OsRng);
        let der = secret.to_pkcs8_der().unwrap();
        let point = secret.public_key().to_encoded_point(false);
        let b64 = |b: &[u8]| URL_SAFE_NO_PAD.encode(b);
        let jwk = json!({
            "kty": "EC", "crv": "P-384", "use": "sig", "alg": "ES384", "kid": KID,
            "x": b64(point.x().unwrap()), "y": b64(point.y().unwrap()),
        });
        let dir = std::env::temp_dir().join(format!(
            "carelevel-cds-audit-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let jwks = dir.join("jwks.json");
        std::fs::write(&jwks, json!({ "keys": [jwk] }).to_string()).unwrap();
        let verifier = Verifier::new(vec![Client {
            issuer: ISS.into(),
            jwks: JwksSource::File(jwks),
        }])
        .await
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let config = Config::new(RulePack::builtin(), Auth::Jwt(verifier), base.clone());
        let running = carelevel_cds::start(config, listener).await.unwrap();
        Trusted {
            running,
            base,
            key: EncodingKey::from_ec_der(der.as_bytes()),
            _dir: TempDir(dir),
        }
    }

    impl Trusted {
        /// A token for a call to `path` with this `jti`.
        pub fn token(&self, path: &str, jti: &str) -> String {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs();
            let claims = json!({
                "iss": ISS, "sub": ISS, "aud": format!("{}{path}", self.base),
                "exp": now + 300, "iat": now, "jti": jti,
            });
            let mut header = Header::new(Algorithm::ES384);
            header.kid = Some(KID.into());
            encode(&header, &claims, &self.key).unwrap()
        }

        /// POSTs JSON with a token carrying this `jti`: the status and the JSON body.
        pub async fn post(&self, path: &str, jti: &str, body: &Value) -> (u16, Value) {
            let response = reqwest::Client::new()
                .post(format!("{}{path}", self.base))
                .bearer_auth(self.token(path, jti))
                .json(body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (status, response.json().await.unwrap_or(Value::Null))
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_jti_that_is_not_an_identifier_is_not_logged() {
    let (buffer, _guard) = capture();
    let service = jwt::serve().await;
    const FEEDBACK: &str = "/cds-services/carelevel-level-of-care/feedback";
    let odd = r#"Jane "Doe" <script> 1990-01-01"#;
    let plain = uuid::Uuid::new_v4().to_string();

    let mut cards = Vec::new();
    for jti in [odd.to_owned(), plain.clone()] {
        let (status, body) = service
            .post(
                SERVICE,
                &jti,
                &hook_request(response("iop_primary.json", Some("qr-1"))),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        cards.push(only_card(&body)["uuid"].as_str().unwrap().to_owned());
    }
    for (card, jti) in cards
        .iter()
        .zip([format!("{odd} again"), format!("{plain}-f")])
    {
        let feedback = json!({"feedback": [{
            "card": card, "outcome": "accepted", "outcomeTimestamp": "2026-11-29T14:05:00Z",
        }]});
        let (status, body) = service.post(FEEDBACK, &jti, &feedback).await;
        assert_eq!(status, 200, "{body}");
    }
    service.running.shutdown().await.unwrap();

    let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(!text.contains("Jane") && !text.contains("script"), "{text}");
    let hooks = events(&buffer, "cds.hook");
    let feedback = events(&buffer, "cds.feedback");
    assert_eq!((hooks.len(), feedback.len()), (2, 2), "{text}");
    for line in hooks.iter().chain(&feedback) {
        assert_eq!(line["issuer"], jwt::ISS, "{line}");
    }
    assert_eq!(hooks[0]["jti"], "(not an identifier)");
    assert_eq!(feedback[0]["jti"], "(not an identifier)");
    assert_eq!(hooks[1]["jti"], plain.as_str());
    assert_eq!(feedback[1]["jti"], format!("{plain}-f"));
}
