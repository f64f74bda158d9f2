//! A CDS Hooks service for carelevel: an EHR calls it on `patient-view` with the patient's
//! latest completed intake (a FHIR QuestionnaireResponse) and gets a card with the
//! recommended level of care, a suggestion to refer and to record a `RiskAssessment`, and
//! override reasons; feedback on the card becomes an override record and an audit line.
//!
//! [`start`] serves it on a listener until [`Running::shutdown`]; the `carelevel-cds` binary
//! parses flags into a [`Config`] and calls it. The README's "A CDS Hooks service" section
//! describes the endpoints, the flags and the extensions.

pub mod auth;
mod error;
mod feedback;
mod fetch;
mod hook;
mod net;
mod store;

use crate::error::{ApiError, parse_body};
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, MatchedPath, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use carelevel::RulePack;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_http::limit::RequestBodyLimitLayer;
use tracing::Instrument;

/// The service's id in discovery and in its URL (`/cds-services/carelevel-level-of-care`).
pub const SERVICE_ID: &str = "carelevel-level-of-care";
/// The hook the service answers.
pub const HOOK: &str = "patient-view";
/// The feedback item's extension naming the level actually arranged, which CDS Hooks
/// feedback has no place for: `{"extension": {"carelevel-arranged-level": "iop"}}`.
pub const ARRANGED_LEVEL_EXTENSION: &str = "carelevel-arranged-level";
/// The default limit on a request body: 1 MiB, some thirty times a complete intake.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
/// How many issued cards are kept for feedback by default.
pub const DEFAULT_CARD_CAPACITY: usize = 10_000;
/// How long an issued card is kept for feedback by default: 24 hours.
pub const DEFAULT_CARD_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// How long fetching a missing prefetch may take by default.
pub const DEFAULT_FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// How the service runs. Build it with [`Config::new`] and change the fields that differ
/// from the defaults.
#[non_exhaustive]
pub struct Config {
    /// The rule pack that assesses intakes.
    pub pack: RulePack,
    /// Who may call the `/cds-services` endpoints.
    pub auth: auth::Auth,
    /// The URL the EHR calls the service at, without a trailing `/`
    /// (`https://cds.example.org`): a token's `aud` must be it or it followed by the path of
    /// the endpoint called.
    pub public_url: String,
    /// When a request has neither `prefetch.intake` nor `context.questionnaireResponse`,
    /// fetch the intake from the request's `fhirServer` (otherwise: 412).
    pub fetch_missing_prefetch: bool,
    /// The largest request body accepted, in bytes (larger: 413). Also the largest search
    /// result fetched from a FHIR server.
    pub body_limit: usize,
    /// How many issued cards are kept for their feedback (the oldest go first).
    pub card_capacity: usize,
    /// How long an issued card is kept for its feedback.
    pub card_ttl: Duration,
    /// How long fetching a missing prefetch may take.
    pub fetch_timeout: Duration,
}

impl Config {
    /// A configuration with the defaults: no fetching of a missing prefetch,
    /// [`DEFAULT_BODY_LIMIT`], [`DEFAULT_CARD_CAPACITY`], [`DEFAULT_CARD_TTL`],
    /// [`DEFAULT_FETCH_TIMEOUT`].
    pub fn new(pack: RulePack, auth: auth::Auth, public_url: impl Into<String>) -> Config {
        Config {
            pack,
            auth,
            public_url: public_url.into(),
            fetch_missing_prefetch: false,
            body_limit: DEFAULT_BODY_LIMIT,
            card_capacity: DEFAULT_CARD_CAPACITY,
            card_ttl: DEFAULT_CARD_TTL,
            fetch_timeout: DEFAULT_FETCH_TIMEOUT,
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("pack", &self.pack.meta().id)
            .field(
                "auth",
                &match self.auth {
                    auth::Auth::Jwt(_) => "jwt",
                    auth::Auth::InsecureNoAuth => "insecure-no-auth",
                },
            )
            .field("public_url", &self.public_url)
            .field("fetch_missing_prefetch", &self.fetch_missing_prefetch)
            .field("body_limit", &self.body_limit)
            .field("card_capacity", &self.card_capacity)
            .field("card_ttl", &self.card_ttl)
            .field("fetch_timeout", &self.fetch_timeout)
            .finish()
    }
}

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The listener's address could not be read.
    #[error("the listener's address could not be read: {0}")]
    Listener(std::io::Error),
    /// `public_url` is not an http or https URL.
    #[error("`public_url` is not an http or https URL")]
    PublicUrl,
    /// The HTTP client for fetching a missing prefetch could not be built.
    #[error("the HTTP client for fetching prefetch could not be built: {0}")]
    Client(String),
}

