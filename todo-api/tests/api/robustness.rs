//! Bad input never panics, never answers 5xx, never changes a todo.
//!
//! Property-based, with `testkit::malformed`: mangled copies of a valid
//! access token (RFC 8725 §3: a verifier must refuse every one of them), and
//! requests with random query strings, bodies, `Authorization` headers and
//! cookies thrown at every endpoint.

use proptest::prelude::*;
use reqwest::header::HeaderValue;
use reqwest::{Method, StatusCode};
use sqlx::AnyPool;
use testkit::malformed::{self, Body, TokenMutation};

use crate::helpers::{TestApp, spawn_app};

/// Every route, with the names it reads. `{id}` is replaced per case.
const ENDPOINTS: &[(&str, &str, &[&str])] = &[
    ("GET", "/todos", &[]),
    ("POST", "/todos", &["title"]),
    ("PATCH", "/todos/{id}", &["title", "done"]),
    ("DELETE", "/todos/{id}", &[]),
    ("OPTIONS", "/todos", &[]),
    ("PUT", "/todos/{id}", &["title", "done"]),
    ("GET", "/healthz", &[]),
    ("GET", "/no/such/path", &[]),
];

/// Path segments for `{id}`: a todo of the token's user, someone else's,
/// none, and text no id parser expects.
const IDS: &[&str] = &["MINE", "THEIRS", "0", "-1", "99999999999999999999", "1.5", "%00", "%FF", "abc", "%2F..%2F"];

#[derive(Clone, Debug)]
struct Request {
    method: &'static str,
    path: String,
    query: String,
    body: Body,
    authorization: Option<Vec<u8>>,
    cookie: Option<Vec<u8>>,
    /// Sent with the valid token of `alice` instead of the generated
    /// `Authorization`, so the input reaches the handlers behind the check.
    with_valid_token: bool,
}

fn request() -> impl Strategy<Value = Request> {
    (proptest::sample::select(ENDPOINTS), proptest::sample::select(IDS)).prop_flat_map(|((method, path, names), id)| {
        (
            malformed::encoded_pairs(names),
            malformed::body(names),
            malformed::authorization(),
            malformed::cookie(&["access_token"]),
            any::<bool>(),
        )
            .prop_map(move |(query, body, authorization, cookie, with_valid_token)| Request {
                method,
                path: path.replace("{id}", id),
                query,
                body,
                authorization,
                cookie,
                with_valid_token,
            })
    })
}

/// The ids of the two todos the tests start with.
struct Fixture {
    token: String,
    mine: String,
    theirs: String,
}

impl Request {
    async fn send(&self, app: &TestApp, fixture: &Fixture) -> reqwest::Response {
        let path = self.path.replace("MINE", &fixture.mine).replace("THEIRS", &fixture.theirs);
        let url = if self.query.is_empty() { app.url(&path) } else { format!("{}?{}", app.url(&path), self.query) };
        let method = Method::from_bytes(self.method.as_bytes()).expect("a valid method");
        let mut request = app.http.request(method, &url).body(self.body.bytes.clone());
        if let Some(content_type) = self.body.content_type.and_then(|t| HeaderValue::from_str(t).ok()) {
            request = request.header("content-type", content_type);
        }
        let authorization = if self.with_valid_token {
            Some(format!("Bearer {}", fixture.token).into_bytes())
        } else {
            self.authorization.clone()
        };
        for (name, value) in [("authorization", authorization.as_ref()), ("cookie", self.cookie.as_ref())] {
            if let Some(value) = value.and_then(|v| HeaderValue::from_bytes(v).ok()) {
                request = request.header(name, value);
            }
        }
        malformed::send(request).await
    }
}

/// Every todo row, in order: what no rejected request may change.
async fn rows(db: &AnyPool) -> Vec<String> {
    let rows: Vec<(i64, String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT id, owner_iss, owner_sub, title, CAST(done AS BIGINT), created_at FROM todos ORDER BY id",
    )
    .fetch_all(db)
    .await
    .expect("the todos table reads");
    rows.into_iter().map(|row| format!("{row:?}")).collect()
}

