//! The consent page and the user's decision.

use reqwest::StatusCode;
use shared::pkce::CodeVerifier;

use crate::helpers::*;

fn request(scope: &str, challenge: &str) -> Vec<(&'static str, String)> {
    vec![
        ("client_id", "todo-app".into()),
        ("response_type", "code".into()),
        ("redirect_uri", TODO_APP_REDIRECT.into()),
        ("scope", scope.into()),
        ("state", "st".into()),
        ("code_challenge", challenge.into()),
        ("code_challenge_method", "S256".into()),
    ]
}

async fn consent_page(app: &TestApp, scope: &str) -> reqwest::Response {
    let challenge = CodeVerifier::generate().challenge();
    let params = request(scope, challenge.as_str());
    let borrowed: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let first = app.authorize(&borrowed).await;
    if first.status() == StatusCode::FOUND && location(&first) == "/login" {
        let login = app.login("demo", "demo").await;
        return app.follow(&login).await;
    }
    first
}

#[tokio::test]
async fn consent_page_names_the_client_and_each_scope_in_plain_words() {
    let app = spawn_app().await;
    let response = consent_page(&app, "openid email todos:write offline_access").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_cannot_be_framed(response.headers());
    let page = unescape(&response.text().await.unwrap());
    assert!(page.contains("Todo App wants to access your account"), "{page}");
    assert!(page.contains("See your email address"));
    assert!(page.contains("Add, change and delete your todos"));
    assert!(page.contains("up to 30 days"), "refresh lifetime is shown");
    assert!(page.contains("name=\"decision\" value=\"approve\""));
    assert!(page.contains("name=\"decision\" value=\"deny\""));
}

#[tokio::test]
async fn denying_consent_redirects_access_denied_with_state_and_iss() {
    let app = spawn_app().await;
    let page = consent_page(&app, "openid").await.text().await.unwrap();
    let response = app.decide(&page, "deny").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let params = redirect_params(&response);
    assert_eq!(params["error"], "access_denied");
    assert_eq!(params["state"], "st");
    assert_eq!(params["iss"], app.base);
    assert!(!params.contains_key("code"));
}

#[tokio::test]
async fn consent_is_remembered_and_asked_again_only_for_new_scopes() {
    let app = spawn_app().await;
    let page = consent_page(&app, "openid profile").await.text().await.unwrap();
    let approved = app.decide(&page, "approve").await;
    assert!(redirect_params(&approved).contains_key("code"));

    // Same scopes (or fewer): straight to the client.
    let again = consent_page(&app, "openid").await;
    assert_eq!(again.status(), StatusCode::FOUND);
    assert!(redirect_params(&again).contains_key("code"));

    // A new scope: the page again, listing the request.
    let wider = consent_page(&app, "openid todos:read").await;
    assert_eq!(wider.status(), StatusCode::OK);
    assert!(wider.text().await.unwrap().contains("Read your todo list"));
}

#[tokio::test]
async fn a_consent_form_can_only_be_answered_once() {
    let app = spawn_app().await;
    let page = consent_page(&app, "openid").await.text().await.unwrap();
    assert_eq!(app.decide(&page, "approve").await.status(), StatusCode::SEE_OTHER);
    let replay = app.decide(&page, "approve").await;
    assert_eq!(replay.status(), StatusCode::BAD_REQUEST);
    assert!(replay.headers().get("location").is_none());
}

#[tokio::test]
async fn consent_post_without_the_csrf_token_fails_without_redirecting() {
    let app = spawn_app().await;
    let page = consent_page(&app, "openid").await.text().await.unwrap();
    let request_id = hidden_input(&page, "request_id");
    let response = app.post_form("/consent", &[("request_id", request_id.as_str()), ("decision", "approve")]).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get("location").is_none());
    assert!(response.text().await.unwrap().contains("anti-forgery"));
}

#[tokio::test]
async fn first_party_clients_skip_consent_unless_prompt_consent() {
    let app = spawn_app().await;
    let challenge = CodeVerifier::generate().challenge();
    let params = [
        ("client_id", "first-party-app"),
        ("response_type", "code"),
        ("redirect_uri", "https://first.example/cb"),
        ("scope", "openid profile"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let first = app.authorize(&params).await;
    assert_eq!(location(&first), "/login");
    let login = app.login("demo", "demo").await;
    let response = app.follow(&login).await;
    assert_eq!(response.status(), StatusCode::FOUND, "no consent page for a first-party client");
    assert!(location(&response).starts_with("https://first.example/cb?code="));

    let mut with_prompt = params.to_vec();
    with_prompt.push(("prompt", "consent"));
    let response = app.authorize(&with_prompt).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("name=\"decision\""));
}
