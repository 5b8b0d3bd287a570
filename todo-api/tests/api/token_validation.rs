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

/// Tokens that bend the usual shape but keep every rule: each is accepted.
#[tokio::test]
async fn tokens_within_the_rules_are_accepted() {
    let app = spawn_app().await;
    let audience = app.config.audience.clone();
    let cases = [
        ("a valid RS256 token", app.token()),
        ("a valid ES256 token", app.token().es256()),
        // RFC 9068 §4: "application/at+jwt" is the same media type.
        ("typ application/at+jwt", app.token().typ(Some("application/at+jwt"))),
        (
            "several audiences, ours among them",
            app.token().claim("aud", json!(["https://other-api.example", audience])),
        ),
        ("expired, but within the leeway", app.token().claim("exp", now() - 5)),
    ];

    for (case, token) in cases {
        let response = app.get_todos(&token.sign()).await;

        assert_eq!(response.status(), StatusCode::OK, "{case}");
        assert_eq!(response.json::<serde_json::Value>().await.unwrap(), json!([]), "{case}");
    }
}

/// RFC 8725 §3.1: the algorithm is checked against the allowed ones before
/// any key is looked up.
#[tokio::test]
async fn tokens_with_a_forbidden_algorithm_are_rejected_before_any_key_is_looked_up() {
    let app = spawn_app().await;
    let cases = [
        ("alg none", app.token().unsigned(), "alg 'none' is not allowed"),
        // RFC 8725 §2.1: the RSA public key's bytes as the HMAC secret.
        ("HS256", app.token().hs256_with_public_key().sign(), "alg 'HS256' is not allowed"),
    ];

    for (case, token, mentions) in cases {
        let response = app.get_todos(&token).await;

        assert_invalid_token(response, mentions).await;
        assert_eq!(app.provider.jwks_hits(), 0, "no key is looked up for {case}");
    }
}

/// RFC 8725 §3: the header names the key and the type; a token
/// whose header or signature is wrong is refused, the refusal naming why.
#[tokio::test]
async fn tokens_with_a_wrong_key_or_header_are_rejected_naming_the_fault() {
    let app = spawn_app().await;
    let cases = [
        ("an unknown key id", app.token().attacker_key().kid(Some("who-knows")), "unknown key id 'who-knows'"),
        ("no key id", app.token().kid(None), "no kid header"),
        // The published EC key's id, but the attacker's EC key.
        ("a forged signature", app.token().attacker_key().kid(Some(EC_KID)), "signature does not verify"),
        // ES256 in the header, but the kid of the RS256 key.
        (
            "another algorithm's key",
            app.token().es256().kid(Some(RSA_KID)),
            "is for RS256, but the token says alg ES256",
        ),
        // RFC 8725 §3.10: the attacker ships their own key in `jwk` and
        // points `jku` at their own JWKS; neither may be used.
        (
            "a key embedded in the header",
            app.token().attacker_key().kid(Some("attacker")).header(|h| {
                h.jwk = Some(KEYS.attacker.jwk.clone());
                h.jku = Some("http://127.0.0.1:9/evil-jwks.json".to_owned());
            }),
            "unknown key id 'attacker'",
        ),
        // An ID token's typ: RFC 9068 §4 asks for at+jwt.
        ("typ JWT", app.token().typ(Some("JWT")), "typ 'JWT' is not at+jwt"),
        ("no typ", app.token().typ(None), "is not at+jwt"),
        ("a critical header", app.token().header(|h| h.crit = Some(vec!["exp".to_owned()])), "crit header"),
    ];

    for (case, token, mentions) in cases {
        let response = app.get_todos(&token.sign()).await;

        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{case}");
        assert_invalid_token(response, mentions).await;
    }
}

/// RFC 9068 §4: the issuer, the audience and the times are checked, and the
/// refusal names the claim and the value that failed.
#[tokio::test]
async fn tokens_with_a_wrong_claim_are_rejected_naming_the_claim() {
    let app = spawn_app().await;
    let trailing_slash = format!("{}/", app.config.issuer);
    let exp = now() - 120;
    let nbf = now() + 600;
    let cases = [
        (
            "another issuer",
            app.token().claim("iss", "https://evil.example"),
            "issuer 'https://evil.example' is not the expected issuer".to_owned(),
        ),
        // The issuer is compared as a string: a trailing slash is another one.
        (
            "the issuer with a trailing slash",
            app.token().claim("iss", trailing_slash.as_str()),
            format!("issuer '{trailing_slash}'"),
        ),
        (
            "another audience",
            app.token().claim("aud", "https://other-api.example"),
            format!(
                "audience 'https://other-api.example' does not contain this API's identifier '{}'",
                app.config.audience
            ),
        ),
        (
            "expired",
            app.token().claim("iat", exp - 300).claim("nbf", exp - 300).claim("exp", exp),
            format!("the token expired at {}", rfc3339(exp)),
        ),
        (
            "not yet valid",
            app.token().claim("nbf", nbf).claim("exp", nbf + 300),
            format!("not valid before {}", rfc3339(nbf)),
        ),
        ("issued in the future", app.token().claim("iat", now() + 600), "issued in the future".to_owned()),
    ];

    for (case, token, mentions) in cases {
        let response = app.get_todos(&token.sign()).await;

        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{case}");
        assert_invalid_token(response, &mentions).await;
    }
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
