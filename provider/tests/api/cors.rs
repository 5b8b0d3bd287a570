//! CORS for browser-based public clients: the token, revocation, userinfo,
//! JWKS and discovery endpoints answer the web origins of registered public
//! clients, and nothing else answers anyone.

use std::sync::Arc;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

use crate::helpers::*;
use testkit::db::TestDatabase;
use testkit::serve::Port;

/// The origin of `todo-spa`'s redirect URI in the shipped clients file.
const SPA_ORIGIN: &str = "http://localhost:5173";
/// The origin of `todo-app`'s redirect URI: a confidential client.
const CONFIDENTIAL_ORIGIN: &str = "http://localhost:3000";

fn cors_headers(headers: &HeaderMap) -> Vec<String> {
    headers.keys().map(|name| name.as_str().to_owned()).filter(|name| name.starts_with("access-control-")).collect()
}

fn varies_on_origin(headers: &HeaderMap) -> bool {
    headers.get_all("vary").iter().any(|v| v.to_str().unwrap_or("").to_ascii_lowercase().contains("origin"))
}

async fn preflight(app: &TestApp, path: &str, origin: &str) -> reqwest::Response {
    app.http
        .request(Method::OPTIONS, app.url(path))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type,authorization")
        .send()
        .await
        .unwrap()
}

/// A token request from `origin` with a code that was never issued, which
/// fails with an RFC 6749 §5.2 error.
async fn post_token_from(app: &TestApp, origin: &str) -> reqwest::Response {
    let form = [("grant_type", "authorization_code"), ("code", "not-a-code"), ("client_id", "todo-spa")];
    app.http.post(app.url("/oauth2/token")).header("origin", origin).form(&form).send().await.unwrap()
}

#[tokio::test]
async fn the_token_endpoint_echoes_a_public_clients_origin_exactly_even_on_an_error() {
    let app = spawn_app().await;

    let response = post_token_from(&app, SPA_ORIGIN).await;

    // The script must be able to read the RFC 6749 §5.2 error, too.
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], SPA_ORIGIN, "the exact origin, never *");
    assert!(varies_on_origin(headers), "{headers:?}");
    assert!(headers.get("access-control-allow-credentials").is_none(), "no cookies on these calls");
    assert_no_store(headers);
}

#[tokio::test]
async fn a_preflight_from_a_public_clients_origin_allows_post_with_content_type_and_authorization() {
    let app = spawn_app().await;

    for path in ["/oauth2/token", "/oauth2/revoke", "/oauth2/userinfo"] {
        let response = preflight(&app, path, SPA_ORIGIN).await;

        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{path}");
        let headers = response.headers();
        assert_eq!(headers["access-control-allow-origin"], SPA_ORIGIN, "{path}");
        let methods = headers["access-control-allow-methods"].to_str().unwrap();
        assert!(methods.contains("POST") && methods.contains("GET"), "{path}: {methods}");
        let allowed = headers["access-control-allow-headers"].to_str().unwrap().to_ascii_lowercase();
        assert!(allowed.contains("content-type") && allowed.contains("authorization"), "{path}: {allowed}");
        assert!(varies_on_origin(headers), "{path}: {headers:?}");
    }
}

#[tokio::test]
async fn discovery_jwks_userinfo_and_revocation_answer_a_public_clients_origin() {
    let app = spawn_app().await;

    let gets =
        ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server", "/.well-known/jwks.json"];
    for path in gets {
        let response = app.http.get(app.url(path)).header("origin", SPA_ORIGIN).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()["access-control-allow-origin"], SPA_ORIGIN, "{path}");
    }
    let revoke = app
        .http
        .post(app.url("/oauth2/revoke"))
        .header("origin", SPA_ORIGIN)
        .form(&[("token", "unknown"), ("client_id", "todo-spa")])
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.headers()["access-control-allow-origin"], SPA_ORIGIN);
    // A failed userinfo call: the script may read the RFC 6750 §3 challenge.
    let userinfo =
        app.http.get(app.url("/oauth2/userinfo")).header("origin", SPA_ORIGIN).bearer_auth("bad").send().await.unwrap();
    assert_eq!(userinfo.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(userinfo.headers()["access-control-allow-origin"], SPA_ORIGIN);
    let exposed = userinfo.headers()["access-control-expose-headers"].to_str().unwrap().to_ascii_lowercase();
    assert!(exposed.contains("www-authenticate"), "{exposed}");
}