/// A running service. Dropping it stops the service too, as [`Running::shutdown`] does, but
/// without waiting.
#[derive(Debug)]
pub struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    /// The server's task, until it has been seen to finish.
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Running {
    /// The address the service listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections, lets requests in flight finish, and returns when they
    /// have.
    ///
    /// # Errors
    ///
    /// The server's I/O error, if it stopped with one.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            // The server may have stopped already: then there is nobody to tell.
            let _ = stop.send(());
        }
        self.finished().await
    }

    /// Waits until the server stops: by itself (only on an I/O error) or after a shutdown.
    /// Returns at once if it was already seen to stop.
    ///
    /// # Errors
    ///
    /// The server's I/O error.
    pub async fn finished(&mut self) -> std::io::Result<()> {
        let Some(task) = &mut self.task else {
            return Ok(());
        };
        let result = task.await;
        // A finished task is never polled again.
        self.task = None;
        match result {
            Ok(result) => result,
            Err(e) => Err(std::io::Error::other(e)),
        }
    }
}

/// What every handler shares.
pub(crate) struct Service {
    pub pack: RulePack,
    pub auth: auth::Auth,
    pub public_url: String,
    pub fetcher: Option<reqwest::Client>,
    pub body_limit: usize,
    pub store: store::CardStore,
    pub questionnaire_url: String,
    pub discovery: Value,
}

type Shared = Arc<Service>;

/// Serves the CDS Hooks service on `listener` until [`Running::shutdown`].
///
/// # Errors
///
/// [`StartError`] when the listener's address cannot be read, `public_url` is not an http(s)
/// URL, or the HTTP client for fetching a missing prefetch cannot be built.
pub async fn start(
    config: Config,
    listener: tokio::net::TcpListener,
) -> Result<Running, StartError> {
    let addr = listener.local_addr().map_err(StartError::Listener)?;
    let public_url = config.public_url.trim_end_matches('/').to_owned();
    let valid = reqwest::Url::parse(&public_url)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if !valid {
        return Err(StartError::PublicUrl);
    }
    let fetcher = if config.fetch_missing_prefetch {
        Some(
            reqwest::Client::builder()
                .timeout(config.fetch_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("carelevel-cds/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| StartError::Client(e.to_string()))?,
        )
    } else {
        None
    };
    let questionnaire_url = carelevel::fhir::questionnaire_for(&config.pack).url;
    let service = Arc::new(Service {
        discovery: hook::discovery(&questionnaire_url),
        questionnaire_url,
        pack: config.pack,
        auth: config.auth,
        public_url,
        fetcher,
        body_limit: config.body_limit,
        store: store::CardStore::new(config.card_capacity, config.card_ttl),
    });
    let app = router(service, config.body_limit);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                // A dropped sender stops the server too.
                let _ = stopped.await;
            })
            .await
    });
    tracing::info!(target: "carelevel_cds", %addr, "listening");
    Ok(Running {
        addr,
        stop: Some(stop),
        task: Some(task),
    })
}

fn router(service: Shared, body_limit: usize) -> Router {
    let services = Router::new()
        .route("/cds-services", get(discovery))
        .route("/cds-services/{id}", post(call_hook))
        .route("/cds-services/{id}/feedback", post(feedback))
        .route_layer(middleware::from_fn_with_state(
            service.clone(),
            authenticate,
        ));
    Router::new()
        .route("/health", get(health))
        .merge(services)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(middleware::map_response(json_413))
        .layer(middleware::from_fn(log_request))
        .with_state(service)
}

async fn health() -> Response {
    axum::Json(json!({ "status": "ok" })).into_response()
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such endpoint: the service has `/cds-services` and `/health`")
}

async fn discovery(State(service): State<Shared>) -> Response {
    axum::Json(service.discovery.clone()).into_response()
}

/// The caller a token named, in the request's extensions (none with `--insecure-no-auth`).
async fn authenticate(State(service): State<Shared>, mut request: Request, next: Next) -> Response {
    match &service.auth {
        auth::Auth::InsecureNoAuth => {
            tracing::warn!(
                target: "carelevel_cds::auth",
                "request served without authentication (--insecure-no-auth)"
            );
        }
        auth::Auth::Jwt(verifier) => {
            let authorization = request
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|h| h.to_str().ok());
            let audiences = [
                format!("{}{}", service.public_url, request.uri().path()),
                service.public_url.clone(),
            ];
            match verifier.verify(authorization, &audiences).await {
                Ok(caller) => {
                    request.extensions_mut().insert(caller);
                }
                Err(rejected) => {
                    tracing::warn!(target: "carelevel_cds::auth", reason = %rejected, "request refused");
                    return (
                        StatusCode::UNAUTHORIZED,
                        [(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))],
                    )
                        .into_response();
                }
            }
        }
    }
    next.run(request).await
}

