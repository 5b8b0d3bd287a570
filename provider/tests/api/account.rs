//! The "connected apps" page: users see and revoke their grants.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn a_user_sees_connected_apps_and_revoking_one_kills_its_tokens_and_consent() {
    let app = spawn_app().await;
    let tokens = app.tokens_for_todo_app(ALL_SCOPES).await;
    let page = unescape(&app.get("/").await.text().await.unwrap());
    assert!(page.contains("Connected apps") && page.contains("Todo App"), "{page}");
    let csrf = hidden_input(&page, "csrf_token");

    let response =
        app.post_form("/account/apps/revoke", &[("csrf_token", csrf.as_str()), ("client_id", "todo-app")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let refresh = app.refresh_as_todo_app(tokens["refresh_token"].as_str().unwrap()).await;
    assert_token_error(refresh, StatusCode::BAD_REQUEST, "invalid_grant").await;
    assert!(!app.get("/").await.text().await.unwrap().contains("Todo App"));
}

#[tokio::test]
async fn revoking_without_the_csrf_token_is_refused() {
    let app = spawn_app().await;
    app.tokens_for_todo_app("openid").await;
    let response = app.post_form("/account/apps/revoke", &[("client_id", "todo-app")]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(app.get("/").await.text().await.unwrap().contains("Todo App"));
}
