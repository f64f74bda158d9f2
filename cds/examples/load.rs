//! A small load client for a running `carelevel-cds`: N connections, each posting one
//! `patient-view` request (a bundled intake in its prefetch) again and again for D seconds;
//! prints requests per second and the p50/p99 latency.
//!
//! Without a token, against `--insecure-no-auth`:
//!
//! ```text
//! cargo run --release -p carelevel-cds -- --insecure-no-auth --log-level warn &
//! cargo run --release -p carelevel-cds --example load -- \
//!     --url http://127.0.0.1:8080 --connections 16 --seconds 10
//! ```
//!
//! With a fresh ES384 token on every request: `--keygen DIR` makes a P-384 key
//! (`DIR/load-key.der`, PKCS#8 DER) and its JWKS (`DIR/load-jwks.json`) and exits; the server trusts the
//! JWKS; `--sign DIR` signs each request with the key (`iss` `--issuer`, `aud` the hook's URL
//! under `--url`, a new UUID as `jti`, `exp` a minute ahead).
//!
//! ```text
//! cargo run --release -p carelevel-cds --example load -- --keygen /tmp/load
//! cargo run --release -p carelevel-cds -- --log-level warn \
//!     --client https://load.example.org=/tmp/load/load-jwks.json &
//! cargo run --release -p carelevel-cds --example load -- \
//!     --url http://127.0.0.1:8080 --connections 16 --seconds 10 --sign /tmp/load
//! ```

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use carelevel::Intake;
use carelevel::fhir::response_from_intake;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p384::elliptic_curve::sec1::ToEncodedPoint as _;
use p384::pkcs8::EncodePrivateKey as _;
use std::error::Error;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const USAGE: &str = "usage: load [--url URL] [--connections N] [--seconds D] [--intake FILE.json] \
                     [--show] [--sign DIR [--issuer ISS]] | load --keygen DIR";

/// The key's id in the JWKS and in each token's header.
const KID: &str = "load-1";
const KEY_FILE: &str = "load-key.der";
const JWKS_FILE: &str = "load-jwks.json";

struct Args {
    url: String,
    connections: usize,
    seconds: u64,
    intake: String,
    /// Post once and print the response instead.
    show: bool,
    /// Write a key and its JWKS here, and exit.
    keygen: Option<PathBuf>,
    /// Sign each request with the key written here by `--keygen`.
    sign: Option<PathBuf>,
    issuer: String,
}

/// What signs each request's token.
struct Signer {
    key: EncodingKey,
    header: Header,
    issuer: String,
    audience: String,
}

impl Signer {
    fn load(dir: &Path, issuer: String, audience: String) -> Result<Signer, Box<dyn Error>> {
        let der = std::fs::read(dir.join(KEY_FILE))?;
        let mut header = Header::new(Algorithm::ES384);
        header.kid = Some(KID.into());
        Ok(Signer {
            key: EncodingKey::from_ec_der(&der),
            header,
            issuer,
            audience,
        })
    }

    /// A fresh token: a new `jti`, valid for a minute.
    fn token(&self) -> Result<String, jsonwebtoken::errors::Error> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let claims = serde_json::json!({
            "iss": self.issuer, "sub": self.issuer, "aud": self.audience,
            "iat": now, "exp": now + 60, "jti": uuid::Uuid::new_v4().to_string(),
        });
        jsonwebtoken::encode(&self.header, &claims, &self.key)
    }
}

/// Writes a new P-384 key and its one-key JWKS into `dir`.
fn keygen(dir: &Path) -> Result<(), Box<dyn Error>> {
    std::fs::create_dir_all(dir)?;
    let secret = p384::SecretKey::random(&mut rand_core::OsRng);
    let der = secret.to_pkcs8_der()?;
    let point = secret.public_key().to_encoded_point(false);
    let (Some(x), Some(y)) = (point.x(), point.y()) else {
        return Err("the public key has no coordinates".into());
    };
    let jwks = serde_json::json!({"keys": [{
        "kty": "EC", "crv": "P-384", "use": "sig", "alg": "ES384", "kid": KID,
        "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y),
    }]});
    std::fs::write(dir.join(KEY_FILE), der.as_bytes())?;
    std::fs::write(dir.join(JWKS_FILE), serde_json::to_vec_pretty(&jwks)?)?;
    println!(
        "wrote {} and {}: run the server with --client ISSUER={}",
        dir.join(KEY_FILE).display(),
        dir.join(JWKS_FILE).display(),
        dir.join(JWKS_FILE).display()
    );
    Ok(())
}

