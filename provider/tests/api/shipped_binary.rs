//! The `provider` executable itself: configured only by environment
//! variables, it must never write a secret to its log (ASVS 16.2.5:
//! credentials are not logged, tokens at most hashed or masked) and must
//! stop cleanly on SIGTERM.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::*;
use testkit::db::TestDatabase;
use testkit::serve::free_port;

#[tokio::test]
async fn the_binary_logs_requests_but_never_a_code_token_secret_or_password_and_stops_on_sigterm() {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let database = TestDatabase::fresh("provider").await;
    let database_url = database.url.clone();
    let mut child = Command::new(env!("CARGO_BIN_EXE_provider"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PROVIDER_ADDR", format!("127.0.0.1:{port}"))
        .env("PROVIDER_PUBLIC_URL", &base)
        .env("PROVIDER_DATABASE_URL", &database_url)
        .env("PROVIDER_SIGNING_ALG", "ES256")
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the provider binary starts");

    let app = TestApp::attach(&base);
    let mut ready = false;
    for _ in 0..200 {
        if app.http.get(app.url("/healthz")).send().await.is_ok_and(|r| r.status() == StatusCode::OK) {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(ready, "the provider answered /healthz");

    let (code, verifier) = app.code_for_todo_app(ALL_SCOPES).await;
    let tokens = app.exchange(&code, &verifier).await;
    let refreshed = app.refresh_as_todo_app(tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(refreshed.status(), StatusCode::OK);

    // SIGTERM: graceful shutdown, exit status 0.
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let mut exited = None;
    for _ in 0..200 {
        if let Some(status) = child.try_wait().unwrap() {
            exited = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let exited = exited.unwrap_or_else(|| {
        let _ = child.kill();
        panic!("the provider did not stop within 10 s of SIGTERM")
    });
    assert!(exited.success(), "clean exit on SIGTERM: {exited}");

    let mut log = String::new();
    child.stderr.take().unwrap().read_to_string(&mut log).unwrap();
    child.stdout.take().unwrap().read_to_string(&mut log).unwrap();
    assert!(log.contains("request_id="), "request logs carry a request id");
    assert!(log.contains("path=/oauth2/token"), "request logs carry the path");
    let secrets = [
        ("authorization code", code.as_str()),
        ("code_verifier", verifier.expose()),
        ("access token", tokens["access_token"].as_str().unwrap()),
        ("refresh token", tokens["refresh_token"].as_str().unwrap()),
        ("id token", tokens["id_token"].as_str().unwrap()),
        ("client secret", TODO_APP_SECRET),
        ("demo password", "password=demo"),
    ];
    for (what, value) in secrets {
        assert!(!log.contains(value), "the {what} appears in the log");
    }
}
