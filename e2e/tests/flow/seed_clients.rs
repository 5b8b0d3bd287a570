//! The other client styles of the seed, straight against the provider, with
//! their tokens taken to the todo API.

use e2e::{Browser, Options, System};
use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::pkce::CodeVerifier;

use crate::support::{authorize_at_provider, code_of, jwt_claims};

const LEGACY_REDIRECT: &str = "http://localhost:3001/callback";
const SPA_REDIRECT: &str = "http://localhost:5173/callback";

/// `POST /todos` at the todo API with a bearer token.
async fn create_todo(http: &reqwest::Client, system: &System, access_token: &str, title: &str) -> reqwest::Response {
    let todo = json!({ "title": title });
    http.post(system.todo_api.url("/todos")).bearer_auth(access_token).json(&todo).send().await.expect("answers")
}

/// Asserts an RFC 6749 §5.1 success and returns its body.
async fn token_response(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["token_type"], "Bearer");
    body
}

#[tokio::test]
async fn a_legacy_client_posts_its_secret_in_a_json_body_without_pkce() {
    let system = System::start(Options::default()).await.expect("the system starts");
    let browser = Browser::new(&system);
    let back = authorize_at_provider(
        &browser,
        "demo",
        &[
            ("client_id", "legacy-app"),
            ("response_type", "code"),
            ("redirect_uri", LEGACY_REDIRECT),
            ("scope", "openid todos:read"),
            ("state", "legacy-state"),
        ],
    )
    .await;
    let code = code_of(&back);

    let response = reqwest::Client::new()
        .post(system.provider.url("/oauth2/token"))
        .json(&json!({
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": LEGACY_REDIRECT,
            "client_id": "legacy-app",
            "client_secret": "legacy-app-secret",
        }))
        .send()
        .await
        .expect("the provider answers");
    let tokens = token_response(response).await;
    let access_token = tokens["access_token"].as_str().expect("an access token");
    assert_eq!(jwt_claims(access_token)["client_id"], "legacy-app");

    // todos:read lets it list, not write.
    let api = reqwest::Client::new();
    let listed = api.get(system.todo_api.url("/todos")).bearer_auth(access_token).send().await.expect("answers");
    assert_eq!(listed.status(), StatusCode::OK);
    let created = create_todo(&api, &system, access_token, "not allowed").await;
    assert_eq!(created.status(), StatusCode::FORBIDDEN);
    assert!(crate::support::www_authenticate(&created).contains(r#"error="insufficient_scope""#));
}

#[tokio::test]
async fn a_public_spa_uses_pkce_without_a_secret_and_refreshes_with_a_json_body() {
    let system = System::start(Options::default()).await.expect("the system starts");
    let browser = Browser::new(&system);
    let verifier = CodeVerifier::generate();
    let challenge = verifier.challenge();
    let back = authorize_at_provider(
        &browser,
        "alice",
        &[
            ("client_id", "todo-spa"),
            ("response_type", "code"),
            ("redirect_uri", SPA_REDIRECT),
            ("scope", "openid offline_access todos:read todos:write"),
            ("state", "spa-state"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    let code = code_of(&back);

    // No secret: the client is public, and the verifier proves it started the flow.
    let http = reqwest::Client::new();
    let response = http
        .post(system.provider.url("/oauth2/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", SPA_REDIRECT),
            ("client_id", "todo-spa"),
            ("code_verifier", verifier.expose()),
        ])
        .send()
        .await
        .expect("the provider answers");
    let tokens = token_response(response).await;
    let refresh_token = tokens["refresh_token"].as_str().expect("offline_access gives a refresh token");

    // The refresh grant, in a JSON body (which the provider accepts beside the form).
    let response = http
        .post(system.provider.url("/oauth2/token"))
        .json(&json!({ "grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": "todo-spa" }))
        .send()
        .await
        .expect("the provider answers");
    let refreshed = token_response(response).await;
    assert_ne!(refreshed["refresh_token"], tokens["refresh_token"], "the refresh token rotates");
    let access_token = refreshed["access_token"].as_str().expect("an access token");
    assert_eq!(jwt_claims(access_token)["client_id"], "todo-spa");

    let created = create_todo(&http, &system, access_token, "Ship the SPA").await;
    assert_eq!(created.status(), StatusCode::CREATED);

    // The ID token is for the client, not for the API (RFC 9068 §4).
    let id_token = refreshed["id_token"].as_str().or(tokens["id_token"].as_str()).expect("openid gives an ID token");
    let refused = http.get(system.todo_api.url("/todos")).bearer_auth(id_token).send().await.expect("the API answers");
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let challenge = crate::support::www_authenticate(&refused);
    assert!(challenge.contains(r#"error="invalid_token""#) && challenge.contains("at+jwt"), "{challenge}");
}

#[tokio::test]
async fn every_signing_algorithm_carries_a_login_through_to_the_api() {
    for alg in ["ES256", "EdDSA"] {
        let system =
            System::start(Options::default().provider("PROVIDER_SIGNING_ALG", alg)).await.expect("the system starts");
        let browser = Browser::logged_in_as(&system, "demo").await;
        let listed = browser.list_todos().await;
        assert_eq!(listed.status(), StatusCode::OK, "{alg}: the API accepts the token");
        system.stop().await;
    }
}
