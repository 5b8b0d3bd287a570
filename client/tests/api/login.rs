use std::collections::HashSet;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;

use crate::helpers::{CLIENT_ID, attributes, cookie, set_cookies, spawn_app};

#[tokio::test]
async fn login_redirects_to_the_authorize_endpoint_with_every_parameter() {
    let app = spawn_app().await;

    let response = app.get("/login").await;

    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let session = cookie(&set_cookies(&response), "client_session").attributes_except_expires();
    assert!(session.is_superset(&attributes(&["HttpOnly", "SameSite=Lax", "Path=/"])), "{session:?}");
    let login = app.start_login().await;
    assert_eq!(
        login.location.as_str().split('?').next(),
        Some(format!("{}/oauth2/authorize", app.provider_url).as_str())
    );
    let p = &login.params;
    assert_eq!(p["response_type"], "code");
    assert_eq!(p["client_id"], CLIENT_ID);
    assert_eq!(p["redirect_uri"], format!("{}/callback", app.address));
    let scopes: HashSet<&str> = p["scope"].split(' ').collect();
    let expected = ["openid", "profile", "email", "offline_access", "todos:read", "todos:write"];
    assert_eq!(scopes, expected.into_iter().collect());
    assert_eq!(p["code_challenge_method"], "S256");
    // 256 bits of base64url each: 43 characters.
    assert_eq!(p["state"].len(), 43);
    assert_eq!(p["nonce"].len(), 43);
    // An S256 challenge is a base64url SHA-256: 32 bytes.
    assert_eq!(URL_SAFE_NO_PAD.decode(&p["code_challenge"]).unwrap().len(), 32);
}

#[tokio::test]
async fn every_login_gets_a_fresh_state_nonce_and_challenge() {
    let app = spawn_app().await;

    let first = app.start_login().await;
    let second = app.start_login().await;

    for name in ["state", "nonce", "code_challenge"] {
        assert_ne!(first.params[name], second.params[name], "{name} was reused");
    }
}

#[tokio::test]
async fn health_check_answers_200() {
    let app = spawn_app().await;

    let response = app.get("/healthz").await;

    assert_eq!(response.status(), StatusCode::OK);
}
