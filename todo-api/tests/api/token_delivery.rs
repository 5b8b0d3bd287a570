//! RFC 6750 §2: the token in the `Authorization` header or, as the
//! article's client app delivers it, in the `access_token` cookie.

use reqwest::StatusCode;

use crate::helpers::{TestApp, assert_invalid_token, spawn_app};

#[tokio::test]
async fn access_token_cookie_alone_is_accepted() {
    let app = spawn_app().await;
    let token = app.token().sign();

    let response = app
        .http
        .get(app.url("/todos"))
        .header("cookie", format!("theme=dark; access_token={token}"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_invalid_cookie_token_is_rejected_like_a_header_token() {
    let app = spawn_app().await;
    let token = app.token().claim("aud", "https://elsewhere.example").sign();

    let response =
        app.http.get(app.url("/todos")).header("cookie", format!("access_token={token}")).send().await.unwrap();

    assert_invalid_token(response, "audience").await;
}

#[tokio::test]
async fn authorization_header_wins_over_the_cookie() {
    let app = spawn_app().await;
    let good = app.token().sign();
    let bad = app.token().typ(Some("JWT")).sign();

    let good_header = get_todos_with_both(&app, &good, &bad).await;
    let bad_header = get_todos_with_both(&app, &bad, &good).await;

    assert_eq!(good_header.status(), StatusCode::OK);
    assert_invalid_token(bad_header, "is not at+jwt").await;
}

/// `GET /todos` with one token in the `Authorization` header and another in
/// the `access_token` cookie.
async fn get_todos_with_both(app: &TestApp, header: &str, cookie: &str) -> reqwest::Response {
    let request = app.http.get(app.url("/todos")).bearer_auth(header);
    request.header("cookie", format!("access_token={cookie}")).send().await.unwrap()
}
