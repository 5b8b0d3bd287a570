//! Bad input never panics, never answers 5xx, never loses stored data.
//!
//! Property-based: `testkit::malformed` generates the query strings, bodies,
//! headers and cookies a broken or hostile peer sends — NUL bytes, invalid
//! percent-encoding and UTF-8, oversized values, wrong content types — and
//! each test states what must hold for every one of them.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use sqlx::AnyPool;
use testkit::malformed::{self, Body, Request};

use crate::helpers::{ALL_SCOPES, TODO_APP_REDIRECT, TODO_APP_SECRET, TestApp, basic, spawn_app};

/// Every endpoint, with the parameter names it reads (so that generated
/// input gets past the first check and reaches the deeper ones).
const ENDPOINTS: &[(&str, &str, &[&str])] = &[
    ("GET", "/oauth2/authorize", AUTHORIZE_PARAMS),
    ("POST", "/oauth2/authorize", AUTHORIZE_PARAMS),
    ("GET", "/login", &["request_id"]),
    ("POST", "/login", &["username", "password", "csrf_token", "request_id"]),
    ("POST", "/consent", &["csrf_token", "request_id", "decision"]),
    ("POST", "/oauth2/token", TOKEN_PARAMS),
    ("POST", "/oauth2/introspect", &["token", "token_type_hint", "client_id", "client_secret"]),
    ("POST", "/oauth2/revoke", &["token", "token_type_hint", "client_id", "client_secret"]),
    ("GET", "/oauth2/userinfo", &["access_token"]),
    ("POST", "/oauth2/userinfo", &["access_token"]),
    ("GET", "/oauth2/logout", &["id_token_hint", "post_logout_redirect_uri", "state", "client_id"]),
    ("POST", "/oauth2/logout", &["id_token_hint", "post_logout_redirect_uri", "state", "client_id", "csrf_token"]),
    ("GET", "/", &["client_id"]),
    ("POST", "/account/apps/revoke", &["client_id", "csrf_token"]),
    ("GET", "/.well-known/openid-configuration", &[]),
    ("GET", "/.well-known/jwks.json", &[]),
    ("GET", "/healthz", &[]),
    ("DELETE", "/oauth2/token", TOKEN_PARAMS),
    ("GET", "/no/such/path", &[]),
];

const AUTHORIZE_PARAMS: &[&str] = &[
    "client_id",
    "response_type",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "response_mode",
    "prompt",
    "max_age",
    "request",
    "request_uri",
];

const TOKEN_PARAMS: &[&str] =
    &["grant_type", "code", "redirect_uri", "code_verifier", "client_id", "client_secret", "refresh_token", "scope"];

/// Sends the request: anonymously with the generated cookie, or from
/// `signed_in`'s session with its CSRF token appended to query and body.
async fn send(generated: &Request, app: &TestApp, signed_in: Option<&SignedIn>) -> reqwest::Response {
    let (mut query, mut body) = (generated.query.clone(), generated.body.bytes.clone());
    let (http, cookie) = match signed_in.filter(|_| generated.from_session) {
        Some(session) => {
            query.push_str(&format!("&csrf_token={}", session.csrf));
            body.extend_from_slice(format!("&csrf_token={}", session.csrf).as_bytes());
            (&session.http, None)
        }
        None => (&app.http, generated.cookie.as_ref()),
    };
    // The query is put on the wire as generated, malformed escapes and all.
    let url = if query.is_empty() { app.url(generated.path) } else { format!("{}?{}", app.url(generated.path), query) };
    let method = Method::from_bytes(generated.method.as_bytes()).expect("a valid method");
    let mut request = http.request(method, &url).body(body);
    // A signed-in request is a form post, as a browser sends it.
    let content_type = if cookie.is_none() && generated.from_session && signed_in.is_some() {
        Some("application/x-www-form-urlencoded")
    } else {
        generated.body.content_type
    };
    if let Some(content_type) = content_type.and_then(|t| reqwest::header::HeaderValue::from_str(t).ok()) {
        request = request.header("content-type", content_type);
    }
    for (name, value) in [("authorization", generated.authorization.as_ref()), ("cookie", cookie)] {
        if let Some(value) = value.and_then(|v| reqwest::header::HeaderValue::from_bytes(v).ok()) {
            request = request.header(name, value);
        }
    }
    malformed::send(request).await
}

/// A browser signed in as `demo`, and its session's CSRF token.
struct SignedIn {
    http: reqwest::Client,
    csrf: String,
}

