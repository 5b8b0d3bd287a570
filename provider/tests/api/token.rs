//! The token endpoint with the authorization_code grant (RFC 6749 §4.1.3,
//! §5; RFC 7636 §4.5–4.6); client authentication is in `client_auth`.

use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::pkce::CodeVerifier;

use crate::helpers::*;

pub(crate) fn code_form<'a>(code: &'a str, verifier: &'a CodeVerifier) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", TODO_APP_REDIRECT),
        ("code_verifier", verifier.expose()),
    ]
}

/// Sets the field `name` of `form` to `value`.
fn set<'a>(form: &mut [(&'a str, &'a str)], name: &str, value: &'a str) {
    for field in form.iter_mut().filter(|(n, _)| *n == name) {
        field.1 = value;
    }
}

#[tokio::test]
async fn code_exchange_returns_tokens_with_no_store_headers() {
    let app = spawn_app().await;
    let (code, verifier) = app.code_for_todo_app(ALL_SCOPES).await;
    let response = app.token_as_todo_app(&code_form(&code, &verifier)).await;
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
        .token_json(&json!({
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": TODO_APP_REDIRECT,
            "code_verifier": verifier.expose(),
            "client_id": "todo-app",
            "client_secret": TODO_APP_SECRET,
        }))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_store(response.headers());
}

#[tokio::test]
async fn public_client_redeems_with_pkce_and_no_secret() {
    let app = spawn_app().await;
    let (code, verifier) =
        app.code_for("alice", "todo-spa", "http://localhost:5173/callback", "openid todos:read").await;
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
    let replay = app.token_as_todo_app(&code_form(&code, &verifier)).await;
    let description = assert_token_error(replay, StatusCode::BAD_REQUEST, "invalid_grant").await;
    assert!(description.contains("already used") && description.contains("revoked"), "{description}");
    // The refresh token issued from the first redemption no longer works.
    let refresh = app.refresh_as_todo_app(first["refresh_token"].as_str().unwrap()).await;
    assert_token_error(refresh, StatusCode::BAD_REQUEST, "invalid_grant").await;
}

/// Codes presented at the same moment are spent together, in one statement
/// (`provider::store::batch`): each still works exactly once, and a code
/// presented three times at once is redeemed once and replayed twice, which
/// revokes its grant and no other (RFC 6749 §4.1.2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_redeemed_at_the_same_moment_each_work_once() {
    let app = spawn_app().await;
    let mut codes = Vec::new();
    for _ in 0..6 {
        codes.push(app.code_for_todo_app(ALL_SCOPES).await);
    }
    let presented = codes.iter().chain([&codes[0], &codes[0]]);
    let requests = presented.map(|(code, verifier)| {
        app.http
            .post(app.url("/oauth2/token"))
            .header("authorization", basic("todo-app", TODO_APP_SECRET))
            .form(&code_form(code, verifier))
    });

    let statuses = guess_in_parallel(requests.collect::<Vec<_>>()).await;

    let count = |status| statuses.iter().filter(|s| **s == status).count();
    assert_eq!((count(StatusCode::OK), count(StatusCode::BAD_REQUEST)), (6, 2), "{statuses:?}");
    let db = shared::db::connect(&app.database_url).await.unwrap();
    let (spent, revoked): (i64, i64) =
        sqlx::query_as("SELECT COUNT(code_redeemed_at), COUNT(revoked_at) FROM grants WHERE code_hash IS NOT NULL")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!((spent, revoked), (6, 1), "every code spent; only the replayed one's grant revoked");
}

#[tokio::test]
async fn wrong_or_missing_code_verifier_is_invalid_grant() {
    let app = spawn_app().await;
    let (code, _) = app.code_for_todo_app("openid").await;
    let wrong = CodeVerifier::generate();
    let response = app.token_as_todo_app(&code_form(&code, &wrong)).await;
    assert_token_error_mentioning(response, StatusCode::BAD_REQUEST, "invalid_grant", "RFC 7636 §4.6").await;

    let (code, _) = app.code_for_todo_app("openid").await;
    let response = app
        .token_as_todo_app(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", TODO_APP_REDIRECT),
        ])
        .await;
    assert_token_error_mentioning(response, StatusCode::BAD_REQUEST, "invalid_grant", "code_verifier is required")
        .await;
}

