//! The `carelevel-cds` service: parses its flags (each also an environment variable) and
//! serves CDS Hooks until SIGINT or SIGTERM, then finishes the requests in flight.

use carelevel::RulePack;
use carelevel_cds::auth::{self, Client, JwksSource};
use carelevel_cds::{Config, DEFAULT_BODY_LIMIT, DEFAULT_CARD_CAPACITY};
use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// A CDS Hooks service recommending a behavioural-health level of care.
#[derive(Debug, Parser)]
#[command(name = "carelevel-cds", version)]
struct Args {
    /// The address to listen on.
    #[arg(long, env = "CARELEVEL_CDS_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// A rule file, or a directory standing for every `*.toml` file under it (subdirectories
    /// included, in path order), as the `carelevel` command's `--pack`; the built-in pack
    /// when not given.
    #[arg(long, env = "CARELEVEL_CDS_PACK", value_name = "PATH")]
    pack: Option<PathBuf>,
    /// The log filter: `error`, `warn`, `info`, `debug`, or a tracing filter directive.
    #[arg(long, env = "CARELEVEL_CDS_LOG_LEVEL", default_value = "info")]
    log_level: String,
    /// The URL the EHR calls the service at (a token's `aud`); `http://ADDR` when not given.
    #[arg(long, env = "CARELEVEL_CDS_PUBLIC_URL", value_name = "URL")]
    public_url: Option<String>,
    /// A trusted EHR: its tokens' issuer and its JWKS (a file or an http(s) URL). Repeat for
    /// several; in the environment variable, separate them with commas.
    #[arg(
        long = "client",
        env = "CARELEVEL_CDS_CLIENTS",
        value_name = "ISSUER=JWKS",
        value_delimiter = ',',
        value_parser = parse_client
    )]
    clients: Vec<Client>,
    /// Accept requests without a token: for local testing only (every request logs a
    /// warning).
    #[arg(long, env = "CARELEVEL_CDS_INSECURE_NO_AUTH")]
    insecure_no_auth: bool,
    /// When a request has no prefetch, fetch the intake from its `fhirServer` with its
    /// `fhirAuthorization` token (otherwise: 412).
    #[arg(long, env = "CARELEVEL_CDS_FETCH_MISSING_PREFETCH")]
    fetch_missing_prefetch: bool,
    /// The largest request body accepted, in bytes.
    #[arg(long, env = "CARELEVEL_CDS_BODY_LIMIT", value_name = "BYTES", default_value_t = DEFAULT_BODY_LIMIT)]
    body_limit: usize,
    /// How many issued cards are kept for their feedback.
    #[arg(long, env = "CARELEVEL_CDS_CARD_CAPACITY", default_value_t = DEFAULT_CARD_CAPACITY)]
    card_capacity: usize,
    /// How long an issued card is kept for its feedback, in seconds.
    #[arg(
        long,
        env = "CARELEVEL_CDS_CARD_TTL_SECS",
        value_name = "SECONDS",
        default_value_t = 86_400
    )]
    card_ttl_secs: u64,
}

fn parse_client(s: &str) -> Result<Client, String> {
    let (issuer, jwks) = s
        .split_once('=')
        .filter(|(i, j)| !i.is_empty() && !j.is_empty())
        .ok_or("expected ISSUER=JWKS (the tokens' `iss`, then a JWKS file or URL)")?;
    let jwks = if jwks.starts_with("https://") || jwks.starts_with("http://") {
        JwksSource::Url(jwks.to_owned())
    } else {
        JwksSource::File(PathBuf::from(jwks))
    };
    Ok(Client {
        issuer: issuer.to_owned(),
        jwks,
    })
}

async fn run(args: Args) -> Result<(), String> {
    let auth = match (args.clients.is_empty(), args.insecure_no_auth) {
        (true, false) => {
            return Err(
                "no trusted client: give --client ISSUER=JWKS (CARELEVEL_CDS_CLIENTS) \
                 for each EHR, or --insecure-no-auth (CARELEVEL_CDS_INSECURE_NO_AUTH) for \
                 local testing only"
                    .into(),
            );
        }
        (false, true) => {
            return Err("give either --client or --insecure-no-auth, not both".into());
        }
        (true, true) => auth::Auth::InsecureNoAuth,
        (false, false) => auth::Auth::Jwt(
            auth::Verifier::new(args.clients)
                .await
                .map_err(|e| format!("--client: {e}"))?,
        ),
    };
    let pack = match &args.pack {
        // The same loader as the `carelevel` command's `--pack`: a copy of `rules/` (with its
        // `sources/`) loads the same way in both.
        Some(path) => {
            carelevel_files::load(std::slice::from_ref(path)).map_err(|e| format!("--pack: {e}"))?
        }
        None => RulePack::try_builtin().map_err(|e| format!("the built-in pack: {e}"))?,
    };
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| format!("--addr {}: {e}", args.addr))?;
    let bound = listener
        .local_addr()
        .map_err(|e| format!("--addr {}: {e}", args.addr))?;
    let public_url = args.public_url.unwrap_or_else(|| format!("http://{bound}"));
    let mut config = Config::new(pack, auth, public_url);
    config.fetch_missing_prefetch = args.fetch_missing_prefetch;
    config.body_limit = args.body_limit;
    config.card_capacity = args.card_capacity;
    config.card_ttl = Duration::from_secs(args.card_ttl_secs);
    if matches!(config.auth, auth::Auth::InsecureNoAuth) {
        tracing::warn!(
            target: "carelevel_cds",
            "--insecure-no-auth: any caller is served without a token; for local testing only"
        );
    }
    let mut running = carelevel_cds::start(config, listener)
        .await
        .map_err(|e| e.to_string())?;
    tokio::select! {
        () = shutdown_signal() => {
            tracing::info!(target: "carelevel_cds", "shutting down: finishing requests in flight");
            running.shutdown().await.map_err(|e| format!("server: {e}"))?;
        }
        result = running.finished() => result.map_err(|e| format!("server: {e}"))?,
    }
    tracing::info!(target: "carelevel_cds", "stopped");
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let filter = match tracing_subscriber::EnvFilter::try_new(&args.log_level) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("carelevel-cds: --log-level: {e}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .with_env_filter(filter)
        .with_writer(std::io::stdout)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("carelevel-cds: could not start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("carelevel-cds: {e}");
            ExitCode::from(2)
        }
    }
}
