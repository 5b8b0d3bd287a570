//! Small helpers the tests share: token internals and provider requests.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use e2e::browser::{Browser, location, location_params};
use reqwest::StatusCode;
use serde_json::Value;
use testkit::http::basic;

/// The payload of a JWT, decoded without checking anything (test eyes only).
pub fn jwt_claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT has three parts");
    let bytes = URL_SAFE_NO_PAD.decode(payload).expect("the payload is base64url");
    serde_json::from_slice(&bytes).expect("the payload is JSON")
}

/// Waits until the JWT `token` has expired by the clock of the services
/// (which share this machine's clock): `exp` is in whole seconds.
pub async fn wait_until_expired(token: &str) {
    let exp = jwt_claims(token)["exp"].as_i64().expect("exp is a number");
    while shared::now_unix() <= exp {
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

/// RFC 7662 introspection by the todo API's own client.
pub async fn introspect(provider_url: &str, token: &str) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{provider_url}/oauth2/introspect"))
        .header("Authorization", basic("todo-api", "todo-api-secret"))
        .form(&[("token", token)])
        .send()
        .await
        .expect("the provider answers");
    assert_eq!(response.status(), StatusCode::OK, "introspection answers 200");
    response.json().await.expect("introspection answers JSON")
}

/// The front channel at the provider for any registered client: the
/// authorization request, the login as `username` and the approval.
/// Returns the redirect back to the client (its `Location` carries the code).
pub async fn authorize_at_provider(browser: &Browser, username: &str, params: &[(&str, &str)]) -> reqwest::Response {
    let mut url = url::Url::parse(&format!("{}/oauth2/authorize", browser.provider_url)).expect("a URL");
    url.query_pairs_mut().extend_pairs(params);
    let to_login = browser.get(url.as_str()).await;
    assert_eq!(to_login.status(), StatusCode::FOUND, "the provider asks the user to sign in");
    assert_eq!(location(&to_login), format!("{}/login", browser.provider_url));
    browser.sign_in_and_approve(&to_login, username).await
}

/// The `code` of an authorization response redirect.
pub fn code_of(redirect: &reqwest::Response) -> String {
    let params = location_params(redirect);
    params.get("code").cloned().unwrap_or_else(|| panic!("no code in {params:?}"))
}

/// The `WWW-Authenticate` header of a response, or "".
pub fn www_authenticate(response: &reqwest::Response) -> String {
    response.headers().get("www-authenticate").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// A todo's `id` as it goes into a URL path.
pub fn todo_id(todo: &Value) -> String {
    match &todo["id"] {
        Value::String(id) => id.clone(),
        other => other.to_string(),
    }
}

/// The provider's JWK Set (RFC 7517 §5), as it publishes it now.
pub async fn published_jwks(provider_url: &str) -> Value {
    let answer = reqwest::get(format!("{provider_url}/.well-known/jwks.json")).await.expect("the JWKS answers");
    answer.json().await.expect("a JSON JWKS")
}
