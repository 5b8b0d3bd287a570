//! The token endpoint with the authorization_code grant (RFC 6749 §4.1.3,
//! §5; RFC 7636 §4.5–4.6), and client authentication (§2.3).

use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::pkce::CodeVerifier;

use crate::helpers::*;

fn code_form<'a>(code: &'a str, verifier: &'a CodeVerifier) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", TODO_APP_REDIRECT),
        ("code_verifier", verifier.expose()),
    ]
}

#[tokio::test]
async fn code_exchange_returns_tokens_with_no_store_headers() {
    let app = spawn_app().await;
    let (code, verifier) = app.code_for_todo_app(ALL_SCOPES).await;
    let response = app.token(Some(("todo-app", TODO_APP_SECRET)), &code_form(&code, &verifier)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_store(response.headers());
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 600);
    assert_eq!(body["scope"], "email offline_access openid profile todos:read todos:write");
    assert_eq!(body["refresh_token"].as_str().unwrap().len(), 43);

    // RFC 9068 access token.
    let access = body["access_token"].as_str().unwrap();
    let (header, claims) = jwt_parts(access);
    assert_eq!(header["typ"], "at+jwt");
    assert!(header["kid"].is_string());
    verify_with_jwks(&app, access).await;
    assert_eq!(claims["iss"], app.base);
    assert_eq!(claims["aud"], AUDIENCE);
    assert_eq!(claims["client_id"], "todo-app");
    assert_eq!(claims["scope"], "email offline_access openid profile todos:read todos:write");
    for claim in ["sub", "jti"] {
        assert!(claims[claim].as_str().is_some_and(|v| !v.is_empty()), "{claim}");
    }
    let (iat, nbf, exp) =
        (claims["iat"].as_i64().unwrap(), claims["nbf"].as_i64().unwrap(), claims["exp"].as_i64().unwrap());
    assert!(nbf <= iat + 1 && exp == iat + 600);

    // OIDC ID token.
    let id_token = body["id_token"].as_str().unwrap();
    let (id_header, id_claims) = jwt_parts(id_token);
    assert_eq!(id_header["typ"], "JWT");
    verify_with_jwks(&app, id_token).await;
    assert_eq!(id_claims["aud"], "todo-app");
    assert_eq!(id_claims["sub"], claims["sub"]);
    assert_eq!(id_claims["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(id_claims["at_hash"], shared::jwt::at_hash(access, jsonwebtoken::Algorithm::ES256));
    assert_eq!(id_claims["email"], "demo@example.com");
    assert_eq!(id_claims["email_verified"], true);
    assert_eq!(id_claims["name"], "Demo User");
    assert_eq!(id_claims["preferred_username"], "demo");
    assert!(id_claims["auth_time"].as_i64().is_some());
}

#[tokio::test]
async fn no_refresh_token_without_offline_access_and_no_id_token_without_openid() {
    let app = spawn_app().await;
    let tokens = app.tokens_for_todo_app("todos:read").await;
    assert!(tokens.get("refresh_token").is_none());
    assert!(tokens.get("id_token").is_none());
    let tokens = app.tokens_for_todo_app("openid").await;
    let (_, claims) = jwt_parts(tokens["access_token"].as_str().unwrap());
    assert_eq!(claims["aud"], "todo-app", "without a todos scope the token is not for the todo API");
    let (_, id_claims) = jwt_parts(tokens["id_token"].as_str().unwrap());
    assert!(id_claims.get("email").is_none(), "claims follow the granted scopes");
}

#[tokio::test]
async fn json_body_with_client_secret_post_is_accepted() {
    let app = spawn_app().await;
    let (code, verifier) = app.code_for_todo_app("openid").await;
    let response = app
        .http
        .post(app.url("/oauth2/token"))
        .json(&json!({
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": TODO_APP_REDIRECT,
            "code_verifier": verifier.expose(),
            "client_id": "todo-app",
            "client_secret": TODO_APP_SECRET,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_store(response.headers());
}

#[tokio::test]
async fn public_client_redeems_with_pkce_and_no_secret() {
    let app = spawn_app().await;
    let verifier = CodeVerifier::generate();
    let challenge = verifier.challenge();
    let response = app
        .authorize_as(
            "alice",
            &[
                ("client_id", "todo-spa"),
                ("response_type", "code"),
                ("redirect_uri", "http://localhost:5173/callback"),
                ("scope", "openid todos:read"),
                ("code_challenge", challenge.as_str()),
                ("code_challenge_method", "S256"),
            ],
        )
        .await;
    let code = redirect_params(&response)["code"].clone();
    let response = app
        .token(
            None,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", "http://localhost:5173/callback"),
                ("code_verifier", verifier.expose()),
                ("client_id", "todo-spa"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn replayed_code_is_rejected_and_revokes_the_tokens_issued_from_it() {
    let app = spawn_app().await;
    let (code, verifier) = app.code_for_todo_app(ALL_SCOPES).await;
    let first = app.exchange(&code, &verifier).await;
    let replay = app.token(Some(("todo-app", TODO_APP_SECRET)), &code_form(&code, &verifier)).await;
    let description = assert_token_error(replay, StatusCode::BAD_REQUEST, "invalid_grant").await;
    assert!(description.contains("already used") && description.contains("revoked"), "{description}");
    // The refresh token issued from the first redemption no longer works.
    let refresh = app
        .token(
            Some(("todo-app", TODO_APP_SECRET)),
            &[("grant_type", "refresh_token"), ("refresh_token", first["refresh_token"].as_str().unwrap())],
        )
        .await;
    assert_token_error(refresh, StatusCode::BAD_REQUEST, "invalid_grant").await;
}

#[tokio::test]
async fn wrong_or_missing_code_verifier_is_invalid_grant() {
    let app = spawn_app().await;
    let (code, _) = app.code_for_todo_app("openid").await;
    let wrong = CodeVerifier::generate();
    let response = app.token(Some(("todo-app", TODO_APP_SECRET)), &code_form(&code, &wrong)).await;
    let description = assert_token_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;
    assert!(description.contains("RFC 7636 §4.6"), "{description}");

    let (code, _) = app.code_for_todo_app("openid").await;
    let response = app
        .token(
            Some(("todo-app", TODO_APP_SECRET)),
            &[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", TODO_APP_REDIRECT)],
        )
        .await;
    let description = assert_token_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;
    assert!(description.contains("code_verifier is required"), "{description}");
}

#[tokio::test]
async fn verifier_of_the_wrong_length_or_alphabet_is_invalid_request() {
    let app = spawn_app().await;
    let (code, _) = app.code_for_todo_app("openid").await;
    for bad in ["short".to_owned(), "a".repeat(129), format!("{}/", "a".repeat(50))] {
        let response = app
            .token(
                Some(("todo-app", TODO_APP_SECRET)),
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", TODO_APP_REDIRECT),
                    ("code_verifier", &bad),
                ],
            )
            .await;
        let description = assert_token_error(response, StatusCode::BAD_REQUEST, "invalid_request").await;
        assert!(description.contains("RFC 7636 §4.1"), "{description}");
    }
}

#[tokio::test]
async fn a_verifier_for_a_code_issued_without_challenge_is_a_pkce_downgrade() {
    let app = spawn_app().await;
    // legacy-app is registered with require_pkce = false and sends none.
    let response = app
        .authorize_as(
            "demo",
            &[("client_id", "legacy-app"), ("response_type", "code"), ("scope", "openid"), ("state", "x")],
        )
        .await;
    let code = redirect_params(&response)["code"].clone();
    let verifier = CodeVerifier::generate();
    let response = app
        .token(
            None,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("code_verifier", verifier.expose()),
                ("client_id", "legacy-app"),
                ("client_secret", "legacy-app-secret"),
            ],
        )
        .await;
    let description = assert_token_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;
    assert!(description.contains("downgrade"), "{description}");
}

#[tokio::test]
async fn redirect_uri_must_repeat_the_one_of_the_authorization_request() {
    let app = spawn_app().await;
    let (code, verifier) = app.code_for_todo_app("openid").await;
    let response = app
        .token(
            Some(("todo-app", TODO_APP_SECRET)),
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", "http://localhost:3000/other"),
                ("code_verifier", verifier.expose()),
            ],
        )
        .await;
    let description = assert_token_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;
    assert!(description.contains("RFC 6749 §4.1.3"), "{description}");
}

#[tokio::test]
async fn a_code_issued_to_one_client_cannot_be_redeemed_by_another() {
    let app = spawn_app().await;
    let (code, verifier) = app.code_for_todo_app("openid").await;
    let response = app
        .token(
            None,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", TODO_APP_REDIRECT),
                ("code_verifier", verifier.expose()),
                ("client_id", "legacy-app"),
                ("client_secret", "legacy-app-secret"),
            ],
        )
        .await;
    let description = assert_token_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;
    assert!(description.contains("another client"), "{description}");
}

fn form_as_todo_spa<'a>(code: &'a str, verifier: &'a CodeVerifier) -> Vec<(&'a str, &'a str)> {
    let mut form = code_form(code, verifier);
    form.push(("client_id", "todo-spa"));
    form
}

#[tokio::test]
async fn another_client_cannot_burn_a_leaked_code_before_its_client_redeems_it() {
    let app = spawn_app().await;
    let (code, verifier) = app.code_for_todo_app("openid offline_access").await;
    // A public client needs no secret: anyone can name it.
    let stolen = app.token(None, &form_as_todo_spa(&code, &verifier)).await;
    let description = assert_token_error(stolen, StatusCode::BAD_REQUEST, "invalid_grant").await;
    assert!(description.contains("another client"), "{description}");
    // The rightful client still redeems its code.
    let tokens = app.exchange(&code, &verifier).await;
    assert!(tokens["access_token"].is_string(), "{tokens}");
}

#[tokio::test]
async fn a_replay_from_another_client_does_not_revoke_the_rightful_clients_tokens() {
    let app = spawn_app().await;
    let (code, verifier) = app.code_for_todo_app("openid offline_access").await;
    let tokens = app.exchange(&code, &verifier).await;
    let replay = app.token(None, &form_as_todo_spa(&code, &verifier)).await;
    let description = assert_token_error(replay, StatusCode::BAD_REQUEST, "invalid_grant").await;
    assert!(description.contains("another client"), "{description}");
    let refresh = app
        .token(
            Some(("todo-app", TODO_APP_SECRET)),
            &[("grant_type", "refresh_token"), ("refresh_token", tokens["refresh_token"].as_str().unwrap())],
        )
        .await;
    assert_eq!(refresh.status(), StatusCode::OK, "{}", refresh.text().await.unwrap());
}

#[tokio::test]
async fn an_expired_code_is_invalid_grant() {
    let app = spawn_app_with(&[("PROVIDER_CODE_TTL_SECONDS", "1")]).await;
    let (code, verifier) = app.code_for_todo_app("openid").await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let response = app.token(Some(("todo-app", TODO_APP_SECRET)), &code_form(&code, &verifier)).await;
    let description = assert_token_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;
    assert!(description.contains("expired"), "{description}");
}

#[tokio::test]
async fn wrong_secret_over_basic_is_401_invalid_client_with_a_basic_challenge() {
    let app = spawn_app().await;
    let (code, verifier) = app.code_for_todo_app("openid").await;
    let response = app.token(Some(("todo-app", "wrong-secret")), &code_form(&code, &verifier)).await;
    let challenge = response.headers()["www-authenticate"].to_str().unwrap().to_owned();
    assert!(challenge.starts_with("Basic"), "{challenge}");
    assert_token_error(response, StatusCode::UNAUTHORIZED, "invalid_client").await;
    // The code was not spent by the failed attempt.
    assert_eq!(
        app.token(Some(("todo-app", TODO_APP_SECRET)), &code_form(&code, &verifier)).await.status(),
        StatusCode::OK
    );
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
    let description = assert_token_error(response, StatusCode::UNAUTHORIZED, "invalid_client").await;
    assert!(description.contains("client_secret_post"), "{description}");
    // A confidential client cannot pretend to be public.
    let response =
        app.token(None, &[("grant_type", "authorization_code"), ("code", "c"), ("client_id", "todo-app")]).await;
    assert_token_error(response, StatusCode::UNAUTHORIZED, "invalid_client").await;
}

#[tokio::test]
async fn two_authentication_methods_at_once_are_invalid_request() {
    let app = spawn_app().await;
    let response = app
        .token(
            Some(("todo-app", TODO_APP_SECRET)),
            &[("grant_type", "authorization_code"), ("code", "c"), ("client_secret", TODO_APP_SECRET)],
        )
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

#[tokio::test]
async fn password_grant_and_unknown_grants_are_unsupported() {
    let app = spawn_app().await;
    let response = app
        .token(
            Some(("todo-app", TODO_APP_SECRET)),
            &[("grant_type", "password"), ("username", "demo"), ("password", "demo")],
        )
        .await;
    let description = assert_token_error(response, StatusCode::BAD_REQUEST, "unsupported_grant_type").await;
    assert!(description.contains("RFC 9700"), "{description}");
    let response = app.token(Some(("todo-app", TODO_APP_SECRET)), &[("grant_type", "urn:made:up")]).await;
    assert_token_error(response, StatusCode::BAD_REQUEST, "unsupported_grant_type").await;
    let response = app.token(Some(("todo-app", TODO_APP_SECRET)), &[("code", "x")]).await;
    assert_token_error(response, StatusCode::BAD_REQUEST, "invalid_request").await;
}

#[tokio::test]
async fn a_client_without_the_grant_type_is_unauthorized_client() {
    let app = spawn_app().await;
    let response =
        app.token(Some(("todo-api", "todo-api-secret")), &[("grant_type", "authorization_code"), ("code", "c")]).await;
    assert_token_error(response, StatusCode::BAD_REQUEST, "unauthorized_client").await;
}

#[tokio::test]
async fn malformed_bodies_are_invalid_request_json_never_a_500() {
    let app = spawn_app().await;
    let cases: Vec<(&str, &str)> = vec![
        ("text/plain", "grant_type=authorization_code"),
        ("application/json", "{not json"),
        ("application/json", "[1,2]"),
        ("application/json", "{\"grant_type\": {\"nested\": 1}}"),
        ("application/x-www-form-urlencoded", "grant_type=authorization_code&grant_type=refresh_token"),
    ];
    for (content_type, body) in cases {
        let response = app
            .http
            .post(app.url("/oauth2/token"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_token_error(response, StatusCode::BAD_REQUEST, "invalid_request").await;
    }
}

#[tokio::test]
async fn unknown_code_is_invalid_grant() {
    let app = spawn_app().await;
    let verifier = CodeVerifier::generate();
    let response = app.token(Some(("todo-app", TODO_APP_SECRET)), &code_form("not-a-code", &verifier)).await;
    assert_token_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;
}

/// A client of the provider that connects from another loopback address.
fn from_address(address: &str) -> reqwest::Client {
    reqwest::Client::builder().local_address(address.parse::<std::net::IpAddr>().ok()).build().unwrap()
}

async fn client_credentials_from(http: &reqwest::Client, app: &TestApp, secret: &str) -> reqwest::Response {
    http.post(app.url("/oauth2/token"))
        .header("Authorization", basic_auth("report-service", secret))
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
    let mut guesses = tokio::task::JoinSet::new();
    for n in 0..30 {
        let request = attacker
            .post(app.url("/oauth2/token"))
            .header("Authorization", basic_auth("report-service", &format!("guess-{n}")))
            .form(&[("grant_type", "client_credentials")]);
        guesses.spawn(async move { request.send().await.unwrap().status() });
    }
    let statuses = guesses.join_all().await;
    let tried = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((tried, refused), (20, 10), "{statuses:?}");
}

#[tokio::test]
async fn unknown_and_oversized_client_ids_leave_no_state() {
    let app = spawn_app().await;
    for n in 0..50 {
        let response = app.token(Some((&format!("nobody-{n}"), "x")), &[("grant_type", "client_credentials")]).await;
        assert_token_error(response, StatusCode::UNAUTHORIZED, "invalid_client").await;
    }
    let response = app.token(Some((&"c".repeat(4000), "x")), &[("grant_type", "client_credentials")]).await;
    let description = assert_token_error(response, StatusCode::UNAUTHORIZED, "invalid_client").await;
    assert!(description.contains("longer than 128 bytes"), "{description}");
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
        sqlx::query_as("SELECT code_hash FROM authorization_codes").fetch_all(&pool).await.unwrap();
    assert_eq!(codes, vec![(shared::random::sha256_hex(&code),)]);
    let refresh_rows: Vec<(String,)> =
        sqlx::query_as("SELECT token_hash FROM refresh_tokens").fetch_all(&pool).await.unwrap();
    assert_eq!(refresh_rows, vec![(shared::random::sha256_hex(refresh),)]);
    let secrets: Vec<(Option<String>,)> =
        sqlx::query_as("SELECT secret_hash FROM clients WHERE id = 'todo-app'").fetch_all(&pool).await.unwrap();
    assert!(secrets[0].0.as_deref().unwrap().starts_with("$argon2id$"), "client secrets are argon2id hashes");
    pool.close().await;
}
