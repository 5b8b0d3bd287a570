//! Everything that matters survives a restart, and the API does not need
//! the provider for each request.

use e2e::{Browser, Options, System};
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn tokens_and_todos_survive_restarts_and_the_api_works_while_the_provider_is_down() {
    let mut system = System::start(Options::default()).await.expect("the system starts");
    let browser = Browser::logged_in_as(&system, "demo").await;
    assert_eq!(browser.create_todo("Survive a restart").await.status(), StatusCode::CREATED);

    // The provider is down: the API still validates JWTs with the keys it fetched.
    system.stop_provider().await;
    let listed = browser.list_todos().await;
    assert_eq!(listed.status(), StatusCode::OK, "local JWT validation needs no provider");
    // A refresh cannot work now; the client says so and keeps the cookies.
    let refresh_while_down = browser.refresh().await;
    assert_eq!(refresh_while_down.status(), StatusCode::BAD_GATEWAY);
    assert!(refresh_while_down.headers().get("set-cookie").is_none(), "the cookies are kept for later");
    let error: Value = refresh_while_down.json().await.expect("JSON");
    assert_eq!(error["error"], "temporarily_unavailable");

    // The provider comes back on the same database: same keys, same refresh tokens.
    system.restart_provider().await.expect("the provider restarts");
    assert_eq!(browser.list_todos().await.status(), StatusCode::OK, "the earlier access token still validates");
    let refreshed = browser.refresh().await;
    assert_eq!(refreshed.status(), StatusCode::OK, "the earlier refresh token still refreshes");
    assert_eq!(browser.list_todos().await.status(), StatusCode::OK, "the new access token validates");

    // The todo API comes back on the same database: the todos are still there.
    system.restart_todo_api().await.expect("the todo API restarts");
    let todos: Vec<Value> = browser.list_todos().await.json().await.expect("a list");
    assert_eq!(todos.len(), 1);
    assert_eq!(todos[0]["title"], "Survive a restart");

    system.stop().await;
}
