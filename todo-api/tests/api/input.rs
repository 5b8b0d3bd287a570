//! Bad input is a 4xx naming the rule, never a 500.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, assert_api_error, spawn_app};

async fn post_raw(app: &TestApp, body: &str, content_type: Option<&str>) -> reqwest::Response {
    let mut request =
        app.request(reqwest::Method::POST, "/todos").bearer_auth(app.token().sign()).body(body.to_owned());
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn empty_or_blank_title_is_rejected_naming_the_rule() {
    let app = spawn_app().await;
    let token = app.token().sign();

    for title in ["", "   \t\n"] {
        let response = app.create_todo(&token, &json!({ "title": title })).await;
        assert_api_error(
            response,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "title must be 1 to 200 characters after trimming whitespace",
        )
        .await;
    }
}

#[tokio::test]
async fn title_of_201_characters_is_rejected_and_200_accepted() {
    let app = spawn_app().await;
    let token = app.token().sign();

    let too_long = app.create_todo(&token, &json!({"title": "x".repeat(201)})).await;
    let longest = app.create_todo(&token, &json!({"title": "é".repeat(200)})).await;

    assert_api_error(too_long, StatusCode::BAD_REQUEST, "invalid_request", "has 201").await;
    assert_eq!(longest.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_new_todo_that_breaks_a_rule_is_rejected_naming_it() {
    let app = spawn_app().await;
    let token = app.token().sign();

    for (todo, mentions) in [
        // A NUL is refused here, not left to the database to fail on.
        (json!({"title": "milk\u{0}"}), "control characters"),
        (json!({"title": "milk", "owner": "bob"}), "unknown field `owner`"),
        (json!({}), "missing field `title`"),
    ] {
        let response = app.create_todo(&token, &todo).await;
        assert_api_error(response, StatusCode::BAD_REQUEST, "invalid_request", mentions).await;
    }
}

#[tokio::test]
async fn a_change_that_breaks_a_rule_is_rejected_naming_it() {
    let app = spawn_app().await;
    let token = app.token().sign();
    let id = app.new_todo(&token, "milk").await["id"].to_string();

    for (changes, mentions) in [(json!({"title": " "}), "title must be"), (json!({"done": "yes"}), "invalid type")] {
        let response = app.patch_todo(&token, &id, &changes).await;
        assert_api_error(response, StatusCode::BAD_REQUEST, "invalid_request", mentions).await;
    }
}

#[tokio::test]
async fn malformed_json_is_rejected_with_the_parse_error() {
    let app = spawn_app().await;

    let response = post_raw(&app, "{\"title\": ", Some("application/json")).await;

    assert_api_error(response, StatusCode::BAD_REQUEST, "invalid_request", "EOF").await;
}

#[tokio::test]
async fn body_without_a_json_content_type_is_415() {
    let app = spawn_app().await;

    let response = post_raw(&app, "{\"title\": \"milk\"}", Some("text/plain")).await;

    assert_api_error(response, StatusCode::UNSUPPORTED_MEDIA_TYPE, "invalid_request", "Content-Type: application/json")
        .await;
}

#[tokio::test]
async fn body_over_16_kib_is_413() {
    let app = spawn_app().await;
    let body = json!({"title": "x".repeat(17 * 1024)}).to_string();

    let response = post_raw(&app, &body, Some("application/json")).await;

    assert_api_error(response, StatusCode::PAYLOAD_TOO_LARGE, "invalid_request", "larger than 16384 bytes").await;
}
