//! The authorization endpoint (RFC 6749 §4.1.1, §4.1.2.1; RFC 7636; OIDC).

use reqwest::StatusCode;
use shared::pkce::CodeVerifier;

use crate::helpers::*;

/// Sign-in, `prompt` and `max_age` (OIDC Core §3.1.2.1).
mod sessions;

pub(crate) fn challenge() -> String {
    CodeVerifier::generate().challenge().as_str().to_owned()
}

/// A valid todo-app request, to be broken one parameter at a time.
pub(crate) fn valid(challenge: &str) -> Vec<(&'static str, String)> {
    vec![
        ("client_id", "todo-app".into()),
        ("response_type", "code".into()),
        ("redirect_uri", TODO_APP_REDIRECT.into()),
        ("scope", "openid profile".into()),
        ("state", "af0ifjsldkj".into()),
        ("code_challenge", challenge.into()),
        ("code_challenge_method", "S256".into()),
    ]
}

pub(crate) fn with(
    params: &[(&'static str, String)],
    name: &'static str,
    value: Option<&str>,
) -> Vec<(&'static str, String)> {
    let mut out: Vec<_> = params.iter().filter(|(n, _)| *n != name).cloned().collect();
    if let Some(v) = value {
        out.push((name, v.to_owned()));
    }
    out
}

/// Sends the request with nobody signed in (or whoever already is).
pub(crate) async fn send(app: &TestApp, params: &[(&'static str, String)]) -> reqwest::Response {
    app.authorize(&borrowed(params)).await
}

/// Sends the request as `user`, who signs in and approves it.
pub(crate) async fn send_as(app: &TestApp, user: &str, params: &[(&'static str, String)]) -> reqwest::Response {
    app.authorize_as(user, &borrowed(params)).await
}

fn borrowed<'a>(params: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    params.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Asserts an error page: 400, HTML, and no redirect anywhere.
pub(crate) async fn assert_error_page(response: reqwest::Response, needle: &str) {
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get("location").is_none(), "an error page must never redirect");
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let body = response.text().await.unwrap();
    assert!(body.contains(needle), "page should mention {needle:?}: {body}");
}

/// Asserts an error redirect to the todo app and returns its description.
pub(crate) fn assert_error_redirect(app: &TestApp, response: &reqwest::Response, error: &str) -> String {
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = location(response);
    assert!(location.starts_with(TODO_APP_REDIRECT), "redirects to the registered URI: {location}");
    let params = redirect_params(response);
    assert_eq!(params["error"], error, "{params:?}");
    assert_eq!(params["state"], "af0ifjsldkj", "state is echoed");
    assert_eq!(params["iss"], app.base, "RFC 9207 iss is present");
    params["error_description"].clone()
}

/// Asserts an error redirect whose description mentions `mention`.
pub(crate) fn assert_error_redirect_mentioning(
    app: &TestApp,
    response: &reqwest::Response,
    error: &str,
    mention: &str,
) {
    let description = assert_error_redirect(app, response, error);
    assert!(description.contains(mention), "{description}");
}

#[tokio::test]
async fn unknown_client_gets_an_error_page_and_never_a_redirect() {
    let app = spawn_app().await;
    let response = send(&app, &with(&valid(&challenge()), "client_id", Some("no-such-client"))).await;
    assert_error_page(response, "no-such-client").await;
    let response = send(&app, &with(&valid(&challenge()), "client_id", None)).await;
    assert_error_page(response, "client_id").await;
}

#[tokio::test]
async fn redirect_uri_must_match_a_registered_one_character_for_character() {
    let app = spawn_app().await;
    for variant in [
        "http://localhost:3000/callback/",
        "http://LOCALHOST:3000/callback",
        "http://localhost:3000/callback?x=1",
        "http://localhost:3000/Callback",
        "https://evil.example/callback",
    ] {
        let response = send(&app, &with(&valid(&challenge()), "redirect_uri", Some(variant))).await;
        assert_error_page(response, "not a redirect URI registered").await;
    }
}

#[tokio::test]
async fn a_bad_redirect_uri_wins_over_other_errors_so_nothing_is_redirected() {
    let app = spawn_app().await;
    let params =
        with(&with(&valid(&challenge()), "redirect_uri", Some("https://evil.example/cb")), "scope", Some("admin"));
    assert_error_page(send(&app, &params).await, "not a redirect URI registered").await;
}

#[tokio::test]
async fn redirect_uri_may_be_omitted_only_when_exactly_one_is_registered() {
    let app = spawn_app().await;
    // legacy-app has one redirect URI: the request proceeds to the login.
    let response = app.authorize(&LEGACY_APP_REQUEST).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(location(&response), "/login");
    // "odd client" has two: a page.
    let response = app.authorize(&[("client_id", "odd client"), ("response_type", "code"), ("scope", "openid")]).await;
    assert_error_page(response, "several registered").await;
}

/// Once the client and its redirect URI are known, a bad parameter is sent
/// back to the client (RFC 6749 §4.1.2.1). Each case: the parameter, its
/// value (`None`: left out), the error code, and a word the description must
/// contain (`""`: any description).
#[tokio::test]
async fn a_bad_parameter_is_redirected_back_as_an_error_naming_it() {
    let app = spawn_app().await;
    let cases = [
        // The implicit flow is refused (RFC 9700 §2.1.2).
        ("response_type", Some("token"), "unsupported_response_type", "RFC 9700"),
        ("response_type", None, "invalid_request", ""),
        // Scopes are limited to the client's registration (RFC 6749 §3.3).
        ("scope", Some("openid admin"), "invalid_scope", "admin"),
        ("scope", None, "invalid_scope", ""),
        ("scope", Some("open\"id"), "invalid_scope", ""),
        // PKCE methods other than S256 are refused; SHA-256 is told the spelling.
        ("code_challenge_method", Some("SHA-256"), "invalid_request", "spells it S256"),
        ("code_challenge_method", Some("plain"), "invalid_request", "plain"),
        // An absent method means "plain" (RFC 7636 §4.3).
        ("code_challenge_method", None, "invalid_request", ""),
        // A response mode the client did not register.
        ("response_mode", Some("fragment"), "invalid_request", "not registered"),
    ];

    for (name, value, error, mention) in cases {
        let response = send(&app, &with(&valid(&challenge()), name, value)).await;

        assert_error_redirect_mentioning(&app, &response, error, mention);
    }
}

#[tokio::test]
async fn malformed_code_challenges_are_refused() {
    let app = spawn_app().await;
    for bad in ["tooshort", &"a".repeat(129), &format!("{}!", "a".repeat(43))] {
        let response = send(&app, &with(&valid(&challenge()), "code_challenge", Some(bad))).await;
        assert_error_redirect_mentioning(&app, &response, "invalid_request", "RFC 7636");
    }
}

#[tokio::test]
async fn public_client_without_pkce_is_refused_at_the_authorization_endpoint() {
    let app = spawn_app().await;
    let response = app
        .authorize(&[
            ("client_id", "todo-spa"),
            ("response_type", "code"),
            ("redirect_uri", "http://localhost:5173/callback"),
            ("scope", "openid"),
            ("state", "s"),
        ])
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let params = redirect_params(&response);
    assert_eq!(params["error"], "invalid_request");
    assert!(params["error_description"].contains("public clients must use PKCE"), "{params:?}");
}

#[tokio::test]
async fn confidential_client_that_requires_pkce_is_refused_without_it() {
    let app = spawn_app().await;
    let params = with(&with(&valid(&challenge()), "code_challenge", None), "code_challenge_method", None);
    assert_error_redirect_mentioning(&app, &send(&app, &params).await, "invalid_request", "code_challenge is required");
}

#[tokio::test]
async fn repeated_parameters_are_refused() {
    let app = spawn_app().await;
    let mut params = valid(&challenge());
    params.push(("scope", "openid".into()));
    assert_error_redirect(&app, &send(&app, &params).await, "invalid_request");
    let mut params = valid(&challenge());
    params.push(("client_id", "todo-app".into()));
    assert_error_page(send(&app, &params).await, "more than once").await;
}

#[tokio::test]
async fn code_response_carries_state_byte_for_byte_and_iss() {
    let app = spawn_app().await;
    let state = "a b+c/d?e=f&g%h\u{e9}";
    let response = send_as(&app, "demo", &with(&valid(&challenge()), "state", Some(state))).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "after the consent POST: 303");
    let params = redirect_params(&response);
    assert_eq!(params["state"], state);
    assert_eq!(params["iss"], app.base);
    assert_eq!(params["code"].len(), 43, "256-bit code");
}

#[tokio::test]
async fn fragment_response_mode_puts_the_code_in_the_fragment() {
    let app = spawn_app().await;
    let response = app
        .authorize_as(
            "demo",
            &[
                ("client_id", "todo-spa"),
                ("response_type", "code"),
                ("redirect_uri", "http://localhost:5173/callback"),
                ("scope", "openid"),
                ("state", "st"),
                ("response_mode", "fragment"),
                ("code_challenge", &challenge()),
                ("code_challenge_method", "S256"),
            ],
        )
        .await;
    let url = url::Url::parse(location(&response)).unwrap();
    assert_eq!(url.query(), None);
    let fragment: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(url.fragment().unwrap().as_bytes()).into_owned().collect();
    assert!(fragment.contains_key("code"));
    assert_eq!(fragment["state"], "st");
    assert_eq!(fragment["iss"], app.base);
}

#[tokio::test]
async fn form_post_response_mode_renders_an_auto_submitting_form() {
    let app = spawn_app().await;
    let response = send_as(&app, "demo", &with(&valid(&challenge()), "response_mode", Some("form_post"))).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get("location").is_none());
    let page = unescape(&response.text().await.unwrap());
    assert!(page.contains(&format!("action=\"{TODO_APP_REDIRECT}\"")), "{page}");
    assert!(page.contains("document.forms[0].submit()"));
    assert_eq!(hidden_input(&page, "state"), "af0ifjsldkj");
    assert_eq!(hidden_input(&page, "code").len(), 43);
    assert_eq!(hidden_input(&page, "iss"), app.base);
}

#[tokio::test]
async fn a_scope_of_only_spaces_is_no_scope_and_gets_no_code_without_consent() {
    let app = spawn_app().await;
    app.login("demo", "demo").await;
    for blank in [" ", "   "] {
        let response = send(&app, &with(&valid(&challenge()), "scope", Some(blank))).await;
        assert_error_redirect_mentioning(&app, &response, "invalid_scope", "RFC 6749 §3.3");
    }
}

#[tokio::test]
async fn the_authorization_endpoint_accepts_a_form_post_with_the_same_rules() {
    let app = spawn_app().await;
    let post = |params: Vec<(&'static str, String)>| app.http.post(app.url("/oauth2/authorize")).form(&params).send();
    // Not signed in: the login page, with 303 for a POST.
    let response = post(valid(&challenge())).await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login");
    let login = app.login("demo", "demo").await;
    let page = app.follow(&login).await.text().await.unwrap();
    let approved = app.decide(&page, "approve").await;
    assert!(redirect_params(&approved).contains_key("code"));
    // Signed in and consented: the code, redirected with 303.
    let response = post(valid(&challenge())).await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(redirect_params(&response).contains_key("code"));
    // The same validation: errors redirect, unknown clients get a page.
    let response = post(with(&valid(&challenge()), "response_type", Some("token"))).await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(redirect_params(&response)["error"], "unsupported_response_type");
    let response = post(with(&valid(&challenge()), "client_id", Some("nobody"))).await.unwrap();
    assert_error_page(response, "nobody").await;
    // A POST that is not a form is refused on a page.
    let response = app.http.post(app.url("/oauth2/authorize")).json(&serde_json::json!({})).send().await.unwrap();
    assert_error_page(response, "x-www-form-urlencoded").await;
}

#[tokio::test]
async fn request_objects_are_refused_as_not_supported_and_discovery_says_so() {
    let app = spawn_app().await;
    let response = send(&app, &with(&valid(&challenge()), "request", Some("eyJhbGciOiJub25lIn0.e30."))).await;
    assert_error_redirect_mentioning(&app, &response, "request_not_supported", "OIDC Core §6.1");
    let response = send(&app, &with(&valid(&challenge()), "request_uri", Some("https://rp.example/req.jwt"))).await;
    assert_error_redirect(&app, &response, "request_uri_not_supported");
    // With an unknown client: a page, never a redirect.
    let params = with(&with(&valid(&challenge()), "request", Some("x")), "client_id", Some("nobody"));
    assert_error_page(send(&app, &params).await, "nobody").await;

    let discovery: serde_json::Value = app.get("/.well-known/openid-configuration").await.json().await.unwrap();
    assert_eq!(discovery["request_parameter_supported"], false);
    assert_eq!(discovery["request_uri_parameter_supported"], false);
}
