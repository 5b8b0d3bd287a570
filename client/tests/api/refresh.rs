use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    CLIENT_ID, CLIENT_SECRET, FORGER_KEY, PROVIDER_KEY, REFRESH_TOKEN, TestApp, assert_internal_error_in_json,
    attributes, cookie, handover_form, page, set_cookies, sign, spawn_app, spawn_logged_in_app,
};

/// `n` same-origin refreshes at once, as `n` tabs of one browser (one
/// cookie jar) would send them.
async fn refresh_in_tabs(app: &TestApp, n: usize) -> Vec<reqwest::Response> {
    let tabs: Vec<_> = (0..n)
        .map(|_| {
            let request = app.browser.post(format!("{}/refreshtoken", app.address)).header("Origin", &app.address);
            tokio::spawn(request.send())
        })
        .collect();
    let mut answers = Vec::new();
    for tab in tabs {
        answers.push(tab.await.expect("the task ran").expect("request works"));
    }
    answers
}

/// Logs in, has the token endpoint refuse the next refresh with this RFC
/// 6749 §5.2 error, and refreshes from the page; returns the app and the
/// refresh's answer.
async fn refresh_refused_with(status: u16, error: &str, description: &str) -> (TestApp, reqwest::Response) {
    let app = logged_in_app().await;
    app.reply_with_error(status, error, description);
    let response = app.refresh_same_origin().await;
    (app, response)
}

/// Logs in, then makes the token endpoint answer the next refresh with new tokens.
async fn logged_in_app() -> TestApp {
    let app = spawn_logged_in_app().await;
    *app.provider.script.token_reply.lock().unwrap() = (
        200,
        json!({
            "access_token": "access-token-2",
            "token_type": "Bearer",
            "expires_in": 600,
            "scope": "openid todos:read",
            "refresh_token": "refresh-token-2",
        }),
    );
    app
}

/// Asserts a refused refresh's JSON `error`, and that the provider was
/// never asked: its one token request is still the login's.
async fn assert_refused_before_the_provider(app: &TestApp, response: reqwest::Response, error: &str) {
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], error);
    assert_eq!(app.token_requests().len(), 1, "the provider must not be called");
}

#[tokio::test]
async fn refresh_sets_new_cookies_and_answers_only_expires_in() {
    let app = logged_in_app().await;

    let response = app.refresh_same_origin().await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let cookies = set_cookies(&response);
    let access = cookie(&cookies, "access_token");
    assert_eq!(access.value, "access-token-2");
    assert_eq!(access.attributes, attributes(&["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=600"]));
    let refresh = cookie(&cookies, "refresh_token");
    assert_eq!(refresh.value, "refresh-token-2");
    assert_eq!(refresh.attributes, attributes(&["HttpOnly", "SameSite=Strict", "Path=/refreshtoken"]));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"expires_in": 600}));
}

#[tokio::test]
async fn refresh_sends_the_cookie_s_refresh_token_with_client_authentication() {
    let app = logged_in_app().await;

    app.refresh_same_origin().await;

    let requests = app.token_requests();
    assert_eq!(requests.len(), 2);
    let refresh = &requests[1];
    assert_eq!(refresh.form["grant_type"], "refresh_token");
    assert_eq!(refresh.form["refresh_token"], REFRESH_TOKEN);
    assert_eq!(refresh.basic_credentials(), Some((CLIENT_ID.to_owned(), CLIENT_SECRET.to_owned())));
}

#[tokio::test]
async fn the_rotated_refresh_token_is_used_next_time() {
    let app = logged_in_app().await;
    app.refresh_same_origin().await;

    app.refresh_same_origin().await;

    assert_eq!(app.token_requests()[2].form["refresh_token"], "refresh-token-2");
}

#[tokio::test]
async fn refresh_accepts_sec_fetch_site_same_origin() {
    let app = logged_in_app().await;

    let response = app.refresh(&[("Sec-Fetch-Site", "same-origin")]).await;

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn refresh_from_another_origin_is_refused() {
    let app = logged_in_app().await;

    let response = app.refresh(&[("Origin", "https://evil.example"), ("Sec-Fetch-Site", "cross-site")]).await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(set_cookies(&response).is_empty());
    assert_refused_before_the_provider(&app, response, "invalid_request").await;
}

#[tokio::test]
async fn refresh_without_origin_or_fetch_metadata_is_refused() {
    let app = logged_in_app().await;

    let response = app.refresh(&[]).await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.token_requests().len(), 1);
}