async fn database(app: &TestApp) -> AnyPool {
    sqlx::any::install_default_drivers();
    AnyPool::connect(&app.config.database_url).await.expect("the test database accepts connections")
}

/// A todo's `id` as it goes into a URL path.
fn id_of(todo: &serde_json::Value) -> String {
    match &todo["id"] {
        serde_json::Value::String(id) => id.clone(),
        other => other.to_string(),
    }
}

async fn fixture(app: &TestApp) -> Fixture {
    let token = app.token().sign();
    let mine = id_of(&app.new_todo(&token, "alice's").await);
    let bob = app.token().sub("bob").sign();
    let theirs = id_of(&app.new_todo(&bob, "bob's").await);
    Fixture { token, mine, theirs }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_to_every_endpoint_never_answer_5xx_nor_change_todos_when_refused() {
    let app = spawn_app().await;
    let fixture = fixture(&app).await;
    let db = database(&app).await;

    malformed::check(300, request(), |request| {
        let (app, fixture, db) = (&app, &fixture, &db);
        async move {
            let before = rows(db).await;
            let response = request.send(app, fixture).await;
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            prop_assert!(status.as_u16() < 500, "{} {} answered {status}: {body}", request.method, request.path);
            if !status.is_success() {
                prop_assert_eq!(rows(db).await, before, "a refused request changed the todos: {} {}", status, body);
            }
            Ok(())
        }
    });

    // Bob's todo was never reachable with alice's token.
    let bob = app.token().sub("bob").sign();
    let listed: Vec<serde_json::Value> = app.get_todos(&bob).await.json().await.expect("bob's list");
    assert!(listed.iter().any(|t| id_of(t) == fixture.theirs && t["title"] == "bob's"), "{listed:?}");
    assert_eq!(app.get_todos(&fixture.token).await.status(), StatusCode::OK);
}

fn mutated_request() -> impl Strategy<Value = (TokenMutation, &'static str, bool)> {
    (malformed::token_mutation(), proptest::sample::select(vec!["GET", "POST", "PATCH", "DELETE"]), any::<bool>())
}

/// RFC 8725 §3.1, §3.2 and RFC 9068 §4: a token that is not exactly what the
/// provider signed — one character changed, a segment swapped, dropped or
/// replaced (with `alg: none`, with HS256) — is refused with an RFC 6750
/// §3.1 error, as a Bearer header or as the cookie, and changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mutation_of_a_valid_access_token_is_refused() {
    let app = spawn_app().await;
    let fixture = fixture(&app).await;
    let db = database(&app).await;
    let before = rows(&db).await;

    malformed::check(300, mutated_request(), |(mutation, method, as_cookie)| {
        let (app, fixture) = (&app, &fixture);
        async move {
            let token = mutation.apply(&fixture.token);
            if token == fixture.token {
                return Ok(()); // the rare mutation that changed nothing
            }
            let path = if method == "GET" || method == "POST" {
                "/todos".to_owned()
            } else {
                format!("/todos/{}", fixture.mine)
            };
            let mut request = app
                .http
                .request(Method::from_bytes(method.as_bytes()).expect("a method"), app.url(&path))
                .json(&serde_json::json!({"title": "written with a forged token", "done": true}));
            let (name, value) = if as_cookie {
                ("cookie", format!("access_token={token}"))
            } else {
                ("authorization", format!("Bearer {token}"))
            };
            let Ok(value) = HeaderValue::from_str(&value) else {
                return Ok(()); // not sendable as a header at all
            };
            request = request.header(name, value);
            let response = malformed::send(request).await;
            let status = response.status();
            prop_assert!(
                status == StatusCode::UNAUTHORIZED || status == StatusCode::BAD_REQUEST,
                "{method} with {mutation:?} answered {status}"
            );
            let challenge =
                response.headers().get("www-authenticate").and_then(|v| v.to_str().ok()).unwrap_or_default();
            prop_assert!(challenge.starts_with("Bearer "), "RFC 6750 §3: {challenge:?}");
            Ok(())
        }
    });

    assert_eq!(rows(&db).await, before, "a forged token changed the todos");
}
