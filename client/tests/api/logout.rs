use std::collections::HashMap;

use reqwest::StatusCode;
use serde_json::json;
use url::Url;

use crate::helpers::{
    CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, attributes, cookie, location, page, set_cookies, spawn_app,
};

#[tokio::test]
async fn logout_revokes_the_refresh_token_clears_cookies_and_ends_the_provider_session() {
    let app = spawn_app().await;
    app.log_in().await;

    let response = app.get("/logout").await;

    // RFC 7009: the refresh token was revoked, with client authentication.
    let revocations = app.revocations();
    assert_eq!(revocations.len(), 1);
    assert_eq!(revocations[0].form["token"], REFRESH_TOKEN);
    assert_eq!(revocations[0].form["token_type_hint"], "refresh_token");
    assert_eq!(revocations[0].basic_credentials(), Some((CLIENT_ID.to_owned(), CLIENT_SECRET.to_owned())));

    // Both cookies expired with the Path they were set with.
    let cookies = set_cookies(&response);
    assert_eq!(
        cookie(&cookies, "access_token").attributes_except_expires(),
        attributes(&["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=0"])
    );
    assert_eq!(
        cookie(&cookies, "refresh_token").attributes_except_expires(),
        attributes(&["HttpOnly", "SameSite=Strict", "Path=/refreshtoken", "Max-Age=0"])
    );

    // RP-initiated logout at the provider's public URL.
    assert_eq!(response.status(), StatusCode::FOUND);
    let target = Url::parse(location(&response)).unwrap();
    assert_eq!(target.as_str().split('?').next(), Some(format!("{}/oauth2/logout", app.provider_url).as_str()));
    let params: HashMap<String, String> = target.query_pairs().into_owned().collect();
    assert_eq!(params["post_logout_redirect_uri"], format!("{}/", app.address));
    assert_eq!(params["client_id"], CLIENT_ID);
    assert_eq!(params["id_token_hint"].split('.').count(), 3, "the ID token from the login");

    // The session is gone: the home page is the logged-out one.
    let home = page(app.get("/").await).await;
    assert!(home.contains("href=\"/login\""));
    assert!(!home.contains("Demo User"));
}

#[tokio::test]
async fn logout_after_a_refresh_revokes_the_rotated_refresh_token() {
    let app = spawn_app().await;
    app.log_in().await;
    *app.provider.token_reply.lock().unwrap() =
        (200, json!({"access_token": "a2", "token_type": "Bearer", "expires_in": 300, "refresh_token": "refresh-2"}));
    assert_eq!(app.refresh_same_origin().await.status(), StatusCode::OK);

    app.get("/logout").await;

    assert_eq!(app.revocations()[0].form["token"], "refresh-2");
}

#[tokio::test]
async fn logout_without_a_login_revokes_nothing_and_still_redirects() {
    let app = spawn_app().await;

    let response = app.get("/logout").await;

    assert_eq!(response.status(), StatusCode::FOUND);
    assert!(app.revocations().is_empty());
    let target = Url::parse(location(&response)).unwrap();
    assert!(target.query_pairs().all(|(k, _)| k != "id_token_hint"));
}
