//! Forged and misused tokens at the resource server. Each stand-in API is
//! `GET /todos` with one way of deciding whether a token is good.

use std::collections::HashSet;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use lab::attacks::{
    alg_none, expired_token, hs256_key_confusion, jku_kid_trick, not_yet_valid_token, tampered_payload, wrong_audience,
};
use lab::forge::{self, AttackerKey};

use crate::support::{
    STAND_IN_SECRET, aimed_at, approving_authorize, assert_blocked, assert_succeeded, issuing_token_endpoint, run,
    run_with_key, serve,
};

/// `GET /todos`: 200 when `accepts(token)`, else RFC 6750's 401.
fn api(accepts: impl Fn(&str) -> bool + Clone + Send + Sync + 'static) -> Router {
    Router::new().route(
        "/todos",
        get(move |headers: HeaderMap| async move {
            let token =
                headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
            if token.is_some_and(&accepts) {
                axum::Json(serde_json::json!([])).into_response()
            } else {
                (StatusCode::UNAUTHORIZED, [("www-authenticate", r#"Bearer error="invalid_token""#)]).into_response()
            }
        }),
    )
}

/// A validation that checks the signature only.
fn signature_only(alg: Algorithm) -> Validation {
    let mut validation = Validation::new(alg);
    validation.validate_aud = false;
    validation.validate_exp = false;
    validation.required_spec_claims = HashSet::new();
    validation
}

fn verifies(token: &str, key: &DecodingKey, validation: &Validation) -> bool {
    jsonwebtoken::decode::<serde_json::Value>(token, key, validation).is_ok()
}

#[tokio::test]
async fn alg_none_succeeds_against_an_api_that_lets_the_token_choose_its_algorithm() {
    let system = serve(api(|token| forge::header_of(token).is_some_and(|h| h["alg"] == "none"))).await;
    assert_succeeded(&run(&alg_none::ATTACK, aimed_at(&system, "http://localhost:3000")).await);
}

#[tokio::test]
async fn hs256_key_confusion_succeeds_against_an_api_that_uses_its_public_key_for_any_algorithm() {
    let published = AttackerKey::generate().expect("a key").jwk;
    let jwks = serde_json::json!({ "keys": [published] });
    let secret = hs256_key_confusion::confused_secret(&published);
    let accepts =
        move |token: &str| verifies(token, &DecodingKey::from_secret(&secret), &signature_only(Algorithm::HS256));
    let router = api(accepts).route("/.well-known/jwks.json", get(move || async move { axum::Json(jwks) }));
    let system = serve(router).await;
    assert_succeeded(&run(&hs256_key_confusion::ATTACK, aimed_at(&system, "http://localhost:3000")).await);
}

#[tokio::test]
async fn jku_kid_trick_succeeds_against_an_api_that_trusts_an_embedded_jwk() {
    let accepts = |token: &str| {
        let Ok(header) = jsonwebtoken::decode_header(token) else { return false };
        let Some(key) = header.jwk.and_then(|jwk| DecodingKey::from_jwk(&jwk).ok()) else { return false };
        verifies(token, &key, &signature_only(Algorithm::ES256))
    };
    let system = serve(api(accepts)).await;
    let report = run(&jku_kid_trick::ATTACK, aimed_at(&system, "http://localhost:3000")).await;
    assert_succeeded(&report);
    assert!(report.because.contains("embedded jwk"), "{}", report.because);
}

/// Approves, issues stand-in HS256 tokens, and serves `api` too.
async fn provider_with_api(api: Router) -> String {
    let port = testkit::serve::Port::free().await;
    let url = port.url().to_owned();
    let router = approving_authorize().merge(issuing_token_endpoint(&url)).merge(api);
    port.serve(router);
    url
}

#[tokio::test]
async fn tampered_payload_succeeds_against_an_api_that_reads_claims_without_checking_the_signature() {
    let system = provider_with_api(api(|token| forge::payload_of(token).is_some())).await;
    assert_succeeded(&run(&tampered_payload::ATTACK, aimed_at(&system, "http://localhost:3000")).await);
}

/// A provider whose tokens are for the client (`aud: todo-app`), and an API
/// that checks the signature and, when `check_aud`, its own audience.
async fn other_audience(check_aud: bool) -> String {
    let port = testkit::serve::Port::free().await;
    let url = port.url().to_owned();
    let token = post(|| async {
        let now = shared::now_unix();
        let claims =
            serde_json::json!({ "sub": "demo-user", "aud": "todo-app", "exp": now + 300, "scope": "openid profile" });
        let header = jsonwebtoken::Header::new(Algorithm::HS256);
        let token = jsonwebtoken::encode(&header, &claims, &jsonwebtoken::EncodingKey::from_secret(STAND_IN_SECRET));
        axum::Json(serde_json::json!({ "access_token": token.expect("signs"), "token_type": "Bearer" }))
    });
    let audience = url.clone();
    let accepts = move |token: &str| {
        let mut validation = signature_only(Algorithm::HS256);
        if check_aud {
            validation.validate_aud = true;
            validation.set_audience(&[&audience]);
        }
        verifies(token, &DecodingKey::from_secret(STAND_IN_SECRET), &validation)
    };
    let router = approving_authorize().route("/oauth2/token", token).merge(api(accepts));
    port.serve(router);
    url
}

#[tokio::test]
async fn wrong_audience_succeeds_against_an_api_that_skips_the_aud_check() {
    let system = other_audience(false).await;
    assert_succeeded(&run(&wrong_audience::ATTACK, aimed_at(&system, "http://localhost:3000")).await);
}

#[tokio::test]
async fn wrong_audience_is_blocked_by_an_api_that_checks_aud() {
    let system = other_audience(true).await;
    assert_blocked(&run(&wrong_audience::ATTACK, aimed_at(&system, "http://localhost:3000")).await);
}

/// An API that trusts the attacker's key (as if the provider had published
/// it) and checks the time claims as `configure` says.
async fn trusting_the_lab_key(key: &AttackerKey, configure: fn(&mut Validation)) -> String {
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(key.jwk.clone()).expect("a JWK");
    let decoding = DecodingKey::from_jwk(&jwk).expect("a key");
    let accepts = move |token: &str| {
        let mut validation = signature_only(Algorithm::ES256);
        validation.leeway = 0;
        configure(&mut validation);
        verifies(token, &decoding, &validation)
    };
    serve(api(accepts)).await
}

#[tokio::test]
async fn expired_token_succeeds_against_an_api_that_skips_exp_and_is_blocked_when_it_checks_it() {
    let key = Arc::new(AttackerKey::generate().expect("a key"));
    let lax = trusting_the_lab_key(&key, |v| v.validate_exp = false).await;
    assert_succeeded(&run_with_key(&expired_token::ATTACK, aimed_at(&lax, "http://localhost:3000"), key.clone()).await);
    let strict = trusting_the_lab_key(&key, |v| v.validate_exp = true).await;
    assert_blocked(&run_with_key(&expired_token::ATTACK, aimed_at(&strict, "http://localhost:3000"), key).await);
}

#[tokio::test]
async fn not_yet_valid_token_succeeds_against_an_api_that_skips_nbf_and_is_blocked_when_it_checks_it() {
    let key = Arc::new(AttackerKey::generate().expect("a key"));
    // jsonwebtoken's own default: validate_nbf is false.
    let lax = trusting_the_lab_key(&key, |_| {}).await;
    assert_succeeded(
        &run_with_key(&not_yet_valid_token::ATTACK, aimed_at(&lax, "http://localhost:3000"), key.clone()).await,
    );
    let strict = trusting_the_lab_key(&key, |v| v.validate_nbf = true).await;
    assert_blocked(&run_with_key(&not_yet_valid_token::ATTACK, aimed_at(&strict, "http://localhost:3000"), key).await);
}