async fn sign_in(app: &TestApp) -> SignedIn {
    let session = TestApp::attach(&app.base);
    assert_eq!(session.login("demo", "demo").await.status(), StatusCode::SEE_OTHER, "demo signs in");
    let home = session.get("/").await.text().await.expect("the account page");
    let csrf = crate::helpers::hidden_input(&home, "csrf_token");
    SignedIn { http: session.http, csrf }
}

/// What the database holds that no rejected request may change: how many
/// rows of each kind, how many are still live, and every password hash.
#[derive(Debug, PartialEq)]
struct Stored(Vec<String>);

const STORED: &[&str] = &[
    "SELECT COUNT(*) FROM users",
    "SELECT COUNT(*) FROM clients",
    "SELECT COUNT(*) FROM consents",
    "SELECT COUNT(*) FROM grants",
    "SELECT COUNT(*) FROM grants WHERE revoked_at IS NULL",
    "SELECT COUNT(*) FROM grants WHERE code_hash IS NOT NULL",
    "SELECT COUNT(*) FROM grants WHERE code_hash IS NOT NULL AND code_redeemed_at IS NULL",
    "SELECT COUNT(*) FROM refresh_tokens",
    "SELECT COUNT(*) FROM refresh_tokens WHERE rotated_at IS NULL AND revoked = 0",
    "SELECT COUNT(*) FROM signing_keys",
];

async fn stored(db: &AnyPool) -> Stored {
    let mut facts = Vec::new();
    for query in STORED {
        let count: i64 = sqlx::query_scalar(*query).fetch_one(db).await.expect("the query runs");
        facts.push(format!("{query}: {count}"));
    }
    let hashes: Vec<String> =
        sqlx::query_scalar("SELECT password_hash FROM users ORDER BY id").fetch_all(db).await.expect("users");
    facts.extend(hashes);
    Stored(facts)
}

