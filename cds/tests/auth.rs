//! Only trusted EHRs get in: the service with JWT authentication, over HTTP.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use carelevel::RulePack;
use carelevel_cds::auth::{Auth, Client, JwksSource, Verifier};
use carelevel_cds::{Config, Running, start};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use p384::elliptic_curve::sec1::ToEncodedPoint as _;
use p384::pkcs8::EncodePrivateKey as _;
use rand_core::OsRng;
use serde_json::{Map, Value, json};

const ISS: &str = "https://ehr.example.org";

/// An ES384 signing key made at test time, and its public JWK.
struct TestKey {
    kid: &'static str,
    encoding: EncodingKey,
    jwk: Value,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn es384(kid: &'static str) -> TestKey {
    let secret = p384::SecretKey::random(&mut OsRng);
    let der = secret.to_pkcs8_der().unwrap();
    let point = secret.public_key().to_encoded_point(false);
    TestKey {
        kid,
        encoding: EncodingKey::from_ec_der(der.as_bytes()),
        jwk: json!({
            "kty": "EC", "crv": "P-384", "use": "sig", "alg": "ES384", "kid": kid,
            "x": b64(point.x().unwrap()), "y": b64(point.y().unwrap()),
        }),
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn unique() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let dir = std::env::temp_dir().join(format!("carelevel-cds-auth-http-{}", unique()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The service, trusting `ISS` with `key`, on a local port.
struct Service {
    running: Running,
    base: String,
    http: reqwest::Client,
    _dir: TempDir,
}

impl Service {
    async fn start(key: &TestKey) -> Service {
        let dir = TempDir::new();
        let jwks = dir.0.join("ehr-jwks.json");
        std::fs::write(&jwks, json!({ "keys": [key.jwk] }).to_string()).unwrap();
        let verifier = Verifier::new(vec![Client {
            issuer: ISS.into(),
            jwks: JwksSource::File(jwks),
        }])
        .await
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let pack = RulePack::try_builtin().unwrap();
        let running = start(
            Config::new(pack, Auth::Jwt(verifier), base.clone()),
            listener,
        )
        .await
        .unwrap();
        Service {
            running,
            base,
            http: reqwest::Client::new(),
            _dir: dir,
        }
    }

    fn discovery_url(&self) -> String {
        format!("{}/cds-services", self.base)
    }

    /// Valid claims for a call to discovery.
    fn claims(&self) -> Map<String, Value> {
        let now = now();
        let Value::Object(claims) = json!({
            "iss": ISS, "sub": ISS, "aud": self.discovery_url(),
            "exp": now + 300, "iat": now, "jti": unique(),
        }) else {
            unreachable!()
        };
        claims
    }

    /// Discovery with this Authorization header: the status and the body.
    async fn discovery(&self, authorization: Option<String>) -> (u16, String) {
        let mut request = self.http.get(self.discovery_url());
        if let Some(authorization) = authorization {
            request = request.header("Authorization", authorization);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }
}

fn sign(key: &TestKey, claims: &Map<String, Value>) -> String {
    let mut header = Header::new(Algorithm::ES384);
    header.kid = Some(key.kid.into());
    encode(&header, claims, &key.encoding).unwrap()
}

fn bearer(token: &str) -> Option<String> {
    Some(format!("Bearer {token}"))
}

#[tokio::test]
async fn only_a_valid_token_gets_in_and_refusals_look_alike() {
    let key = es384("ehr-2026");
    let service = Service::start(&key).await;

    let valid = sign(&key, &service.claims());
    let (status, body) = service.discovery(bearer(&valid)).await;
    assert_eq!(status, 200, "{body}");
    let discovery: Value = serde_json::from_str(&body).unwrap();
    assert!(discovery["services"].is_array(), "{body}");

    let unsigned = {
        let header = b64(json!({ "alg": "none", "typ": "JWT", "kid": key.kid })
            .to_string()
            .as_bytes());
        let claims = b64(Value::Object(service.claims()).to_string().as_bytes());
        format!("{header}.{claims}.")
    };
    let wrong_key = sign(&es384(key.kid), &service.claims());
    let wrong_audience = {
        let mut claims = service.claims();
        claims.insert("aud".into(), json!("https://cds.example.org/cds-services"));
        sign(&key, &claims)
    };
    let expired = {
        let mut claims = service.claims();
        claims.insert("iat".into(), json!(now() - 900));
        claims.insert("exp".into(), json!(now() - 600));
        sign(&key, &claims)
    };
    let refused = [
        ("no token", None),
        ("not bearer", Some(format!("Basic {}", b64(b"ehr:secret")))),
        ("garbage", bearer("garbage")),
        ("unsigned", bearer(&unsigned)),
        ("wrong key", bearer(&wrong_key)),
        ("wrong audience", bearer(&wrong_audience)),
        ("expired", bearer(&expired)),
        ("replayed", bearer(&valid)),
    ];
    let mut bodies = Vec::new();
    for (what, authorization) in refused {
        let (status, body) = service.discovery(authorization).await;
        assert_eq!(status, 401, "{what}: {body}");
        bodies.push((what, body));
    }
    let (_, first) = &bodies[0];
    for (what, body) in &bodies {
        assert_eq!(
            body, first,
            "{what}: a refusal must not say which check failed"
        );
    }
    let lower = first.to_lowercase();
    for word in [
        "expire",
        "signature",
        "aud",
        "jti",
        "replay",
        "kid",
        "iss",
        "alg",
    ] {
        assert!(!lower.contains(word), "the 401 body says {word:?}: {first}");
    }

    // A fresh valid token still gets in after all that.
    let (status, body) = service
        .discovery(bearer(&sign(&key, &service.claims())))
        .await;
    assert_eq!(status, 200, "{body}");

    service.running.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_hook_needs_a_token_and_health_does_not() {
    let key = es384("ehr-2026");
    let service = Service::start(&key).await;

    let response = service
        .http
        .get(format!("{}/health", service.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);

    let hook = format!(
        "{}/cds-services/{}",
        service.base,
        carelevel_cds::SERVICE_ID
    );
    let response = service
        .http
        .post(&hook)
        .json(&json!({ "hook": "patient-view", "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", "context": {} }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);

    // A token for discovery does not open the hook: its aud is another endpoint.
    let response = service
        .http
        .post(&hook)
        .header(
            "Authorization",
            format!("Bearer {}", sign(&key, &service.claims())),
        )
        .json(&json!({ "hook": "patient-view", "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", "context": {} }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);

    // With its own aud the token gets past authentication (whatever the hook then says about
    // this empty request).
    let mut claims = service.claims();
    claims.insert("aud".into(), json!(hook));
    let response = service
        .http
        .post(&hook)
        .header("Authorization", format!("Bearer {}", sign(&key, &claims)))
        .json(&json!({ "hook": "patient-view", "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", "context": {} }))
        .send()
        .await
        .unwrap();
    // Past authentication: the empty context is the request's own fault (a 400 naming
    // `context.patientId`), neither a 401 nor a server error.
    assert_eq!(response.status().as_u16(), 400);

    service.running.shutdown().await.unwrap();
}
