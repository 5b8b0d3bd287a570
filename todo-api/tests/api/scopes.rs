//! RFC 6750 §3.1 `insufficient_scope`: `todos:read` to read, `todos:write`
//! to write.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_bearer_error, spawn_app};

#[tokio::test]
async fn reading_without_todos_read_is_forbidden_naming_the_scope() {
    let app = spawn_app().await;
    let token = app.token().scope("openid todos:write").sign();

    let response = app.get_todos(&token).await;

    let params =
        assert_bearer_error(response, StatusCode::FORBIDDEN, "insufficient_scope", "needs the scope todos:read").await;
    assert_eq!(params.get("scope").map(String::as_str), Some("todos:read"));
}

#[tokio::test]
async fn writing_with_only_todos_read_is_forbidden_naming_the_scope() {
    let app = spawn_app().await;
    let token = app.token().scope("openid todos:read").sign();

    let response = app.create_todo(&token, &json!({"title": "milk"})).await;

    let params = assert_bearer_error(
        response,
        StatusCode::FORBIDDEN,
        "insufficient_scope",
        "needs the scope todos:write; the token grants 'openid todos:read'",
    )
    .await;
    assert_eq!(params.get("scope").map(String::as_str), Some("todos:write"));
}

#[tokio::test]
async fn deleting_and_patching_need_todos_write() {
    let app = spawn_app().await;
    let writer = app.token().sign();
    let id = app.new_todo(&writer, "milk").await["id"].to_string();
    let reader = app.token().scope("todos:read").sign();

    let patch = app.patch_todo(&reader, &id, &json!({"done": true})).await;
    let delete = app.delete_todo(&reader, &id).await;

    for response in [patch, delete] {
        assert_bearer_error(response, StatusCode::FORBIDDEN, "insufficient_scope", "todos:write").await;
    }
}

#[tokio::test]
async fn the_scope_check_comes_before_the_body_is_read() {
    let app = spawn_app().await;
    let reader = app.token().scope("todos:read").sign();

    let response = app
        .request(reqwest::Method::POST, "/todos")
        .bearer_auth(&reader)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}
