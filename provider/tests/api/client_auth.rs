//! Client authentication at the token endpoint (RFC 6749 §2.3, §3.2.1):
//! the methods a client registered, Basic's form-encoding, and the
//! throttling of wrong secrets (RFC 6749 §10.10) that must never lock the
//! real client out.

use reqwest::StatusCode;

use crate::helpers::*;
use crate::token::code_form;

#[tokio::test]
async fn wrong_secret_over_basic_is_401_invalid_client_with_a_basic_challenge() {
    let app = spawn_app().await;
    let (code, verifier) = app.code_for_todo_app("openid").await;
    let response = app.token(Some(("todo-app", "wrong-secret")), &code_form(&code, &verifier)).await;
    let challenge = response.headers()["www-authenticate"].to_str().unwrap().to_owned();
    assert!(challenge.starts_with("Basic"), "{challenge}");
    assert_token_error(response, StatusCode::UNAUTHORIZED, "invalid_client").await;
    // The code was not spent by the failed attempt.
    assert_eq!(app.token_as_todo_app(&code_form(&code, &verifier)).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn unknown_client_or_missing_credentials_is_invalid_client() {
    let app = spawn_app().await;
    let response = app.token(Some(("nobody", "x")), &[("grant_type", "authorization_code"), ("code", "c")]).await;
    assert_token_error(response, StatusCode::UNAUTHORIZED, "invalid_client").await;
    let response = app.token(None, &[("grant_type", "authorization_code"), ("code", "c")]).await;
    assert!(response.headers().get("www-authenticate").is_none(), "no Basic was tried");
    assert_token_error(response, StatusCode::UNAUTHORIZED, "invalid_client").await;
}

#[tokio::test]
async fn a_client_may_only_use_its_registered_authentication_methods() {
    let app = spawn_app().await;
    // legacy-app is registered for client_secret_post only.
    let response = app
        .token(Some(("legacy-app", "legacy-app-secret")), &[("grant_type", "authorization_code"), ("code", "c")])
        .await;
    assert_token_error_mentioning(response, StatusCode::UNAUTHORIZED, "invalid_client", "client_secret_post").await;
    // A confidential client cannot pretend to be public.
    let response =
        app.token(None, &[("grant_type", "authorization_code"), ("code", "c"), ("client_id", "todo-app")]).await;
    assert_token_error(response, StatusCode::UNAUTHORIZED, "invalid_client").await;
}

#[tokio::test]
async fn two_authentication_methods_at_once_are_invalid_request() {
    let app = spawn_app().await;
    let response = app
        .token_as_todo_app(&[("grant_type", "authorization_code"), ("code", "c"), ("client_secret", TODO_APP_SECRET)])
        .await;
    assert_token_error(response, StatusCode::BAD_REQUEST, "invalid_request").await;
}

#[tokio::test]
async fn basic_credentials_are_form_url_decoded() {
    let app = spawn_app().await;
    // "odd client" / "p@ss:w+rd/%" must be sent encoded (RFC 6749 §2.3.1).
    let response = app.token(Some(("odd client", "p@ss:w+rd/%")), &[("grant_type", "client_credentials")]).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
}

/// A client of the provider that connects from another loopback address.
fn from_address(address: &str) -> reqwest::Client {
    reqwest::Client::builder().local_address(address.parse::<std::net::IpAddr>().ok()).build().unwrap()
}

async fn client_credentials_from(http: &reqwest::Client, app: &TestApp, secret: &str) -> reqwest::Response {
    http.post(app.url("/oauth2/token"))
        .header("Authorization", basic("report-service", secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn repeated_client_authentication_failures_are_throttled_with_429() {
    let app = spawn_app().await;
    let attacker = from_address("127.0.0.2");
    for _ in 0..20 {
        let response = client_credentials_from(&attacker, &app, "wrong").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let throttled = client_credentials_from(&attacker, &app, "still-wrong").await;
    assert!(throttled.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() > 0);
    assert_token_error(throttled, StatusCode::TOO_MANY_REQUESTS, "invalid_client").await;
}

#[tokio::test]
async fn failures_from_one_address_never_lock_the_client_out_elsewhere() {
    // RFC 6749 §2.3.1 brute-force protection must not become a denial of
    // service: the real client, at its own address, is never refused.
    let app = spawn_app().await;
    let attacker = from_address("127.0.0.2");
    for _ in 0..25 {
        client_credentials_from(&attacker, &app, "wrong").await;
    }
    let real = client_credentials_from(&from_address("127.0.0.1"), &app, "report-service-secret").await;
    assert_eq!(real.status(), StatusCode::OK);
}

#[tokio::test]
async fn parallel_secret_guesses_get_no_more_tries_than_the_limit() {
    let app = spawn_app().await;
    let attacker = from_address("127.0.0.2");
    let statuses = guess_in_parallel((0..30).map(|n| {
        attacker
            .post(app.url("/oauth2/token"))
            .header("Authorization", basic("report-service", &format!("guess-{n}")))
            .form(&[("grant_type", "client_credentials")])
    }))
    .await;
    assert_eq!(tried_and_refused(&statuses), (20, 10), "{statuses:?}");
}

#[tokio::test]
async fn unknown_and_oversized_client_ids_leave_no_state() {
    let app = spawn_app().await;
    for n in 0..50 {
        let response = app.token(Some((&format!("nobody-{n}"), "x")), &[("grant_type", "client_credentials")]).await;
        assert_token_error(response, StatusCode::UNAUTHORIZED, "invalid_client").await;
    }
    let response = app.token(Some((&"c".repeat(4000), "x")), &[("grant_type", "client_credentials")]).await;
    assert_token_error_mentioning(response, StatusCode::UNAUTHORIZED, "invalid_client", "longer than 128 bytes").await;
    let db = shared::db::connect_with(&app.database_url, 1).await.unwrap();
    assert_eq!(provider::store::throttle::count(&db).await.unwrap(), 0);
}

#[tokio::test]
async fn only_hashes_of_codes_and_refresh_tokens_are_stored() {
    let app = spawn_app().await;
    let (code, verifier) = app.code_for_todo_app(ALL_SCOPES).await;
    let tokens = app.exchange(&code, &verifier).await;
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let pool = shared::db::connect(&app.database_url).await.unwrap();
    let codes: Vec<(String,)> =
        sqlx::query_as("SELECT code_hash FROM grants WHERE code_hash IS NOT NULL").fetch_all(&pool).await.unwrap();
    assert_eq!(codes, vec![(shared::random::sha256_hex(&code),)]);
    let refresh_rows: Vec<(String,)> =
        sqlx::query_as("SELECT token_hash FROM refresh_tokens").fetch_all(&pool).await.unwrap();
    assert_eq!(refresh_rows, vec![(shared::random::sha256_hex(refresh),)]);
    let secrets: Vec<(Option<String>,)> =
        sqlx::query_as("SELECT secret_hash FROM clients WHERE id = 'todo-app'").fetch_all(&pool).await.unwrap();
    assert!(secrets[0].0.as_deref().unwrap().starts_with("$argon2id$"), "client secrets are argon2id hashes");
    pool.close().await;
}