async fn database(app: &TestApp) -> AnyPool {
    sqlx::any::install_default_drivers();
    AnyPool::connect(&app.database_url).await.expect("the test database accepts connections")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_to_every_endpoint_never_answer_5xx_nor_change_stored_data() {
    let app = spawn_app().await;
    let tokens = app.tokens_for_todo_app(ALL_SCOPES).await;
    let db = database(&app).await;
    let session = sign_in(&app).await;
    let before = stored(&db).await;

    malformed::check(400, malformed::request(ENDPOINTS, &["provider_session"]), |request| {
        let (app, session) = (&app, &session);
        async move {
            let response = send(&request, app, Some(session)).await;
            prop_assert!(
                response.status().as_u16() < 500,
                "{} {} answered {}: {}",
                request.method,
                request.path,
                response.status(),
                response.text().await.unwrap_or_default()
            );
            Ok(())
        }
    });

    assert_eq!(stored(&db).await, before, "a rejected request changed stored data");
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    let refresh = app.refresh_as_todo_app(tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(refresh.status(), StatusCode::OK, "the refresh token issued before still works");
}

/// The error codes RFC 6749 §5.2 defines for the token endpoint.
const TOKEN_ERRORS: &[&str] = &[
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
];

fn token_request() -> impl Strategy<Value = (Body, Option<Vec<u8>>)> {
    let authorization = prop_oneof![
        4 => malformed::authorization(),
        1 => Just(Some(basic("todo-app", TODO_APP_SECRET).into_bytes())),
        1 => Just(Some(basic("todo-app", "wrong").into_bytes())),
    ];
    (malformed::body(TOKEN_PARAMS), authorization)
}

/// RFC 6749 §5.2: "The authorization server responds with an HTTP 400 (Bad
/// Request) status code (unless specified otherwise)" and a JSON body whose
/// `error` is one of the codes the section lists; §5.1: never cached.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_token_endpoint_rejection_is_rfc_6749_json() {
    let app = spawn_app().await;

    malformed::check(300, token_request(), |(body, authorization)| {
        let app = &app;
        async move {
            let request = Request {
                method: "POST",
                path: "/oauth2/token",
                query: String::new(),
                body,
                authorization,
                cookie: None,
                from_session: false,
            };
            let response = send(&request, app, None).await;
            let status = response.status();
            prop_assert!(status.as_u16() < 500, "answered {status}");
            if status == StatusCode::OK || status == StatusCode::PAYLOAD_TOO_LARGE {
                return Ok(());
            }
            let cache_control =
                response.headers().get("cache-control").and_then(|v| v.to_str().ok()).map(str::to_owned);
            let body: Value = match response.json().await {
                Ok(body) => body,
                Err(e) => return Err(TestCaseError::fail(format!("{status} without a JSON body: {e}"))),
            };
            let error = body["error"].as_str().unwrap_or_default();
            prop_assert!(TOKEN_ERRORS.contains(&error), "{status} with error {error:?}: {body}");
            prop_assert_eq!(cache_control.as_deref(), Some("no-store"));
            Ok(())
        }
    });
}

/// One authorization request, mostly plausible: a registered client, a
/// redirect URI that is registered or almost, and the other parameters
/// malformed.
fn authorization_request() -> impl Strategy<Value = Vec<(String, String)>> {
    let client_id =
        proptest::sample::select(vec!["todo-app", "todo-spa", "legacy-app", "report-service", "nobody", ""]);
    let redirect_uri = proptest::sample::select(vec![
        TODO_APP_REDIRECT,
        "http://localhost:5173/callback",
        "http://localhost:3000/callback/",
        "http://localhost:3000/callback?x=1",
        "http://localhost:3000/callback#f",
        "http://localhost:3001/callback",
        "http://LOCALHOST:3000/callback",
        "http://localhost:3000/callback/../evil",
        "https://attacker.example/callback",
        "//attacker.example/callback",
        "",
    ]);
    let response_type = proptest::sample::select(vec!["code", "token", "id_token", "code id_token", "", "CODE"]);
    let others = proptest::collection::vec((proptest::sample::select(AUTHORIZE_PARAMS), malformed::text()), 0..6);
    (client_id, redirect_uri, response_type, others).prop_map(|(client_id, redirect_uri, response_type, others)| {
        let mut params = vec![
            ("client_id".to_owned(), client_id.to_owned()),
            ("redirect_uri".to_owned(), redirect_uri.to_owned()),
            ("response_type".to_owned(), response_type.to_owned()),
        ];
        params.extend(others.into_iter().map(|(n, v)| (n.to_owned(), v)));
        params
    })
}

/// RFC 6749 §4.1.2.1 and RFC 9700 §4.11.2: an authorization server never
/// redirects to a URI it has not matched exactly against the client's
/// registration — whatever else is wrong with the request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_requests_redirect_only_to_the_client_s_registered_uri() {
    let app = spawn_app().await;
    let login = app.login("demo", "demo").await;
    assert_eq!(login.status(), StatusCode::SEE_OTHER, "demo signs in");
    let registered = ["todo-app", "todo-spa", "legacy-app"]
        .into_iter()
        .map(|id| (id, registered_redirect_uris(id)))
        .collect::<std::collections::HashMap<_, _>>();

    malformed::check(300, authorization_request(), |params| {
        let (app, registered) = (&app, &registered);
        async move {
            let mut url = url::Url::parse(&app.url("/oauth2/authorize")).expect("a URL");
            url.query_pairs_mut().extend_pairs(&params);
            let response = app.http.get(url).send().await.expect("the provider answers");
            let status = response.status();
            prop_assert!(status.as_u16() < 500, "answered {status}");
            if !status.is_redirection() {
                return Ok(());
            }
            let location = response.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default();
            if location.starts_with('/') && !location.starts_with("//") {
                return Ok(()); // to the provider's own login or consent page
            }
            let client_id = params[0].1.as_str();
            let uris = registered.get(client_id).map(Vec::as_slice).unwrap_or_default();
            let exact = uris.iter().any(|uri| {
                location.strip_prefix(uri.as_str()).is_some_and(|rest| rest.starts_with('?') || rest.starts_with('#'))
            });
            prop_assert!(exact, "redirected to {location} for {params:?}");
            // RFC 6749 §3.1.2.3: without a `redirect_uri` the one registered URI is used.
            let requested = params[1].1.as_str();
            if !requested.is_empty() {
                prop_assert_eq!(requested, location.split(['?', '#']).next().unwrap_or_default());
            }
            prop_assert!(location.contains("iss="), "RFC 9207: no iss in {location}");
            Ok(())
        }
    });
}

/// The redirect URIs the shipped clients file registers for `client_id`.
fn registered_redirect_uris(client_id: &str) -> Vec<String> {
    let clients = provider::clients::parse_clients_file(provider::config::DEFAULT_CLIENTS_TOML, "clients.toml")
        .expect("the shipped clients file is valid");
    let client = clients.into_iter().find(|c| c.client.id.as_str() == client_id).expect("a shipped client");
    client.client.redirect_uris.iter().map(|u| u.as_str().to_owned()).collect()
}