#[tokio::test]
async fn verifier_of_the_wrong_length_or_alphabet_is_invalid_request() {
    let app = spawn_app().await;
    let (code, _) = app.code_for_todo_app("openid").await;
    for bad in ["short".to_owned(), "a".repeat(129), format!("{}/", "a".repeat(50))] {
        let response = app
            .token_as_todo_app(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", TODO_APP_REDIRECT),
                ("code_verifier", &bad),
            ])
            .await;
        assert_token_error_mentioning(response, StatusCode::BAD_REQUEST, "invalid_request", "RFC 7636 §4.1").await;
    }
}

#[tokio::test]
async fn a_verifier_for_a_code_issued_without_challenge_is_a_pkce_downgrade() {
    let app = spawn_app().await;
    // legacy-app is registered with require_pkce = false and sends none.
    let response = app.authorize_as("demo", &LEGACY_APP_REQUEST).await;
    let code = redirect_params(&response)["code"].clone();
    let verifier = CodeVerifier::generate();
    let response = app
        .token_as_legacy_app(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("code_verifier", verifier.expose()),
        ])
        .await;
    assert_token_error_mentioning(response, StatusCode::BAD_REQUEST, "invalid_grant", "downgrade").await;
}

#[tokio::test]
async fn redirect_uri_must_repeat_the_one_of_the_authorization_request() {
    let app = spawn_app().await;
    let (code, verifier) = app.code_for_todo_app("openid").await;
    let mut form = code_form(&code, &verifier);
    set(&mut form, "redirect_uri", "http://localhost:3000/other");
    let response = app.token_as_todo_app(&form).await;
    assert_token_error_mentioning(response, StatusCode::BAD_REQUEST, "invalid_grant", "RFC 6749 §4.1.3").await;
}

#[tokio::test]
async fn a_code_issued_to_one_client_cannot_be_redeemed_by_another() {
    let app = spawn_app().await;
    let (code, verifier) = app.code_for_todo_app("openid").await;
    let response = app.token_as_legacy_app(&code_form(&code, &verifier)).await;
    assert_token_error_mentioning(response, StatusCode::BAD_REQUEST, "invalid_grant", "another client").await;
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
    assert_token_error_mentioning(stolen, StatusCode::BAD_REQUEST, "invalid_grant", "another client").await;
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
    assert_token_error_mentioning(replay, StatusCode::BAD_REQUEST, "invalid_grant", "another client").await;
    let refresh = app.refresh_as_todo_app(tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(refresh.status(), StatusCode::OK, "{}", refresh.text().await.unwrap());
}

#[tokio::test]
async fn an_expired_code_is_invalid_grant() {
    let app = spawn_app_with(&[("PROVIDER_CODE_TTL_SECONDS", "1")]).await;
    let (code, verifier) = app.code_for_todo_app("openid").await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let response = app.token_as_todo_app(&code_form(&code, &verifier)).await;
    assert_token_error_mentioning(response, StatusCode::BAD_REQUEST, "invalid_grant", "expired").await;
}

#[tokio::test]
async fn password_grant_and_unknown_grants_are_unsupported() {
    let app = spawn_app().await;
    let response =
        app.token_as_todo_app(&[("grant_type", "password"), ("username", "demo"), ("password", "demo")]).await;
    assert_token_error_mentioning(response, StatusCode::BAD_REQUEST, "unsupported_grant_type", "RFC 9700").await;
    let response = app.token_as_todo_app(&[("grant_type", "urn:made:up")]).await;
    assert_token_error(response, StatusCode::BAD_REQUEST, "unsupported_grant_type").await;
    let response = app.token_as_todo_app(&[("code", "x")]).await;
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
    let response = app.token_as_todo_app(&code_form("not-a-code", &verifier)).await;
    assert_token_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;
}
