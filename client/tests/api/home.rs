use reqwest::StatusCode;

use crate::helpers::{ACCESS_TOKEN, REFRESH_TOKEN, page, spawn_app, spawn_logged_in_app};

#[tokio::test]
async fn the_logged_out_home_page_explains_the_flow_and_links_to_login() {
    let app = spawn_app().await;

    let response = app.get("/").await;

    assert_eq!(response.status(), StatusCode::OK);
    let html = page(response).await;
    assert!(html.contains("href=\"/login\""));
    assert!(html.contains("code_challenge"));
    assert!(!html.contains("app.js"));
}

#[tokio::test]
async fn the_logged_in_home_page_greets_the_user_and_never_shows_a_token() {
    let app = spawn_logged_in_app().await;

    let html = page(app.get("/").await).await;

    assert!(html.contains("Hello, Demo User"));
    assert!(html.contains("data-todo-api=\"http://127.0.0.1:4999\""));
    assert!(html.contains("name=\"title\""));
    assert!(html.contains("src=\"/static/app.js\""));
    assert!(!html.contains(ACCESS_TOKEN));
    assert!(!html.contains(REFRESH_TOKEN));
}

#[tokio::test]
async fn the_script_is_served_and_refreshes_on_401() {
    let app = spawn_app().await;

    let response = app.get("/static/app.js").await;

    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers();
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert_eq!(headers["cache-control"], "no-cache", "a new version of the script is used at once");
    let script = page(response).await;
    assert!(script.contains("credentials: 'include'"));
    assert!(script.contains("response.status === 401"));
    assert!(!script.contains("localStorage"));
}