#[tokio::test]
async fn a_refused_refresh_token_clears_both_cookies_and_answers_401() {
    let (app, response) = refresh_refused_with(400, "invalid_grant", "refresh token revoked").await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let cookies = set_cookies(&response);
    let access = cookie(&cookies, "access_token");
    assert_eq!(access.value, "");
    assert_eq!(access.attributes_except_expires(), attributes(&["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=0"]));
    let refresh = cookie(&cookies, "refresh_token");
    assert_eq!(refresh.value, "");
    assert_eq!(
        refresh.attributes_except_expires(),
        attributes(&["HttpOnly", "SameSite=Strict", "Path=/refreshtoken", "Max-Age=0"])
    );
    assert!(refresh.attributes.iter().any(|a| a.starts_with("Expires=")));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");

    // The browser dropped the cookie, so the next attempt has nothing to send.
    let again = app.refresh_same_origin().await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.token_requests().len(), 2);
}

#[tokio::test]
async fn refresh_without_a_refresh_cookie_answers_401() {
    let app = spawn_app().await;

    let response = app.refresh_same_origin().await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(app.token_requests().is_empty());
}

#[tokio::test]
async fn refresh_when_the_provider_is_down_answers_502_and_keeps_the_cookies() {
    let (_app, response) = refresh_refused_with(503, "temporarily_unavailable", "maintenance").await;

    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert!(set_cookies(&response).iter().all(|c| c.name != "refresh_token"));
}

/// A failure behind the endpoint is answered in JSON like its other
/// errors: the page's script reads the answer, not a person.
#[tokio::test]
async fn a_failing_session_store_answers_500_in_json() {
    let app = logged_in_app().await;
    app.break_session_store().await;

    let response = app.refresh_same_origin().await;

    assert_internal_error_in_json(response).await;
    assert_eq!(app.token_requests().len(), 1, "the provider must not be called");
}

#[tokio::test]
async fn a_refresh_cookie_replayed_without_its_session_is_refused() {
    let app = logged_in_app().await;
    let thief = reqwest::Client::new();

    let response = thief
        .post(format!("{}/refreshtoken", app.address))
        .header("Origin", &app.address)
        .header("Cookie", format!("refresh_token={REFRESH_TOKEN}"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookies(&response).iter().all(|c| c.value.is_empty()), "no new tokens");
    assert_refused_before_the_provider(&app, response, "invalid_grant").await;
}

#[tokio::test]
async fn a_refresh_cookie_from_another_session_is_refused() {
    let app = logged_in_app().await;
    let response = refresh_from_a_session_of_their_own(&app).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.token_requests().len(), 1, "the provider must not be called");
}

#[tokio::test]
async fn concurrent_refreshes_of_one_session_make_one_exchange_and_all_succeed() {
    let app = logged_in_app().await;

    // Five tabs at once, all with the same refresh cookie.
    let answers = refresh_in_tabs(&app, 5).await;

    for response in answers {
        assert_eq!(response.status(), StatusCode::OK);
        let cookies = set_cookies(&response);
        assert_eq!(cookie(&cookies, "access_token").value, "access-token-2");
        assert_eq!(cookie(&cookies, "refresh_token").value, "refresh-token-2");
    }
    let refreshes: Vec<_> =
        app.token_requests().into_iter().filter(|r| r.form["grant_type"] == "refresh_token").collect();
    assert_eq!(refreshes.len(), 1, "the provider saw the old refresh token once, not as a replay");

    // The session moved on with the rotation: the next refresh trades the new token.
    assert_eq!(app.refresh_same_origin().await.status(), StatusCode::OK);
    assert_eq!(app.token_requests().last().unwrap().form["refresh_token"], "refresh-token-2");
}

