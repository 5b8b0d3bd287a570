//! Serving a stand-in, and pointing the lab at it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use lab::attack::{Attack, Report};
use lab::forge::AttackerKey;
use lab::{Config, Verdict};

/// Serves `router` on 127.0.0.1 (port chosen by the OS); returns its URL.
pub async fn serve(router: Router) -> String {
    let port = testkit::serve::Port::free().await;
    let url = port.url().to_owned();
    port.serve(router);
    url
}

/// The lab aimed at a stand-in provider and API at `system`, and a client
/// app at `client` (another origin, so the provider's redirects to it are
/// recognised as leaving the provider).
pub fn aimed_at(system: &str, client: &str) -> Config {
    Config { client_public_url: client.to_owned(), ..Config::all_at(system) }
}

/// Runs `attack` against `config` with a fresh attacker key.
pub async fn run(attack: &Attack, config: Config) -> Report {
    run_with_key(attack, config, Arc::new(AttackerKey::generate().expect("a key"))).await
}

pub async fn run_with_key(attack: &Attack, config: Config, key: Arc<AttackerKey>) -> Report {
    attack.report(Arc::new(config), key).await
}

/// Asserts the attack succeeded, showing its report otherwise.
pub fn assert_succeeded(report: &Report) {
    assert_eq!(
        report.verdict,
        Verdict::Succeeded.as_str(),
        "{}: {}\n{:#?}",
        report.id,
        report.because,
        report.transcript
    );
}

pub fn assert_blocked(report: &Report) {
    assert_eq!(
        report.verdict,
        Verdict::Blocked.as_str(),
        "{}: {}\n{:#?}",
        report.id,
        report.because,
        report.transcript
    );
}

/// A provider that approves every authorization request at once, sending
/// the browser to whatever `redirect_uri` it names with a fresh code.
pub fn approving_authorize() -> Router {
    Router::new().route("/oauth2/authorize", get(approve))
}

async fn approve(Query(params): Query<HashMap<String, String>>) -> Response {
    let redirect_uri = params.get("redirect_uri").cloned().unwrap_or_default();
    let mut url = match url::Url::parse(&redirect_uri) {
        Ok(url) => url,
        Err(_) => return (axum::http::StatusCode::BAD_REQUEST, "bad redirect_uri").into_response(),
    };
    url.query_pairs_mut()
        .append_pair("code", &shared::random::random_token())
        .append_pair("state", params.get("state").map(String::as_str).unwrap_or_default());
    Redirect::to(url.as_str()).into_response()
}

/// The HMAC key of the stand-in provider's access tokens.
pub const STAND_IN_SECRET: &[u8] = b"stand-in provider key";

/// A token endpoint that issues tokens for every request, checking nothing:
/// no PKCE, no single use, no rotation. Its access tokens are HS256 JWTs
/// for the configured audience (or the client, for scopes without todos).
pub fn issuing_token_endpoint(issuer: &str) -> Router {
    let issuer = issuer.to_owned();
    Router::new().route(
        "/oauth2/token",
        post(move |axum::Form(form): axum::Form<HashMap<String, String>>| {
            let issuer = issuer.clone();
            async move { axum::Json(token_response(&issuer, &form)) }
        }),
    )
}

pub fn token_response(issuer: &str, form: &HashMap<String, String>) -> serde_json::Value {
    let now = shared::now_unix();
    let scope = form.get("scope").cloned().unwrap_or_else(|| "openid todos:read".into());
    let claims = serde_json::json!({
        "iss": issuer, "sub": "demo-user", "aud": issuer, "exp": now + 300, "iat": now, "nbf": now,
        "client_id": "todo-app", "scope": scope,
    });
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(STAND_IN_SECRET),
    )
    .expect("HS256 signs");
    serde_json::json!({
        "access_token": token, "token_type": "Bearer", "expires_in": 300,
        "refresh_token": shared::random::random_token(),
    })
}

/// A client app whose `/login` sends the browser to `provider`, with a state.
pub fn client_login_route(provider: &str, client_url: &str) -> Router {
    let (provider, callback) = (provider.to_owned(), format!("{client_url}/callback"));
    Router::new().route(
        "/login",
        get(move || async move {
            let mut url = url::Url::parse(&format!("{provider}/oauth2/authorize")).expect("a URL");
            url.query_pairs_mut()
                .append_pair("client_id", "todo-app")
                .append_pair("redirect_uri", &callback)
                .append_pair("state", &shared::random::random_token());
            Redirect::to(url.as_str())
        }),
    )
}
