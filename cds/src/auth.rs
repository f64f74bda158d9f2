//! Who may call the service: CDS Hooks 2.0 JWT bearer tokens.
//!
//! Every request to a CDS Service carries `Authorization: Bearer <jwt>`, signed by the CDS
//! Client (the EHR) with a private key whose public half the service was configured with
//! ([`Client`]). [`Verifier::verify`] accepts a token only if all of these hold:
//!
//! - the header is `Bearer <jwt>` and the JWT is a compact JWS (three base64url parts);
//! - the JOSE header's `alg` is one of [`ACCEPTED_ALGORITHMS`] (never `none`, never HS*: a
//!   shared secret is not a client key), it has a `kid` and no `crit` extensions; `jku`, `jwk`,
//!   `x5u` and `x5c` in the token are ignored: keys come only from the configuration;
//! - `iss` is a configured client, and the signature verifies with that client's key whose
//!   `kid` is the header's (the key's type and curve, and its `alg` if the JWK has one, must fit
//!   the token's `alg`). For a JWKS URL an unknown `kid` triggers one refetch of the JWKS, at
//!   most once a minute per client; a file JWKS is read once, at start;
//! - `aud` (a string or an array) contains one of the audiences the server passes (the URL of
//!   the endpoint being called);
//! - `exp` is present, not past (60 s leeway) and at most an hour ahead (CDS Hooks advises five
//!   minutes); `iat` is present and not in the future (60 s leeway); `nbf`, if present, is past;
//! - `sub` is present (CDS Hooks: the client's `client_id`). It is not compared with `iss`:
//!   CDS Hooks 2.0 lets a third-party identity provider issue the token, so `iss` names the
//!   trusted issuer and its key is trusted for every `sub` it signs;
//! - `jti` is present (at most 256 characters) and not seen before from that issuer while the
//!   token is valid. The replay cache holds (`iss`, `jti`) until the token's `exp` (plus leeway)
//!   has passed; expired entries are evicted on insert. Each client's cache holds at most
//!   [`REPLAY_CACHE_CAPACITY`] live entries: when it is full, new tokens from that client are
//!   rejected (fail closed) rather than live entries forgotten (which would allow replays).
//!
//! Keys: EC P-256 or P-384, or RSA of 2048 to 4096 bits, each with a `kid`; other JWKs (and
//! those whose `use` is not `sig` or whose `alg` is not accepted) are ignored, and a JWKS with
//! no usable key stops the start. A JWKS URL must be https (plain http only to the local
//! host), is fetched without following redirects, and may be at most 1 MiB; a failed refetch
//! keeps the keys the client had.
//!
//! A rejection's [`Rejected`] says which check failed, for the server's log only; the client
//! gets a bare 401. No message here echoes a value taken from a token.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyOperations, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};
use tokio::sync::{Mutex, RwLock};

/// Where a trusted client's public keys come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwksSource {
    /// A JWKS document in a file, read at start.
    File(PathBuf),
    /// A JWKS document at a URL, fetched at start and again for an unknown `kid`.
    Url(String),
}

/// A trusted EHR: the `iss` its tokens carry and where its keys are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// The token's `iss`.
    pub issuer: String,
    /// Its public keys.
    pub jwks: JwksSource,
}

/// The caller a valid token names (no PHI: ids only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The token's `iss`.
    pub issuer: String,
    /// The token's `jti`.
    pub jti: String,
}

/// How the service authenticates its callers.
#[derive(Debug)]
pub enum Auth {
    /// CDS Hooks JWT bearer tokens from the configured clients.
    Jwt(Verifier),
    /// No authentication at all: for local development only, never in production.
    InsecureNoAuth,
}

/// The `alg` values a token may carry: ES384 and RS384 (named by CDS Hooks), and ES256, RS256
/// and PS384 (the same key types, common among EHRs and equally strong).
pub const ACCEPTED_ALGORITHMS: [&str; 5] = ["ES384", "RS384", "ES256", "RS256", "PS384"];

/// Clock skew allowed on `exp`, `nbf` and `iat`, in seconds.
pub const LEEWAY_SECS: u64 = 60;

/// How far ahead a token's `exp` may be, in seconds (CDS Hooks advises at most five minutes).
pub const MAX_LIFETIME_SECS: u64 = 3600;

/// How many live (`iss`, `jti`) entries each client's replay cache holds before it rejects new
/// tokens from that client.
pub const REPLAY_CACHE_CAPACITY: usize = 100_000;

/// The shortest time between two refetches of one client's JWKS URL.
pub const REFETCH_INTERVAL: Duration = Duration::from_secs(60);

/// Longest token accepted, in bytes.
const MAX_TOKEN_LEN: usize = 16 * 1024;
/// Longest `jti` accepted, in characters.
const MAX_JTI_LEN: usize = 256;
/// Largest JWKS document accepted, in bytes.
const MAX_JWKS_BYTES: usize = 1 << 20;
/// Smallest and largest RSA modulus accepted, in bits.
const RSA_BITS: std::ops::RangeInclusive<usize> = 2048..=4096;

