//! RFC 9068 §4 and RFC 8725: every way a JWT access token is refused.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{
    EC_KID, KEYS, RSA_KID, assert_bearer_error, assert_invalid_token, challenge_params, now, spawn_app, spawn_app_with,
};

#[tokio::test]
async fn request_without_a_token_gets_a_bare_bearer_challenge() {
    let app = spawn_app().await;

    let response = app.http.get(app.url("/todos")).send().await.unwrap();

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()["www-authenticate"], "Bearer realm=\"todo-api\"");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
    assert!(body["error_description"].as_str().unwrap().contains("access_token cookie"));
}

#[tokio::test]
async fn another_authorization_scheme_is_answered_like_no_token() {
    let app = spawn_app().await;

    let response = app.http.get(app.url("/todos")).basic_auth("alice", Some("alice")).send().await.unwrap();

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let params = challenge_params(&response);
    assert_eq!(params.get("realm").map(String::as_str), Some("todo-api"));
    assert!(!params.contains_key("error"), "{params:?}");
}

#[tokio::test]
async fn malformed_authorization_header_is_an_invalid_request() {
    let app = spawn_app().await;

    let response = app.http.get(app.url("/todos")).header("authorization", "Bearer two words").send().await.unwrap();

    assert_bearer_error(response, StatusCode::BAD_REQUEST, "invalid_request", "b64token").await;
}

#[tokio::test]
async fn a_token_that_is_not_a_jwt_is_rejected_as_malformed() {
    let app = spawn_app().await;

    let response = app.get_todos("not-a-jwt").await;

    assert_invalid_token(response, "not a JWT").await;
}

#[tokio::test]
async fn a_valid_rs256_token_is_accepted() {
    let app = spawn_app().await;

    let response = app.get_todos(&app.token().sign()).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<serde_json::Value>().await.unwrap(), json!([]));
}

