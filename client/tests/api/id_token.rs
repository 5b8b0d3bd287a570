//! OIDC Core §3.1.3.7: a bad ID token logs nobody in. Each test breaks one
//! rule and checks that the login fails, no token cookie is set, and the
//! page names the broken rule.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{FORGER_KEY, PROVIDER_KEY, TestApp, page, set_cookies, spawn_app};
use testkit::keys::TestKey;

async fn assert_rejected(app: &TestApp, key: &TestKey, tweak: impl FnOnce(&mut Value), rule: &str) {
    let response = app.log_in_with(key, tweak).await;

    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let cookies = set_cookies(&response);
    assert!(
        cookies.iter().all(|c| c.name != "access_token" && c.name != "refresh_token"),
        "tokens were handed out: {cookies:?}"
    );
    let html = page(response).await;
    assert!(html.contains("The ID token failed validation"), "{html}");
    assert!(html.contains(rule), "the page should name the rule {rule:?}: {html}");

    // Still logged out.
    let home = page(app.get("/").await).await;
    assert!(home.contains("Log in"));
    assert!(!home.contains("Demo User"));
}

#[tokio::test]
async fn an_id_token_with_another_nonce_is_rejected() {
    let app = spawn_app().await;
    assert_rejected(&app, &PROVIDER_KEY, |c| c["nonce"] = json!("another-login"), "nonce equals").await;
}

#[tokio::test]
async fn an_id_token_without_a_nonce_is_rejected() {
    let app = spawn_app().await;
    let remove = |c: &mut Value| {
        c.as_object_mut().unwrap().remove("nonce");
    };
    assert_rejected(&app, &PROVIDER_KEY, remove, "nonce equals").await;
}

#[tokio::test]
async fn an_id_token_for_another_audience_is_rejected() {
    let app = spawn_app().await;
    assert_rejected(&app, &PROVIDER_KEY, |c| c["aud"] = json!("someone-else"), "aud contains our client_id").await;
}

#[tokio::test]
async fn an_id_token_with_an_extra_audience_and_no_azp_is_rejected() {
    let app = spawn_app().await;
    let aud = |c: &mut Value| c["aud"] = json!(["todo-app", "todo-api"]);
    assert_rejected(&app, &PROVIDER_KEY, aud, "azp is present when there are several audiences").await;
}

#[tokio::test]
async fn an_id_token_authorized_for_another_party_is_rejected() {
    let app = spawn_app().await;
    assert_rejected(&app, &PROVIDER_KEY, |c| c["azp"] = json!("other-app"), "azp, when present, is our client_id")
        .await;
}

#[tokio::test]
async fn an_id_token_signed_with_another_key_is_rejected() {
    let app = spawn_app().await;
    assert_rejected(&app, &FORGER_KEY, |_| {}, "the signature verifies").await;
}

#[tokio::test]
async fn an_id_token_from_another_issuer_is_rejected() {
    let app = spawn_app().await;
    assert_rejected(&app, &PROVIDER_KEY, |c| c["iss"] = json!("https://evil.example"), "iss is exactly").await;
}

#[tokio::test]
async fn an_expired_id_token_is_rejected() {
    let app = spawn_app().await;
    let expired = |c: &mut Value| {
        let now = shared::now_unix();
        c["iat"] = json!(now - 400);
        c["exp"] = json!(now - 300);
    };
    assert_rejected(&app, &PROVIDER_KEY, expired, "exp is in the future").await;
}

#[tokio::test]
async fn an_id_token_issued_long_ago_is_rejected() {
    let app = spawn_app().await;
    let old = |c: &mut Value| c["iat"] = json!(shared::now_unix() - 3600);
    assert_rejected(&app, &PROVIDER_KEY, old, "iat is recent").await;
}

#[tokio::test]
async fn an_id_token_whose_at_hash_does_not_match_the_access_token_is_rejected() {
    let app = spawn_app().await;
    let other = shared::jwt::at_hash("another-access-token", jsonwebtoken::Algorithm::RS256);
    assert_rejected(&app, &PROVIDER_KEY, |c| c["at_hash"] = json!(other), "at_hash, when present, matches").await;
}

#[tokio::test]
async fn an_id_token_without_at_hash_is_accepted_in_the_code_flow() {
    let app = spawn_app().await;

    let response = app
        .log_in_with(&PROVIDER_KEY, |c| {
            c.as_object_mut().unwrap().remove("at_hash");
        })
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_token_response_without_an_id_token_is_rejected() {
    let app = spawn_app().await;
    let login = app.start_login().await;
    *app.provider.script.token_reply.lock().unwrap() =
        (200, json!({"access_token": "a", "token_type": "Bearer", "expires_in": 300, "refresh_token": "r"}));

    let response = app.callback(&[("code", "c"), ("state", login.state()), ("iss", &app.provider_url)]).await;

    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert!(set_cookies(&response).iter().all(|c| c.name == "client_session"));
    assert!(page(response).await.contains("no ID token"));
}