/// Why the service could not start its authentication.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// JWT authentication was asked for with no client to trust.
    #[error("no trusted clients are configured")]
    NoClients,
    /// A client has an empty issuer.
    #[error("a client has an empty issuer")]
    EmptyIssuer,
    /// Two clients have the same issuer.
    #[error("client {issuer}: configured more than once")]
    DuplicateIssuer {
        /// The client's issuer.
        issuer: String,
    },
    /// A JWKS file could not be read.
    #[error("client {issuer}: cannot read the JWKS file {}: {source}", path.display())]
    ReadFile {
        /// The client's issuer.
        issuer: String,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A JWKS URL is not an absolute https URL (plain http is allowed only to the local host).
    #[error("client {issuer}: the JWKS URL must be https (http only to localhost)")]
    InsecureUrl {
        /// The client's issuer.
        issuer: String,
    },
    /// A JWKS URL could not be fetched.
    #[error("client {issuer}: cannot fetch the JWKS: {reason}")]
    Fetch {
        /// The client's issuer.
        issuer: String,
        /// What went wrong.
        reason: String,
    },
    /// A JWKS document is not usable.
    #[error("client {issuer}: the JWKS is unusable: {reason}")]
    Jwks {
        /// The client's issuer.
        issuer: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The HTTP client for JWKS URLs could not be built.
    #[error("cannot build the HTTP client for JWKS URLs: {reason}")]
    HttpClient {
        /// What went wrong.
        reason: String,
    },
}

/// A token was refused. `Display` gives the internal reason, for the server's log only: the
/// caller gets a bare 401 that does not say which check failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Rejected(Reason);

/// Which check refused a token (fixed texts: never a value from the token).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
enum Reason {
    #[error("no Authorization header")]
    NoHeader,
    #[error("the Authorization header is not a Bearer token")]
    NotBearer,
    #[error("the token is too long")]
    TooLong,
    #[error("the token is not a compact JWS")]
    Malformed,
    #[error("the token's header is not a JSON object")]
    BadHeader,
    #[error("the token's alg is not accepted")]
    AlgorithmNotAccepted,
    #[error("the token's header has crit extensions")]
    CriticalHeader,
    #[error("the token's header has no kid")]
    MissingKid,
    #[error("the token's claims are not a JSON object")]
    BadClaims,
    #[error("the token's iss is not a configured client")]
    UnknownIssuer,
    #[error("the issuer has no key with the token's kid")]
    UnknownKid,
    #[error("the issuer's key with the token's kid does not fit the token's alg")]
    KeyMismatch,
    #[error("the token's signature does not verify")]
    BadSignature,
    #[error("the token's aud is not this endpoint")]
    WrongAudience,
    #[error("the token has no {0} claim")]
    MissingClaim(&'static str),
    #[error("the token's {0} claim is malformed")]
    InvalidClaim(&'static str),
    #[error("the token has expired")]
    Expired,
    #[error("the token's nbf is in the future")]
    NotYetValid,
    #[error("the token's iat is in the future")]
    IssuedInFuture,
    #[error("the token's exp is more than an hour ahead")]
    LifetimeTooLong,
    #[error("the token's jti was already used")]
    Replayed,
    #[error("the issuer's replay cache is full")]
    ReplayCacheFull,
}

impl From<Reason> for Rejected {
    fn from(reason: Reason) -> Self {
        Rejected(reason)
    }
}

/// The kind of a usable public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    P256,
    P384,
    Rsa,
}

impl KeyKind {
    fn fits(self, alg: Algorithm) -> bool {
        match self {
            KeyKind::P256 => alg == Algorithm::ES256,
            KeyKind::P384 => alg == Algorithm::ES384,
            KeyKind::Rsa => matches!(alg, Algorithm::RS256 | Algorithm::RS384 | Algorithm::PS384),
        }
    }
}

/// One verification key of a client.
#[derive(Clone)]
struct Key {
    kid: String,
    kind: KeyKind,
    /// The JWK's `alg`, if it has one.
    alg: Option<Algorithm>,
    decoding: DecodingKey,
}

/// The algorithm for an accepted `alg` name.
fn accepted(alg: &str) -> Option<Algorithm> {
    match alg {
        "ES384" => Some(Algorithm::ES384),
        "RS384" => Some(Algorithm::RS384),
        "ES256" => Some(Algorithm::ES256),
        "RS256" => Some(Algorithm::RS256),
        "PS384" => Some(Algorithm::PS384),
        _ => None,
    }
}

/// The usable signing keys of a JWKS document.
fn parse_jwks(bytes: &[u8]) -> Result<Vec<Key>, &'static str> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|_| "not JSON")?;
    let keys = doc
        .get("keys")
        .and_then(Value::as_array)
        .ok_or("no \"keys\" array")?;
    let mut usable: Vec<Key> = Vec::new();
    for key in keys.iter().filter_map(usable_key) {
        // The first key with a kid wins.
        if !usable.iter().any(|k| k.kid == key.kid) {
            usable.push(key);
        }
    }
    if usable.is_empty() {
        return Err(
            "no usable signing key (EC P-256 or P-384, or RSA of 2048 to 4096 bits, with a kid)",
        );
    }
    Ok(usable)
}

/// A JWK as a verification key, if it is one this service can use.
fn usable_key(value: &Value) -> Option<Key> {
    let alg = match value.get("alg") {
        None => None,
        Some(alg) => Some(accepted(alg.as_str()?)?),
    };
    let jwk: Jwk = serde_json::from_value(value.clone()).ok()?;
    let kid = jwk.common.key_id.clone().filter(|kid| !kid.is_empty())?;
    if jwk
        .common
        .public_key_use
        .as_ref()
        .is_some_and(|u| *u != PublicKeyUse::Signature)
    {
        return None;
    }
    if jwk
        .common
        .key_operations
        .as_ref()
        .is_some_and(|ops| !ops.contains(&KeyOperations::Verify))
    {
        return None;
    }
    let kind = match &jwk.algorithm {
        AlgorithmParameters::EllipticCurve(params) => match params.curve {
            EllipticCurve::P256 => KeyKind::P256,
            EllipticCurve::P384 => KeyKind::P384,
            _ => return None,
        },
        AlgorithmParameters::RSA(params) => {
            let modulus = URL_SAFE_NO_PAD.decode(&params.n).ok()?;
            if !RSA_BITS.contains(&significant_bits(&modulus)) {
                return None;
            }
            KeyKind::Rsa
        }
        _ => return None,
    };
    if alg.is_some_and(|alg| !kind.fits(alg)) {
        return None;
    }
    let decoding = DecodingKey::from_jwk(&jwk).ok()?;
    // An EC point must be on its curve: building a verifier parses it (a bad signature then
    // gives `Ok(false)`, a bad key an error).
    let probe = match kind {
        KeyKind::P256 => Some(Algorithm::ES256),
        KeyKind::P384 => Some(Algorithm::ES384),
        KeyKind::Rsa => None,
    };
    if let Some(probe) = probe {
        jsonwebtoken::crypto::verify("", b"", &decoding, probe).ok()?;
    }
    Some(Key {
        kid,
        kind,
        alg,
        decoding,
    })
}

/// The bit length of a big-endian unsigned integer.
fn significant_bits(bytes: &[u8]) -> usize {
    let mut rest = bytes.iter().skip_while(|b| **b == 0);
    match rest.next() {
        None => 0,
        Some(first) => {
            let first_bits = 8 - usize::try_from(first.leading_zeros()).unwrap_or(8);
            first_bits + 8 * rest.count()
        }
    }
}

/// Whether a JWKS URL may be fetched: https, or http to the local host.
fn url_allowed(url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(url) else {
        return false;
    };
    match url.scheme() {
        "https" => url.host().is_some(),
        "http" => crate::net::is_loopback(&url),
        _ => false,
    }
}

/// Fetches a JWKS document (no redirects, at most [`MAX_JWKS_BYTES`]).
async fn fetch(http: &reqwest::Client, url: &str) -> Result<Vec<u8>, String> {
    let response = http
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("HTTP status {}", status.as_u16()));
    }
    crate::net::read_limited(response, MAX_JWKS_BYTES)
        .await
        .map_err(|e| match e {
            crate::net::ReadError::TooLarge => {
                format!("the document is larger than {MAX_JWKS_BYTES} bytes")
            }
            crate::net::ReadError::Failed(e) => e.to_string(),
        })
}

