//! Bad input never panics, never answers 5xx, never logs anyone in or out.
//!
//! Property-based, with `testkit::malformed`: mangled copies of a valid ID
//! token (OIDC Core §3.1.3.7: each must be refused), and requests with
//! random query strings, bodies, `Authorization` headers and cookies thrown
//! at every route of the app.

use proptest::prelude::*;
use reqwest::header::HeaderValue;
use reqwest::{Method, StatusCode};
use serde_json::json;
use testkit::malformed::{self, Request};

use crate::helpers::{
    ACCESS_TOKEN, CODE, PROVIDER_KEY, REFRESH_TOKEN, TestApp, page, set_cookies, sign, spawn_app, spawn_logged_in_app,
};

/// Every route, with the parameter names it reads.
const ENDPOINTS: &[(&str, &str, &[&str])] = &[
    ("GET", "/", &[]),
    ("GET", "/login", &[]),
    ("GET", "/callback", &["code", "state", "iss", "error", "error_description"]),
    ("POST", "/refreshtoken", &[]),
    ("GET", "/logout", &[]),
    ("POST", "/logout", &["csrf_token"]),
    ("GET", "/flow", &[]),
    ("GET", "/static/app.js", &[]),
    ("GET", "/healthz", &[]),
    ("DELETE", "/refreshtoken", &[]),
    ("GET", "/no/such/path", &[]),
];

/// Sends the request: anonymously with the generated cookie, or from the
/// logged-in browser with its own cookies.
async fn send(generated: &Request, app: &TestApp, anonymous: &reqwest::Client) -> reqwest::Response {
    let url = if generated.query.is_empty() {
        format!("{}{}", app.address, generated.path)
    } else {
        format!("{}{}?{}", app.address, generated.path, generated.query)
    };
    let method = Method::from_bytes(generated.method.as_bytes()).expect("a valid method");
    let (http, cookie) =
        if generated.from_session { (&app.browser, None) } else { (anonymous, generated.cookie.as_ref()) };
    let mut request = http.request(method, &url).body(generated.body.bytes.clone());
    if generated.from_session && generated.path == "/refreshtoken" {
        // Past the same-origin check, to the session and the exchange.
        request = request.header("origin", &app.address);
    }
    if let Some(content_type) = generated.body.content_type.and_then(|t| HeaderValue::from_str(t).ok()) {
        request = request.header("content-type", content_type);
    }
    for (name, value) in [("authorization", generated.authorization.as_ref()), ("cookie", cookie)] {
        if let Some(value) = value.and_then(|v| HeaderValue::from_bytes(v).ok()) {
            request = request.header(name, value);
        }
    }
    malformed::send(request).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_to_every_route_never_answer_5xx_nor_end_the_login() {
    let app = spawn_logged_in_app().await;
    // A provider that rotates the refresh token on every refresh.
    *app.provider.script.token_reply.lock().unwrap() = (
        200,
        json!({"access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 300, "refresh_token": REFRESH_TOKEN}),
    );
    let anonymous = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

    malformed::check(
        300,
        malformed::request(ENDPOINTS, &["client_session", "access_token", "refresh_token"]),
        |request| {
            let (app, anonymous) = (&app, &anonymous);
            async move {
                let response = send(&request, app, anonymous).await;
                let status = response.status();
                prop_assert!(
                    status.as_u16() < 500,
                    "{} {} answered {status}: {}",
                    request.method,
                    request.path,
                    response.text().await.unwrap_or_default()
                );
                Ok(())
            }
        },
    );

    // No forged logout, no lost session: still logged in, refresh still works.
    assert!(page(app.get("/").await).await.contains("Demo User"), "the login must survive");
    assert!(app.revocations().is_empty(), "nothing may have been revoked");
    assert_eq!(app.refresh_same_origin().await.status(), StatusCode::OK);
}

/// OIDC Core §3.1.3.7 steps 6–7 and RFC 7515 §5.2: an ID token that is not
/// exactly what the provider signed — one character changed, a segment
/// swapped, dropped or replaced (with `alg: none`, with HS256) — logs
/// nobody in, and no token cookie is set.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mutation_of_a_valid_id_token_is_refused() {
    let app = spawn_app().await;

    malformed::check(150, malformed::token_mutation(), |mutation| {
        let app = &app;
        async move {
            let login = app.start_login().await;
            let id_token = sign(&app.id_token_claims(login.nonce(), ACCESS_TOKEN), &PROVIDER_KEY);
            let mutated = mutation.apply(&id_token);
            if mutated == id_token {
                return Ok(()); // the rare mutation that changed nothing
            }
            app.reply_with_tokens(ACCESS_TOKEN, REFRESH_TOKEN, &mutated);

            let response = app.callback(&[("code", CODE), ("state", login.state()), ("iss", &app.provider_url)]).await;

            let status = response.status();
            prop_assert_eq!(status, StatusCode::BAD_GATEWAY, "{:?} was not refused", mutation);
            let cookies = set_cookies(&response);
            prop_assert!(cookies.iter().all(|c| c.name == "client_session"), "tokens handed out: {cookies:?}");
            prop_assert!(page(response).await.contains("The ID token failed validation"));
            Ok(())
        }
    });

    assert!(!page(app.get("/").await).await.contains("Demo User"), "nobody was logged in");
}
