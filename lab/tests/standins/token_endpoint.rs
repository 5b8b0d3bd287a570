//! The token endpoint: PKCE, single-use codes, refresh-token rotation.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use lab::attacks::{code_injection, code_replay, pkce_downgrade, refresh_replay};

use crate::support::{aimed_at, approving_authorize, assert_succeeded, issuing_token_endpoint, run, token_response};

/// Provider stand-in: approves everything, and its token endpoint issues
/// tokens for any code, verifier or refresh token, as often as asked.
async fn lax_provider() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let url = format!("http://127.0.0.1:{}", listener.local_addr().expect("an address").port());
    let router = approving_authorize().merge(issuing_token_endpoint(&url));
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

#[tokio::test]
async fn code_injection_succeeds_against_a_token_endpoint_that_ignores_pkce() {
    let provider = lax_provider().await;
    assert_succeeded(&run(&code_injection::ATTACK, aimed_at(&provider, "http://localhost:3000")).await);
}

#[tokio::test]
async fn pkce_downgrade_succeeds_against_a_token_endpoint_that_accepts_a_verifier_without_a_challenge() {
    let provider = lax_provider().await;
    assert_succeeded(&run(&pkce_downgrade::ATTACK, aimed_at(&provider, "http://localhost:3000")).await);
}

#[tokio::test]
async fn code_replay_succeeds_against_a_token_endpoint_that_redeems_a_code_twice() {
    let provider = lax_provider().await;
    assert_succeeded(&run(&code_replay::ATTACK, aimed_at(&provider, "http://localhost:3000")).await);
}

#[tokio::test]
async fn code_replay_succeeds_when_the_replay_is_refused_but_its_tokens_live_on() {
    // Single-use codes, but no revocation of what the first use produced.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let url = format!("http://127.0.0.1:{}", listener.local_addr().expect("an address").port());
    let used: Arc<Mutex<Vec<String>>> = Arc::default();
    let issuer = url.clone();
    let token = post(move |axum::Form(form): axum::Form<HashMap<String, String>>| async move {
        if let Some(code) = form.get("code") {
            let mut used = used.lock().expect("not poisoned");
            if used.contains(code) {
                return (StatusCode::BAD_REQUEST, axum::Json(serde_json::json!({"error": "invalid_grant"})))
                    .into_response();
            }
            used.push(code.clone());
        }
        axum::Json(token_response(&issuer, &form)).into_response()
    });
    let router = approving_authorize().merge(Router::new().route("/oauth2/token", token));
    tokio::spawn(async move { axum::serve(listener, router).await });
    let report = run(&code_replay::ATTACK, aimed_at(&url, "http://localhost:3000")).await;
    assert_succeeded(&report);
    assert!(report.because.contains("still work"), "{}", report.because);
}

#[tokio::test]
async fn refresh_replay_succeeds_against_a_token_endpoint_that_keeps_rotated_tokens_alive() {
    let provider = lax_provider().await;
    assert_succeeded(&run(&refresh_replay::ATTACK, aimed_at(&provider, "http://localhost:3000")).await);
}
