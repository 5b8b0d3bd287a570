//! (d) The login flow, with the environment Compose gives each service.
//!
//! The harness ([`e2e::System::start_with_envs`]) takes each service's
//! `environment:` exactly as Compose interpolates it with no `.env`, and
//! changes only what one test cannot use (ports, URLs, databases, a clients
//! file inside the image); [`e2e::Browser`] then logs in as a person would.
//! That the paths inside the image exist is checked from the files in
//! [`crate::wiring`] and [`crate::dockerfile`].

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde_json::Value;
use shared::config::Env;

use crate::support::{self, Compose};
use crate::{base, with_sqlite};

/// Starts the services named `provider`, `client` and `todo_api` in
/// `compose` (replicas have other names) with their compose environments,
/// asks each the question its Docker health check asks, and runs the flow.
pub async fn run_the_flow(compose: &Compose, [provider, client, todo_api]: [&str; 3]) {
    let env_of = |service: &str| Env::from_pairs(support::default_environment(compose.service(service)));
    let envs = e2e::ServiceEnvs { provider: env_of(provider), client: env_of(client), todo_api: env_of(todo_api) };
    let system = e2e::System::start_with_envs(envs).await.expect("the services start with compose's environments");

    // What Docker's health checks ask, at this test's ports.
    for (service, instance) in [(provider, &system.provider), (client, &system.client), (todo_api, &system.todo_api)] {
        let probe = compose.service(service).healthcheck.last().expect("a health check");
        let path = url::Url::parse(probe).expect("the probe is a URL").path().to_owned();
        let status = reqwest::get(instance.url(&path)).await.expect("the service answers").status();
        assert_eq!(status, StatusCode::OK, "{service}: health check {probe}");
    }

    // A person logs in at the client, approves, and keeps a todo.
    let browser = e2e::Browser::new(&system);
    browser.log_in_as("demo").await;
    let access_token = browser.cookie(&system.todo_api.url("/todos"), "access_token").expect("an access_token cookie");
    let payload = access_token.split('.').nth(1).expect("a JWT");
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("JSON");
    assert_eq!(claims["iss"], system.provider.public_url.as_str(), "the issuer is the public URL");
    let audience = &system.configs.todo_api.audience;
    let names_api = claims["aud"] == audience.as_str()
        || claims["aud"].as_array().is_some_and(|a| a.contains(&Value::from(audience.as_str())));
    assert!(names_api, "aud {} should name the todo API ({audience})", claims["aud"]);

    assert_eq!(browser.create_todo("runs in compose").await.status(), StatusCode::CREATED, "POST /todos");
    let listed = browser.list_todos().await;
    assert_eq!(listed.status(), StatusCode::OK, "GET /todos");
    assert_eq!(
        listed.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()),
        Some(system.client.public_url.as_str()),
        "CORS for the client's public origin"
    );
    let todos: Value = listed.json().await.expect("a JSON list");
    assert_eq!(todos[0]["title"], "runs in compose", "{todos}");
    system.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_login_flow_works_with_compose_environment() {
    run_the_flow(&base(), ["provider", "client", "todo-api"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_login_flow_works_with_the_sqlite_override() {
    run_the_flow(&with_sqlite(), ["provider", "client", "todo-api"]).await;
}
