//! Token revocation (RFC 7009).

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

async fn revoke(app: &TestApp, creds: Option<(&str, &str)>, form: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app.http.post(app.url("/oauth2/revoke")).form(form);
    if let Some((id, secret)) = creds {
        request = request.header("Authorization", basic_auth(id, secret));
    }
    request.send().await.unwrap()
}

async fn active(app: &TestApp, token: &str) -> bool {
    introspect(app, token).await["active"] == json!(true)
}

const APP: Option<(&str, &str)> = Some(("todo-app", TODO_APP_SECRET));

#[tokio::test]
async fn revoking_a_refresh_token_also_revokes_the_access_tokens_of_its_grant() {
    let app = spawn_app().await;
    let tokens = app.tokens_for_todo_app(ALL_SCOPES).await;
    let (access, refresh) = (tokens["access_token"].as_str().unwrap(), tokens["refresh_token"].as_str().unwrap());
    let response = revoke(&app, APP, &[("token", refresh), ("token_type_hint", "refresh_token")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(!active(&app, refresh).await);
    assert!(!active(&app, access).await);
    let again = app.token(APP, &[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await;
    assert_token_error(again, StatusCode::BAD_REQUEST, "invalid_grant").await;
}

#[tokio::test]
async fn revoking_an_access_token_records_its_jti() {
    let app = spawn_app().await;
    let tokens = app.tokens_for_todo_app(ALL_SCOPES).await;
    let (access, refresh) = (tokens["access_token"].as_str().unwrap(), tokens["refresh_token"].as_str().unwrap());
    assert!(active(&app, access).await);
    assert_eq!(revoke(&app, APP, &[("token", access)]).await.status(), StatusCode::OK);
    assert!(!active(&app, access).await);
    assert!(active(&app, refresh).await, "the refresh token is untouched");
}

#[tokio::test]
async fn an_unknown_token_still_gets_200() {
    let app = spawn_app().await;
    assert_eq!(revoke(&app, APP, &[("token", "never-issued")]).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn revocation_requires_client_authentication() {
    let app = spawn_app().await;
    let response = revoke(&app, Some(("todo-app", "wrong")), &[("token", "x")]).await;
    assert_token_error(response, StatusCode::UNAUTHORIZED, "invalid_client").await;
    assert_token_error(revoke(&app, None, &[("token", "x")]).await, StatusCode::UNAUTHORIZED, "invalid_client").await;
}

#[tokio::test]
async fn a_token_of_another_client_is_refused_and_not_revoked() {
    let app = spawn_app().await;
    let tokens = app.tokens_for_todo_app(ALL_SCOPES).await;
    for kind in ["refresh_token", "access_token"] {
        let token = tokens[kind].as_str().unwrap();
        let form = [("token", token), ("client_id", "legacy-app"), ("client_secret", "legacy-app-secret")];

        let response = revoke(&app, None, &form).await;

        assert_token_error(response, StatusCode::BAD_REQUEST, "unauthorized_client").await;
        assert!(active(&app, token).await, "the {kind} is still active");
    }
}

#[tokio::test]
async fn an_access_token_recorded_while_its_grant_was_revoked_is_never_active() {
    let app = spawn_app().await;
    let tokens = app.tokens_for_todo_app(ALL_SCOPES).await;
    let access = tokens["access_token"].as_str().unwrap();
    assert!(active(&app, access).await);
    // The interleaving "the grant is revoked, then a token of it is
    // recorded": the grant carries the revocation, the token row does not.
    let pool = shared::db::connect(&app.database_url).await.unwrap();
    sqlx::query("UPDATE grants SET revoked_at = 1").execute(&pool).await.unwrap();
    pool.close().await;
    assert!(!active(&app, access).await, "introspection must read the grant's state");
    let userinfo = app.userinfo(access).await;
    assert_eq!(userinfo.status(), StatusCode::UNAUTHORIZED);
}
