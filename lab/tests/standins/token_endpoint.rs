//! The token endpoint: PKCE, single-use codes, refresh-token rotation.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use lab::attacks::{client_lockout, code_injection, code_replay, pkce_downgrade, refresh_replay};

use crate::support::{aimed_at, approving_authorize, assert_succeeded, issuing_token_endpoint, run, token_response};

/// Provider stand-in: approves everything, and its token endpoint issues
/// tokens for any code, verifier or refresh token, as often as asked.
async fn lax_provider() -> String {
    let port = testkit::serve::Port::free().await;
    let url = port.url().to_owned();
    let router = approving_authorize().merge(issuing_token_endpoint(&url));
    port.serve(router);
    url
}

/// Each attack the lax provider lets through, with the check it lacks.
#[tokio::test]
async fn token_endpoint_attacks_succeed_against_a_token_endpoint_that_checks_nothing() {
    let provider = lax_provider().await;
    for attack in [
        // It ignores PKCE.
        &code_injection::ATTACK,
        // It accepts a verifier for a code issued without a challenge.
        &pkce_downgrade::ATTACK,
        // It redeems a code twice.
        &code_replay::ATTACK,
        // It keeps rotated refresh tokens alive.
        &refresh_replay::ATTACK,
    ] {
        assert_succeeded(&run(attack, aimed_at(&provider, "http://localhost:3000")).await);
    }
}

#[tokio::test]
async fn code_replay_succeeds_when_the_replay_is_refused_but_its_tokens_live_on() {
    // Single-use codes, but no revocation of what the first use produced.
    let port = testkit::serve::Port::free().await;
    let url = port.url().to_owned();
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
    port.serve(router);
    let report = run(&code_replay::ATTACK, aimed_at(&url, "http://localhost:3000")).await;
    assert_succeeded(&report);
    assert!(report.because.contains("still work"), "{}", report.because);
}

#[tokio::test]
async fn client_lockout_succeeds_against_a_throttle_keyed_by_client_id_alone() {
    // Failures counted per client_id, checked before the secret: after 20,
    // every request for that client is refused — the right one too.
    let failures: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
    let token = post(move |headers: axum::http::HeaderMap| async move {
        let authorization = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
        let (id, secret) = shared::basic_credentials::decode(authorization).unwrap_or_default();
        let mut failures = failures.lock().expect("not poisoned");
        let count = failures.entry(id).or_default();
        if *count >= 20 {
            return (StatusCode::TOO_MANY_REQUESTS, axum::Json(serde_json::json!({"error": "invalid_client"})))
                .into_response();
        }
        if secret != "report-service-secret" {
            *count += 1;
            return (StatusCode::UNAUTHORIZED, axum::Json(serde_json::json!({"error": "invalid_client"})))
                .into_response();
        }
        axum::Json(serde_json::json!({"access_token": "t", "token_type": "Bearer", "expires_in": 60})).into_response()
    });
    let url = crate::support::serve(Router::new().route("/oauth2/token", token)).await;
    assert_succeeded(&run(&client_lockout::ATTACK, aimed_at(&url, "http://localhost:3000")).await);
}
