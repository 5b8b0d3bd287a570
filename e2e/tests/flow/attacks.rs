//! Attacks that cross service boundaries; each one must fail safely.

use e2e::browser::{location, location_params, set_cookie};
use e2e::{Browser, Options, System};
use reqwest::StatusCode;
use serde_json::{Value, json};
use testkit::http::basic;

use crate::support::{todo_id, wait_until_expired, www_authenticate};

#[tokio::test]
async fn a_replayed_authorization_code_is_refused_by_the_client_and_by_the_provider() {
    let system = System::start(Options::default()).await.expect("the system starts");
    let browser = Browser::new(&system);
    let to_client = browser.approve_as("demo").await;
    assert_eq!(browser.callback(&to_client).await.status(), StatusCode::SEE_OTHER, "the first use logs in");

    // The same callback URL again (a leaked history entry): the state was single-use.
    let replayed = browser.callback(&to_client).await;
    assert_eq!(replayed.status(), StatusCode::BAD_REQUEST);
    assert!(set_cookie(&replayed, "access_token").is_none(), "no cookies for a replay");

    // The code itself, taken to the token endpoint with the client's own secret.
    let code = location_params(&to_client)["code"].clone();
    let response = reqwest::Client::new()
        .post(system.provider.url("/oauth2/token"))
        .header("Authorization", basic("todo-app", "todo-app-secret"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", system.client.url("/callback").as_str()),
        ])
        .send()
        .await
        .expect("the provider answers");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let error: Value = response.json().await.expect("JSON");
    assert_eq!(error["error"], "invalid_grant");

    // RFC 6749 §4.1.2: the tokens issued from that code are revoked too.
    let refreshed = browser.refresh().await;
    assert_eq!(refreshed.status(), StatusCode::UNAUTHORIZED, "the refresh token died with the replayed code");
}

#[tokio::test]
async fn a_callback_whose_state_does_not_match_sets_no_cookies() {
    let system = System::start(Options::default()).await.expect("the system starts");
    let browser = Browser::new(&system);
    let to_client = browser.approve_as("demo").await;

    // An attacker's callback: the right code, a state this browser never sent.
    let mut forged = url::Url::parse(&location(&to_client)).expect("a URL");
    let params: Vec<(String, String)> = forged
        .query_pairs()
        .into_owned()
        .map(|(name, value)| if name == "state" { (name, "forged-state".to_owned()) } else { (name, value) })
        .collect();
    forged.query_pairs_mut().clear().extend_pairs(params);
    let callback = browser.get(forged.as_str()).await;
    assert_eq!(callback.status(), StatusCode::BAD_REQUEST);
    assert!(callback.headers().get("location").is_none(), "an error page, no redirect");
    assert!(set_cookie(&callback, "access_token").is_none());
    assert_eq!(browser.cookie(&system.todo_api.url("/"), "access_token"), None);
    let page = callback.text().await.expect("an error page");
    assert!(page.contains("state"), "the page names the failed check");
}

#[tokio::test]
async fn one_users_token_cannot_reach_another_users_todo() {
    let system = System::start(Options::default()).await.expect("the system starts");
    let alice = Browser::new(&system);
    alice.log_in_as("alice").await;
    let todo: Value = alice.create_todo("Alice's secret plan").await.json().await.expect("the todo");
    let id = &todo_id(&todo);

    let demo = Browser::new(&system);
    demo.log_in_as("demo").await;
    let listed: Vec<Value> = demo.list_todos().await.json().await.expect("a list");
    assert!(listed.is_empty(), "demo sees only their own todos");
    let patched = demo.update_todo(id, &json!({ "done": true })).await;
    assert_eq!(patched.status(), StatusCode::NOT_FOUND, "another user's todo does not exist for you");
    assert_eq!(demo.delete_todo(id).await.status(), StatusCode::NOT_FOUND);

    let still_there: Vec<Value> = alice.list_todos().await.json().await.expect("a list");
    assert_eq!(still_there.len(), 1);
    assert_eq!(still_there[0]["done"], false);
}

