//! Token revocation (RFC 7009).

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

async fn revoke(app: &TestApp, creds: Option<(&str, &str)>, form: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app.http.post(app.url("/oauth2/revoke")).form(form);
    if let Some((id, secret)) = creds {
        request = request.header("Authorization", basic(id, secret));
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
async fn issuing_an_access_token_writes_nothing_and_revoking_it_writes_its_jti() {
    let app = spawn_app().await;
    let tokens = app.tokens_for_todo_app(ALL_SCOPES).await;
    let access = tokens["access_token"].as_str().unwrap();
    let (_, claims) = jwt_parts(access);
    assert!(claims["grant_id"].is_string(), "a user's token names its grant: {claims}");
    let db = shared::db::connect_with(&app.database_url, 1).await.unwrap();
    let rows = || async { count(&db, "SELECT COUNT(*) FROM access_tokens WHERE revoked = 1").await };
    assert_eq!(count(&db, "SELECT COUNT(*) FROM access_tokens").await, 0, "a JWT proves itself (RFC 9068)");
    assert_eq!(revoke(&app, APP, &[("token", access)]).await.status(), StatusCode::OK);
    assert_eq!(rows().await, 1);
    assert_eq!(revoke(&app, APP, &[("token", access)]).await.status(), StatusCode::OK, "twice is harmless");
    assert_eq!(rows().await, 1);
}

#[tokio::test]
async fn a_client_credentials_token_names_no_grant_and_is_revoked_by_its_jti() {
    let app = spawn_app().await;
    let report = Some(("report-service", "report-service-secret"));
    let body: serde_json::Value =
        app.token(report, &[("grant_type", "client_credentials")]).await.json().await.unwrap();
    let token = body["access_token"].as_str().unwrap();
    let (_, claims) = jwt_parts(token);
    assert_eq!(claims.get("grant_id"), None, "client_credentials has no grant: {claims}");
    assert!(active(&app, token).await);
    assert_eq!(revoke(&app, report, &[("token", token)]).await.status(), StatusCode::OK);
    assert!(!active(&app, token).await);
}

#[tokio::test]
async fn a_token_recorded_when_it_was_issued_is_still_revoked_with_its_grant() {
    // Before issuing stopped writing rows, every access token had one, and
    // its JWT named no grant: revoking the grant must still reach it.
    use provider::store::tokens::access_token_is_revoked;
    let app = spawn_app().await;
    let tokens = app.tokens_for_todo_app(ALL_SCOPES).await;
    let (_, claims) = jwt_parts(tokens["access_token"].as_str().unwrap());
    let db = shared::db::connect_with(&app.database_url, 1).await.unwrap();
    sqlx::query(
        "INSERT INTO access_tokens (jti, grant_id, client_id, expires_at) VALUES ('older', $1, 'todo-app', $2)",
    )
    .bind(claims["grant_id"].as_str().unwrap())
    .bind(shared::now_unix() + 600)
    .execute(&db)
    .await
    .unwrap();
    assert!(!access_token_is_revoked(&db, "older", None).await.unwrap());
    let refresh = tokens["refresh_token"].as_str().unwrap();
    assert_eq!(revoke(&app, APP, &[("token", refresh)]).await.status(), StatusCode::OK);
    assert!(access_token_is_revoked(&db, "older", None).await.unwrap());
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
async fn an_access_token_of_a_revoked_grant_is_never_active() {
    let app = spawn_app().await;
    let access = app.tokens_for_todo_app(ALL_SCOPES).await["access_token"].as_str().unwrap().to_owned();
    assert!(active(&app, &access).await);
    // A token names its grant: the grant's mark (here set straight in the
    // database, as another replica would) is enough, with no row for the token.
    let pool = shared::db::connect(&app.database_url).await.unwrap();
    sqlx::query("UPDATE grants SET revoked_at = 1").execute(&pool).await.unwrap();
    pool.close().await;
    assert!(!active(&app, &access).await, "introspection must read the grant's state");
    let userinfo = app.userinfo(&access).await;
    assert_eq!(userinfo.status(), StatusCode::UNAUTHORIZED);
}
