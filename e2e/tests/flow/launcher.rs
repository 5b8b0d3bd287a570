//! The `cargo run` launcher: three services, one command, a clean stop.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use e2e::launcher::{self, LaunchError};
use e2e::services::{Service, ServiceEnvs};
use reqwest::StatusCode;
use shared::config::Env;
use testkit::db::TestDatabase;

/// Each service on port 0 with a fresh database, plus `extra` for all three;
/// the databases go when the returned guards do.
async fn envs_on_port_zero(extra: &[(&str, &str)]) -> (ServiceEnvs, Vec<TestDatabase>) {
    let mut envs = ServiceEnvs::default();
    let mut databases = Vec::new();
    for (env, service) in [
        (&mut envs.provider, Service::Provider),
        (&mut envs.client, Service::Client),
        (&mut envs.todo_api, Service::TodoApi),
    ] {
        env.set(service.addr_variable(), "127.0.0.1:0");
        let database = TestDatabase::fresh("launcher").await;
        env.set(service.database_variable(), &database.url);
        databases.push(database);
        for (name, value) in extra {
            env.set(name, *value);
        }
    }
    (envs, databases)
}

#[tokio::test]
async fn the_launcher_serves_all_three_services_and_stops_them() {
    let (envs, _databases) = envs_on_port_zero(&[]).await;
    let launched = launcher::launch(envs).await.expect("the launcher starts");

    for service in Service::ALL {
        let healthz = format!("http://{}/healthz", launched.local_addr(service));
        let response = reqwest::get(&healthz).await.unwrap_or_else(|e| panic!("{service}: {e}"));
        assert_eq!(response.status(), StatusCode::OK, "{service} is healthy");
    }
    let banner = launched.banner();
    for expected in
        ["http://localhost:3000", "http://localhost:8080", "http://localhost:4000", "demo / demo", "alice / alice"]
    {
        assert!(banner.contains(expected), "the banner shows {expected}: {banner}");
    }

    let provider = launched.local_addr(Service::Provider);
    launched.stop().await.expect("all three stop cleanly");
    assert!(tokio::net::TcpStream::connect(provider).await.is_err(), "the provider's port is closed");
}

#[tokio::test]
async fn a_port_in_use_is_reported_with_the_variable_that_moves_it() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    let (mut envs, _databases) = envs_on_port_zero(&[]).await;
    envs.client.set("CLIENT_ADDR", taken.local_addr().expect("an address").to_string());

    let error = launcher::launch(envs).await.err().expect("the launcher refuses to start");
    assert!(matches!(error, LaunchError::Start { service: Service::Client, .. }), "{error}");
    let message = error.to_string();
    assert!(message.contains("already in use"), "{message}");
    assert!(message.contains("set CLIENT_ADDR to another host:port"), "{message}");
}

#[tokio::test]
async fn a_bad_value_is_reported_before_anything_starts() {
    let envs = ServiceEnvs::shared(Env::from_pairs([("TODO_API_TOKEN_VALIDATION", "opaque")]));
    let error = launcher::launch(envs).await.err().expect("the launcher refuses to start");
    assert!(error.to_string().contains("TODO_API_TOKEN_VALIDATION"), "{error}");
}

/// The `oauth-demo` binary, configured by the environment only, in an empty
/// working directory (so no `.env` is read and `./data/` is a fresh one).
fn oauth_demo(dir: &std::path::Path, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_oauth-demo"));
    command.env_clear().envs(env.iter().copied()).env("RUST_LOG", "warn").current_dir(dir);
    command
}

fn temp_dir(label: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(&format!("oauth-e2e-{label}-")).tempdir().expect("a temp dir")
}

#[test]
fn the_oauth_demo_binary_exits_non_zero_naming_the_variable_of_a_taken_port() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    let addr = taken.local_addr().expect("an address").to_string();
    let dir = temp_dir("taken");
    let output = oauth_demo(
        dir.path(),
        &[("PROVIDER_ADDR", &addr), ("CLIENT_ADDR", "127.0.0.1:0"), ("TODO_API_ADDR", "127.0.0.1:0")],
    )
    .output()
    .expect("oauth-demo runs");
    assert!(!output.status.success(), "exits non-zero");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("set PROVIDER_ADDR to another host:port"), "{stderr}");
}

#[test]
fn the_oauth_demo_binary_prints_the_urls_and_stops_cleanly_on_sigterm() {
    let dir = temp_dir("launcher");
    let mut child = oauth_demo(
        dir.path(),
        &[
            ("PROVIDER_ADDR", "127.0.0.1:0"),
            ("CLIENT_ADDR", "127.0.0.1:0"),
            ("TODO_API_ADDR", "127.0.0.1:0"),
            ("LAB_ADDR", "127.0.0.1:0"),
            ("SPA_ADDR", "127.0.0.1:0"),
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::inherit())
    .spawn()
    .expect("oauth-demo starts");

    // Read the banner on another thread, so a silent launcher cannot hang the test.
    let stdout = child.stdout.take().expect("piped stdout");
    let (lines, banner) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let mut printed = Vec::new();
    while let Ok(line) = banner.recv_timeout(Duration::from_secs(120)) {
        let done = line.contains("Press Ctrl-C to stop");
        printed.push(line);
        if done {
            break;
        }
    }
    let printed = printed.join("\n");
    let stopped = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let status = child.wait().expect("oauth-demo ends");
    let data = dir.path().join("data");
    let databases: Vec<String> = std::fs::read_dir(&data)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();

    assert!(printed.contains("http://localhost:3000") && printed.contains("demo / demo"), "{printed}");
    assert!(
        printed.contains("lab") && printed.contains("http://127.0.0.1:6660"),
        "the attack lab is listed: {printed}"
    );
    assert!(
        printed.contains("spa") && printed.contains("http://localhost:5173"),
        "the single-page app is listed: {printed}"
    );
    assert!(stopped.is_ok_and(|s| s.success()), "SIGTERM was sent");
    assert!(status.success(), "a clean stop exits 0, got {status}");
    for file in ["provider.db", "client.db", "todos.db"] {
        assert!(databases.iter().any(|name| name == file), "./data/{file} was created: {databases:?}");
    }
}
