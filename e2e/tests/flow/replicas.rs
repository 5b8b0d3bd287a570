//! Scale-out: two provider processes and two todo-API processes (the
//! shipped binaries, configured only by environment) on one PostgreSQL,
//! behind round-robin balancers, with the client app. Every request goes to
//! the other replica than the one before, so everything one replica learns
//! — sessions, codes, consents, rotations, revocations, throttling counts,
//! signing keys — must reach the other through the database.
//!
//! PostgreSQL only (SQLite is the single-machine default): the tests skip,
//! saying so, without `TEST_DATABASE_URL`; CI's PostgreSQL leg runs them.

use std::time::Duration;

use e2e::Browser;
use e2e::balancer::RoundRobin;
use reqwest::StatusCode;
use serde_json::Value;

use crate::processes::{Processes, binary};
use crate::support::{jwt_claims, published_jwks};
use testkit::db::TestDatabase;
use testkit::http::basic;
use testkit::serve::free_port;

/// How long a key added by `provider keys rotate` is published before it
/// signs, and how often each replica re-reads the keys, in these tests.
const KEY_PUBLISH_SECONDS: u64 = 3;
const KEY_RELOAD_SECONDS: u64 = 1;

struct Replicas {
    processes: Processes,
    providers: RoundRobin,
    todo_apis: RoundRobin,
    /// `http://127.0.0.1:{port}` of provider replicas A and B.
    provider_a: String,
    provider_b: String,
    client_url: String,
    provider_database_url: String,
    /// The three databases, removed once the processes above have stopped
    /// (fields drop in order).
    _databases: [TestDatabase; 3],
}

impl Replicas {
    fn browser(&self) -> Browser {
        Browser::for_urls(&self.client_url, &self.providers.public_url, &self.todo_apis.public_url)
    }
}

/// Starts it all, or `None` (and says why) without PostgreSQL.
async fn start() -> Option<Replicas> {
    if !std::env::var("TEST_DATABASE_URL").is_ok_and(|url| url.starts_with("postgres")) {
        eprintln!("skipped: replicas share one PostgreSQL; set TEST_DATABASE_URL (CI's PostgreSQL leg does)");
        return None;
    }
    for name in ["provider", "client", "todo-api"] {
        binary(name);
    }
    let [provider_a_port, provider_b_port, todo_a_port, todo_b_port, client_port] =
        [free_port(), free_port(), free_port(), free_port(), free_port()];
    let at = |port: u16| format!("http://127.0.0.1:{port}");
    let (provider_a, provider_b) = (at(provider_a_port), at(provider_b_port));
    let providers = RoundRobin::start(vec![("A".into(), provider_a.clone()), ("B".into(), provider_b.clone())])
        .await
        .expect("the provider balancer starts");
    let todo_apis =
        RoundRobin::start(vec![("A".into(), at(todo_a_port)), ("B".into(), at(todo_b_port))]).await.expect("starts");
    let client_url = format!("http://localhost:{client_port}");

    let mut processes = Processes::new("replicas");
    let clients = provider::config::DEFAULT_CLIENTS_TOML.replace("http://localhost:3000", &client_url);
    let clients_file = processes.dir().join("clients.toml");
    std::fs::write(&clients_file, clients).expect("write clients.toml");

    let (provider_database, todo_database) =
        (TestDatabase::fresh("replicas_provider").await, TestDatabase::fresh("replicas_todo_api").await);
    let client_database = TestDatabase::fresh("replicas_client").await;
    let (provider_database_url, todo_database_url) = (provider_database.url.clone(), todo_database.url.clone());
    let provider_env = |port: u16| {
        vec![
            ("PROVIDER_ADDR", format!("127.0.0.1:{port}")),
            // One issuer: the balancer's URL, whichever replica answers.
            ("PROVIDER_PUBLIC_URL", providers.public_url.clone()),
            ("TODO_API_PUBLIC_URL", todo_apis.public_url.clone()),
            ("PROVIDER_DATABASE_URL", provider_database_url.clone()),
            ("PROVIDER_CLIENTS_FILE", clients_file.display().to_string()),
            ("PROVIDER_KEY_PUBLISH_SECONDS", KEY_PUBLISH_SECONDS.to_string()),
            ("PROVIDER_KEY_RELOAD_SECONDS", KEY_RELOAD_SECONDS.to_string()),
        ]
    };
    // A first, alone, so the fresh database gets exactly one first key.
    processes.spawn_as("provider-a", "provider", &provider_env(provider_a_port));
    processes.wait_until_healthy("provider-a", &provider_a).await;
    processes.spawn_as("provider-b", "provider", &provider_env(provider_b_port));
    processes.wait_until_healthy("provider-b", &provider_b).await;

    let todo_api_env = |port: u16| {
        vec![
            ("TODO_API_ADDR", format!("127.0.0.1:{port}")),
            ("TODO_API_PUBLIC_URL", todo_apis.public_url.clone()),
            ("PROVIDER_PUBLIC_URL", providers.public_url.clone()),
            ("PROVIDER_INTERNAL_URL", providers.internal_url.clone()),
            ("CLIENT_PUBLIC_URL", client_url.clone()),
            ("TODO_API_DATABASE_URL", todo_database_url.clone()),
        ]
    };
    processes.spawn_as("todo-api-a", "todo-api", &todo_api_env(todo_a_port));
    processes.spawn_as("todo-api-b", "todo-api", &todo_api_env(todo_b_port));
    processes.spawn(
        "client",
        &[
            ("CLIENT_ADDR", format!("127.0.0.1:{client_port}")),
            ("CLIENT_PUBLIC_URL", client_url.clone()),
            ("PROVIDER_PUBLIC_URL", providers.public_url.clone()),
            ("PROVIDER_INTERNAL_URL", providers.internal_url.clone()),
            ("TODO_API_PUBLIC_URL", todo_apis.public_url.clone()),
            ("CLIENT_DATABASE_URL", client_database.url.clone()),
        ],
    );
    processes.wait_until_healthy("todo-api-a", &at(todo_a_port)).await;
    processes.wait_until_healthy("todo-api-b", &at(todo_b_port)).await;
    processes.wait_until_healthy("client", &client_url).await;
    let _databases = [provider_database, todo_database, client_database];
    Some(Replicas {
        processes,
        providers,
        todo_apis,
        provider_a,
        provider_b,
        client_url,
        provider_database_url,
        _databases,
    })
}