/// Seconds since the Unix epoch.
fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The (`jti`, `exp`) pairs one client has used, kept while their tokens are valid.
#[derive(Debug, Default)]
struct ReplayCache {
    seen: HashSet<String>,
    by_expiry: BinaryHeap<Reverse<(u64, String)>>,
}

impl ReplayCache {
    /// Records `jti`, unless it was seen before or the cache is full. `now` must be the time the
    /// token's `exp` was checked against.
    fn insert(&mut self, jti: &str, exp: u64, now: u64, capacity: usize) -> Result<(), Reason> {
        // A token whose exp + leeway has passed is refused as expired: its jti can go.
        while let Some(Reverse((oldest, _))) = self.by_expiry.peek() {
            if oldest.saturating_add(LEEWAY_SECS) >= now {
                break;
            }
            if let Some(Reverse((_, jti))) = self.by_expiry.pop() {
                self.seen.remove(&jti);
            }
        }
        if self.seen.contains(jti) {
            return Err(Reason::Replayed);
        }
        if self.seen.len() >= capacity {
            return Err(Reason::ReplayCacheFull);
        }
        self.seen.insert(jti.to_owned());
        self.by_expiry.push(Reverse((exp, jti.to_owned())));
        Ok(())
    }
}

/// A configured client and its keys.
struct ClientState {
    issuer: String,
    source: JwksSource,
    keys: RwLock<Vec<Key>>,
    /// When its JWKS URL was last refetched for an unknown kid (not counting the load at start).
    last_refetch: Mutex<Option<Instant>>,
    replay: Mutex<ReplayCache>,
}

impl ClientState {
    async fn key(&self, kid: &str) -> Option<Key> {
        self.keys
            .read()
            .await
            .iter()
            .find(|k| k.kid == kid)
            .cloned()
    }
}

/// Checks CDS Hooks bearer tokens against the configured clients.
pub struct Verifier {
    clients: HashMap<String, ClientState>,
    http: reqwest::Client,
    refetch_interval: Duration,
    replay_capacity: usize,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut issuers: Vec<&str> = self.clients.keys().map(String::as_str).collect();
        issuers.sort_unstable();
        f.debug_struct("Verifier")
            .field("issuers", &issuers)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// Loads every client's JWKS (file read, URL fetched) at start; errors name the client's
    /// issuer and the problem (never key material).
    pub async fn new(clients: Vec<Client>) -> Result<Verifier, AuthError> {
        if clients.is_empty() {
            return Err(AuthError::NoClients);
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| AuthError::HttpClient {
                reason: e.to_string(),
            })?;
        let mut states = HashMap::new();
        for Client { issuer, jwks } in clients {
            if issuer.is_empty() {
                return Err(AuthError::EmptyIssuer);
            }
            if states.contains_key(&issuer) {
                return Err(AuthError::DuplicateIssuer { issuer });
            }
            let bytes = match &jwks {
                JwksSource::File(path) => match tokio::fs::read(path).await {
                    Ok(bytes) => bytes,
                    Err(source) => {
                        return Err(AuthError::ReadFile {
                            issuer,
                            path: path.clone(),
                            source,
                        });
                    }
                },
                JwksSource::Url(url) => {
                    if !url_allowed(url) {
                        return Err(AuthError::InsecureUrl { issuer });
                    }
                    match fetch(&http, url).await {
                        Ok(bytes) => bytes,
                        Err(reason) => return Err(AuthError::Fetch { issuer, reason }),
                    }
                }
            };
            let keys = match parse_jwks(&bytes) {
                Ok(keys) => keys,
                Err(reason) => return Err(AuthError::Jwks { issuer, reason }),
            };
            let state = ClientState {
                issuer: issuer.clone(),
                source: jwks,
                keys: RwLock::new(keys),
                last_refetch: Mutex::new(None),
                replay: Mutex::new(ReplayCache::default()),
            };
            states.insert(issuer, state);
        }
        Ok(Verifier {
            clients: states,
            http,
            refetch_interval: REFETCH_INTERVAL,
            replay_capacity: REPLAY_CACHE_CAPACITY,
        })
    }

    /// `authorization`: the Authorization header's value, if any. `audiences`: the token's
    /// `aud` (string or array) must contain one of them.
    pub async fn verify(
        &self,
        authorization: Option<&str>,
        audiences: &[String],
    ) -> Result<Caller, Rejected> {
        let token = bearer(authorization.ok_or(Reason::NoHeader)?)?;
        if token.len() > MAX_TOKEN_LEN {
            return Err(Reason::TooLong.into());
        }
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(_signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Reason::Malformed.into());
        };

        // The header, before any key is chosen.
        let header = json_object(header).ok_or(Reason::BadHeader)?;
        let alg = header
            .get("alg")
            .and_then(Value::as_str)
            .and_then(accepted)
            .ok_or(Reason::AlgorithmNotAccepted)?;
        if header.contains_key("crit") {
            return Err(Reason::CriticalHeader.into());
        }
        let kid = header
            .get("kid")
            .and_then(Value::as_str)
            .filter(|kid| !kid.is_empty())
            .ok_or(Reason::MissingKid)?;

        // The issuer, unverified, only to choose the key.
        let claims = json_object(payload).ok_or(Reason::BadClaims)?;
        let issuer = match claims.get("iss") {
            None => return Err(Reason::MissingClaim("iss").into()),
            Some(iss) => iss.as_str().ok_or(Reason::InvalidClaim("iss"))?,
        };
        let client = self.clients.get(issuer).ok_or(Reason::UnknownIssuer)?;
        let key = self.key(client, kid).await.ok_or(Reason::UnknownKid)?;
        if !key.kind.fits(alg) || key.alg.is_some_and(|key_alg| key_alg != alg) {
            return Err(Reason::KeyMismatch.into());
        }

        // Signature, then iss, aud, exp, nbf, sub.
        let mut validation = Validation::new(alg);
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.validate_aud = true;
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.set_issuer(&[client.issuer.as_str()]);
        validation.set_audience(audiences);
        let verified =
            jsonwebtoken::decode::<Map<String, Value>>(token, &key.decoding, &validation)
                .map_err(|e| rejection(e.kind()))?
                .claims;