#[tokio::test]
async fn a_token_minted_for_another_audience_is_refused_naming_the_audience() {
    let system = System::start(Options::default().provider("TODO_API_AUDIENCE", "https://other-api.example"))
        .await
        .expect("the system starts");
    let browser = Browser::logged_in_as(&system, "demo").await;

    let listed = browser.list_todos().await;
    assert_eq!(listed.status(), StatusCode::UNAUTHORIZED);
    let challenge = www_authenticate(&listed);
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    assert!(challenge.contains(r#"error="invalid_token""#), "{challenge}");
    assert!(challenge.contains("https://other-api.example"), "names the token's audience: {challenge}");
    assert!(challenge.contains(&system.todo_api.public_url), "names the expected audience: {challenge}");
}

#[tokio::test]
async fn an_expired_access_token_is_refused_until_the_page_refreshes_it() {
    let options =
        Options::default().provider("PROVIDER_ACCESS_TOKEN_TTL_SECONDS", "2").todo_api("TODO_API_LEEWAY_SECONDS", "0");
    let system = System::start(options).await.expect("the system starts");
    let browser = Browser::logged_in_as(&system, "demo").await;
    let access_token = browser.cookie(&system.todo_api.url("/"), "access_token").expect("a cookie");

    wait_until_expired(&access_token).await;
    let refused = reqwest::Client::new()
        .get(system.todo_api.url("/todos"))
        .bearer_auth(&access_token)
        .send()
        .await
        .expect("the API answers");
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let challenge = www_authenticate(&refused);
    assert!(challenge.contains(r#"error="invalid_token""#) && challenge.contains("expired"), "{challenge}");

    // What the page script does on a 401: POST /refreshtoken, then retry.
    assert_eq!(browser.refresh().await.status(), StatusCode::OK);
    let retried = browser.list_todos().await;
    assert_eq!(retried.status(), StatusCode::OK, "the refreshed cookie is accepted");
}

#[tokio::test]
async fn a_reused_refresh_token_revokes_the_family_and_introspection_refuses_at_once() {
    let options = Options::default().todo_api("TODO_API_TOKEN_VALIDATION", "introspection");
    let system = System::start(options).await.expect("the system starts");
    let browser = Browser::logged_in_as(&system, "demo").await;
    let stolen = browser.cookie(&system.client.url("/refreshtoken"), "refresh_token").expect("a refresh cookie");

    // The user's page refreshes: the stolen token is now a rotated one.
    assert_eq!(browser.refresh().await.status(), StatusCode::OK);
    assert_eq!(browser.list_todos().await.status(), StatusCode::OK);

    // Through the client's endpoint the stolen cookie gets nowhere: it is not
    // the refresh token of any session the client holds.
    let replay = reqwest::Client::new()
        .post(system.client.url("/refreshtoken"))
        .header("Origin", &system.client.public_url)
        .header("Cookie", format!("refresh_token={stolen}"))
        .send()
        .await
        .expect("the client answers");
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(replay.json::<Value>().await.expect("JSON")["error"], "invalid_grant");
    assert_eq!(browser.list_todos().await.status(), StatusCode::OK, "the client did not forward the replay");

    // A thief who also holds the client's credentials (the demo's are in
    // provider/clients.toml) presents the rotated token to the provider.
    let replay = reqwest::Client::new()
        .post(system.provider.url("/oauth2/token"))
        .header("Authorization", basic("todo-app", "todo-app-secret"))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", stolen.as_str())])
        .send()
        .await
        .expect("the provider answers");
    assert_eq!(replay.status(), StatusCode::BAD_REQUEST);
    assert_eq!(replay.json::<Value>().await.expect("JSON")["error"], "invalid_grant");

    // RFC 9700 §4.14.2: the whole family is revoked. The API asks the
    // provider about every token, so the user's current access token fails now.
    let refused = browser.list_todos().await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(www_authenticate(&refused).contains("not active"), "{}", www_authenticate(&refused));
    let refreshed = browser.refresh().await;
    assert_eq!(refreshed.status(), StatusCode::UNAUTHORIZED, "the current refresh token died too");
    assert!(set_cookie(&refreshed, "refresh_token").is_some_and(|c| c.contains("Max-Age=0")), "cookies cleared");
}