/// Asserts that no two consecutive requests went to the same replica.
fn assert_alternates(served: &[(String, String)]) {
    for pair in served.windows(2) {
        assert_ne!(pair[0].0, pair[1].0, "two requests in a row on one replica: {served:?}");
    }
    assert!(served.iter().any(|(r, _)| r == "A") && served.iter().any(|(r, _)| r == "B"), "{served:?}");
}

#[tokio::test]
async fn a_flow_crosses_the_replicas_at_every_step_and_survives_losing_one() {
    let Some(mut system) = start().await else { return };
    let browser = system.browser();
    browser.log_in_as("demo").await;
    assert_eq!(browser.create_todo("Written on one replica").await.status(), StatusCode::CREATED);
    for _ in 0..4 {
        let todos: Vec<Value> = browser.list_todos().await.json().await.expect("a list");
        assert_eq!(todos.len(), 1, "read on either replica");
    }
    assert_eq!(browser.refresh().await.status(), StatusCode::OK);
    assert_eq!(browser.list_todos().await.status(), StatusCode::OK);

    let served = system.providers.served();
    assert_alternates(&served);
    for step in ["/oauth2/authorize", "/login", "/consent", "/oauth2/token"] {
        assert!(served.iter().any(|(_, path)| path == step), "{step} went through the balancer: {served:?}");
    }
    assert_alternates(&system.todo_apis.served());

    // Replica A crashes in the middle of a second user's login: what it
    // answered (the session, the pending request) is in the database, and
    // the flow finishes on B.
    let second = system.browser();
    let to_provider = second.client_login().await;
    let to_login = second.authorize(&to_provider).await;
    let form = second.login_form(&to_login).await;
    system.processes.kill("provider-a");
    let signed_in = second.submit_login(&form, "alice", "alice").await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER, "alice signs in on B");
    let consent = second.consent_page(&signed_in).await;
    let back = second.decide(&consent, "approve").await;
    assert_eq!(second.callback(&back).await.status(), StatusCode::SEE_OTHER, "the code is redeemed on B");
    assert_eq!(second.list_todos().await.status(), StatusCode::OK);
    // And the first user's session carries on, refresh included.
    assert_eq!(browser.refresh().await.status(), StatusCode::OK);
    assert_eq!(browser.list_todos().await.json::<Vec<Value>>().await.expect("a list").len(), 1);
}

async fn refresh_at(provider: &str, refresh_token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{provider}/oauth2/token"))
        .header("Authorization", basic("todo-app", "todo-app-secret"))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", refresh_token)])
        .send()
        .await
        .expect("the provider answers")
}

async fn introspect_at(provider: &str, token: &str) -> Value {
    crate::support::introspect(provider, token).await
}

