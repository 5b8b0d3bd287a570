//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0).

use reqwest::StatusCode;

use crate::helpers::*;

async fn signed_in(app: &TestApp) -> bool {
    app.get("/").await.text().await.unwrap().contains("Hello, Demo User")
}

/// Asserts a logout: `status`, a redirect to `to`, and no session left.
async fn assert_logged_out_and_sent_to(app: &TestApp, response: &reqwest::Response, status: StatusCode, to: &str) {
    assert_eq!(response.status(), status);
    assert_eq!(location(response), to);
    assert!(!signed_in(app).await);
}

/// Asserts a refusal shown on a page: 400 and no redirect anywhere.
fn assert_refused_on_a_page(response: &reqwest::Response) {
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get("location").is_none());
}

#[tokio::test]
async fn a_valid_id_token_hint_logs_out_and_redirects_to_the_registered_uri_with_state() {
    let app = spawn_app().await;
    let tokens = app.tokens_for_todo_app("openid").await;
    assert!(signed_in(&app).await);
    let id_token = tokens["id_token"].as_str().unwrap();
    let mut url = url::Url::parse(&app.url("/oauth2/logout")).unwrap();
    url.query_pairs_mut()
        .append_pair("id_token_hint", id_token)
        .append_pair("post_logout_redirect_uri", "http://localhost:3000/")
        .append_pair("state", "bye");
    let response = app.http.get(url).send().await.unwrap();
    assert_logged_out_and_sent_to(&app, &response, StatusCode::FOUND, "http://localhost:3000/?state=bye").await;
}

#[tokio::test]
async fn a_client_may_post_the_logout_request_so_the_id_token_stays_out_of_history() {
    // RP-Initiated Logout 1.0 §2: the OP MUST support POST as well as GET.
    let app = spawn_app().await;
    let tokens = app.tokens_for_todo_app("openid").await;
    let form = [
        ("id_token_hint", tokens["id_token"].as_str().unwrap()),
        ("post_logout_redirect_uri", "http://localhost:3000/"),
        ("state", "bye"),
    ];
    let response = app.http.post(app.url("/oauth2/logout")).form(&form).send().await.unwrap();
    assert_logged_out_and_sent_to(&app, &response, StatusCode::SEE_OTHER, "http://localhost:3000/?state=bye").await;
}

#[tokio::test]
async fn a_posted_request_without_a_hint_still_asks() {
    let app = spawn_app().await;
    app.login("demo", "demo").await;
    let response = app.post_form("/oauth2/logout", &[("client_id", "todo-app")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("Sign out?"));
    assert!(signed_in(&app).await);
}

#[tokio::test]
async fn an_unregistered_post_logout_redirect_uri_gets_a_page_not_a_redirect() {
    let app = spawn_app().await;
    let tokens = app.tokens_for_todo_app("openid").await;
    let mut url = url::Url::parse(&app.url("/oauth2/logout")).unwrap();
    url.query_pairs_mut()
        .append_pair("id_token_hint", tokens["id_token"].as_str().unwrap())
        .append_pair("post_logout_redirect_uri", "https://evil.example/");
    let response = app.http.get(url).send().await.unwrap();
    assert_refused_on_a_page(&response);
    assert!(signed_in(&app).await, "nothing happened");
}

#[tokio::test]
async fn without_a_valid_hint_the_user_is_asked_to_confirm() {
    let app = spawn_app().await;
    app.login("demo", "demo").await;
    let response =
        app.get("/oauth2/logout?client_id=todo-app&post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A3000%2F").await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    assert!(page.contains("Sign out?"));
    assert!(signed_in(&app).await, "a GET alone does not log out (no logout CSRF)");

    // Without the CSRF token the POST does nothing.
    let forged = app.post_form("/oauth2/logout", &[("confirm", "yes")]).await;
    assert_eq!(forged.status(), StatusCode::BAD_REQUEST);
    assert!(signed_in(&app).await);

    let csrf = hidden_input(&page, "csrf_token");
    let confirmed = app
        .http
        .post(app.url("/oauth2/logout"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("confirm", "yes"),
            ("client_id", "todo-app"),
            ("post_logout_redirect_uri", "http://localhost:3000/"),
        ])
        .send()
        .await
        .unwrap();
    assert_logged_out_and_sent_to(&app, &confirmed, StatusCode::SEE_OTHER, "http://localhost:3000/").await;
}

#[tokio::test]
async fn a_forged_id_token_hint_is_refused() {
    let app = spawn_app().await;
    let response = app.get("/oauth2/logout?id_token_hint=eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.").await;
    assert_refused_on_a_page(&response);
}
