//! CORS: the client app's origin with credentials, the single-page app's
//! origin for Bearer calls without credentials, and no other origin.

use reqwest::{Method, StatusCode};

use crate::helpers::spawn_app;

const CLIENT_ORIGIN: &str = "http://localhost:3000";
const SPA_ORIGIN: &str = "http://localhost:5173";

#[tokio::test]
async fn the_client_origin_may_read_responses_with_credentials() {
    let app = spawn_app().await;

    let response = app
        .request(Method::GET, "/todos")
        .header("origin", CLIENT_ORIGIN)
        .bearer_auth(app.token().sign())
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], CLIENT_ORIGIN);
    assert_eq!(headers["access-control-allow-credentials"], "true");
    assert_eq!(headers["access-control-expose-headers"], "Link", "the page may see that another page follows");
    let vary = headers["vary"].to_str().unwrap().to_ascii_lowercase();
    assert!(vary.contains("origin"), "{vary}");
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

    let response = app
        .request(Method::GET, "/todos")
        .header("origin", "https://evil.example")
        .bearer_auth(app.token().sign())
        .send()
        .await
        .unwrap();

    let cors: Vec<_> = response.headers().keys().filter(|name| name.as_str().starts_with("access-control-")).collect();
    assert!(cors.is_empty(), "{cors:?}");
}

#[tokio::test]
async fn preflight_from_the_client_origin_allows_the_methods_and_headers() {
    let app = spawn_app().await;

    let response = app
        .request(Method::OPTIONS, "/todos/1")
        .header("origin", CLIENT_ORIGIN)
        .header("access-control-request-method", "PATCH")
        .header("access-control-request-headers", "content-type,authorization")
        .send()
        .await
        .unwrap();

    assert!(response.status().is_success());
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], CLIENT_ORIGIN);
    assert_eq!(headers["access-control-allow-credentials"], "true");
    let methods = headers["access-control-allow-methods"].to_str().unwrap();
    for method in ["GET", "POST", "PATCH", "DELETE"] {
        assert!(methods.contains(method), "{methods}");
    }
    let allowed = headers["access-control-allow-headers"].to_str().unwrap().to_ascii_lowercase();
    assert!(allowed.contains("content-type") && allowed.contains("authorization"), "{allowed}");
}

#[tokio::test]
async fn preflight_from_another_origin_gets_no_cors_headers() {
    let app = spawn_app().await;

    let response = app
        .request(Method::OPTIONS, "/todos")
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "DELETE")
        .send()
        .await
        .unwrap();

    let cors: Vec<_> = response.headers().keys().filter(|name| name.as_str().starts_with("access-control-")).collect();
    assert!(cors.is_empty(), "{cors:?}");
}

#[tokio::test]
async fn the_spa_origin_may_read_bearer_responses_without_credentials() {
    let app = spawn_app().await;

    let response = app
        .request(Method::GET, "/todos")
        .header("origin", SPA_ORIGIN)
        .bearer_auth(app.token().sign())
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], SPA_ORIGIN);
    assert!(headers.get("access-control-allow-credentials").is_none(), "the SPA sends no cookies");
    assert_eq!(headers["access-control-expose-headers"], "Link");
    let vary = headers["vary"].to_str().unwrap().to_ascii_lowercase();
    assert!(vary.contains("origin"), "{vary}");
}

#[tokio::test]
async fn preflight_from_the_spa_origin_allows_authorization_but_not_credentials() {
    let app = spawn_app().await;

    let response = app
        .request(Method::OPTIONS, "/todos/1")
        .header("origin", SPA_ORIGIN)
        .header("access-control-request-method", "PATCH")
        .header("access-control-request-headers", "content-type,authorization")
        .send()
        .await
        .unwrap();

    assert!(response.status().is_success());
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], SPA_ORIGIN);
    assert!(headers.get("access-control-allow-credentials").is_none());
    let methods = headers["access-control-allow-methods"].to_str().unwrap();
    for method in ["GET", "POST", "PATCH", "DELETE"] {
        assert!(methods.contains(method), "{methods}");
    }
    let allowed = headers["access-control-allow-headers"].to_str().unwrap().to_ascii_lowercase();
    assert!(allowed.contains("content-type") && allowed.contains("authorization"), "{allowed}");
}

#[tokio::test]
async fn the_spa_origin_is_the_configured_one_and_only_that() {
    let app = crate::helpers::spawn_app_with(|config| config.spa_origin = "https://spa.example".to_owned()).await;

    let moved = app.request(Method::GET, "/todos").header("origin", "https://spa.example").send().await.unwrap();
    assert_eq!(moved.headers()["access-control-allow-origin"], "https://spa.example");
    let old = app.request(Method::GET, "/todos").header("origin", SPA_ORIGIN).send().await.unwrap();
    let cors: Vec<_> = old.headers().keys().filter(|name| name.as_str().starts_with("access-control-")).collect();
    assert!(cors.is_empty(), "{cors:?}");
}
