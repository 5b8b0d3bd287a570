//! The UserInfo endpoint (OIDC Core §5.3) and its RFC 6750 errors.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

/// Asserts `status` and returns the RFC 6750 §3 `WWW-Authenticate` challenge.
fn challenge(response: &reqwest::Response, status: StatusCode) -> &str {
    assert_eq!(response.status(), status);
    response.headers()["www-authenticate"].to_str().unwrap()
}

#[tokio::test]
async fn userinfo_returns_the_claims_of_the_granted_scopes() {
    let app = spawn_app().await;
    let tokens = app.tokens_for_todo_app("openid email").await;
    let token = tokens["access_token"].as_str().unwrap();
    for method in [reqwest::Method::GET, reqwest::Method::POST] {
        let response = app.http.request(method, app.url("/oauth2/userinfo")).bearer_auth(token).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["email"], "demo@example.com");
        assert_eq!(body["email_verified"], true);
        assert!(body.get("name").is_none(), "no profile scope, no name");
        assert_eq!(body["sub"], jwt_parts(token).1["sub"]);
    }
}

#[tokio::test]
async fn no_token_is_401_with_a_bare_bearer_challenge() {
    let app = spawn_app().await;
    let response = app.get("/oauth2/userinfo").await;
    let challenge = challenge(&response, StatusCode::UNAUTHORIZED);
    assert!(challenge.starts_with("Bearer") && !challenge.contains("error="), "{challenge}");
}

#[tokio::test]
async fn an_invalid_or_revoked_token_is_401_invalid_token() {
    let app = spawn_app().await;
    let response = app.userinfo("not.a.jwt").await;
    assert!(challenge(&response, StatusCode::UNAUTHORIZED).contains("error=\"invalid_token\""));

    let tokens = app.tokens_for_todo_app("openid").await;
    // An ID token is not an access token (RFC 9068 §2.1 typ).
    let response = app.userinfo(tokens["id_token"].as_str().unwrap()).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let access = tokens["access_token"].as_str().unwrap();
    app.http
        .post(app.url("/oauth2/revoke"))
        .header("Authorization", basic("todo-app", TODO_APP_SECRET))
        .form(&[("token", access)])
        .send()
        .await
        .unwrap();
    let response = app.userinfo(access).await;
    assert!(challenge(&response, StatusCode::UNAUTHORIZED).contains("revoked"));
}

#[tokio::test]
async fn a_token_without_openid_is_403_insufficient_scope() {
    let app = spawn_app().await;
    let tokens = app.tokens_for_todo_app("todos:read").await;
    let response = app.userinfo(tokens["access_token"].as_str().unwrap()).await;
    let challenge = challenge(&response, StatusCode::FORBIDDEN);
    assert!(challenge.contains("error=\"insufficient_scope\""), "{challenge}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "insufficient_scope");
}
