//! OIDC Core §3.1.3.7: a bad ID token logs nobody in. Each case breaks one
//! rule and checks that the login fails, no token cookie is set, and the
//! page names the broken rule.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{FORGER_KEY, PROVIDER_KEY, TestApp, page, set_cookies, spawn_app};
use testkit::keys::TestKey;

/// Logs in with an ID token signed by `key` and changed by `tweak`, and
/// asserts that the login fails naming `rule`.
async fn assert_rejected(app: &TestApp, case: &str, key: &TestKey, tweak: fn(&mut Value), rule: &str) {
    let response = app.log_in_with(key, tweak).await;

    assert_eq!(response.status(), StatusCode::BAD_GATEWAY, "{case}");
    let cookies = set_cookies(&response);
    assert!(
        cookies.iter().all(|c| c.name != "access_token" && c.name != "refresh_token"),
        "{case}: tokens were handed out: {cookies:?}"
    );
    let html = page(response).await;
    assert!(html.contains("The ID token failed validation"), "{case}: {html}");
    assert!(html.contains(rule), "{case}: the page should name the rule {rule:?}: {html}");

    // Still logged out.
    let home = page(app.get("/").await).await;
    assert!(home.contains("Log in"), "{case}");
    assert!(!home.contains("Demo User"), "{case}");
}

/// A rule broken: how, the key that signs the ID token, the change to its
/// claims, and the rule the error page must name.
type BrokenRule = (&'static str, &'static TestKey, fn(&mut Value), &'static str);

/// One case per rule of §3.1.3.7.
#[tokio::test]
async fn an_id_token_that_breaks_any_rule_is_rejected_naming_the_rule() {
    let app = spawn_app().await;
    let cases: [BrokenRule; 10] = [
        ("another nonce", &PROVIDER_KEY, |c| c["nonce"] = json!("another-login"), "nonce equals"),
        ("no nonce", &PROVIDER_KEY, without_nonce, "nonce equals"),
        ("another audience", &PROVIDER_KEY, |c| c["aud"] = json!("someone-else"), "aud contains our client_id"),
        (
            "an extra audience and no azp",
            &PROVIDER_KEY,
            |c| c["aud"] = json!(["todo-app", "todo-api"]),
            "azp is present when there are several audiences",
        ),
        (
            "authorized for another party",
            &PROVIDER_KEY,
            |c| c["azp"] = json!("other-app"),
            "azp, when present, is our client_id",
        ),
        ("signed with another key", &FORGER_KEY, |_| {}, "the signature verifies"),
        ("another issuer", &PROVIDER_KEY, |c| c["iss"] = json!("https://evil.example"), "iss is exactly"),
        ("expired", &PROVIDER_KEY, expired, "exp is in the future"),
        ("issued long ago", &PROVIDER_KEY, |c| c["iat"] = json!(shared::now_unix() - 3600), "iat is recent"),
        (
            "an at_hash that does not match the access token",
            &PROVIDER_KEY,
            |c| c["at_hash"] = json!(shared::jwt::at_hash("another-access-token", jsonwebtoken::Algorithm::RS256)),
            "at_hash, when present, matches",
        ),
    ];

    for (case, key, tweak, rule) in cases {
        assert_rejected(&app, case, key, tweak, rule).await;
    }
}

fn without_nonce(claims: &mut Value) {
    claims.as_object_mut().unwrap().remove("nonce");
}

/// Issued 400 seconds ago, expired 300 seconds ago.
fn expired(claims: &mut Value) {
    let now = shared::now_unix();
    claims["iat"] = json!(now - 400);
    claims["exp"] = json!(now - 300);
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