#[tokio::test]
async fn rotation_reuse_and_revocation_on_one_replica_hold_on_the_other() {
    let Some(system) = start().await else { return };
    let browser = system.browser();
    browser.log_in_as("demo").await;
    let first = browser.cookie(&format!("{}/refreshtoken", system.client_url), "refresh_token").expect("a cookie");

    // Rotated on A …
    let rotated: Value = refresh_at(&system.provider_a, &first).await.json().await.expect("JSON");
    let access = rotated["access_token"].as_str().expect("an access token");
    let second = rotated["refresh_token"].as_str().expect("a new refresh token");
    assert_eq!(introspect_at(&system.provider_b, access).await["active"], true, "B knows A's token");
    // … replayed on B: reuse, and the family dies on both (RFC 9700 §4.14.2).
    let replay = refresh_at(&system.provider_b, &first).await;
    assert_eq!(replay.status(), StatusCode::BAD_REQUEST);
    assert_eq!(replay.json::<Value>().await.expect("JSON")["error"], "invalid_grant");
    assert_eq!(refresh_at(&system.provider_a, second).await.status(), StatusCode::BAD_REQUEST, "revoked on A");
    assert_eq!(introspect_at(&system.provider_a, access).await, serde_json::json!({"active": false}));

    // A token revoked on B is inactive at A's introspection (RFC 7009).
    let other = system.browser();
    other.log_in_as("alice").await;
    let token = other.cookie(&system.todo_apis.url("/todos"), "access_token").expect("an access token cookie");
    assert_eq!(introspect_at(&system.provider_a, &token).await["active"], true);
    let revoked = reqwest::Client::new()
        .post(format!("{}/oauth2/revoke", system.provider_b))
        .header("Authorization", basic("todo-app", "todo-app-secret"))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .expect("B answers");
    assert_eq!(revoked.status(), StatusCode::OK);
    assert_eq!(introspect_at(&system.provider_a, &token).await, serde_json::json!({"active": false}));
}

/// A wrong (or right) password for `username` at one replica.
async fn login_at(http: &reqwest::Client, provider: &str, username: &str, password: &str) -> StatusCode {
    let page = http.get(format!("{provider}/login")).send().await.expect("answers").text().await.expect("a page");
    let csrf = e2e::browser::hidden_input(&page, "csrf_token");
    let form = [("username", username), ("password", password), ("csrf_token", csrf.as_str())];
    http.post(format!("{provider}/login")).form(&form).send().await.expect("answers").status()
}

#[tokio::test]
async fn login_throttling_and_key_rotation_are_shared_by_the_replicas() {
    let Some(system) = start().await else { return };
    let (a, b) = (&system.provider_a, &system.provider_b);

    // Five wrong passwords, three on A and two on B, lock alice on both.
    let http = testkit::http::browser();
    for provider in [a, b, a, b, a] {
        assert_eq!(login_at(&http, provider, "alice", "wrong").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(login_at(&http, a, "alice", "alice").await, StatusCode::TOO_MANY_REQUESTS, "locked on A");
    assert_eq!(login_at(&http, b, "alice", "alice").await, StatusCode::TOO_MANY_REQUESTS, "locked on B");

    // `provider keys rotate` against the database: both replicas publish
    // the new key within the reload bound, and sign with it once it is due.
    let output = std::process::Command::new(binary("provider"))
        .args(["keys", "rotate"])
        .env_clear()
        .env("PROVIDER_DATABASE_URL", &system.provider_database_url)
        .env("PROVIDER_KEY_PUBLISH_SECONDS", KEY_PUBLISH_SECONDS.to_string())
        .current_dir(system.processes.dir())
        .output()
        .expect("keys rotate runs");
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{printed}{}", String::from_utf8_lossy(&output.stderr));
    let kid = printed
        .split("new signing key: ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("keys rotate prints the new kid")
        .to_owned();
    for provider in [a, b] {
        let mut published = false;
        for _ in 0..(10 * (KEY_RELOAD_SECONDS + 2)) {
            let jwks = published_jwks(provider).await;
            if jwks["keys"].as_array().expect("keys").iter().any(|key| key["kid"] == kid.as_str()) {
                published = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(published, "{provider} publishes {kid} within {KEY_RELOAD_SECONDS} s");
    }
    tokio::time::sleep(Duration::from_secs(KEY_PUBLISH_SECONDS + 1)).await;
    for provider in [a, b] {
        let token: Value = reqwest::Client::new()
            .post(format!("{provider}/oauth2/token"))
            .header("Authorization", basic("report-service", "report-service-secret"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .expect("answers")
            .json()
            .await
            .expect("JSON");
        let access = token["access_token"].as_str().expect("a token");
        let header = jsonwebtoken::decode_header(access).expect("a JWT header");
        assert_eq!(header.kid.as_deref(), Some(kid.as_str()), "{provider} signs with the rotated-in key");
        assert_eq!(jwt_claims(access)["sub"], "client:report-service");
        // Both todo-API replicas verify it (a new kid: each refetches the JWKS).
        for _ in 0..2 {
            let todos = reqwest::Client::new()
                .get(system.todo_apis.url("/todos"))
                .bearer_auth(access)
                .send()
                .await
                .expect("answers");
            assert_eq!(todos.status(), StatusCode::OK);
        }
    }
}
