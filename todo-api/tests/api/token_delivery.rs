//! RFC 6750 §2: the token in the `Authorization` header or, as the
//! article's client app delivers it, in the `access_token` cookie.

use reqwest::StatusCode;

use crate::helpers::{assert_invalid_token, spawn_app};

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

    let good_header = app
        .http
        .get(app.url("/todos"))
        .bearer_auth(&good)
        .header("cookie", format!("access_token={bad}"))
        .send()
        .await
        .unwrap();
    let bad_header = app
        .http
        .get(app.url("/todos"))
        .bearer_auth(&bad)
        .header("cookie", format!("access_token={good}"))
        .send()
        .await
        .unwrap();

    assert_eq!(good_header.status(), StatusCode::OK);
    assert_invalid_token(bad_header, "is not at+jwt").await;
}
