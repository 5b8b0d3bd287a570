//! The server-side checks of the browser attacks (the page's in-browser
//! half is tested with Chromium in e2e/tests/flow/lab.rs).

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::get;
use lab::attacks::{clickjacking, cors_read, token_theft};

use crate::support::{aimed_at, approving_authorize, assert_blocked, assert_succeeded, issuing_token_endpoint, serve};

#[tokio::test]
async fn cors_read_succeeds_against_an_api_that_reflects_any_origin_with_credentials() {
    let port = testkit::serve::Port::free().await;
    let url = port.url().to_owned();
    let reflecting = get(|headers: HeaderMap| async move {
        let origin = headers.get("origin").and_then(|v| v.to_str().ok()).unwrap_or("*").to_owned();
        ([("access-control-allow-origin", origin.as_str()), ("access-control-allow-credentials", "true")], "[]")
            .into_response()
    });
    let router = approving_authorize().merge(issuing_token_endpoint(&url)).route("/todos", reflecting);
    port.serve(router);
    assert_succeeded(&crate::support::run(&cors_read::ATTACK, aimed_at(&url, "http://localhost:3000")).await);
}

#[test]
fn a_star_origin_does_not_give_a_credentialed_read() {
    let finding = cors_read::verdict("*", "true", "http://127.0.0.1:6660");
    assert_eq!(finding.verdict, lab::Verdict::Blocked, "{}", finding.because);
}

fn framable_login(headers: &'static [(&'static str, &'static str)]) -> Router {
    Router::new().route("/oauth2/authorize", get(|| async { Redirect::to("/login") })).route(
        "/login",
        get(move || async move {
            let mut map = HeaderMap::new();
            for (name, value) in headers {
                map.insert(*name, axum::http::HeaderValue::from_static(value));
            }
            (StatusCode::OK, map, Html("<title>Sign in</title>"))
        }),
    )
}

#[tokio::test]
async fn clickjacking_succeeds_against_a_login_page_that_may_be_framed() {
    let provider = serve(framable_login(&[])).await;
    assert_succeeded(&crate::support::run(&clickjacking::ATTACK, aimed_at(&provider, "http://localhost:3000")).await);
}

#[tokio::test]
async fn clickjacking_is_blocked_by_frame_ancestors_none() {
    let provider = serve(framable_login(&[("content-security-policy", "frame-ancestors 'none'")])).await;
    assert_blocked(&crate::support::run(&clickjacking::ATTACK, aimed_at(&provider, "http://localhost:3000")).await);
}

/// A token as an issuer would sign it, for the stand-ins to hand out.
const A_JWT: &str = "eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJl";

/// A client stand-in whose `/callback` answers `callback` and whose home
/// page is empty.
async fn client_with_callback(provider: &str, callback: axum::routing::MethodRouter) -> String {
    let port = testkit::serve::Port::free().await;
    let client = port.url().to_owned();
    let router = crate::support::client_login_route(provider, &client)
        .route("/callback", callback)
        .route("/", get(|| async { Html("<h1>Todos</h1>") }));
    port.serve(router);
    client
}

#[tokio::test]
async fn token_theft_succeeds_against_the_seeds_page_that_keeps_tokens_in_local_storage() {
    let provider = serve(approving_authorize()).await;
    // The seed's pattern: the callback page hands the token to the page's
    // script, which keeps it in localStorage for the API calls.
    let callback = get(|| async {
        Html(format!("<script>localStorage.setItem('access_token', '{A_JWT}'); location = '/';</script>"))
    });
    let client = client_with_callback(&provider, callback).await;
    let report = crate::support::run(&token_theft::ATTACK, aimed_at(&provider, &client)).await;
    assert_succeeded(&report);
    assert!(report.because.contains("the callback's page"), "{}", report.because);
}

/// The token-theft attack against a client whose callback sets the access
/// token in a cookie with these `attributes`.
async fn token_theft_with_cookie(attributes: &str) -> lab::Report {
    let provider = serve(approving_authorize()).await;
    let cookie = format!("access_token={A_JWT}; {attributes}");
    let callback = get(move || async move { ([("set-cookie", cookie)], Redirect::to("/")).into_response() });
    let client = client_with_callback(&provider, callback).await;
    crate::support::run(&token_theft::ATTACK, aimed_at(&provider, &client)).await
}

#[tokio::test]
async fn token_theft_succeeds_against_token_cookies_without_http_only() {
    let report = token_theft_with_cookie("Path=/; SameSite=Lax").await;
    assert_succeeded(&report);
    assert!(report.because.contains("document.cookie (access_token, no HttpOnly)"), "{}", report.because);
}

#[tokio::test]
async fn token_theft_is_blocked_by_http_only_token_cookies() {
    assert_blocked(&token_theft_with_cookie("HttpOnly; Path=/; SameSite=Lax").await);
}