/// One log line per request: the route (never the raw path), the status and the time taken.
async fn log_request(request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", |p| p.as_str())
        .to_owned();
    let span = tracing::info_span!("request", id = %uuid::Uuid::new_v4());
    let response = next.run(request).instrument(span.clone()).await;
    span.in_scope(|| {
        tracing::info!(
            target: "carelevel_cds::http",
            method = %method,
            route = %route,
            status = response.status().as_u16(),
            micros = u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX),
            "request"
        );
    });
    response
}

/// tower-http's 413 is plain text: made a JSON error like the others.
async fn json_413(response: Response) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_json {
        return too_large().into_response();
    }
    response
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "the request body is larger than the service accepts (`--body-limit`)",
    )
}

/// The body, or the error for one that could not be read.
fn body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            ApiError::bad_request("the request body could not be read")
        }
    })
}

fn known_service(id: &str) -> Result<(), ApiError> {
    if id == SERVICE_ID {
        Ok(())
    } else {
        Err(ApiError::not_found(format!(
            "no such CDS service: this service offers `{SERVICE_ID}`"
        )))
    }
}

async fn call_hook(
    State(service): State<Shared>,
    Path(id): Path<String>,
    caller: Option<axum::Extension<auth::Caller>>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    known_service(&id)?;
    let mut request: hook::HookRequest = parse_body(&body(raw)?)?;
    let checked = hook::check(&request)?;
    let (given, source) = match hook::given_intake(&mut request) {
        Some((value, source)) => (value, source),
        None => match (&service.fetcher, request.fhir_server.as_deref()) {
            (Some(client), Some(server)) => {
                let query = hook::prefetch_query(&checked.patient_id, &service.questionnaire_url);
                let token = request
                    .fhir_authorization
                    .as_ref()
                    .map(|a| a.access_token.as_str());
                let value = fetch::fetch(client, server, &query, token, service.body_limit).await?;
                (value, hook::Source::Fetched)
            }
            _ => {
                return Err(ApiError::new(
                    StatusCode::PRECONDITION_FAILED,
                    if service.fetcher.is_some() {
                        "`prefetch.intake` is missing and there is no `fhirServer` to fetch it from"
                    } else {
                        "`prefetch.intake` is missing: give the prefetch (or \
                         `context.questionnaireResponse`); this service does not fetch it"
                    },
                ));
            }
        },
    };
    let found = hook::find_response(given, source, &checked.patient_id)?;
    let subject_checked = found.as_ref().map(|f| f.subject_checked);
    let (card, uuid, mut issued) = match found {
        Some(found) => {
            let report = hook::assess(&service, &found, source)?;
            hook::report_card(report, &checked, found.reference)?
        }
        None => hook::no_intake_card(&service, &checked),
    };
    let report = issued.report.as_deref();
    tracing::info!(
        target: "carelevel_cds::audit",
        event = "cds.hook",
        card = %uuid,
        service = SERVICE_ID,
        hook_instance = %checked.hook_instance,
        patient_id = %checked.patient_id,
        encounter_id = checked.encounter_id.as_deref(),
        issuer = caller.as_ref().map(|c| c.issuer.as_str()),
        jti = caller.as_ref().map(|c| hook::loggable(&c.jti)),
        source = source.as_str(),
        intake_found = report.is_some(),
        subject_checked,
        recommended = report.map(|r| r.level.map_or("provisional", carelevel::Level::as_str)),
        level_at_least = report.map(|r| r.level_at_least.as_str()),
        urgency = report.map(|r| r.urgency.as_str()),
        pack_id = service.pack.meta().id.as_str(),
        pack_version = service.pack.meta().version.as_str(),
        "card issued"
    );
    // Feedback on the card is accepted only from the issuer it was given to.
    issued.issuer = caller.as_ref().map(|c| c.issuer.clone());
    service.store.insert(uuid, issued);
    Ok(axum::Json(json!({ "cards": [card] })).into_response())
}

async fn feedback(
    State(service): State<Shared>,
    Path(id): Path<String>,
    caller: Option<axum::Extension<auth::Caller>>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    known_service(&id)?;
    let request: feedback::FeedbackRequest = parse_body(&body(raw)?)?;
    let records = feedback::handle(&service.store, caller.as_deref(), request)?;
    Ok(axum::Json(json!({ "records": records })).into_response())
}
