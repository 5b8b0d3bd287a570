//! CORS: the client app's origin with credentials, the single-page app's
//! origin for Bearer calls without credentials, and no other origin.

use reqwest::header::HeaderMap;
use reqwest::{Method, Response, StatusCode};

use crate::helpers::{TestApp, spawn_app};

const CLIENT_ORIGIN: &str = "http://localhost:3000";
const SPA_ORIGIN: &str = "http://localhost:5173";

/// `GET /todos` from `origin` with a valid token.
async fn read_from(app: &TestApp, origin: &str) -> Response {
    app.request(Method::GET, "/todos").header("origin", origin).bearer_auth(app.token().sign()).send().await.unwrap()
}

/// A preflight (Fetch §4.8) from `origin` for `method` on `path`, asking
/// for the headers a todo call sends.
async fn preflight(app: &TestApp, origin: &str, path: &str, method: &str) -> Response {
    app.request(Method::OPTIONS, path)
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header("access-control-request-headers", "content-type,authorization")
        .send()
        .await
        .unwrap()
}

/// The response's `access-control-*` header names.
fn cors_headers(response: &Response) -> Vec<String> {
    response
        .headers()
        .keys()
        .map(|name| name.as_str().to_owned())
        .filter(|n| n.starts_with("access-control-"))
        .collect()
}

/// A preflight answer that allows every todo method and both headers.
fn assert_allows_the_todo_calls(headers: &HeaderMap) {
    let methods = headers["access-control-allow-methods"].to_str().unwrap();
    for method in ["GET", "POST", "PATCH", "DELETE"] {
        assert!(methods.contains(method), "{methods}");
    }
    let allowed = headers["access-control-allow-headers"].to_str().unwrap().to_ascii_lowercase();
    assert!(allowed.contains("content-type") && allowed.contains("authorization"), "{allowed}");
}

/// Fetch §3.2: a response that depends on `Origin` says so in `Vary`.
fn assert_varies_by_origin(headers: &HeaderMap) {
    let vary = headers["vary"].to_str().unwrap().to_ascii_lowercase();
    assert!(vary.contains("origin"), "{vary}");
}

/// The CORS protocol (Fetch §3.2): the answer names `origin`, and allows
/// credentials (cookies) only where `credentials` says so.
fn assert_allows(headers: &HeaderMap, origin: &str, credentials: bool) {
    assert_eq!(headers["access-control-allow-origin"], origin);
    let allow_credentials = headers.get("access-control-allow-credentials").map(|v| v.to_str().unwrap());
    assert_eq!(allow_credentials, credentials.then_some("true"), "credentials for {origin}");
}

/// The two origins the API serves: the client app's pages send cookies, the
/// SPA sends only its Bearer token and so is allowed no credentials.
const APP_ORIGINS: [(&str, bool); 2] = [(CLIENT_ORIGIN, true), (SPA_ORIGIN, false)];

#[tokio::test]
async fn the_app_origins_may_read_responses_and_only_the_client_with_credentials() {
    let app = spawn_app().await;
    for (origin, credentials) in APP_ORIGINS {
        let response = read_from(&app, origin).await;

        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers();
        assert_allows(headers, origin, credentials);
        assert_eq!(headers["access-control-expose-headers"], "Link", "the page may see that another page follows");
        assert_varies_by_origin(headers);
    }
}

#[tokio::test]
async fn preflights_from_the_app_origins_allow_the_methods_and_headers() {
    let app = spawn_app().await;
    for (origin, credentials) in APP_ORIGINS {
        let response = preflight(&app, origin, "/todos/1", "PATCH").await;

        assert!(response.status().is_success(), "{origin}");
        let headers = response.headers();
        assert_allows(headers, origin, credentials);
        assert_allows_the_todo_calls(headers);
    }
}

#[tokio::test]
async fn error_responses_carry_cors_headers_too_so_the_page_can_read_them() {
    let app = spawn_app().await;

    let response = app.request(Method::GET, "/todos").header("origin", CLIENT_ORIGIN).send().await.unwrap();

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()["access-control-allow-origin"], CLIENT_ORIGIN);
}

#[tokio::test]
async fn another_origin_gets_no_cors_headers() {
    let app = spawn_app().await;
    let response = read_from(&app, "https://evil.example").await;
    assert_eq!(cors_headers(&response), Vec::<String>::new());
}

#[tokio::test]
async fn preflight_from_another_origin_gets_no_cors_headers() {
    let app = spawn_app().await;
    let response = preflight(&app, "https://evil.example", "/todos", "DELETE").await;
    assert_eq!(cors_headers(&response), Vec::<String>::new());
}

#[tokio::test]
async fn the_spa_origin_is_the_configured_one_and_only_that() {
    let app = crate::helpers::spawn_app_with(|config| config.spa_origin = "https://spa.example".to_owned()).await;

    let moved = app.request(Method::GET, "/todos").header("origin", "https://spa.example").send().await.unwrap();
    assert_eq!(moved.headers()["access-control-allow-origin"], "https://spa.example");
    let old = app.request(Method::GET, "/todos").header("origin", SPA_ORIGIN).send().await.unwrap();
    assert_eq!(cors_headers(&old), Vec::<String>::new());
}
