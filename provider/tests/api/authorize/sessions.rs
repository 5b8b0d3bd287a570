//! The authorization endpoint and the user's session: sign-in when needed,
//! and OIDC Core §3.1.2.1's `prompt` and `max_age`.

use reqwest::StatusCode;
use shared::pkce::CodeVerifier;

use super::{assert_error_redirect, challenge, send, send_as, valid, with};
use crate::helpers::*;

#[tokio::test]
async fn a_user_who_is_not_signed_in_is_sent_to_the_login_page() {
    let app = spawn_app().await;
    let response = send(&app, &valid(&challenge())).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(location(&response), "/login");
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("provider_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
}

/// `prompt=none` never shows a page: whatever page it would need is named
/// in the error instead (OIDC Core §3.1.2.6).
#[tokio::test]
async fn prompt_none_answers_login_required_then_consent_required() {
    let app = spawn_app().await;
    let prompt_none = || with(&valid(&challenge()), "prompt", Some("none"));

    // Without a session: login_required.
    assert_error_redirect(&app, &send(&app, &prompt_none()).await, "login_required");

    // Signed in, but the user has not consented: consent_required.
    app.login("demo", "demo").await;
    assert_error_redirect(&app, &send(&app, &prompt_none()).await, "consent_required");
}

#[tokio::test]
async fn prompt_none_with_session_and_consent_returns_a_code_without_any_page() {
    let app = spawn_app().await;
    let first = send_as(&app, "demo", &valid(&challenge())).await;
    assert!(redirect_params(&first).contains_key("code"));
    let response = send(&app, &with(&valid(&challenge()), "prompt", Some("none"))).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert!(redirect_params(&response).contains_key("code"));
}

#[tokio::test]
async fn prompt_login_asks_for_the_password_again_and_then_continues() {
    let app = spawn_app().await;
    app.login("demo", "demo").await;
    let response = send(&app, &with(&valid(&challenge()), "prompt", Some("login"))).await;
    assert_eq!(location(&response), "/login");
    let login = app.login("demo", "demo").await;
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    let resumed = location(&login);
    assert!(resumed.starts_with("/oauth2/authorize?"), "{resumed}");
    // Continues to consent, not to the login page again.
    let page = app.follow(&login).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("name=\"decision\""));
}

#[tokio::test]
async fn prompt_login_ends_the_old_authentication_even_when_the_new_login_is_abandoned() {
    let app = spawn_app().await;
    sign_in_and_get_a_code(&app).await;
    let response = send(&app, &with(&valid(&challenge()), "prompt", Some("login"))).await;
    assert_eq!(location(&response), "/login");
    // The user walks away from the login page; the same request without
    // prompt=login must not ride on the old authentication.
    let response = send(&app, &valid(&challenge())).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(location(&response), "/login");
}

/// Moves the `auth_time` of every stored session `seconds` into the past.
async fn age_the_login(app: &TestApp, seconds: i64) {
    let pool = shared::db::connect(&app.database_url).await.unwrap();
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT id, data FROM sessions").fetch_all(&pool).await.unwrap();
    for (id, data) in rows {
        // Edited as text: the record's id is an i128, which a JSON value
        // round trip would not keep.
        let marker = "\"auth_time\":";
        let Some(start) = data.find(marker).map(|at| at + marker.len()) else { continue };
        let end = start + data[start..].find(|c: char| !c.is_ascii_digit()).unwrap();
        let auth_time: i64 = data[start..end].parse().unwrap();
        let edited = format!("{}{}{}", &data[..start], auth_time - seconds, &data[end..]);
        sqlx::query("UPDATE sessions SET data = $1 WHERE id = $2").bind(edited).bind(id).execute(&pool).await.unwrap();
    }
    pool.close().await;
}

