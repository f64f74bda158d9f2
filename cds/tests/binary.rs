//! The `carelevel-cds` binary: it refuses to start without a way to authenticate, serves
//! with `--insecure-no-auth`, and stops on SIGTERM.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_carelevel-cds"));
    for (key, _) in std::env::vars() {
        if key.starts_with("CARELEVEL_CDS_") {
            command.env_remove(key);
        }
    }
    command
}

#[test]
fn it_refuses_to_start_without_clients_or_insecure_no_auth() {
    let output = command().output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("--client") && stderr.contains("--insecure-no-auth"),
        "{stderr}"
    );
}

#[test]
fn a_bad_client_flag_is_refused() {
    let output = command()
        .args(["--client", "no-equals-sign"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("ISSUER=JWKS"), "{stderr}");
}

#[test]
fn an_empty_pack_directory_is_refused() {
    let dir = std::env::temp_dir().join(format!("carelevel-cds-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let output = command()
        .args(["--insecure-no-auth", "--addr", "127.0.0.1:0", "--pack"])
        .arg(&dir)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("--pack") && stderr.contains("holds no .toml file"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn it_serves_and_stops_on_sigterm() {
    let mut child = command()
        .args(["--insecure-no-auth", "--addr", "127.0.0.1:0"])
        .env("CARELEVEL_CDS_LOG_LEVEL", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the service logs where it listens")
            .unwrap();
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        if value["message"] == "listening" {
            break value["addr"].as_str().unwrap().to_owned();
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = runtime.block_on(async {
        reqwest::get(format!("http://{addr}/health"))
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit}");
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    assert!(rest.iter().any(|l| l.contains("\"stopped\"")), "{rest:?}");
}

/// `--pack` loads as the `carelevel` command's does: a copy of `rules/` under its own id,
/// its `sources/` subdirectory included (without which its citations name no source), starts
/// the service.
#[test]
fn a_copy_of_the_rules_directory_is_a_pack() {
    let dir = std::env::temp_dir().join(format!("carelevel-cds-copy-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (name, text) in carelevel::BUILTIN_SOURCES {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            path,
            text.replace("id = \"carelevel.builtin\"", "id = \"example.local\""),
        )
        .unwrap();
    }
    assert!(dir.join("sources").is_dir(), "the copy has a subdirectory");
    let mut child = command()
        .args(["--insecure-no-auth", "--addr", "127.0.0.1:0", "--pack"])
        .arg(&dir)
        .env("CARELEVEL_CDS_LOG_LEVEL", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let started = lines.by_ref().map_while(Result::ok).any(|line| {
        serde_json::from_str::<serde_json::Value>(&line).is_ok_and(|v| v["message"] == "listening")
    });
    let _ = child.kill();
    let output = child.wait_with_output().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        started,
        "{}",
        String::from_utf8_lossy(&output.stderr)
            .lines()
            .next()
            .unwrap_or("")
    );
}
