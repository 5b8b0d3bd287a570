//! The refresh_token grant: rotation, reuse detection, scope, lifetimes.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

async fn refresh(app: &TestApp, token: &str, extra: &[(&str, &str)]) -> reqwest::Response {
    let mut form = vec![("grant_type", "refresh_token"), ("refresh_token", token)];
    form.extend_from_slice(extra);
    app.token_as_todo_app(&form).await
}

#[tokio::test]
async fn each_refresh_rotates_the_refresh_token_and_returns_a_new_id_token() {
    let app = spawn_app().await;
    let first = app.tokens_for_todo_app(ALL_SCOPES).await;
    let old = first["refresh_token"].as_str().unwrap();
    let response = refresh(&app, old, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_store(response.headers());
    let second: Value = response.json().await.unwrap();
    let new = second["refresh_token"].as_str().unwrap();
    assert_ne!(new, old);
    assert_ne!(second["access_token"], first["access_token"]);
    let (_, id_claims) = jwt_parts(second["id_token"].as_str().unwrap());
    assert_eq!(id_claims["aud"], "todo-app");
    assert!(id_claims.get("nonce").is_none(), "a refreshed ID token has no nonce");
    assert_eq!(refresh(&app, new, &[]).await.status(), StatusCode::OK, "the new one works");
}

#[tokio::test]
async fn reusing_a_rotated_refresh_token_revokes_the_whole_family() {
    let app = spawn_app().await;
    let first = app.tokens_for_todo_app(ALL_SCOPES).await;
    let old = first["refresh_token"].as_str().unwrap().to_owned();
    let second: Value = refresh(&app, &old, &[]).await.json().await.unwrap();
    assert_eq!(introspect(&app, second["access_token"].as_str().unwrap()).await["active"], true);

    let reuse = refresh(&app, &old, &[]).await;
    assert_token_error_mentioning(reuse, StatusCode::BAD_REQUEST, "invalid_grant", "RFC 9700 §4.14.2").await;

    // Every token of the family is dead: the newest refresh token and both
    // access tokens.
    let newest = refresh(&app, second["refresh_token"].as_str().unwrap(), &[]).await;
    assert_token_error(newest, StatusCode::BAD_REQUEST, "invalid_grant").await;
    assert_eq!(introspect(&app, second["access_token"].as_str().unwrap()).await, json!({"active": false}));
    assert_eq!(introspect(&app, first["access_token"].as_str().unwrap()).await, json!({"active": false}));
}

#[tokio::test]
async fn a_refresh_can_narrow_the_scope_but_never_widen_it() {
    let app = spawn_app().await;
    let tokens = app.tokens_for_todo_app("openid offline_access todos:read").await;
    let token = tokens["refresh_token"].as_str().unwrap();
    let wider = refresh(&app, token, &[("scope", "openid offline_access todos:read todos:write")]).await;
    assert_token_error_mentioning(wider, StatusCode::BAD_REQUEST, "invalid_scope", "todos:write").await;
    // The failed attempt did not spend the token; narrowing works.
    let narrower: Value = refresh(&app, token, &[("scope", "todos:read")]).await.json().await.unwrap();
    assert_eq!(narrower["scope"], "todos:read");
    assert!(narrower.get("id_token").is_none());
    // The rotated refresh token keeps the original grant's scope (RFC 6749 §6).
    let again: Value = refresh(&app, narrower["refresh_token"].as_str().unwrap(), &[]).await.json().await.unwrap();
    assert_eq!(again["scope"], "offline_access openid todos:read");
}

#[tokio::test]
async fn a_refresh_token_presented_by_another_client_is_invalid_grant() {
    let app = spawn_app().await;
    let tokens = app.tokens_for_todo_app(ALL_SCOPES).await;
    let response = app
        .token_as_legacy_app(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ])
        .await;
    assert_token_error_mentioning(response, StatusCode::BAD_REQUEST, "invalid_grant", "another client").await;
}

#[tokio::test]
async fn the_absolute_lifetime_is_not_extended_by_rotation() {
    let app = spawn_app_with(&[("PROVIDER_REFRESH_TOKEN_TTL_SECONDS", "3")]).await;
    let tokens = app.tokens_for_todo_app(ALL_SCOPES).await;
    let rotated: Value = refresh(&app, tokens["refresh_token"].as_str().unwrap(), &[]).await.json().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(3200)).await;
    let late = refresh(&app, rotated["refresh_token"].as_str().unwrap(), &[]).await;
    assert_token_error_mentioning(late, StatusCode::BAD_REQUEST, "invalid_grant", "absolute lifetime").await;
}

#[tokio::test]
async fn an_idle_refresh_token_expires() {
    let app = spawn_app_with(&[("PROVIDER_REFRESH_TOKEN_IDLE_SECONDS", "1")]).await;
    let tokens = app.tokens_for_todo_app(ALL_SCOPES).await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let late = refresh(&app, tokens["refresh_token"].as_str().unwrap(), &[]).await;
    assert_token_error_mentioning(late, StatusCode::BAD_REQUEST, "invalid_grant", "unused").await;
}

#[tokio::test]
async fn a_refresh_with_a_json_body_works() {
    let app = spawn_app().await;
    let tokens = app.tokens_for_todo_app(ALL_SCOPES).await;
    let response = app
        .token_json(&json!({
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": "todo-app",
            "client_secret": TODO_APP_SECRET,
        }))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_unknown_refresh_token_is_invalid_grant() {
    let app = spawn_app().await;
    assert_token_error(refresh(&app, "nope", &[]).await, StatusCode::BAD_REQUEST, "invalid_grant").await;
}

#[tokio::test]
async fn a_rotation_that_fails_half_way_leaves_the_refresh_token_usable() {
    // Rotation is one transaction: if recording the successor fails after
    // the presented token was retired, the retirement is rolled back, so the
    // client's retry is a retry and not a reuse that revokes the family.
    use provider::store::tokens::{NewRefreshToken, find_refresh_token, rotate};
    let app = spawn_app().await;
    let tokens = app.tokens_for_todo_app(ALL_SCOPES).await;
    let presented = tokens["refresh_token"].as_str().unwrap();
    let hash = shared::random::sha256_hex(presented);
    let db = shared::db::connect_with(&app.database_url, 1).await.unwrap();
    let row = find_refresh_token(&db, &hash).await.unwrap().unwrap();
    // A successor that cannot be stored: its hash is already taken.
    let successor = NewRefreshToken {
        token_hash: hash.clone(),
        grant_id: row.grant_id.clone(),
        client_id: row.client_id.clone(),
        user_id: row.user_id.clone(),
        scope: row.scope.clone(),
        family_expires_at: row.family_expires_at,
        expires_at: row.expires_at,
    };
    assert!(
        rotate(&mut db.acquire().await.unwrap(), &hash, &successor).await.is_err(),
        "the duplicate successor fails"
    );
    assert_eq!(find_refresh_token(&db, &hash).await.unwrap().unwrap().rotated_at, None, "rolled back");
    drop(db);
    let retry = refresh(&app, presented, &[]).await;
    assert_eq!(retry.status(), StatusCode::OK, "the retry is not taken for reuse");
}