        // The rest, with one clock for the checks and the replay cache.
        let now = now();
        let exp = numeric_date(&verified, "exp")?;
        if exp.saturating_add(LEEWAY_SECS) < now {
            return Err(Reason::Expired.into());
        }
        if exp > now.saturating_add(MAX_LIFETIME_SECS + LEEWAY_SECS) {
            return Err(Reason::LifetimeTooLong.into());
        }
        let iat = numeric_date(&verified, "iat")?;
        if iat > now.saturating_add(LEEWAY_SECS) {
            return Err(Reason::IssuedInFuture.into());
        }
        let jti = match verified.get("jti") {
            None | Some(Value::Null) => return Err(Reason::MissingClaim("jti").into()),
            Some(jti) => jti
                .as_str()
                .filter(|jti| !jti.is_empty() && jti.chars().count() <= MAX_JTI_LEN)
                .ok_or(Reason::InvalidClaim("jti"))?,
        };
        client
            .replay
            .lock()
            .await
            .insert(jti, exp, now, self.replay_capacity)?;
        Ok(Caller {
            issuer: client.issuer.clone(),
            jti: jti.to_owned(),
        })
    }

    /// The client's key with this kid; for a JWKS URL, an unknown kid refetches the JWKS, at
    /// most once per refetch interval.
    async fn key(&self, client: &ClientState, kid: &str) -> Option<Key> {
        if let Some(key) = client.key(kid).await {
            return Some(key);
        }
        let JwksSource::Url(url) = &client.source else {
            return None;
        };
        let mut last = client.last_refetch.lock().await;
        // Another request may have refetched while this one waited.
        if let Some(key) = client.key(kid).await {
            return Some(key);
        }
        if last.is_some_and(|at| at.elapsed() < self.refetch_interval) {
            return None;
        }
        *last = Some(Instant::now());
        match fetch(&self.http, url).await {
            Ok(bytes) => match parse_jwks(&bytes) {
                Ok(keys) => *client.keys.write().await = keys,
                Err(reason) => tracing::warn!(
                    issuer = %client.issuer,
                    "refetched JWKS is unusable ({reason}); keeping the previous keys"
                ),
            },
            Err(reason) => tracing::warn!(
                issuer = %client.issuer,
                "cannot refetch the JWKS ({reason}); keeping the previous keys"
            ),
        }
        drop(last);
        client.key(kid).await
    }
}

/// The token in an Authorization header value `Bearer <token>` (scheme case-insensitive).
fn bearer(value: &str) -> Result<&str, Reason> {
    let (scheme, token) = value.trim().split_once(' ').ok_or(Reason::NotBearer)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(Reason::NotBearer);
    }
    let token = token.trim_start_matches(' ');
    if token.is_empty() || token.contains(char::is_whitespace) {
        return Err(Reason::NotBearer);
    }
    Ok(token)
}

