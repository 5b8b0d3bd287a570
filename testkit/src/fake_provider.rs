//! A stand-in for the authorization server, for the suites of the services
//! that talk to one: metadata (RFC 8414 §3), the JWKS (RFC 7517 §5), the
//! token endpoint (RFC 6749 §3.2) with a scripted answer, revocation (RFC
//! 7009 §2) and introspection (RFC 7662 §2). It records every request it
//! receives, so a test can assert what the service under test sent.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use jsonwebtoken::jwk::{Jwk, JwkSet};
use serde_json::{Value, json};

use crate::serve::{Port, Running};

/// One form request the fake provider received.
#[derive(Clone, Debug)]
pub struct Received {
    pub authorization: Option<String>,
    pub form: HashMap<String, String>,
}

impl Received {
    fn new(headers: &HeaderMap, form: HashMap<String, String>) -> Self {
        let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        Received { authorization, form }
    }

    /// The `client_id` and `client_secret` of a `Basic` header, decoded as
    /// RFC 6749 §2.3.1 says.
    pub fn basic_credentials(&self) -> Option<(String, String)> {
        shared::basic_credentials::decode(self.authorization.as_deref()?).ok()
    }
}

/// What the fake provider answers, and what it was asked.
pub struct Script {
    /// The metadata document at `/.well-known/openid-configuration`.
    pub metadata: Mutex<Value>,
    pub jwks: Mutex<JwkSet>,
    pub jwks_hits: AtomicUsize,
    /// The next token endpoint answer: status and JSON body.
    pub token_reply: Mutex<(u16, Value)>,
    pub token_requests: Mutex<Vec<Received>>,
    pub revocations: Mutex<Vec<Received>>,
    /// token → introspection answer; an unknown token is `{"active": false}`.
    pub introspection: Mutex<HashMap<String, Value>>,
    pub introspections: Mutex<Vec<Received>>,
}

/// The fake provider, serving on a free loopback port.
pub struct FakeProvider {
    /// Its issuer and base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    pub script: Arc<Script>,
    server: Running,
}

impl FakeProvider {
    /// Starts a provider that publishes `keys`, whose metadata names its own
    /// endpoints, and whose token endpoint answers 500 until a test scripts
    /// a reply.
    pub async fn start(keys: Vec<Jwk>) -> FakeProvider {
        let port = Port::free().await;
        let url = port.url().to_owned();
        let script = Arc::new(Script {
            metadata: Mutex::new(json!({
                "issuer": url,
                "authorization_endpoint": format!("{url}/oauth2/authorize"),
                "token_endpoint": format!("{url}/oauth2/token"),
                "jwks_uri": format!("{url}/.well-known/jwks.json"),
                "authorization_response_iss_parameter_supported": true,
            })),
            jwks: Mutex::new(JwkSet { keys }),
            jwks_hits: AtomicUsize::new(0),
            token_reply: Mutex::new((
                500,
                json!({"error": "server_error", "error_description": "the test set no reply"}),
            )),
            token_requests: Mutex::new(Vec::new()),
            revocations: Mutex::new(Vec::new()),
            introspection: Mutex::new(HashMap::new()),
            introspections: Mutex::new(Vec::new()),
        });
        let server = port.serve(router(script.clone()));
        FakeProvider { url, script, server }
    }

    /// How many times the JWKS was fetched.
    pub fn jwks_hits(&self) -> usize {
        self.script.jwks_hits.load(Ordering::SeqCst)
    }

    /// Adds a key to the published set (key rotation).
    pub fn publish(&self, jwk: Jwk) {
        self.script.jwks.lock().unwrap().keys.push(jwk);
    }

    /// Sets the introspection answer for `token`.
    pub fn set_introspection(&self, token: &str, answer: Value) {
        self.script.introspection.lock().unwrap().insert(token.to_owned(), answer);
    }

    /// Sets the token endpoint's next answer.
    pub fn reply_to_token_requests(&self, status: u16, body: Value) {
        *self.script.token_reply.lock().unwrap() = (status, body);
    }

    pub fn token_requests(&self) -> Vec<Received> {
        self.script.token_requests.lock().unwrap().clone()
    }

    pub fn revocations(&self) -> Vec<Received> {
        self.script.revocations.lock().unwrap().clone()
    }

    pub fn introspections(&self) -> Vec<Received> {
        self.script.introspections.lock().unwrap().clone()
    }

    /// Stops the server: its port refuses connections from now on.
    pub async fn stop(&mut self) {
        self.server.stop().await;
    }
}

fn router(script: Arc<Script>) -> Router {
    type Shared = State<Arc<Script>>;
    async fn metadata(State(script): Shared) -> Json<Value> {
        Json(script.metadata.lock().unwrap().clone())
    }
    async fn jwks(State(script): Shared) -> Json<JwkSet> {
        script.jwks_hits.fetch_add(1, Ordering::SeqCst);
        Json(script.jwks.lock().unwrap().clone())
    }
    async fn token(
        State(script): Shared,
        headers: HeaderMap,
        Form(form): Form<HashMap<String, String>>,
    ) -> impl IntoResponse {
        script.token_requests.lock().unwrap().push(Received::new(&headers, form));
        let (status, body) = script.token_reply.lock().unwrap().clone();
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        // RFC 6749 §5.1: token responses are never cached.
        (status, [(header::CACHE_CONTROL, "no-store"), (header::PRAGMA, "no-cache")], Json(body))
    }
    async fn revoke(
        State(script): Shared,
        headers: HeaderMap,
        Form(form): Form<HashMap<String, String>>,
    ) -> StatusCode {
        script.revocations.lock().unwrap().push(Received::new(&headers, form));
        StatusCode::OK
    }
    async fn introspect(
        State(script): Shared,
        headers: HeaderMap,
        Form(form): Form<HashMap<String, String>>,
    ) -> Json<Value> {
        let token = form.get("token").cloned().unwrap_or_default();
        script.introspections.lock().unwrap().push(Received::new(&headers, form));
        let answer = script.introspection.lock().unwrap().get(&token).cloned();
        Json(answer.unwrap_or_else(|| json!({"active": false})))
    }
    Router::new()
        .route("/.well-known/openid-configuration", get(metadata))
        .route("/.well-known/jwks.json", get(jwks))
        .route("/oauth2/token", post(token))
        .route("/oauth2/revoke", post(revoke))
        .route("/oauth2/introspect", post(introspect))
        .with_state(script)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn json_of(request: reqwest::RequestBuilder) -> Value {
        request.send().await.unwrap().json().await.unwrap()
    }

    #[tokio::test]
    async fn it_answers_as_scripted_and_records_what_it_was_sent() {
        let provider = FakeProvider::start(Vec::new()).await;
        provider.reply_to_token_requests(200, json!({"access_token": "a", "token_type": "Bearer"}));
        let http = reqwest::Client::new();
        let token_request = http
            .post(format!("{}/oauth2/token", provider.url))
            .header(reqwest::header::AUTHORIZATION, crate::http::basic("app", "s3cret"))
            .form(&[("grant_type", "client_credentials")]);
        let answer = json_of(token_request).await;
        assert_eq!(answer["access_token"], "a");
        let sent = provider.token_requests();
        assert_eq!(sent[0].form["grant_type"], "client_credentials");
        assert_eq!(sent[0].basic_credentials(), Some(("app".to_owned(), "s3cret".to_owned())));
        let metadata = json_of(http.get(format!("{}/.well-known/openid-configuration", provider.url))).await;
        assert_eq!(metadata["issuer"], provider.url.as_str());
    }
}