#[tokio::test]
async fn a_coalesced_result_is_not_handed_to_another_session() {
    let app = logged_in_app().await;
    assert_eq!(app.refresh_same_origin().await.status(), StatusCode::OK);
    // Someone else replays the first refresh token.
    let response = refresh_from_a_session_of_their_own(&app).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookies(&response).iter().all(|c| c.value.is_empty()), "no tokens for the thief");
}

/// A thief with an anonymous session of their own (from `/login`) sends the
/// victim's refresh cookie beside it.
async fn refresh_from_a_session_of_their_own(app: &TestApp) -> reqwest::Response {
    let thief = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let login = thief.get(format!("{}/login", app.address)).send().await.unwrap();
    let own_session = cookie(&set_cookies(&login), "client_session").value.clone();
    thief
        .post(format!("{}/refreshtoken", app.address))
        .header("Origin", &app.address)
        .header("Cookie", format!("client_session={own_session}; refresh_token={REFRESH_TOKEN}"))
        .send()
        .await
        .unwrap()
}

/// A change to an ID token's claims.
type Tweak = Box<dyn FnOnce(&mut Value)>;

/// The ID token a refresh of `app`'s login returns, with `tweak` applied.
fn refreshed_id_token(app: &TestApp, tweak: impl FnOnce(&mut Value)) -> String {
    let mut claims = app.id_token_claims("unused", "access-token-2");
    let claims_map = claims.as_object_mut().unwrap();
    // OIDC Core §12.2: "it SHOULD NOT have a nonce Claim Value".
    claims_map.remove("nonce");
    // The original login's auth_time.
    claims_map.remove("auth_time");
    tweak(&mut claims);
    sign(&claims, &PROVIDER_KEY)
}

fn reply_with_id_token(app: &TestApp, id_token: &str) {
    *app.provider.script.token_reply.lock().unwrap() = (
        200,
        json!({
            "access_token": "access-token-2",
            "token_type": "Bearer",
            "expires_in": 600,
            "refresh_token": "refresh-token-2",
            "id_token": id_token,
        }),
    );
}

#[tokio::test]
async fn a_valid_id_token_from_a_refresh_becomes_the_logout_hint() {
    let app = logged_in_app().await;
    let id_token = refreshed_id_token(&app, |_| {});
    reply_with_id_token(&app, &id_token);

    assert_eq!(app.refresh_same_origin().await.status(), StatusCode::OK);

    let form = handover_form(app.logout().await).await;
    assert_eq!(form.field("id_token_hint"), Some(id_token.as_str()));
}

#[tokio::test]
async fn an_id_token_from_a_refresh_is_rejected_when_it_breaks_oidc_core_12_2() {
    let cases: Vec<(&str, Tweak, bool)> = vec![
        ("another user", Box::new(|c| c["sub"] = json!("user-666")), false),
        ("another issuer", Box::new(|c| c["iss"] = json!("https://evil.example")), false),
        ("another audience", Box::new(|c| c["aud"] = json!("someone-else")), false),
        ("an old iat", Box::new(|c| c["iat"] = json!(shared::now_unix() - 3600)), false),
        ("another login's nonce", Box::new(|c| c["nonce"] = json!("another-login")), false),
        ("a later auth_time", Box::new(|c| c["auth_time"] = json!(shared::now_unix())), false),
        ("a forged signature", Box::new(|_| {}), true),
    ];
    for (case, tweak, forged) in cases {
        let app = logged_in_app().await;
        let id_token = if forged {
            let mut claims = app.id_token_claims("unused", "access-token-2");
            claims.as_object_mut().unwrap().remove("nonce");
            sign(&claims, &FORGER_KEY)
        } else {
            refreshed_id_token(&app, tweak)
        };
        reply_with_id_token(&app, &id_token);

        let response = app.refresh_same_origin().await;

        assert_eq!(response.status(), StatusCode::BAD_GATEWAY, "{case}");
        let cookies = set_cookies(&response);
        assert_eq!(cookie(&cookies, "access_token").value, "", "{case}: the new tokens are not used");
        assert_eq!(cookie(&cookies, "refresh_token").value, "", "{case}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "server_error", "{case}");
        assert!(body["error_description"].as_str().unwrap().contains("§12.2"), "{case}: {body}");
        // Logged out here.
        assert!(!page(app.get("/").await).await.contains("Demo User"), "{case}");
    }
}
