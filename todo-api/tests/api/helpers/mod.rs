//! Test harness: a fake provider (`testkit::fake_provider`) and the todo API,
//! both on 127.0.0.1:0, a fresh database per test, and a token minter.

use std::collections::HashMap;
use std::sync::LazyLock;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde_json::{Map, Value, json};
use shared::Secret;
use shared::config::Env;
use testkit::db::TestDatabase;
pub use testkit::fake_provider::FakeProvider;
use testkit::keys::TestKey;
use testkit::serve::{Port, Running};
use todo_api::{App, Config, TokenValidation};

/// Access tokens minted for a test, good or broken one claim at a time.
mod tokens;
pub use tokens::*;

pub const RSA_KID: &str = "test-rsa-1";
pub const EC_KID: &str = "test-ec-1";
pub const NEW_KID: &str = "test-ec-rotated";
pub const API_CLIENT_ID: &str = "todo-api";
pub const API_CLIENT_SECRET: &str = "todo-api-test-secret";

/// The provider's signing keys for the whole test binary (RSA keygen is
/// slow, so it happens once).
pub struct TestKeys {
    pub rsa: TestKey,
    pub ec: TestKey,
    /// A key the provider publishes only later (rotation).
    pub rotated: TestKey,
    /// A key the provider never published: an attacker's.
    pub attacker: TestKey,
}

pub static KEYS: LazyLock<TestKeys> = LazyLock::new(|| TestKeys {
    rsa: TestKey::rsa(RSA_KID),
    ec: TestKey::ec(EC_KID),
    rotated: TestKey::ec(NEW_KID),
    attacker: TestKey::ec("attacker"),
});

// ---------------------------------------------------------------- the app

pub struct TestApp {
    pub address: String,
    pub config: Config,
    pub provider: FakeProvider,
    pub http: reqwest::Client,
    /// Removed when the test ends.
    _database: TestDatabase,
}

/// The API in JWT mode with a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// The API with its configuration adjusted by `adjust`.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    shared::server::init_tracing("warn");
    let provider = FakeProvider::start(vec![KEYS.rsa.jwk.clone(), KEYS.ec.jwk.clone()]).await;
    let port = Port::free().await;
    let address = port.url().to_owned();
    let mut config = Config::from_env(&Env::default()).expect("default config");
    config.addr = "127.0.0.1:0".to_owned();
    config.public_url = address.clone();
    config.audience = address.clone();
    config.issuer = provider.url.clone();
    config.provider_internal_url = provider.url.clone();
    let database = TestDatabase::fresh("todo").await;
    config.database_url = database.url.clone();
    config.client_id = API_CLIENT_ID.to_owned();
    config.client_secret = Secret::new(API_CLIENT_SECRET);
    adjust(&mut config);
    let app = App::build_on(config.clone(), port.into_listener()).await.expect("the app builds");
    Running::spawn(|stopped| async move { app.run_until_stopped(stopped).await.expect("the app runs") });
    TestApp {
        address,
        config,
        provider,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("reqwest client"),
        _database: database,
    }
}

pub async fn spawn_introspection_app() -> TestApp {
    spawn_app_with(|c| c.token_validation = TokenValidation::Introspection).await
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A token minter preloaded with a valid access token for `alice`.
    pub fn token(&self) -> TokenBuilder {
        TokenBuilder::new(&self.config.issuer, &self.config.audience)
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.http.request(method, self.url(path))
    }

    pub async fn get_todos(&self, token: &str) -> Response {
        self.http.get(self.url("/todos")).bearer_auth(token).send().await.expect("GET /todos")
    }

    pub async fn create_todo(&self, token: &str, body: &Value) -> Response {
        self.http.post(self.url("/todos")).bearer_auth(token).json(body).send().await.expect("POST /todos")
    }

    pub async fn patch_todo(&self, token: &str, id: &str, body: &Value) -> Response {
        self.http
            .patch(self.url(&format!("/todos/{id}")))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("PATCH /todos/{id}")
    }

    pub async fn delete_todo(&self, token: &str, id: &str) -> Response {
        self.http.delete(self.url(&format!("/todos/{id}"))).bearer_auth(token).send().await.expect("DELETE /todos/{id}")
    }

    /// Creates a todo and returns its JSON.
    pub async fn new_todo(&self, token: &str, title: &str) -> Value {
        let response = self.create_todo(token, &json!({ "title": title })).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.expect("todo JSON")
    }
}

// ---------------------------------------------------------------- assertions

/// The parameters of a `WWW-Authenticate: Bearer k="v", …` challenge.
pub fn challenge_params(response: &Response) -> HashMap<String, String> {
    let header = response
        .headers()
        .get("www-authenticate")
        .expect("a WWW-Authenticate header")
        .to_str()
        .expect("an ASCII header");
    let params = header.strip_prefix("Bearer ").expect("the Bearer scheme (RFC 6750 §3)");
    let mut out = HashMap::new();
    let mut rest = params;
    while let Some((name, after)) = rest.split_once("=\"") {
        let (value, after) = after.split_once('"').expect("a closing quote");
        out.insert(name.trim().to_owned(), value.to_owned());
        rest = after.trim_start_matches([',', ' ']);
    }
    out
}

/// Asserts an RFC 6750 §3 error: the status, the challenge's `error` and
/// `realm`, a description containing `mentions`, and the same in the JSON.
/// Returns the challenge parameters for further checks.
pub async fn assert_bearer_error(
    response: Response,
    status: StatusCode,
    error: &str,
    mentions: &str,
) -> HashMap<String, String> {
    assert_eq!(response.status(), status);
    let params = challenge_params(&response);
    assert_eq!(params.get("realm").map(String::as_str), Some("todo-api"));
    assert_eq!(params.get("error").map(String::as_str), Some(error), "{params:?}");
    let description = params.get("error_description").expect("an error_description").clone();
    assert!(description.contains(mentions), "{description:?} should mention {mentions:?}");
    let body: Value = response.json().await.expect("a JSON error body");
    assert_eq!(body["error"], error);
    assert_eq!(body["error_description"], description.as_str());
    params
}

/// Asserts a 401 `invalid_token` whose description contains `mentions`.
pub async fn assert_invalid_token(response: Response, mentions: &str) {
    assert_bearer_error(response, StatusCode::UNAUTHORIZED, "invalid_token", mentions).await;
}

/// Asserts a non-token error: the status, the JSON `error` and a description
/// containing `mentions`.
pub async fn assert_api_error(response: Response, status: StatusCode, error: &str, mentions: &str) {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.expect("a JSON error body");
    assert_eq!(body["error"], error, "{body}");
    let description = body["error_description"].as_str().unwrap_or_default();
    assert!(description.contains(mentions), "{description:?} should mention {mentions:?}");
}