#[tokio::test]
async fn another_origin_gets_no_cors_headers_not_even_for_a_preflight() {
    let app = spawn_app().await;

    let response = post_token_from(&app, "https://evil.example").await;
    assert_eq!(cors_headers(response.headers()), Vec::<String>::new());
    assert!(varies_on_origin(response.headers()), "the answer still depends on Origin");

    let response = preflight(&app, "/oauth2/token", "https://evil.example").await;
    assert!(!response.status().is_success(), "{}", response.status());
    assert_eq!(cors_headers(response.headers()), Vec::<String>::new());
}

#[tokio::test]
async fn a_confidential_clients_redirect_origin_gets_no_cors_headers() {
    let app = spawn_app().await;

    // todo-app's server calls the token endpoint; no script of its origin should.
    let response = post_token_from(&app, CONFIDENTIAL_ORIGIN).await;
    assert_eq!(cors_headers(response.headers()), Vec::<String>::new());
    let response = preflight(&app, "/oauth2/token", CONFIDENTIAL_ORIGIN).await;
    assert_eq!(cors_headers(response.headers()), Vec::<String>::new());
}

#[tokio::test]
async fn the_authorization_endpoint_login_and_consent_get_no_cors_headers_even_for_a_public_clients_origin() {
    let app = spawn_app().await;

    let verifier = shared::pkce::CodeVerifier::generate();
    let challenge = verifier.challenge();
    let mut authorize = url::Url::parse(&app.url("/oauth2/authorize")).unwrap();
    authorize.query_pairs_mut().extend_pairs([
        ("client_id", "todo-spa"),
        ("response_type", "code"),
        ("redirect_uri", "http://localhost:5173/callback"),
        ("scope", "openid"),
        ("state", "s"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ]);
    let responses = [
        app.http.get(authorize.as_str()).header("origin", SPA_ORIGIN).send().await.unwrap(),
        preflight(&app, "/oauth2/authorize", SPA_ORIGIN).await,
        app.http.get(app.url("/login")).header("origin", SPA_ORIGIN).send().await.unwrap(),
        preflight(&app, "/login", SPA_ORIGIN).await,
        app.http.post(app.url("/consent")).header("origin", SPA_ORIGIN).form(&[("x", "y")]).send().await.unwrap(),
        preflight(&app, "/consent", SPA_ORIGIN).await,
    ];
    for response in responses {
        let url = response.url().path().to_owned();
        assert_eq!(cors_headers(response.headers()), Vec::<String>::new(), "{url}");
    }
}

#[tokio::test]
async fn listed_web_origins_replace_the_origins_of_the_redirect_uris() {
    let extra = r#"
[[client]]
id = "spa-elsewhere"
name = "SPA served from another origin than its callback"
redirect_uris = ["http://127.0.0.1:5999/callback"]
web_origins = ["https://spa.example"]
grant_types = ["authorization_code"]
auth_methods = ["none"]
scopes = ["openid"]
"#;
    let database = Arc::new(TestDatabase::fresh("provider").await);
    let port = Port::free().await;
    let mut config = test_config(port.url(), &database.url, &[]);
    config.clients_toml.push_str(extra);
    let app = serve_provider(port, config, database).await;

    let listed = post_token_from(&app, "https://spa.example").await;
    assert_eq!(listed.headers()["access-control-allow-origin"], "https://spa.example");
    let callback_origin = post_token_from(&app, "http://127.0.0.1:5999").await;
    assert_eq!(cors_headers(callback_origin.headers()), Vec::<String>::new());

    app.stop().await;
}
