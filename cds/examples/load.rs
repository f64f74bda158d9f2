//! A small load client for a running `carelevel-cds` in `--insecure-no-auth` mode: N
//! connections, each posting one `patient-view` request (a bundled intake in its prefetch)
//! again and again for D seconds; prints requests per second and the p50/p99 latency.
//!
//! ```text
//! cargo run --release -p carelevel-cds -- --insecure-no-auth --log-level warn &
//! cargo run --release -p carelevel-cds --example load -- \
//!     --url http://127.0.0.1:8080 --connections 16 --seconds 10
//! ```

use carelevel::Intake;
use carelevel::fhir::response_from_intake;
use std::error::Error;
use std::time::{Duration, Instant};

const USAGE: &str =
    "usage: load [--url URL] [--connections N] [--seconds D] [--intake FILE.json] [--show]";

struct Args {
    url: String,
    connections: usize,
    seconds: u64,
    intake: String,
    /// Post once and print the response instead.
    show: bool,
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
            _ => return Err(USAGE.into()),
        }
    }
    Ok(args)
}

/// What one connection did: the latency of each 200, in microseconds, and the failures.
async fn connection(url: String, body: Vec<u8>, until: Instant) -> (Vec<u64>, u64) {
    let mut latencies = Vec::new();
    let mut failures = 0;
    // One client per connection, holding at most one connection open.
    let Ok(client) = reqwest::Client::builder().pool_max_idle_per_host(1).build() else {
        return (latencies, 1);
    };
    while Instant::now() < until {
        let start = Instant::now();
        let sent = client
            .post(&url)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await;
        let ok = match sent {
            Ok(response) => response.status() == 200 && response.bytes().await.is_ok(),
            Err(_) => false,
        };
        if ok {
            latencies.push(u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX));
        } else {
            failures += 1;
        }
    }
    (latencies, failures)
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
    if args.show {
        let response = reqwest::Client::new()
            .post(&url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await?;
        println!("{}", response.status());
        let value: serde_json::Value = response.json().await?;
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    println!(
        "{} connections for {} s against {url}, {} byte request",
        args.connections,
        args.seconds,
        body.len()
    );
    let started = Instant::now();
    let until = started + Duration::from_secs(args.seconds);
    let tasks: Vec<_> = (0..args.connections)
        .map(|_| tokio::spawn(connection(url.clone(), body.clone(), until)))
        .collect();
    let mut latencies = Vec::new();
    let mut failures = 0;
    for task in tasks {
        let (l, f) = task.await?;
        latencies.extend(l);
        failures += f;
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
    Ok(())
}
