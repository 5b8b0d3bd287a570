//! The todo endpoints, and that each user only ever sees their own todos.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{assert_api_error, spawn_app};

#[tokio::test]
async fn a_created_todo_is_returned_with_201_and_listed() {
    let app = spawn_app().await;
    let token = app.token().sign();

    let response = app.create_todo(&token, &json!({"title": "  buy milk  "})).await;

    assert_eq!(response.status(), StatusCode::CREATED);
    let todo: Value = response.json().await.unwrap();
    assert!(todo["id"].is_i64());
    assert_eq!(todo["title"], "buy milk");
    assert_eq!(todo["done"], false);
    let created_at = todo["created_at"].as_str().unwrap();
    assert!(created_at.ends_with('Z') && created_at.contains('T'), "{created_at}");
    let list: Value = app.get_todos(&token).await.json().await.unwrap();
    assert_eq!(list, json!([todo]));
}

#[tokio::test]
async fn todos_are_listed_newest_first() {
    let app = spawn_app().await;
    let token = app.token().sign();
    for title in ["first", "second", "third"] {
        app.new_todo(&token, title).await;
    }

    let list: Vec<Value> = app.get_todos(&token).await.json().await.unwrap();

    let titles: Vec<&str> = list.iter().map(|t| t["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["third", "second", "first"]);
}

#[tokio::test]
async fn patch_changes_done_and_title() {
    let app = spawn_app().await;
    let token = app.token().sign();
    let todo = app.new_todo(&token, "milk").await;
    let id = todo["id"].to_string();

    let done: Value = app.patch_todo(&token, &id, &json!({"done": true})).await.json().await.unwrap();
    let renamed = app.patch_todo(&token, &id, &json!({"title": "oat milk"})).await;

    assert_eq!(done["done"], true);
    assert_eq!(done["title"], "milk");
    assert_eq!(renamed.status(), StatusCode::OK);
    let renamed: Value = renamed.json().await.unwrap();
    assert_eq!(renamed["title"], "oat milk");
    assert_eq!(renamed["done"], true);
    assert_eq!(renamed["created_at"], todo["created_at"]);
}

#[tokio::test]
async fn delete_answers_204_and_the_todo_is_gone() {
    let app = spawn_app().await;
    let token = app.token().sign();
    let id = app.new_todo(&token, "milk").await["id"].to_string();

    let response = app.delete_todo(&token, &id).await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let list: Value = app.get_todos(&token).await.json().await.unwrap();
    assert_eq!(list, json!([]));
    let again = app.delete_todo(&token, &id).await;
    assert_api_error(again, StatusCode::NOT_FOUND, "not_found", "no todo with id").await;
}

#[tokio::test]
async fn another_users_todo_is_unreachable_and_reported_as_404() {
    let app = spawn_app().await;
    let alice = app.token().sub("alice").sign();
    let bob = app.token().sub("bob").sign();
    let id = app.new_todo(&alice, "alice's secret").await["id"].to_string();

    let bobs_list: Value = app.get_todos(&bob).await.json().await.unwrap();
    let patch = app.patch_todo(&bob, &id, &json!({"title": "pwned"})).await;
    let delete = app.delete_todo(&bob, &id).await;

    assert_eq!(bobs_list, json!([]));
    assert_api_error(patch, StatusCode::NOT_FOUND, "not_found", &id).await;
    assert_api_error(delete, StatusCode::NOT_FOUND, "not_found", &id).await;
    let alices: Vec<Value> = app.get_todos(&alice).await.json().await.unwrap();
    assert_eq!(alices.len(), 1);
    assert_eq!(alices[0]["title"], "alice's secret");
}

#[tokio::test]
async fn unknown_and_non_numeric_ids_are_404() {
    let app = spawn_app().await;
    let token = app.token().sign();

    let unknown = app.delete_todo(&token, "999999").await;
    let words = app.patch_todo(&token, "abc", &json!({"done": true})).await;
    let injection = app.delete_todo(&token, "1%20OR%201=1").await;

    assert_api_error(unknown, StatusCode::NOT_FOUND, "not_found", "999999").await;
    assert_api_error(words, StatusCode::NOT_FOUND, "not_found", "abc").await;
    assert_api_error(injection, StatusCode::NOT_FOUND, "not_found", "1 OR 1=1").await;
}

#[tokio::test]
async fn sql_looking_title_is_stored_verbatim() {
    let app = spawn_app().await;
    let token = app.token().sign();
    let title = "'); DROP TABLE todos; -- \" OR 1=1 --";

    let todo = app.new_todo(&token, title).await;

    assert_eq!(todo["title"], title);
    let list: Vec<Value> = app.get_todos(&token).await.json().await.unwrap();
    assert_eq!(list[0]["title"], title);
}

#[tokio::test]
async fn unknown_route_is_a_json_404() {
    let app = spawn_app().await;

    let response = app.http.get(app.url("/nope")).send().await.unwrap();

    assert_api_error(response, StatusCode::NOT_FOUND, "not_found", "/nope").await;
}

#[tokio::test]
async fn healthz_answers_ok_without_a_token() {
    let app = spawn_app().await;

    let response = app.http.get(app.url("/healthz")).send().await.unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}
