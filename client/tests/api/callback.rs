use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::helpers::{
    ACCESS_TOKEN, CLIENT_ID, CLIENT_SECRET, CODE, REFRESH_TOKEN, TestApp, attributes, cookie, location, page,
    set_cookies, spawn_app, spawn_app_with,
};

/// Asserts a refused callback: a 400 page that says each of `says`, and
/// no code sent to the token endpoint.
async fn assert_refused(app: &TestApp, response: reqwest::Response, says: &[&str]) {
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = page(response).await;
    for phrase in says {
        assert!(html.contains(phrase), "the page should say {phrase:?}: {html}");
    }
    assert!(app.token_requests().is_empty(), "the code must not be exchanged");
}

#[tokio::test]
async fn callback_exchanges_the_code_and_sets_the_token_cookies() {
    let app = spawn_app().await;

    let response = app.log_in().await;

    // 303 to /, so the code leaves the address bar; no Referer leaks it.
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/");
    assert_eq!(response.headers()["referrer-policy"], "no-referrer");
    let cookies = set_cookies(&response);
    let access = cookie(&cookies, "access_token");
    assert_eq!(access.value, ACCESS_TOKEN);
    assert_eq!(access.attributes, attributes(&["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=300"]));
    let refresh = cookie(&cookies, "refresh_token");
    assert_eq!(refresh.value, REFRESH_TOKEN);
    assert_eq!(refresh.attributes, attributes(&["HttpOnly", "SameSite=Strict", "Path=/refreshtoken"]));
}

#[tokio::test]
async fn the_code_is_exchanged_with_the_verifier_and_basic_client_authentication() {
    let app = spawn_app().await;
    let login = app.start_login().await;
    app.reply_with_tokens_for(&login);

    let response = app.callback(&[("code", CODE), ("state", login.state()), ("iss", &app.provider_url)]).await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let requests = app.token_requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.basic_credentials(), Some((CLIENT_ID.to_owned(), CLIENT_SECRET.to_owned())));
    assert_eq!(request.form["grant_type"], "authorization_code");
    assert_eq!(request.form["code"], CODE);
    assert_eq!(request.form["redirect_uri"], format!("{}/callback", app.address));
    assert!(!request.form.contains_key("client_secret"));
    // RFC 7636 §4.6: the verifier hashes to the challenge sent at /login.
    let verifier = &request.form["code_verifier"];
    assert!((43..=128).contains(&verifier.len()));
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    assert_eq!(challenge, login.params["code_challenge"]);
}

#[tokio::test]
async fn client_secret_post_sends_the_credentials_in_the_body() {
    let app = spawn_app_with(&[("CLIENT_AUTH_METHOD", "client_secret_post")]).await;

    app.log_in().await;

    let request = &app.token_requests()[0];
    assert_eq!(request.authorization, None);
    assert_eq!(request.form["client_id"], CLIENT_ID);
    assert_eq!(request.form["client_secret"], CLIENT_SECRET);
}

#[tokio::test]
async fn callback_with_a_wrong_state_is_refused() {
    let app = spawn_app().await;
    let login = app.start_login().await;
    let wrong = format!("{}x", login.state());

    let response = app.callback(&[("code", CODE), ("state", &wrong)]).await;

    assert!(set_cookies(&response).iter().all(|c| c.name == "client_session"));
    assert_refused(&app, response, &["state parameter does not match"]).await;
}

#[tokio::test]
async fn callback_without_state_is_refused() {
    let app = spawn_app().await;
    app.start_login().await;

    let response = app.callback(&[("code", CODE)]).await;

    assert_refused(&app, response, &["state parameter does not match"]).await;
}

#[tokio::test]
async fn a_replayed_callback_is_refused_because_state_is_single_use() {
    let app = spawn_app().await;
    let login = app.start_login().await;
    app.reply_with_tokens_for(&login);
    let params = [("code", CODE), ("state", login.state()), ("iss", &app.provider_url)];
    assert_eq!(app.callback(&params).await.status(), StatusCode::SEE_OTHER);

    let replay = app.callback(&params).await;

    assert_eq!(replay.status(), StatusCode::BAD_REQUEST);
    assert!(page(replay).await.contains("No login in progress"));
    assert_eq!(app.token_requests().len(), 1);
}

#[tokio::test]
async fn a_callback_without_a_session_explains_why_the_cookie_may_be_missing() {
    let app = spawn_app().await;
    let login = app.start_login().await;
    let stranger = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

    let response =
        stranger.get(format!("{}/callback?code={CODE}&state={}", app.address, login.state())).send().await.unwrap();

    assert_refused(&app, response, &["No login in progress", "SameSite", "127.0.0.1", "expired"]).await;
}

