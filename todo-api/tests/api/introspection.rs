//! `TODO_API_TOKEN_VALIDATION=introspection`: RFC 7662, against a fake
//! introspection endpoint.

use reqwest::StatusCode;
use serde_json::{Value, json};
use testkit::http::basic;

use crate::helpers::{API_CLIENT_ID, API_CLIENT_SECRET, TestApp, assert_invalid_token, now, spawn_introspection_app};

/// What the provider answers for an active token of `sub`.
fn active(app: &TestApp, sub: &str) -> Value {
    let now = now();
    json!({
        "active": true,
        "scope": "openid todos:read todos:write",
        "client_id": "todo-app",
        "sub": sub,
        "exp": now + 300,
        "iat": now,
        "iss": app.config.issuer,
        "aud": [app.config.audience],
        "token_type": "Bearer",
    })
}

/// Has the provider answer `{"active": false}` for `token` (RFC 7662 §2.2),
/// and asserts that the API then refuses it as `invalid_token`.
async fn assert_refused_once_inactive(app: &TestApp, token: &str) {
    app.provider.set_introspection(token, json!({"active": false}));

    let response = app.get_todos(token).await;

    assert_invalid_token(response, "not active").await;
}

#[tokio::test]
async fn active_token_is_accepted_and_introspected_with_the_apis_own_credentials() {
    let app = spawn_introspection_app().await;
    app.provider.set_introspection("opaque-1", active(&app, "alice"));

    let response = app.get_todos("opaque-1").await;

    assert_eq!(response.status(), StatusCode::OK);
    let calls = app.provider.introspections();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].authorization, Some(basic(API_CLIENT_ID, API_CLIENT_SECRET)));
    assert_eq!(calls[0].form.get("token").map(String::as_str), Some("opaque-1"));
    assert_eq!(calls[0].form.get("token_type_hint").map(String::as_str), Some("access_token"));
}

#[tokio::test]
async fn inactive_token_is_refused_at_once() {
    let app = spawn_introspection_app().await;

    assert_refused_once_inactive(&app, "revoked").await;
}

#[tokio::test]
async fn a_token_revoked_after_use_is_refused_on_the_next_request() {
    let app = spawn_introspection_app().await;
    app.provider.set_introspection("soon-revoked", active(&app, "alice"));
    assert_eq!(app.get_todos("soon-revoked").await.status(), StatusCode::OK);

    assert_refused_once_inactive(&app, "soon-revoked").await;
}

#[tokio::test]
async fn an_active_token_for_another_audience_issuer_or_time_is_rejected() {
    // "active" is the provider's word; audience, issuer and expiry are
    // still the API's to check.
    let app = spawn_introspection_app().await;
    for (claim, value, mentions) in [
        ("aud", json!("https://other-api.example"), "audience 'https://other-api.example'"),
        ("iss", json!("https://evil.example"), "issuer 'https://evil.example'"),
        ("exp", json!(now() - 3600), "expired at"),
    ] {
        let mut answer = active(&app, "alice");
        answer[claim] = value;
        app.provider.set_introspection(claim, answer);

        let response = app.get_todos(claim).await;

        assert_invalid_token(response, mentions).await;
    }
}

#[tokio::test]
async fn introspected_scope_is_enforced() {
    let app = spawn_introspection_app().await;
    let mut answer = active(&app, "alice");
    answer["scope"] = json!("openid todos:read");
    app.provider.set_introspection("read-only", answer);

    let response = app.create_todo("read-only", &json!({"title": "milk"})).await;

    crate::helpers::assert_bearer_error(response, StatusCode::FORBIDDEN, "insufficient_scope", "todos:write").await;
}

#[tokio::test]
async fn todos_belong_to_the_introspected_subject() {
    let app = spawn_introspection_app().await;
    app.provider.set_introspection("alice", active(&app, "alice"));
    app.provider.set_introspection("bob", active(&app, "bob"));
    app.new_todo("alice", "alice's todo").await;

    let bobs: Value = app.get_todos("bob").await.json().await.unwrap();

    assert_eq!(bobs, json!([]));
}

#[tokio::test]
async fn provider_down_in_introspection_mode_is_a_503_not_a_401() {
    let mut app = spawn_introspection_app().await;
    app.provider.stop().await;

    let response = app.get_todos("anything").await;

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().get("www-authenticate").is_none());
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "temporarily_unavailable");
}
