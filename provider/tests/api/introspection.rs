//! Token introspection (RFC 7662).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

async fn introspect(app: &TestApp, creds: Option<(&str, &str)>, form: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app.http.post(app.url("/oauth2/introspect")).form(form);
    if let Some((id, secret)) = creds {
        request = request.header("Authorization", basic(id, secret));
    }
    request.send().await.unwrap()
}

const API: Option<(&str, &str)> = Some(("todo-api", "todo-api-secret"));

#[tokio::test]
async fn introspection_requires_a_confidential_clients_credentials() {
    let app = spawn_app().await;
    let tokens = app.tokens_for_todo_app("openid todos:read").await;
    let token = tokens["access_token"].as_str().unwrap();
    assert_token_error(introspect(&app, None, &[("token", token)]).await, StatusCode::UNAUTHORIZED, "invalid_client")
        .await;
    let response = introspect(&app, Some(("todo-api", "wrong")), &[("token", token)]).await;
    assert_token_error(response, StatusCode::UNAUTHORIZED, "invalid_client").await;
    let public = introspect(&app, None, &[("token", token), ("client_id", "todo-spa")]).await;
    assert_token_error(public, StatusCode::UNAUTHORIZED, "invalid_client").await;
}

#[tokio::test]
async fn only_clients_registered_to_introspect_may() {
    let app = spawn_app().await;
    let tokens = app.tokens_for_todo_app("openid todos:read").await;
    let token = tokens["access_token"].as_str().unwrap();
    // RFC 7662 §4: a confidential client with the right secret, but not
    // registered with may_introspect, learns nothing about the token.
    for (id, secret) in [("report-service", "report-service-secret"), ("todo-app", TODO_APP_SECRET)] {
        let response = introspect(&app, Some((id, secret)), &[("token", token)]).await;
        assert_token_error_mentioning(response, StatusCode::BAD_REQUEST, "unauthorized_client", "may_introspect").await;
    }
    let allowed: Value = introspect(&app, API, &[("token", token)]).await.json().await.unwrap();
    assert_eq!(allowed["active"], true);
}

#[tokio::test]
async fn an_active_access_token_is_described() {
    let app = spawn_app().await;
    let tokens = app.tokens_for_todo_app("openid todos:read").await;
    let response = introspect(&app, API, &[("token", tokens["access_token"].as_str().unwrap())]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_store(response.headers());
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["active"], true);
    assert_eq!(body["scope"], "openid todos:read");
    assert_eq!(body["client_id"], "todo-app");
    assert_eq!(body["iss"], app.base);
    assert_eq!(body["aud"], AUDIENCE);
    assert_eq!(body["token_type"], "Bearer");
    for field in ["sub", "exp", "iat"] {
        assert!(!body[field].is_null(), "{field}");
    }
}

#[tokio::test]
async fn a_refresh_token_is_described_and_the_hint_is_honoured() {
    let app = spawn_app().await;
    let tokens = app.tokens_for_todo_app(ALL_SCOPES).await;
    let refresh = tokens["refresh_token"].as_str().unwrap();
    for hint in ["refresh_token", "access_token"] {
        let body: Value =
            introspect(&app, API, &[("token", refresh), ("token_type_hint", hint)]).await.json().await.unwrap();
        assert_eq!(body["active"], true, "hint {hint}");
        assert_eq!(body["token_type"], "refresh_token");
        assert_eq!(body["client_id"], "todo-app");
    }
}

#[tokio::test]
async fn garbage_unknown_and_expired_tokens_are_exactly_inactive() {
    let app = spawn_app_with(&[("PROVIDER_ACCESS_TOKEN_TTL_SECONDS", "1")]).await;
    let tokens = app.tokens_for_todo_app("openid todos:read").await;
    // Active first: the verified signature is remembered, and the expiry is
    // still checked on every introspection.
    let active: Value =
        introspect(&app, API, &[("token", tokens["access_token"].as_str().unwrap())]).await.json().await.unwrap();
    assert_eq!(active["active"], true);
    for token in ["garbage", "a.b.c", ""] {
        let response = introspect(&app, API, &[("token", token)]).await;
        if token.is_empty() {
            assert_token_error(response, StatusCode::BAD_REQUEST, "invalid_request").await;
        } else {
            assert_eq!(response.json::<Value>().await.unwrap(), json!({"active": false}));
        }
    }
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let expired: Value =
        introspect(&app, API, &[("token", tokens["access_token"].as_str().unwrap())]).await.json().await.unwrap();
    assert_eq!(expired, json!({"active": false}));
}
