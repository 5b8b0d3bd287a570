//! The authorization code's way back: state, iss and redirect URIs.

use std::collections::HashMap;

use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use lab::attacks::{empty_scope_consent, forced_logout, login_csrf, mix_up, redirect_uri};

use crate::support::{aimed_at, approving_authorize, assert_blocked, assert_succeeded, client_login_route, run, serve};

/// The vulnerable callback: it redeems whatever code arrives and signs the
/// browser in, never comparing `state` (or `iss`) with anything.
async fn trusting_callback(Query(params): Query<HashMap<String, String>>) -> Response {
    if !params.contains_key("code") {
        return StatusCode::BAD_REQUEST.into_response();
    }
    (StatusCode::SEE_OTHER, [("location", "/"), ("set-cookie", "access_token=issued-for-this-code; Path=/")])
        .into_response()
}

/// A client stand-in on its own port: `/login` and a `callback`.
async fn client_stand_in(provider: &str, callback: axum::routing::MethodRouter) -> String {
    let port = testkit::serve::Port::free().await;
    let url = port.url().to_owned();
    let router = client_login_route(provider, &url).route("/callback", callback);
    port.serve(router);
    url
}

#[tokio::test]
async fn login_csrf_and_mix_up_succeed_against_a_callback_that_checks_neither_state_nor_iss() {
    let provider = serve(approving_authorize()).await;
    let client = client_stand_in(&provider, get(trusting_callback)).await;
    for attack in [&login_csrf::ATTACK, &mix_up::ATTACK] {
        assert_succeeded(&run(attack, aimed_at(&provider, &client)).await);
    }
}

#[tokio::test]
async fn login_csrf_is_blocked_by_a_callback_that_checks_state_against_the_browser() {
    // The same client, but its callback wants the state in a cookie that
    // only the browser which started the login has.
    let provider = serve(approving_authorize()).await;
    let checking = get(|headers: axum::http::HeaderMap, query: Query<HashMap<String, String>>| async move {
        let bound = headers.get("cookie").and_then(|c| c.to_str().ok()).unwrap_or_default().to_owned();
        match query.get("state") {
            Some(state) if bound.contains(&format!("state={state}")) => trusting_callback(query).await,
            _ => StatusCode::BAD_REQUEST.into_response(),
        }
    });
    let client = client_stand_in(&provider, checking).await;
    assert_blocked(&run(&login_csrf::ATTACK, aimed_at(&provider, &client)).await);
}

#[tokio::test]
async fn redirect_uri_succeeds_against_a_provider_that_redirects_anywhere() {
    // approving_authorize sends the browser to any redirect_uri at all.
    let provider = serve(approving_authorize()).await;
    let report = run(&redirect_uri::ATTACK, aimed_at(&provider, "http://localhost:3000")).await;
    assert_succeeded(&report);
    assert!(report.because.contains("look-alike"), "the first variant already lands: {}", report.because);
}

#[tokio::test]
async fn redirect_uri_is_blocked_by_exact_matching() {
    let registered = "http://localhost:3000/callback";
    let exact = Router::new().route(
        "/oauth2/authorize",
        get(move |Query(params): Query<HashMap<String, String>>| async move {
            if params.get("redirect_uri").map(String::as_str) == Some(registered) {
                Redirect::to(registered).into_response()
            } else {
                (StatusCode::BAD_REQUEST, "unregistered redirect_uri").into_response()
            }
        }),
    );
    let provider = serve(exact).await;
    assert_blocked(&run(&redirect_uri::ATTACK, aimed_at(&provider, "http://localhost:3000")).await);
}

#[tokio::test]
async fn empty_scope_consent_succeeds_against_a_provider_that_takes_a_blank_scope_as_nothing_to_ask() {
    // The stand-in approves at once whatever the scope: for a scope of
    // spaces, that is a set comparison's "nothing new to consent to".
    let provider = serve(approving_authorize()).await;
    assert_succeeded(&run(&empty_scope_consent::ATTACK, aimed_at(&provider, "http://localhost:3000")).await);
}

#[tokio::test]
async fn forced_logout_succeeds_against_a_client_whose_get_logout_ends_the_session_from_any_site() {
    let provider = serve(approving_authorize()).await;
    let port = testkit::serve::Port::free().await;
    let client = port.url().to_owned();
    let router = client_login_route(&provider, &client).route("/callback", get(trusting_callback)).route(
        // Logs out whoever asks, wherever the request comes from.
        "/logout",
        get(|| async { ([("set-cookie", "access_token=; Max-Age=0; Path=/")], Redirect::to("/")).into_response() }),
    );
    port.serve(router);
    assert_succeeded(&run(&forced_logout::ATTACK, aimed_at(&provider, &client)).await);
}

#[tokio::test]
async fn forced_logout_succeeds_against_a_client_that_hands_any_logout_over_to_the_provider() {
    let provider = serve(approving_authorize()).await;
    let port = testkit::serve::Port::free().await;
    let client = port.url().to_owned();
    // No cookie of its own to clear, but a page that posts the logout to the
    // provider, from whatever site the request came: the provider's session
    // ends, so the user is logged out everywhere.
    let page = format!(
        r#"<form method="post" action="{}/oauth2/logout" data-autosubmit><input type="hidden" name="client_id" value="todo-app"></form>"#,
        provider.replace('/', "&#x2f;")
    );
    let router = client_login_route(&provider, &client)
        .route("/callback", get(trusting_callback))
        .route("/logout", get(move || async move { axum::response::Html(page) }));
    port.serve(router);
    assert_succeeded(&run(&forced_logout::ATTACK, aimed_at(&provider, &client)).await);
}
