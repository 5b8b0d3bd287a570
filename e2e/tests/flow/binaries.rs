//! The shipped binaries, as separate processes configured only by
//! environment variables, run the whole flow over real ports.
//!
//! The binaries are found next to this test's executable, in the same
//! target directory; build them first with `cargo build --workspace --bins`.

use e2e::Browser;
use reqwest::StatusCode;
use serde_json::Value;

use crate::processes::{Processes, binary};
use testkit::db::TestDatabase;
use testkit::serve::free_port;

#[tokio::test]
async fn the_shipped_binaries_run_the_flow_configured_only_by_environment_variables() {
    // Fail first, with the command to run, if a binary has not been built.
    for name in ["provider", "client", "todo-api"] {
        binary(name);
    }
    let [provider_port, client_port, todo_api_port] = [free_port(), free_port(), free_port()];
    let provider_url = format!("http://localhost:{provider_port}");
    let provider_internal = format!("http://127.0.0.1:{provider_port}");
    let client_url = format!("http://localhost:{client_port}");
    let todo_api_url = format!("http://localhost:{todo_api_port}");

    let mut processes = Processes::new("binaries");
    // The shipped registrations, with the todo app's URLs moved to its port.
    let clients = provider::config::DEFAULT_CLIENTS_TOML.replace("http://localhost:3000", &client_url);
    let clients_file = processes.dir().join("clients.toml");
    std::fs::write(&clients_file, clients).expect("write clients.toml");

    let mut databases = Vec::new();
    for label in ["bin_provider", "bin_client", "bin_todo_api"] {
        databases.push(TestDatabase::fresh(label).await);
    }
    processes.spawn(
        "provider",
        &[
            ("PROVIDER_ADDR", format!("127.0.0.1:{provider_port}")),
            ("PROVIDER_PUBLIC_URL", provider_url.clone()),
            ("TODO_API_PUBLIC_URL", todo_api_url.clone()),
            ("PROVIDER_DATABASE_URL", databases[0].url.clone()),
            ("PROVIDER_CLIENTS_FILE", clients_file.display().to_string()),
        ],
    );
    processes.spawn(
        "client",
        &[
            ("CLIENT_ADDR", format!("127.0.0.1:{client_port}")),
            ("CLIENT_PUBLIC_URL", client_url.clone()),
            ("PROVIDER_PUBLIC_URL", provider_url.clone()),
            ("PROVIDER_INTERNAL_URL", provider_internal.clone()),
            ("TODO_API_PUBLIC_URL", todo_api_url.clone()),
            ("CLIENT_DATABASE_URL", databases[1].url.clone()),
        ],
    );
    processes.spawn(
        "todo-api",
        &[
            ("TODO_API_ADDR", format!("127.0.0.1:{todo_api_port}")),
            ("TODO_API_PUBLIC_URL", todo_api_url.clone()),
            ("PROVIDER_PUBLIC_URL", provider_url.clone()),
            ("PROVIDER_INTERNAL_URL", provider_internal),
            ("CLIENT_PUBLIC_URL", client_url.clone()),
            ("TODO_API_DATABASE_URL", databases[2].url.clone()),
        ],
    );
    processes.wait_until_healthy("provider", &provider_url).await;
    processes.wait_until_healthy("client", &client_url).await;
    processes.wait_until_healthy("todo-api", &todo_api_url).await;

    let browser = Browser::for_urls(&client_url, &provider_url, &todo_api_url);
    browser.log_in_as("demo").await;
    assert_eq!(browser.create_todo("Run the real binaries").await.status(), StatusCode::CREATED);
    let todos: Vec<Value> = browser.list_todos().await.json().await.expect("a list");
    assert_eq!(todos.len(), 1);
    assert_eq!(browser.refresh().await.status(), StatusCode::OK);
    assert_eq!(browser.list_todos().await.status(), StatusCode::OK);
    let back = browser.hand_over(browser.logout().await).await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER, "the provider ended its session and sent the browser back");
    assert_eq!(browser.list_todos().await.status(), StatusCode::UNAUTHORIZED, "no cookie, no todos");
}