#[tokio::test]
async fn max_age_forces_a_new_login_when_the_last_one_is_older_and_auth_time_is_in_the_id_token() {
    let app = spawn_app().await;
    let tokens = app.tokens_for_todo_app("openid").await;
    age_the_login(&app, 3600).await;

    let verifier = CodeVerifier::generate();
    let openid = |challenge: &str| with(&valid(challenge), "scope", Some("openid"));
    let params = with(&openid(verifier.challenge().as_str()), "max_age", Some("60"));
    // prompt=none cannot ask: login_required.
    let response = send(&app, &with(&params, "prompt", Some("none"))).await;
    assert_error_redirect(&app, &response, "login_required");
    // Otherwise the user signs in again, and the fresh login satisfies it.
    let response = send(&app, &params).await;
    assert_eq!(location(&response), "/login");
    let login = app.login("demo", "demo").await;
    let resumed = app.follow(&login).await;
    let code = redirect_params(&resumed)["code"].clone();
    let fresh = app.exchange(&code, &verifier).await;
    let (_, old_claims) = jwt_parts(tokens["id_token"].as_str().unwrap());
    let (_, claims) = jwt_parts(fresh["id_token"].as_str().unwrap());
    let auth_time = claims["auth_time"].as_i64().expect("auth_time is in the ID token (OIDC Core §2)");
    assert!(auth_time > old_claims["auth_time"].as_i64().unwrap() - 3600 + 60, "a new authentication");
    assert!(shared::now_unix() - auth_time <= 60);

    // A recent enough login satisfies max_age without asking.
    let response = send(&app, &with(&openid(&challenge()), "max_age", Some("3600"))).await;
    assert!(redirect_params(&response).contains_key("code"));
    // A malformed max_age is refused.
    let response = send(&app, &with(&valid(&challenge()), "max_age", Some("soon"))).await;
    assert_error_redirect(&app, &response, "invalid_request");
}

#[tokio::test]
async fn max_age_zero_is_satisfied_by_the_login_made_for_it() {
    let app = spawn_app().await;
    app.login("demo", "demo").await;
    age_the_login(&app, 5).await;
    let params = with(&valid(&challenge()), "max_age", Some("0"));
    let response = send(&app, &params).await;
    assert_eq!(location(&response), "/login");
    let login = app.login("demo", "demo").await;
    age_the_login(&app, 5).await;
    let resumed = app.follow(&login).await;
    assert_eq!(resumed.status(), StatusCode::OK, "on to the consent page, not the login page again");
    assert!(resumed.text().await.unwrap().contains("name=\"decision\""));
}

/// The stored sessions, as (id, data, expires_at).
async fn stored_sessions(app: &TestApp) -> Vec<(String, String, i64)> {
    let pool = shared::db::connect(&app.database_url).await.unwrap();
    let rows = sqlx::query_as("SELECT id, data, expires_at FROM sessions ORDER BY id").fetch_all(&pool).await.unwrap();
    pool.close().await;
    rows
}

#[tokio::test]
async fn a_signed_in_users_authorization_requests_do_not_rewrite_the_session() {
    let app = spawn_app().await;
    sign_in_and_get_a_code(&app).await;
    let before = stored_sessions(&app).await;
    // A save would move `expires_at` (the session expires on inactivity),
    // and it counts in whole seconds.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    for _ in 0..3 {
        let response = send(&app, &valid(&challenge())).await;
        assert!(redirect_params(&response).contains_key("code"));
    }
    assert_eq!(stored_sessions(&app).await, before, "nothing changed, so nothing was written");
}

#[tokio::test]
async fn a_signed_in_user_who_keeps_coming_back_keeps_the_session_alive() {
    let app = spawn_app().await;
    sign_in_and_get_a_code(&app).await;
    // The last write was a keep-alive period ago (and a second, so that a
    // new expiry differs from the stored one).
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let pool = shared::db::connect(&app.database_url).await.unwrap();
    let (id, data, expires_at): (String, String, i64) =
        sqlx::query_as("SELECT id, data, expires_at FROM sessions").fetch_one(&pool).await.unwrap();
    let marker = "\"seen_at\":";
    let start = data.find(marker).expect("a signed-in session records when it was seen") + marker.len();
    let end = start + data[start..].find(|c: char| !c.is_ascii_digit()).unwrap();
    let seen: i64 = data[start..end].parse().unwrap();
    let aged = format!("{}{}{}", &data[..start], seen - provider::session::KEEP_ALIVE_SECONDS, &data[end..]);
    sqlx::query("UPDATE sessions SET data = $1 WHERE id = $2").bind(aged).bind(&id).execute(&pool).await.unwrap();

    let response = send(&app, &valid(&challenge())).await;
    assert!(redirect_params(&response).contains_key("code"));
    let (moved,): (i64,) = sqlx::query_as("SELECT expires_at FROM sessions").fetch_one(&pool).await.unwrap();
    assert!(moved > expires_at, "the inactivity deadline moved on: {expires_at} -> {moved}");
    pool.close().await;
}

/// `demo` signs in and approves a valid request, which answers with a code.
async fn sign_in_and_get_a_code(app: &TestApp) {
    assert!(redirect_params(&send_as(app, "demo", &valid(&challenge())).await).contains_key("code"));
}
