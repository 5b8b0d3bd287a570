use std::collections::HashMap;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{
    CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, TestApp, attributes, cookie, handover_form, page, set_cookies, spawn_app,
    spawn_logged_in_app,
};

#[tokio::test]
async fn logout_revokes_the_refresh_token_clears_cookies_and_ends_the_provider_session() {
    let app = spawn_logged_in_app().await;

    let response = app.logout().await;

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

    // RP-Initiated Logout §2 at the provider's public URL, by POST: the
    // ID token is in the form body, not in a URL.
    let form = handover_form(response).await;
    assert_eq!(form.action, format!("{}/oauth2/logout", app.provider_url));
    assert!(!form.action.contains('?'), "nothing in the query: {}", form.action);
    let params: HashMap<&str, &str> = form.fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
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
    let app = spawn_logged_in_app().await;
    *app.provider.script.token_reply.lock().unwrap() =
        (200, json!({"access_token": "a2", "token_type": "Bearer", "expires_in": 300, "refresh_token": "refresh-2"}));
    assert_eq!(app.refresh_same_origin().await.status(), StatusCode::OK);

    app.logout().await;

    assert_eq!(app.revocations()[0].form["token"], "refresh-2");
}

#[tokio::test]
async fn logout_without_a_login_revokes_nothing_and_still_asks_the_provider() {
    let app = spawn_app().await;

    let response = app.logout().await;

    let form = handover_form(response).await;
    assert!(app.revocations().is_empty());
    assert_eq!(form.field("id_token_hint"), None, "no login, no hint");
    assert_eq!(form.field("client_id"), Some(CLIENT_ID));
}

/// Still logged in: nothing revoked, no cookie touched, the home page greets.
async fn assert_still_logged_in(app: &TestApp, response: &reqwest::Response) {
    assert!(app.revocations().is_empty(), "nothing may be revoked");
    assert!(set_cookies(response).iter().all(|c| c.name == "client_session"), "no token cookie may change");
    assert!(page(app.get("/").await).await.contains("Demo User"), "the session must survive");
}

/// The confirmation page's anti-forgery token.
fn csrf_token_of(html: &str) -> String {
    let (_, rest) = html.split_once("name=\"csrf_token\" value=\"").expect("a csrf_token input");
    rest.split('"').next().expect("a quoted value").to_owned()
}

#[tokio::test]
async fn a_cross_site_logout_link_asks_for_confirmation_instead_of_logging_out() {
    let app = spawn_logged_in_app().await;

    let response =
        app.get_with("/logout", &[("Sec-Fetch-Site", "cross-site"), ("Origin", "http://127.0.0.1:6660")]).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_still_logged_in(&app, &response).await;
    let html = page(response).await;
    assert!(html.contains("<form method=\"post\" action=\"/logout\">"), "{html}");
    assert!(csrf_token_of(&html).len() >= 43, "a token of at least 256 bits");
}

#[tokio::test]
async fn a_logout_request_that_may_have_started_on_another_site_asks_for_confirmation() {
    for headers in [
        // Nothing at all about where it started.
        vec![],
        // Same site, but another origin.
        vec![("Sec-Fetch-Site", "same-site")],
        // A foreign Referer.
        vec![("Referer", "http://127.0.0.1:6660/attack")],
    ] {
        let app = spawn_logged_in_app().await;

        let response = app.get_with("/logout", &headers).await;

        assert_eq!(response.status(), StatusCode::OK, "{headers:?}");
        assert_still_logged_in(&app, &response).await;
    }
}

#[tokio::test]
async fn a_typed_logout_url_logs_out_at_once() {
    let app = spawn_logged_in_app().await;

    let response = app.get_with("/logout", &[("Sec-Fetch-Site", "none")]).await;

    handover_form(response).await;
    assert_eq!(app.revocations().len(), 1);
}

#[tokio::test]
async fn without_fetch_metadata_a_same_origin_origin_or_referer_logs_out_at_once() {
    for header in ["Origin", "Referer"] {
        let app = spawn_logged_in_app().await;
        let value = if header == "Origin" { app.address.clone() } else { format!("{}/flow", app.address) };

        let response = app.get_with("/logout", &[(header, &value)]).await;

        assert_eq!(response.status(), StatusCode::OK, "{header}: {value}");
        assert!(page(response).await.contains("data-autosubmit"), "{header}: the hand-over page");
        assert_eq!(app.revocations().len(), 1, "{header}");
    }
}

#[tokio::test]
async fn confirming_with_the_page_s_token_logs_out() {
    let app = spawn_logged_in_app().await;
    let confirmation = page(app.get_with("/logout", &[("Sec-Fetch-Site", "cross-site")]).await).await;
    let token = csrf_token_of(&confirmation);

    let response =
        app.browser.post(format!("{}/logout", app.address)).form(&[("csrf_token", &token)]).send().await.unwrap();

    assert_eq!(cookie(&set_cookies(&response), "access_token").value, "");
    let form = handover_form(response).await;
    assert_eq!(form.action, format!("{}/oauth2/logout", app.provider_url));
    assert_eq!(app.revocations().len(), 1);
    assert!(page(app.get("/").await).await.contains("href=\"/login\""));
}

#[tokio::test]
async fn a_logout_form_without_the_session_s_token_is_refused() {
    let app = spawn_logged_in_app().await;
    // The session has a token (a confirmation page was shown), but the
    // forged form cannot know it.
    app.get("/logout").await;

    for form in [vec![], vec![("csrf_token", "guessed")], vec![("csrf_token", "")]] {
        let response = app.browser.post(format!("{}/logout", app.address)).form(&form).send().await.unwrap();

        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{form:?}");
        assert_still_logged_in(&app, &response).await;
        assert!(page(response).await.contains("RFC 6749 §10.12"));
    }
}

#[tokio::test]
async fn a_logout_form_is_refused_when_the_session_never_showed_one() {
    let app = spawn_logged_in_app().await;

    let response =
        app.browser.post(format!("{}/logout", app.address)).form(&[("csrf_token", "")]).send().await.unwrap();

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_still_logged_in(&app, &response).await;
}

#[tokio::test]
async fn the_hand_over_page_may_post_to_the_provider_and_run_its_one_script() {
    let app = spawn_logged_in_app().await;

    let response = app.logout().await;

    // The page's Content-Security-Policy must allow the form's target and
    // allows no inline script, so the submit runs from a file of this app.
    let csp = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains(&format!("form-action 'self' {}", app.provider_url)), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    handover_form(response).await;
    let script = app.get("/static/autosubmit.js").await;
    assert_eq!(script.status(), StatusCode::OK);
    assert_eq!(script.headers()["content-type"], "text/javascript; charset=utf-8");
    assert!(page(script).await.contains("form.submit()"));
}