#[tokio::test]
async fn a_valid_es256_token_is_accepted() {
    let app = spawn_app().await;

    let response = app.get_todos(&app.token().es256().sign()).await;

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn token_with_alg_none_is_rejected_naming_the_algorithm() {
    let app = spawn_app().await;
    let token = app.token().unsigned();

    let response = app.get_todos(&token).await;

    assert_invalid_token(response, "alg 'none' is not allowed").await;
    assert_eq!(app.provider.jwks_hits(), 0, "no key is looked up for alg none");
}

#[tokio::test]
async fn hs256_token_signed_with_the_rsa_public_key_is_rejected() {
    let app = spawn_app().await;
    let token = app.token().hs256_with_public_key().sign();

    let response = app.get_todos(&token).await;

    assert_invalid_token(response, "alg 'HS256' is not allowed").await;
    assert_eq!(app.provider.jwks_hits(), 0, "no key is looked up for HS256");
}

#[tokio::test]
async fn token_signed_with_an_unknown_key_id_is_rejected() {
    let app = spawn_app().await;
    let token = app.token().attacker_key().kid(Some("who-knows")).sign();

    let response = app.get_todos(&token).await;

    assert_invalid_token(response, "unknown key id 'who-knows'").await;
}

#[tokio::test]
async fn token_without_a_key_id_is_rejected() {
    let app = spawn_app().await;
    let token = app.token().kid(None).sign();

    let response = app.get_todos(&token).await;

    assert_invalid_token(response, "no kid header").await;
}

#[tokio::test]
async fn token_with_a_forged_signature_is_rejected() {
    let app = spawn_app().await;
    // The published EC key's id, but the attacker's EC key.
    let token = app.token().attacker_key().kid(Some(EC_KID)).sign();

    let response = app.get_todos(&token).await;

    assert_invalid_token(response, "signature does not verify").await;
}

#[tokio::test]
async fn key_published_for_one_algorithm_is_not_used_for_another() {
    let app = spawn_app().await;
    // ES256 in the header, but the kid of the RS256 key.
    let token = app.token().es256().kid(Some(RSA_KID)).sign();

    let response = app.get_todos(&token).await;

    assert_invalid_token(response, "is for RS256, but the token says alg ES256").await;
}

#[tokio::test]
async fn key_embedded_in_the_header_is_never_trusted() {
    let app = spawn_app().await;
    // RFC 8725 §3.10: the attacker ships their own key in `jwk` and points
    // `jku` at their own JWKS; neither may be used.
    let token = app
        .token()
        .attacker_key()
        .kid(Some("attacker"))
        .header(|h| {
            h.jwk = Some(KEYS.attacker.jwk.clone());
            h.jku = Some("http://127.0.0.1:9/evil-jwks.json".to_owned());
        })
        .sign();

    let response = app.get_todos(&token).await;

    assert_invalid_token(response, "unknown key id 'attacker'").await;
}

#[tokio::test]
async fn id_token_with_typ_jwt_is_rejected_as_the_wrong_type() {
    let app = spawn_app().await;
    let token = app.token().typ(Some("JWT")).sign();

    let response = app.get_todos(&token).await;

    assert_invalid_token(response, "typ 'JWT' is not at+jwt").await;
}

#[tokio::test]
async fn token_without_typ_is_rejected_as_the_wrong_type() {
    let app = spawn_app().await;
    let token = app.token().typ(None).sign();

    let response = app.get_todos(&token).await;

    assert_invalid_token(response, "is not at+jwt").await;
}

#[tokio::test]
async fn application_at_jwt_typ_is_accepted() {
    let app = spawn_app().await;
    let token = app.token().typ(Some("application/at+jwt")).sign();

    let response = app.get_todos(&token).await;

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn token_with_a_critical_header_is_rejected() {
    let app = spawn_app().await;
    let token = app.token().header(|h| h.crit = Some(vec!["exp".to_owned()])).sign();

    let response = app.get_todos(&token).await;

    assert_invalid_token(response, "crit header").await;
}

#[tokio::test]
async fn token_from_another_issuer_is_rejected_naming_the_issuer() {
    let app = spawn_app().await;
    let token = app.token().claim("iss", "https://evil.example").sign();

    let response = app.get_todos(&token).await;

    assert_invalid_token(response, "issuer 'https://evil.example' is not the expected issuer").await;
}

#[tokio::test]
async fn issuer_with_a_trailing_slash_is_not_the_issuer() {
    let app = spawn_app().await;
    let issuer = format!("{}/", app.config.issuer);
    let token = app.token().claim("iss", issuer.as_str()).sign();

    let response = app.get_todos(&token).await;

    assert_invalid_token(response, &format!("issuer '{issuer}'")).await;
}

#[tokio::test]
async fn token_for_another_audience_is_rejected_naming_the_audience() {
    let app = spawn_app().await;
    let token = app.token().claim("aud", "https://other-api.example").sign();

    let response = app.get_todos(&token).await;

    let expected = format!(
        "audience 'https://other-api.example' does not contain this API's identifier '{}'",
        app.config.audience
    );
    assert_invalid_token(response, &expected).await;
}

#[tokio::test]
async fn token_with_several_audiences_including_ours_is_accepted() {
    let app = spawn_app().await;
    let audience = app.config.audience.clone();
    let token = app.token().claim("aud", json!(["https://other-api.example", audience])).sign();

    let response = app.get_todos(&token).await;

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn expired_token_is_rejected_naming_the_expiry_time() {
    let app = spawn_app().await;
    let exp = now() - 120;
    let token = app.token().claim("iat", exp - 300).claim("nbf", exp - 300).claim("exp", exp).sign();

    let response = app.get_todos(&token).await;

    assert_invalid_token(response, &format!("the token expired at {}", rfc3339(exp))).await;
}

#[tokio::test]
async fn a_token_accepted_before_is_refused_once_it_has_expired() {
    // Verified tokens are remembered; the clock is still read every time.
    let app = spawn_app_with(|c| c.leeway = std::time::Duration::ZERO).await;
    let exp = now() + 1;
    let token = app.token().claim("exp", exp).sign();
    assert_eq!(app.get_todos(&token).await.status(), StatusCode::OK);
    assert_eq!(app.get_todos(&token).await.status(), StatusCode::OK, "the remembered token");

    while now() <= exp {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let response = app.get_todos(&token).await;

    assert_invalid_token(response, &format!("the token expired at {}", rfc3339(exp))).await;
}

#[tokio::test]
async fn token_expired_within_the_leeway_is_still_accepted() {
    let app = spawn_app().await;
    let token = app.token().claim("exp", now() - 5).sign();

    let response = app.get_todos(&token).await;

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn token_not_yet_valid_is_rejected() {
    let app = spawn_app().await;
    let nbf = now() + 600;
    let token = app.token().claim("nbf", nbf).claim("exp", nbf + 300).sign();

    let response = app.get_todos(&token).await;

    assert_invalid_token(response, &format!("not valid before {}", rfc3339(nbf))).await;
}

#[tokio::test]
async fn token_issued_in_the_future_is_rejected() {
    let app = spawn_app().await;
    let token = app.token().claim("iat", now() + 600).sign();

    let response = app.get_todos(&token).await;

    assert_invalid_token(response, "issued in the future").await;
}

#[tokio::test]
async fn token_without_a_required_claim_is_rejected_naming_the_claim() {
    let app = spawn_app().await;
    // RFC 9068 §2.2 lists the claims every JWT access token carries.
    for claim in ["jti", "scope", "sub", "exp", "iat"] {
        let token = app.token().without(claim).sign();

        let response = app.get_todos(&token).await;

        assert_invalid_token(response, &format!("no {claim} claim")).await;
    }
}

#[tokio::test]
async fn quotes_in_a_claim_cannot_break_the_challenge_header() {
    let app = spawn_app().await;
    let token = app.token().claim("iss", "evil\", error=\"none\\").sign();

    let response = app.get_todos(&token).await;

    // The header still parses, with `"` shown as `'` and `\` as `/`.
    let params =
        assert_bearer_error(response, StatusCode::UNAUTHORIZED, "invalid_token", "issuer 'evil', error='none/'").await;
    assert_eq!(params.get("error").map(String::as_str), Some("invalid_token"));
}

fn rfc3339(unix: i64) -> String {
    todo_api::clock::rfc3339(unix)
}
