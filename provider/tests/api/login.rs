//! The login form: CSRF, argon2id, throttling, session handling.

use reqwest::StatusCode;

use crate::helpers::*;

async fn post_login(app: &TestApp, username: &str, password: &str) -> reqwest::Response {
    app.login(username, password).await
}

#[tokio::test]
async fn login_page_is_a_form_with_username_password_and_csrf_token_that_cannot_be_framed() {
    let app = spawn_app().await;
    let response = app.get("/login").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_cannot_be_framed(response.headers());
    assert_eq!(response.headers()["cache-control"], "no-store");
    let page = response.text().await.unwrap();
    assert!(page.contains("<form method=\"post\""));
    assert!(page.contains("name=\"username\"") && page.contains("name=\"password\""));
    assert_eq!(hidden_input(&page, "csrf_token").len(), 43);
}

#[tokio::test]
async fn login_without_the_csrf_token_is_refused() {
    let app = spawn_app().await;
    app.get("/login").await;
    let response = app.post_form("/login", &[("username", "demo"), ("password", "demo")]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.headers().get("location").is_none());
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_generic_message() {
    let app = spawn_app().await;
    let wrong = post_login(&app, "demo", "nope").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let wrong = wrong.text().await.unwrap();
    let unknown = post_login(&app, "nobody", "nope").await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let unknown = unknown.text().await.unwrap();
    assert!(wrong.contains("Invalid username or password."));
    assert!(unknown.contains("Invalid username or password."));
}

#[tokio::test]
async fn successful_login_redirects_with_303_and_changes_the_session_id() {
    let app = spawn_app().await;
    let page = app.get("/login").await;
    let before = page.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let csrf = hidden_input(&page.text().await.unwrap(), "csrf_token");
    let response =
        app.post_form("/login", &[("username", "demo"), ("password", "demo"), ("csrf_token", csrf.as_str())]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/");
    let after = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(after.starts_with("provider_session="));
    assert!(after.contains("HttpOnly"));
    assert_ne!(after.split(';').next().unwrap(), before, "session id is cycled on login (no fixation)");
    assert!(app.get("/").await.text().await.unwrap().contains("Hello, Demo User"));
}

#[tokio::test]
async fn repeated_failures_are_throttled_with_429_and_retry_after() {
    let app = spawn_app_with(&[("PROVIDER_LOGIN_MAX_FAILURES", "3")]).await;
    for _ in 0..3 {
        assert_eq!(post_login(&app, "alice", "wrong").await.status(), StatusCode::UNAUTHORIZED);
    }
    let throttled = post_login(&app, "alice", "alice").await;
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    let retry: u64 = throttled.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 300);
    // The address has a far higher limit: another user behind it still
    // signs in (a classroom, an office, Docker's port forwarding).
    assert_eq!(post_login(&app, "demo", "demo").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_right_password_resets_the_users_count() {
    let app = spawn_app_with(&[("PROVIDER_LOGIN_MAX_FAILURES", "3")]).await;
    for _ in 0..2 {
        assert_eq!(post_login(&app, "alice", "wrong").await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(post_login(&app, "alice", "alice").await.status(), StatusCode::SEE_OTHER);
    for _ in 0..2 {
        assert_eq!(post_login(&app, "alice", "wrong").await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(post_login(&app, "alice", "alice").await.status(), StatusCode::SEE_OTHER, "2 + 2 failures, not 4");
}

#[tokio::test]
async fn an_address_is_throttled_after_twenty_times_a_users_limit() {
    let app = spawn_app_with(&[("PROVIDER_LOGIN_MAX_FAILURES", "1")]).await;
    for n in 0..20 {
        let response = post_login(&app, &format!("nobody-{n}"), "guess").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    let throttled = post_login(&app, "demo", "demo").await;
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(throttled.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn parallel_guesses_get_no_more_tries_than_the_limit() {
    // An attempt counts when it starts: twelve simultaneous guesses, of
    // which the slow argon2 check would otherwise let all twelve through.
    let app = spawn_app_with(&[("PROVIDER_LOGIN_MAX_FAILURES", "3")]).await;
    let page = app.get("/login").await.text().await.unwrap();
    let csrf = hidden_input(&page, "csrf_token");
    let statuses = guess_in_parallel((0..12).map(|n| {
        let password = format!("guess-{n}");
        app.http.post(app.url("/login")).form(&[
            ("username", "alice"),
            ("password", password.as_str()),
            ("csrf_token", csrf.as_str()),
        ])
    }))
    .await;
    assert_eq!(tried_and_refused(&statuses), (3, 9), "{statuses:?}");
}

#[tokio::test]
async fn an_oversized_username_is_refused_before_anything_is_counted() {
    let app = spawn_app().await;
    let response = post_login(&app, &"a".repeat(300), "x").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("at most 256 bytes"));
    let db = shared::db::connect_with(&app.database_url, 1).await.unwrap();
    assert_eq!(provider::store::throttle::count(&db).await.unwrap(), 0);
}

#[tokio::test]
async fn sessions_survive_a_provider_restart() {
    let app = spawn_app().await;
    assert_eq!(post_login(&app, "demo", "demo").await.status(), StatusCode::SEE_OTHER);
    let http = app.http.clone();
    let mut restarted = app.restart().await;
    restarted.http = http;
    assert!(restarted.get("/").await.text().await.unwrap().contains("Hello, Demo User"));
}
