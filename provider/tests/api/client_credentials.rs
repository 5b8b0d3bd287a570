//! The client_credentials grant (RFC 6749 §4.4).

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn a_service_gets_an_access_token_about_itself_without_refresh_or_id_token() {
    let app = spawn_app().await;
    let response =
        app.token(Some(("report-service", "report-service-secret")), &[("grant_type", "client_credentials")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_store(response.headers());
    let body: Value = response.json().await.unwrap();
    assert!(body.get("refresh_token").is_none());
    assert!(body.get("id_token").is_none());
    assert_eq!(body["scope"], "todos:read");
    let access = body["access_token"].as_str().unwrap();
    let claims = verify_with_jwks(&app, access).await;
    assert_eq!(claims["sub"], "client:report-service");
    assert_eq!(claims["client_id"], "report-service");
    assert_eq!(claims["aud"], AUDIENCE);
}

#[tokio::test]
async fn a_machine_token_never_carries_a_users_sub() {
    let app = spawn_app().await;
    // A user whose id is the client's id: RFC 9068 §5 — a resource server
    // keying data by `sub` must never take the client for this user.
    let db = shared::db::connect_with(&app.database_url, 1).await.unwrap();
    sqlx::query(
        "INSERT INTO users (id, username, password_hash, name, email, email_verified, created_at) \
         VALUES ('report-service', 'report', 'x', 'Report', 'r@example.com', 1, 0)",
    )
    .execute(&db)
    .await
    .unwrap();
    let body: Value = app
        .token(Some(("report-service", "report-service-secret")), &[("grant_type", "client_credentials")])
        .await
        .json()
        .await
        .unwrap();
    let claims = verify_with_jwks(&app, body["access_token"].as_str().unwrap()).await;
    let users: Vec<(String,)> = sqlx::query_as("SELECT id FROM users").fetch_all(&db).await.unwrap();
    assert!(users.iter().all(|(id,)| claims["sub"] != *id), "sub {} is a user's id", claims["sub"]);
}

#[tokio::test]
async fn a_client_without_the_grant_is_unauthorized_client() {
    let app = spawn_app().await;
    let response = app.token_as_todo_app(&[("grant_type", "client_credentials")]).await;
    assert_token_error(response, StatusCode::BAD_REQUEST, "unauthorized_client").await;
}

#[tokio::test]
async fn unregistered_or_user_scopes_are_invalid_scope() {
    let app = spawn_app().await;
    let creds = Some(("report-service", "report-service-secret"));
    let response = app.token(creds, &[("grant_type", "client_credentials"), ("scope", "todos:write")]).await;
    assert_token_error(response, StatusCode::BAD_REQUEST, "invalid_scope").await;
    let response = app
        .token(Some(("odd client", "p@ss:w+rd/%")), &[("grant_type", "client_credentials"), ("scope", "openid")])
        .await;
    assert_token_error_mentioning(response, StatusCode::BAD_REQUEST, "invalid_scope", "needs a user").await;
}
