use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{ACCESS_TOKEN, CLIENT_SECRET, CODE, REFRESH_TOKEN, page, spawn_app, spawn_logged_in_app};

#[tokio::test]
async fn the_flow_inspector_shows_every_step_of_the_login_and_refresh() {
    let app = spawn_logged_in_app().await;
    *app.provider.script.token_reply.lock().unwrap() =
        (200, json!({"access_token": "a2", "token_type": "Bearer", "expires_in": 300, "refresh_token": "refresh-2"}));
    app.refresh_same_origin().await;

    let response = app.get("/flow").await;

    assert_eq!(response.status(), StatusCode::OK);
    let html = page(response).await;
    for step in [
        "Authorization request",
        "Authorization response (callback)",
        "Token request",
        "Response",
        "ID token validation",
        "Tokens, decoded",
        "Cookies set (handleTokens)",
        "Refresh 1",
        "Cookies replaced",
    ] {
        assert!(html.contains(step), "missing step {step}");
    }
    for link in [
        "https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1",
        "https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3",
        "https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation",
    ] {
        assert!(html.contains(link), "missing link {link}");
    }
    assert!(html.contains("Authorization: Basic [redacted]"));
    assert!(html.contains("no-store"), "the token response's cache header is shown");
}

#[tokio::test]
async fn the_flow_inspector_never_shows_a_secret_or_a_whole_token() {
    let app = spawn_logged_in_app().await;

    let html = page(app.get("/flow").await).await;

    let verifier = app.token_requests()[0].form["code_verifier"].clone();
    for secret in [CLIENT_SECRET, ACCESS_TOKEN, REFRESH_TOKEN, CODE, verifier.as_str()] {
        assert!(!html.contains(secret), "the page shows {secret}");
    }
}

#[tokio::test]
async fn a_failed_check_is_shown_on_the_flow_inspector() {
    let app = spawn_app().await;
    app.log_in_with(&crate::helpers::PROVIDER_KEY, |c| c["nonce"] = json!("other")).await;

    let html = page(app.get("/flow").await).await;

    assert!(html.contains("check failed"));
    assert!(html.contains("differs from the session&#x27;s nonce") || html.contains("differs from the session"));
}