#[tokio::test]
async fn callback_from_another_issuer_is_refused() {
    let app = spawn_app().await;
    let login = app.start_login().await;

    let response = app.callback(&[("code", CODE), ("state", login.state()), ("iss", "https://evil.example")]).await;

    assert_refused(&app, response, &["https://evil.example"]).await;
}

#[tokio::test]
async fn callback_without_iss_is_refused_when_the_provider_advertises_it() {
    let app = spawn_app().await;
    let login = app.start_login().await;

    let response = app.callback(&[("code", CODE), ("state", login.state())]).await;

    assert!(set_cookies(&response).iter().all(|c| c.name == "client_session"));
    assert_refused(&app, response, &["RFC 9207 §2.4", "authorization_response_iss_parameter_supported"]).await;
}

#[tokio::test]
async fn callback_without_iss_is_accepted_when_the_provider_does_not_advertise_it() {
    let app = spawn_app().await;
    app.provider.script.metadata.lock().unwrap()["authorization_response_iss_parameter_supported"] = json!(false);
    let login = app.start_login().await;
    app.reply_with_tokens_for(&login);

    let response = app.callback(&[("code", CODE), ("state", login.state())]).await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn metadata_naming_another_issuer_is_not_used() {
    let app = spawn_app().await;
    app.provider.script.metadata.lock().unwrap()["issuer"] = json!("https://evil.example");
    let login = app.start_login().await;

    let response = app.callback(&[("code", CODE), ("state", login.state()), ("iss", &app.provider_url)]).await;

    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let html = page(response).await;
    assert!(html.contains("RFC 8414 §3.3"), "{html}");
    assert!(app.token_requests().is_empty());
}

#[tokio::test]
async fn access_denied_shows_a_friendly_page_with_a_retry_link() {
    let app = spawn_app().await;
    let login = app.start_login().await;

    let response = app
        .callback(&[
            ("error", "access_denied"),
            ("error_description", "The user denied the request"),
            ("state", login.state()),
            ("iss", &app.provider_url),
        ])
        .await;

    let says = ["You declined the request", "access_denied", "The user denied the request", "href=\"/login\""];
    assert_refused(&app, response, &says).await;
}

#[tokio::test]
async fn a_token_endpoint_error_is_shown_with_its_description() {
    let app = spawn_app().await;
    let login = app.start_login().await;
    app.reply_with_error(400, "invalid_grant", "the code has expired");

    let response = app.callback(&[("code", CODE), ("state", login.state()), ("iss", &app.provider_url)]).await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(set_cookies(&response).iter().all(|c| c.name == "client_session"));
    let html = page(response).await;
    assert!(html.contains("invalid_grant"));
    assert!(html.contains("the code has expired"));
}

#[tokio::test]
async fn an_unreachable_provider_gives_502_naming_the_back_channel_url() {
    // A port that was free a moment ago: nothing listens there.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let internal = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let app = spawn_app_with(&[("PROVIDER_INTERNAL_URL", &internal)]).await;
    let login = app.start_login().await;

    let response = app.callback(&[("code", CODE), ("state", login.state()), ("iss", &app.provider_url)]).await;

    // The first back-channel call is for the provider's metadata.
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let html = page(response).await;
    assert!(html.contains(&format!("{internal}/.well-known/openid-configuration")), "{html}");
    assert!(html.contains("PROVIDER_INTERNAL_URL"));

    // The state was consumed even though the answer was a 5xx.
    let replay = app.callback(&[("code", CODE), ("state", login.state()), ("iss", &app.provider_url)]).await;
    assert!(page(replay).await.contains("No login in progress"));
}

#[tokio::test]
async fn a_malformed_query_string_gets_a_page_not_a_panic() {
    let app = spawn_app().await;
    app.start_login().await;

    let response = app.get("/callback?state=a&state=b&code=%FF").await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(page(response).await.contains("malformed"));
}

#[tokio::test]
async fn garbage_cookies_are_ignored() {
    let app = spawn_app().await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

    for path in ["/", "/flow", "/callback?code=x&state=y", "/logout"] {
        let response = client
            .get(format!("{}{path}", app.address))
            .header("Cookie", "client_session=%%%not-an-id; access_token=a\"b; refresh_token=")
            .send()
            .await
            .unwrap();
        assert!(!response.status().is_server_error(), "{path}: {}", response.status());
    }
}