/// A base64url-encoded JSON object.
fn json_object(part: &str) -> Option<Map<String, Value>> {
    let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A NumericDate claim, required.
fn numeric_date(claims: &Map<String, Value>, name: &'static str) -> Result<u64, Rejected> {
    let value = match claims.get(name) {
        None | Some(Value::Null) => return Err(Reason::MissingClaim(name).into()),
        Some(value) => value,
    };
    if let Some(seconds) = value.as_u64() {
        return Ok(seconds);
    }
    match value.as_f64() {
        Some(seconds) if seconds.is_finite() && seconds >= 0.0 && seconds < u64::MAX as f64 => {
            // Fractional seconds: whole seconds are enough here.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Ok(seconds.floor() as u64)
        }
        _ => Err(Reason::InvalidClaim(name).into()),
    }
}

/// The reason for a verification error from jsonwebtoken (never its message, which may quote
/// the token).
fn rejection(kind: &ErrorKind) -> Rejected {
    let reason = match kind {
        ErrorKind::InvalidSignature => Reason::BadSignature,
        ErrorKind::InvalidEcdsaKey
        | ErrorKind::InvalidRsaKey(_)
        | ErrorKind::InvalidKeyFormat
        | ErrorKind::InvalidAlgorithm => Reason::KeyMismatch,
        ErrorKind::ExpiredSignature => Reason::Expired,
        ErrorKind::ImmatureSignature => Reason::NotYetValid,
        ErrorKind::InvalidAudience => Reason::WrongAudience,
        ErrorKind::InvalidIssuer => Reason::UnknownIssuer,
        ErrorKind::MissingRequiredClaim(claim) => Reason::MissingClaim(claim_name(claim)),
        ErrorKind::InvalidClaimFormat(claim) => Reason::InvalidClaim(claim_name(claim)),
        _ => Reason::Malformed,
    };
    Rejected(reason)
}

/// A registered claim's name as a static string.
fn claim_name(claim: &str) -> &'static str {
    match claim {
        "exp" => "exp",
        "nbf" => "nbf",
        "iss" => "iss",
        "aud" => "aud",
        "sub" => "sub",
        _ => "required",
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

    use jsonwebtoken::{EncodingKey, Header, encode};
    use p384::elliptic_curve::sec1::ToEncodedPoint as _;
    use p384::pkcs8::EncodePrivateKey as _;
    use rand_core::OsRng;
    use rsa::pkcs1::EncodeRsaPrivateKey as _;
    use rsa::traits::PublicKeyParts as _;
    use serde_json::json;

    use super::*;

    const ISS: &str = "https://ehr.example.org";
    const OTHER_ISS: &str = "https://other-ehr.example.org";
    const AUD: &str = "https://cds.example.org/cds-services";

    /// A signing key made at test time, with its public JWK.
    struct TestKey {
        kid: String,
        alg: Algorithm,
        encoding: EncodingKey,
        jwk: Value,
    }

    fn b64(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    fn es384(kid: &str) -> TestKey {
        let secret = p384::SecretKey::random(&mut OsRng);
        let der = secret.to_pkcs8_der().unwrap();
        let point = secret.public_key().to_encoded_point(false);
        TestKey {
            kid: kid.to_owned(),
            alg: Algorithm::ES384,
            encoding: EncodingKey::from_ec_der(der.as_bytes()),
            jwk: json!({
                "kty": "EC", "crv": "P-384", "use": "sig", "alg": "ES384", "kid": kid,
                "x": b64(point.x().unwrap()), "y": b64(point.y().unwrap()),
            }),
        }
    }

    fn es256(kid: &str) -> TestKey {
        let secret = p256::SecretKey::random(&mut OsRng);
        let der = p256::pkcs8::EncodePrivateKey::to_pkcs8_der(&secret).unwrap();
        let point = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(
            &secret.public_key(),
            false,
        );
        TestKey {
            kid: kid.to_owned(),
            alg: Algorithm::ES256,
            encoding: EncodingKey::from_ec_der(der.as_bytes()),
            // No "alg": the curve decides.
            jwk: json!({
                "kty": "EC", "crv": "P-256", "kid": kid,
                "x": b64(point.x().unwrap()), "y": b64(point.y().unwrap()),
            }),
        }
    }

    /// An RSA key, no "alg" in its JWK (so RS256, RS384 and PS384 all fit it).
    fn rsa(kid: &str, alg: Algorithm) -> TestKey {
        let private = rsa::RsaPrivateKey::new(&mut OsRng, 2048).unwrap();
        let der = private.to_pkcs1_der().unwrap();
        TestKey {
            kid: kid.to_owned(),
            alg,
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            jwk: json!({
                "kty": "RSA", "kid": kid,
                "n": b64(&private.n().to_bytes_be()), "e": b64(&private.e().to_bytes_be()),
            }),
        }
    }

    fn jwks(keys: &[&TestKey]) -> Value {
        json!({ "keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>() })
    }

    fn unique_jti() -> String {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        format!(
            "jti-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// Valid claims for `ISS` calling `AUD`.
    fn claims() -> Map<String, Value> {
        let now = now();
        let Value::Object(claims) = json!({
            "iss": ISS, "sub": ISS, "aud": AUD, "exp": now + 300, "iat": now,
            "jti": unique_jti(),
        }) else {
            unreachable!()
        };
        claims
    }

    fn sign(key: &TestKey, claims: &Map<String, Value>) -> String {
        let mut header = Header::new(key.alg);
        header.kid = Some(key.kid.clone());
        encode(&header, claims, &key.encoding).unwrap()
    }

    fn bearer_of(token: &str) -> String {
        format!("Bearer {token}")
    }

    /// A directory removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new() -> TempDir {
            static NEXT: AtomicU64 = AtomicU64::new(0);
            let dir = std::env::temp_dir().join(format!(
                "carelevel-cds-auth-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }

        fn write(&self, name: &str, contents: &str) -> PathBuf {
            let path = self.0.join(name);
            std::fs::write(&path, contents).unwrap();
            path
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn file_client(dir: &TempDir, issuer: &str, keys: &[&TestKey]) -> Client {
        let name = format!("{}.json", b64(issuer.as_bytes()));
        Client {
            issuer: issuer.to_owned(),
            jwks: JwksSource::File(dir.write(&name, &jwks(keys).to_string())),
        }
    }

    async fn file_verifier(keys: &[&TestKey]) -> (Verifier, TempDir) {
        let dir = TempDir::new();
        let verifier = Verifier::new(vec![file_client(&dir, ISS, keys)])
            .await
            .unwrap();
        (verifier, dir)
    }

    async fn check(verifier: &Verifier, authorization: Option<&str>) -> Result<Caller, Reason> {
        verifier
            .verify(authorization, &[AUD.to_owned()])
            .await
            .map_err(|Rejected(reason)| reason)
    }

    async fn check_token(verifier: &Verifier, token: &str) -> Result<Caller, Reason> {
        check(verifier, Some(&bearer_of(token))).await
    }

    #[tokio::test]
    async fn a_valid_es384_token_passes() {
        let key = es384("k1");
        let (verifier, _dir) = file_verifier(&[&key]).await;
        let claims = claims();
        let caller = check_token(&verifier, &sign(&key, &claims)).await.unwrap();
        assert_eq!(caller.issuer, ISS);
        assert_eq!(Some(&Value::String(caller.jti)), claims.get("jti"));
    }

    #[tokio::test]
    async fn es256_rs384_rs256_and_ps384_tokens_pass_with_fitting_keys() {
        let ec = es256("p256");
        let rs384 = rsa("rsa", Algorithm::RS384);
        let (verifier, _dir) = file_verifier(&[&ec, &rs384]).await;
        check_token(&verifier, &sign(&ec, &claims())).await.unwrap();
        check_token(&verifier, &sign(&rs384, &claims()))
            .await
            .unwrap();
        for alg in [Algorithm::RS256, Algorithm::PS384] {
            let same_key = TestKey {
                alg,
                kid: rs384.kid.clone(),
                encoding: rs384.encoding.clone(),
                jwk: Value::Null,
            };
            check_token(&verifier, &sign(&same_key, &claims()))
                .await
                .unwrap();
        }
    }

    #[tokio::test]
    async fn the_audience_may_be_an_array_and_the_scheme_any_case() {
        let key = es384("k1");
        let (verifier, _dir) = file_verifier(&[&key]).await;
        let mut claims = claims();
        claims.insert("aud".into(), json!(["https://elsewhere.example", AUD]));
        let token = sign(&key, &claims);
        check(&verifier, Some(&format!("bearer  {token}")))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn no_header_not_bearer_and_garbage_fail() {
        let key = es384("k1");
        let (verifier, _dir) = file_verifier(&[&key]).await;
        assert_eq!(check(&verifier, None).await, Err(Reason::NoHeader));
        let token = sign(&key, &claims());
        for header in ["", "Bearer", "Bearer ", &format!("Basic {token}"), &token] {
            assert_eq!(
                check(&verifier, Some(header)).await,
                Err(Reason::NotBearer),
                "{header}"
            );
        }
        for garbage in ["garbage", "a.b", "a.b.c.d", "!!.??.**"] {
            assert!(check_token(&verifier, garbage).await.is_err(), "{garbage}");
        }
        assert_eq!(
            check_token(&verifier, "garbage").await,
            Err(Reason::Malformed)
        );
        assert_eq!(
            check_token(&verifier, "a.b.c").await,
            Err(Reason::BadHeader)
        );
        let long = "a".repeat(MAX_TOKEN_LEN + 1);
        assert_eq!(check_token(&verifier, &long).await, Err(Reason::TooLong));
    }

    #[tokio::test]
    async fn an_unsigned_token_fails() {
        let key = es384("k1");
        let (verifier, _dir) = file_verifier(&[&key]).await;
        let claims = b64(Value::Object(claims()).to_string().as_bytes());
        for alg in ["none", "None", "NONE"] {
            let header = b64(json!({ "alg": alg, "typ": "JWT", "kid": "k1" })
                .to_string()
                .as_bytes());
            for signature in ["", "AAAA"] {
                let token = format!("{header}.{claims}.{signature}");
                assert_eq!(
                    check_token(&verifier, &token).await,
                    Err(Reason::AlgorithmNotAccepted),
                    "{alg} {signature}"
                );
            }
        }
        let no_alg = b64(json!({ "typ": "JWT", "kid": "k1" }).to_string().as_bytes());
        assert_eq!(
            check_token(&verifier, &format!("{no_alg}.{claims}.AAAA")).await,
            Err(Reason::AlgorithmNotAccepted)
        );
    }

    #[tokio::test]
    async fn hmac_tokens_fail_even_keyed_with_the_public_key() {
        let key = es384("k1");
        let (verifier, _dir) = file_verifier(&[&key]).await;
        let secrets = [
            b"some shared secret".to_vec(),
            key.jwk.to_string().into_bytes(),
        ];
        for secret in secrets {
            for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
                let hmac = TestKey {
                    kid: "k1".into(),
                    alg,
                    encoding: EncodingKey::from_secret(&secret),
                    jwk: Value::Null,
                };
                assert_eq!(
                    check_token(&verifier, &sign(&hmac, &claims())).await,
                    Err(Reason::AlgorithmNotAccepted)
                );
            }
        }
    }

    #[tokio::test]
    async fn a_token_signed_by_another_key_fails() {
        let key = es384("k1");
        let (verifier, _dir) = file_verifier(&[&key]).await;
        let impostor = es384("k1");
        assert_eq!(
            check_token(&verifier, &sign(&impostor, &claims())).await,
            Err(Reason::BadSignature)
        );
        let unknown_kid = es384("k2");
        assert_eq!(
            check_token(&verifier, &sign(&unknown_kid, &claims())).await,
            Err(Reason::UnknownKid)
        );
        // A tampered payload under a genuine signature.
        let token = sign(&key, &claims());
        let mut parts: Vec<&str> = token.split('.').collect();
        let mut tampered = claims();
        tampered.insert("sub".into(), json!("someone else"));
        let payload = b64(Value::Object(tampered).to_string().as_bytes());
        parts[1] = &payload;
        assert_eq!(
            check_token(&verifier, &parts.join(".")).await,
            Err(Reason::BadSignature)
        );
    }

    #[tokio::test]
    async fn a_key_of_the_wrong_type_or_alg_fails() {
        let p384 = es384("p384");
        let p256 = es256("p256");
        let (verifier, _dir) = file_verifier(&[&p384, &p256]).await;
        // Signed with the P-256 key but naming the P-384 kid.
        let mut claims_ = claims();
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some("p384".into());
        let token = encode(&header, &claims_, &p256.encoding).unwrap();
        assert_eq!(
            check_token(&verifier, &token).await,
            Err(Reason::KeyMismatch)
        );
        // A JWK whose "alg" is ES384 does not verify anything else.
        claims_.insert("jti".into(), json!(unique_jti()));
        let rsa_key = rsa("p384", Algorithm::RS384);
        assert_eq!(
            check_token(&verifier, &sign(&rsa_key, &claims_)).await,
            Err(Reason::KeyMismatch)
        );
    }

    #[tokio::test]
    async fn crit_and_missing_kid_fail() {
        let key = es384("k1");
        let (verifier, _dir) = file_verifier(&[&key]).await;
        let mut header = Header::new(Algorithm::ES384);
        header.kid = Some("k1".into());
        header.crit = Some(vec!["exp".into()]);
        let token = encode(&header, &claims(), &key.encoding).unwrap();
        assert_eq!(
            check_token(&verifier, &token).await,
            Err(Reason::CriticalHeader)
        );
        let token = encode(&Header::new(Algorithm::ES384), &claims(), &key.encoding).unwrap();
        assert_eq!(
            check_token(&verifier, &token).await,
            Err(Reason::MissingKid)
        );
    }

    #[tokio::test]
    async fn an_unknown_issuer_fails_without_echoing_it() {
        let key = es384("k1");
        let (verifier, _dir) = file_verifier(&[&key]).await;
        let mut claims = claims();
        claims.insert("iss".into(), json!("https://evil.example"));
        let err = verifier
            .verify(Some(&bearer_of(&sign(&key, &claims))), &[AUD.to_owned()])
            .await
            .unwrap_err();
        assert_eq!(err, Rejected(Reason::UnknownIssuer));
        assert!(!err.to_string().contains("evil"));
        claims.remove("iss");
        assert_eq!(
            check_token(&verifier, &sign(&key, &claims)).await,
            Err(Reason::MissingClaim("iss"))
        );
        claims.insert("iss".into(), json!([ISS]));
        assert_eq!(
            check_token(&verifier, &sign(&key, &claims)).await,
            Err(Reason::InvalidClaim("iss"))
        );
    }

    #[tokio::test]
    async fn a_wrong_or_missing_audience_fails() {
        let key = es384("k1");
        let (verifier, _dir) = file_verifier(&[&key]).await;
        let mut claims = claims();
        claims.insert(
            "aud".into(),
            json!("https://cds.example.org/cds-services/other"),
        );
        assert_eq!(
            check_token(&verifier, &sign(&key, &claims)).await,
            Err(Reason::WrongAudience)
        );
        claims.insert("aud".into(), json!([]));
        assert_eq!(
            check_token(&verifier, &sign(&key, &claims)).await,
            Err(Reason::WrongAudience)
        );
        claims.remove("aud");
        assert_eq!(
            check_token(&verifier, &sign(&key, &claims)).await,
            Err(Reason::MissingClaim("aud"))
        );
        // The server passing no audience accepts nothing.
        let token = sign(&key, &self::claims());
        assert_eq!(
            verifier.verify(Some(&bearer_of(&token)), &[]).await,
            Err(Rejected(Reason::WrongAudience))
        );
    }

    /// Each case changes one claim of a valid token (`Value::Null`: removes it) and expects
    /// the token refused for `reason`.
    async fn assert_claims_refused<const N: usize>(
        verifier: &Verifier,
        key: &TestKey,
        cases: [(&str, Value, Reason); N],
    ) {
        for (claim, value, reason) in cases {
            let mut claims = claims();
            if value.is_null() {
                claims.remove(claim);
            } else {
                claims.insert(claim.into(), value);
            }
            assert_eq!(
                check_token(verifier, &sign(key, &claims)).await,
                Err(reason),
                "{claim}"
            );
        }
    }

    #[tokio::test]
    async fn time_claims_are_checked() {
        let key = es384("k1");
        let (verifier, _dir) = file_verifier(&[&key]).await;
        let now = now();
        let cases: [(&str, Value, Reason); 8] = [
            ("exp", json!(now - LEEWAY_SECS - 10), Reason::Expired),
            ("exp", Value::Null, Reason::MissingClaim("exp")),
            // jsonwebtoken counts an exp that is not a number as missing.
            ("exp", json!("tomorrow"), Reason::MissingClaim("exp")),
            (
                "exp",
                json!(now + MAX_LIFETIME_SECS + LEEWAY_SECS + 10),
                Reason::LifetimeTooLong,
            ),
            ("iat", json!(now + LEEWAY_SECS + 10), Reason::IssuedInFuture),
            ("iat", Value::Null, Reason::MissingClaim("iat")),
            ("iat", json!("now"), Reason::InvalidClaim("iat")),
            ("nbf", json!(now + LEEWAY_SECS + 10), Reason::NotYetValid),
        ];
        assert_claims_refused(&verifier, &key, cases).await;
        // Within the leeway, and fractional seconds, pass.
        let mut claims = claims();
        claims.insert("exp".into(), json!(now - 5));
        claims.insert("iat".into(), json!(now as f64 + 5.5));
        check_token(&verifier, &sign(&key, &claims)).await.unwrap();
    }

    #[tokio::test]
    async fn sub_and_jti_are_required() {
        let key = es384("k1");
        let (verifier, _dir) = file_verifier(&[&key]).await;
        let cases: [(&str, Value, Reason); 6] = [
            ("sub", Value::Null, Reason::MissingClaim("sub")),
            ("jti", Value::Null, Reason::MissingClaim("jti")),
            ("jti", json!(""), Reason::InvalidClaim("jti")),
            ("jti", json!(42), Reason::InvalidClaim("jti")),
            (
                "jti",
                json!("x".repeat(MAX_JTI_LEN + 1)),
                Reason::InvalidClaim("jti"),
            ),
            // jsonwebtoken counts a sub that is not a string as missing.
            ("sub", json!(42), Reason::MissingClaim("sub")),
        ];
        assert_claims_refused(&verifier, &key, cases).await;
        // sub need not equal iss (a third-party issuer signs for its clients).
        let mut claims = claims();
        claims.insert("sub".into(), json!("client-42"));
        check_token(&verifier, &sign(&key, &claims)).await.unwrap();
    }

    #[tokio::test]
    async fn a_replayed_jti_fails_per_issuer() {
        let key = es384("k1");
        let other = es384("k1");
        let dir = TempDir::new();
        let verifier = Verifier::new(vec![
            file_client(&dir, ISS, &[&key]),
            file_client(&dir, OTHER_ISS, &[&other]),
        ])
        .await
        .unwrap();
        let claims = claims();
        let token = sign(&key, &claims);
        check_token(&verifier, &token).await.unwrap();
        assert_eq!(check_token(&verifier, &token).await, Err(Reason::Replayed));
        // A new token reusing the jti is a replay too.
        let mut again = claims.clone();
        again.insert("exp".into(), json!(now() + 200));
        assert_eq!(
            check_token(&verifier, &sign(&key, &again)).await,
            Err(Reason::Replayed)
        );
        // The same jti from another issuer is another token.
        let mut others = claims;
        others.insert("iss".into(), json!(OTHER_ISS));
        check_token(&verifier, &sign(&other, &others))
            .await
            .unwrap();
        // A token refused for another reason does not use up its jti.
        let mut fresh = self::claims();
        fresh.insert("aud".into(), json!("https://elsewhere.example"));
        let refused = sign(&key, &fresh);
        assert_eq!(
            check_token(&verifier, &refused).await,
            Err(Reason::WrongAudience)
        );
        fresh.insert("aud".into(), json!(AUD));
        check_token(&verifier, &sign(&key, &fresh)).await.unwrap();
    }

    #[tokio::test]
    async fn a_full_replay_cache_rejects_new_tokens() {
        let key = es384("k1");
        let (mut verifier, _dir) = file_verifier(&[&key]).await;
        verifier.replay_capacity = 2;
        check_token(&verifier, &sign(&key, &claims()))
            .await
            .unwrap();
        check_token(&verifier, &sign(&key, &claims()))
            .await
            .unwrap();
        assert_eq!(
            check_token(&verifier, &sign(&key, &claims())).await,
            Err(Reason::ReplayCacheFull)
        );
    }

    #[test]
    fn the_replay_cache_forgets_a_jti_once_its_token_has_expired() {
        let mut cache = ReplayCache::default();
        cache.insert("a", 100, 50, 1).unwrap();
        assert_eq!(cache.insert("a", 100, 60, 1), Err(Reason::Replayed));
        assert_eq!(cache.insert("b", 300, 60, 1), Err(Reason::ReplayCacheFull));
        // Still live within the leeway.
        assert_eq!(
            cache.insert("b", 300, 100 + LEEWAY_SECS, 1),
            Err(Reason::ReplayCacheFull)
        );
        // Expired beyond the leeway: evicted on insert.
        cache.insert("b", 300, 101 + LEEWAY_SECS, 1).unwrap();
        assert_eq!(cache.seen.len(), 1);
        assert_eq!(cache.by_expiry.len(), 1);
        assert_eq!(cache.insert("b", 300, 200, 1), Err(Reason::Replayed));
    }

    #[tokio::test]
    async fn start_errors_name_the_issuer_and_never_key_material() {
        assert!(matches!(
            Verifier::new(vec![]).await,
            Err(AuthError::NoClients)
        ));
        let dir = TempDir::new();
        let key = es384("k1");
        let twice = vec![
            file_client(&dir, ISS, &[&key]),
            file_client(&dir, ISS, &[&key]),
        ];
        let err = Verifier::new(twice).await.unwrap_err();
        assert!(matches!(err, AuthError::DuplicateIssuer { .. }));
        assert!(err.to_string().contains(ISS));

        let load = |jwks: JwksSource| async move {
            let err = Verifier::new(vec![Client {
                issuer: ISS.into(),
                jwks,
            }])
            .await
            .unwrap_err();
            let message = err.to_string();
            assert!(message.contains(ISS), "{message}");
            (err, message)
        };
        let (err, _) = load(JwksSource::File(dir.0.join("missing.json"))).await;
        assert!(matches!(err, AuthError::ReadFile { .. }));
        let (err, _) = load(JwksSource::File(
            dir.write("bad.json", "{not json SECRETSECRET"),
        ))
        .await;
        assert!(matches!(err, AuthError::Jwks { .. }));
        let unusable = json!({ "keys": [
            { "kty": "oct", "kid": "h", "k": "SECRETSECRET" },
            { "kty": "RSA", "kid": "short", "n": b64(&[0xff; 128]), "e": "AQAB" },
            { "kty": "EC", "crv": "P-384", "kid": "off-curve", "x": b64(&[1; 48]), "y": b64(&[2; 48]) },
            { "kty": "EC", "crv": "P-521", "kid": "p521", "x": "AA", "y": "AA" },
            { "kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": "SECRETSECRET" },
            key.jwk.as_object().map(|k| { let mut k = k.clone(); k.remove("kid"); k }),
            key.jwk.as_object().map(|k| { let mut k = k.clone(); k.insert("use".into(), json!("enc")); k }),
            key.jwk.as_object().map(|k| { let mut k = k.clone(); k.insert("alg".into(), json!("HS256")); k }),
        ]});
        let path = dir.write("unusable.json", &unusable.to_string());
        let (err, message) = load(JwksSource::File(path)).await;
        assert!(matches!(err, AuthError::Jwks { .. }));
        assert!(!message.contains("SECRET"), "{message}");
        let (err, _) = load(JwksSource::Url("http://jwks.example.org/keys".into())).await;
        assert!(matches!(err, AuthError::InsecureUrl { .. }));
        let (err, _) = load(JwksSource::Url("not a url".into())).await;
        assert!(matches!(err, AuthError::InsecureUrl { .. }));
        // Nothing listens on port 9 of the local host.
        let (err, _) = load(JwksSource::Url("http://127.0.0.1:9/jwks".into())).await;
        assert!(matches!(err, AuthError::Fetch { .. }));
    }

    /// A JWKS served over HTTP on the local host, which the test may change, counting fetches.
    struct JwksServer {
        url: String,
        jwks: Arc<std::sync::Mutex<Option<Value>>>,
        fetches: Arc<AtomicUsize>,
    }

    impl JwksServer {
        async fn start(jwks: Value) -> JwksServer {
            use axum::http::StatusCode;
            let state = Arc::new(std::sync::Mutex::new(Some(jwks)));
            let fetches = Arc::new(AtomicUsize::new(0));
            let (served, counted) = (state.clone(), fetches.clone());
            let app = axum::Router::new().route(
                "/jwks",
                axum::routing::get(move || {
                    let (served, counted) = (served.clone(), counted.clone());
                    async move {
                        counted.fetch_add(1, Ordering::SeqCst);
                        match served.lock().unwrap().clone() {
                            Some(jwks) => Ok(axum::Json(jwks)),
                            None => Err(StatusCode::INTERNAL_SERVER_ERROR),
                        }
                    }
                }),
            );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            tokio::spawn(async move { axum::serve(listener, app).await });
            JwksServer {
                url: format!("http://{addr}/jwks"),
                jwks: state,
                fetches,
            }
        }

        fn serve(&self, jwks: Option<Value>) {
            *self.jwks.lock().unwrap() = jwks;
        }

        fn fetches(&self) -> usize {
            self.fetches.load(Ordering::SeqCst)
        }
    }

    #[tokio::test]
    async fn a_url_jwks_is_refetched_for_a_new_kid_at_most_once_a_minute() {
        let old = es384("2025");
        let server = JwksServer::start(jwks(&[&old])).await;
        let mut verifier = Verifier::new(vec![Client {
            issuer: ISS.into(),
            jwks: JwksSource::Url(server.url.clone()),
        }])
        .await
        .unwrap();
        assert_eq!(server.fetches(), 1);
        check_token(&verifier, &sign(&old, &claims()))
            .await
            .unwrap();
        assert_eq!(server.fetches(), 1, "a known kid needs no fetch");

        // Rotation: the EHR publishes a new key and drops the old one.
        let new = es384("2026");
        server.serve(Some(jwks(&[&new])));
        check_token(&verifier, &sign(&new, &claims()))
            .await
            .unwrap();
        assert_eq!(server.fetches(), 2);
        check_token(&verifier, &sign(&new, &claims()))
            .await
            .unwrap();
        assert_eq!(server.fetches(), 2);
        // The dropped key is gone; asking for it (or any unknown kid) again within the minute
        // does not refetch.
        assert_eq!(
            check_token(&verifier, &sign(&old, &claims())).await,
            Err(Reason::UnknownKid)
        );
        let unknown = es384("bogus");
        for _ in 0..5 {
            assert_eq!(
                check_token(&verifier, &sign(&unknown, &claims())).await,
                Err(Reason::UnknownKid)
            );
        }
        assert_eq!(server.fetches(), 2);

        // Once the interval has passed, an unknown kid refetches; a failed refetch keeps the
        // keys it had.
        verifier.refetch_interval = Duration::ZERO;
        server.serve(None);
        assert_eq!(
            check_token(&verifier, &sign(&unknown, &claims())).await,
            Err(Reason::UnknownKid)
        );
        assert_eq!(server.fetches(), 3);
        server.serve(Some(json!({ "keys": [] })));
        assert_eq!(
            check_token(&verifier, &sign(&unknown, &claims())).await,
            Err(Reason::UnknownKid)
        );
        assert_eq!(server.fetches(), 4);
        check_token(&verifier, &sign(&new, &claims()))
            .await
            .unwrap();
    }

    #[test]
    fn rsa_modulus_sizes_are_counted_in_bits() {
        assert_eq!(significant_bits(&[]), 0);
        assert_eq!(significant_bits(&[0, 0]), 0);
        assert_eq!(significant_bits(&[0, 1]), 1);
        assert_eq!(significant_bits(&[0x80, 0]), 16);
        assert_eq!(significant_bits(&[0, 0x7f, 0xff]), 15);
    }

    #[test]
    fn only_https_or_local_http_urls_are_fetched() {
        assert!(url_allowed("https://ehr.example.org/.well-known/jwks.json"));
        assert!(url_allowed("http://127.0.0.1:8080/jwks"));
        assert!(url_allowed("http://localhost/jwks"));
        assert!(url_allowed("http://[::1]:1/jwks"));
        // The same local-host rule as the FHIR fetch's (`net::is_loopback`).
        assert!(url_allowed("http://LOCALHOST:9/jwks"));
        assert!(url_allowed("http://127.0.0.2/jwks"));
        assert!(!url_allowed("http://10.0.0.1/jwks"));
        assert!(!url_allowed("http://ehr.example.org/jwks"));
        assert!(!url_allowed("file:///etc/jwks.json"));
        assert!(!url_allowed("jwks.json"));
    }
}