fn args() -> Result<Args, Box<dyn Error>> {
    let mut args = Args {
        url: "http://127.0.0.1:8080".into(),
        connections: 16,
        seconds: 10,
        intake: concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../examples/intakes/iop_primary.json"
        )
        .into(),
        show: false,
        keygen: None,
        sign: None,
        issuer: "https://load.example.org".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(USAGE);
        match flag.as_str() {
            "--url" => args.url = value()?,
            "--connections" => args.connections = value()?.parse()?,
            "--seconds" => args.seconds = value()?.parse()?,
            "--intake" => args.intake = value()?,
            "--show" => args.show = true,
            "--keygen" => args.keygen = Some(value()?.into()),
            "--sign" => args.sign = Some(value()?.into()),
            "--issuer" => args.issuer = value()?,
            _ => return Err(USAGE.into()),
        }
    }
    Ok(args)
}

/// What one connection did.
#[derive(Default)]
struct Done {
    /// The latency of each 200, in microseconds (signing included).
    latencies: Vec<u64>,
    failures: u64,
    /// Time spent signing tokens.
    signing: Duration,
}

async fn connection(
    url: String,
    body: Vec<u8>,
    until: Instant,
    signer: Option<Arc<Signer>>,
) -> Done {
    let mut done = Done::default();
    // One client per connection, holding at most one connection open.
    let Ok(client) = reqwest::Client::builder().pool_max_idle_per_host(1).build() else {
        done.failures = 1;
        return done;
    };
    while Instant::now() < until {
        let start = Instant::now();
        let mut request = client
            .post(&url)
            .header("content-type", "application/json")
            .body(body.clone());
        if let Some(signer) = &signer {
            match signer.token() {
                Ok(token) => request = request.bearer_auth(token),
                Err(_) => {
                    done.failures += 1;
                    continue;
                }
            }
            done.signing += start.elapsed();
        }
        let sent = request.send().await;
        let ok = match sent {
            Ok(response) => response.status() == 200 && response.bytes().await.is_ok(),
            Err(_) => false,
        };
        if ok {
            done.latencies
                .push(u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX));
        } else {
            done.failures += 1;
        }
    }
    done
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    // Nearest rank.
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.saturating_sub(1).min(sorted.len() - 1))
        .copied()
        .unwrap_or(0)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let args = args()?;
    if let Some(dir) = &args.keygen {
        return keygen(dir);
    }
    let intake = Intake::from_json(&std::fs::read_to_string(&args.intake)?)?;
    let mut response = serde_json::to_value(response_from_intake(&intake))?;
    if let Some(o) = response.as_object_mut() {
        o.insert("id".into(), "load-1".into());
    }
    let request = serde_json::json!({
        "hook": "patient-view",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": { "patientId": "load-patient", "userId": "Practitioner/load" },
        "prefetch": { "intake": response },
    });
    let body = serde_json::to_vec(&request)?;
    let url = format!(
        "{}/cds-services/carelevel-level-of-care",
        args.url.trim_end_matches('/')
    );
    let signer = match &args.sign {
        Some(dir) => Some(Arc::new(Signer::load(
            dir,
            args.issuer.clone(),
            url.clone(),
        )?)),
        None => None,
    };
    if args.show {
        let mut request = reqwest::Client::new()
            .post(&url)
            .header("content-type", "application/json")
            .body(body);
        if let Some(signer) = &signer {
            request = request.bearer_auth(signer.token()?);
        }
        let response = request.send().await?;
        println!("{}", response.status());
        let value: serde_json::Value = response.json().await?;
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    println!(
        "{} connections for {} s against {url}, {} byte request{}",
        args.connections,
        args.seconds,
        body.len(),
        if signer.is_some() {
            ", a fresh ES384 token on each"
        } else {
            ""
        }
    );
    let started = Instant::now();
    let until = started + Duration::from_secs(args.seconds);
    let tasks: Vec<_> = (0..args.connections)
        .map(|_| tokio::spawn(connection(url.clone(), body.clone(), until, signer.clone())))
        .collect();
    let mut latencies = Vec::new();
    let mut failures = 0;
    let mut signing = Duration::ZERO;
    for task in tasks {
        let done = task.await?;
        latencies.extend(done.latencies);
        failures += done.failures;
        signing += done.signing;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    println!(
        "{} requests ({} failed) in {elapsed:.1} s: {:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms",
        latencies.len(),
        failures,
        latencies.len() as f64 / elapsed,
        percentile(&latencies, 50.0) as f64 / 1000.0,
        percentile(&latencies, 99.0) as f64 / 1000.0,
    );
    if signer.is_some() {
        let signed = latencies.len() as u64 + failures;
        println!(
            "signing: {:.1} s of the connections' time in all, {:.0} us per token \
             (included in the latencies)",
            signing.as_secs_f64(),
            signing.as_secs_f64() * 1e6 / signed.max(1) as f64,
        );
    }
    Ok(())
}
