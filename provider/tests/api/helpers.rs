//! Test harness: a provider on 127.0.0.1:0 with a fresh database, and a
//! browser-like HTTP client (cookie store, no automatic redirects, so every
//! hop is asserted).

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine;
use provider::{App, Config};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;
use shared::config::Env;
use shared::pkce::CodeVerifier;
use testkit::db::TestDatabase;
pub use testkit::db::count;
pub use testkit::http::{basic, browser, location};
use testkit::serve::{Port, Running};

/// Test-only clients, appended to the shipped clients file.
pub const TEST_CLIENTS: &str = r#"
[[client]]
id = "first-party-app"
secret = "first-party-secret"
name = "First Party App"
redirect_uris = ["https://first.example/cb"]
first_party = true
grant_types = ["authorization_code", "refresh_token"]
auth_methods = ["client_secret_basic"]
scopes = ["openid", "profile", "offline_access", "todos:read"]

[[client]]
id = "odd client"
secret = "p@ss:w+rd/%"
name = "Client With Odd Credentials"
redirect_uris = ["https://odd.example/cb", "https://odd.example/other"]
grant_types = ["authorization_code", "client_credentials"]
auth_methods = ["client_secret_basic"]
scopes = ["openid", "todos:read"]
"#;

pub const TODO_APP_REDIRECT: &str = "http://localhost:3000/callback";
pub const TODO_APP_SECRET: &str = "todo-app-secret";
pub const ALL_SCOPES: &str = "openid profile email offline_access todos:read todos:write";
pub const AUDIENCE: &str = "http://todo-api.test";
/// An authorization request of legacy-app, which is registered with
/// `require_pkce = false` and one redirect URI: no challenge, no URI.
pub const LEGACY_APP_REQUEST: [(&str, &str); 4] =
    [("client_id", "legacy-app"), ("response_type", "code"), ("scope", "openid"), ("state", "x")];

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub database_url: String,
    /// The database, shared with a restarted provider (`spawn_on`) and
    /// removed when the last holder is done; `None` for a provider that
    /// runs elsewhere.
    pub database: Option<Arc<TestDatabase>>,
    /// `None` for a provider running in another process.
    server: Option<Running>,
}

/// A configuration for a provider at `base` on `database_url`.
pub fn test_config(base: &str, database_url: &str, extra: &[(&str, &str)]) -> Config {
    let mut env = Env::from_pairs([
        ("PROVIDER_PUBLIC_URL", base),
        ("PROVIDER_DATABASE_URL", database_url),
        ("TODO_API_AUDIENCE", AUDIENCE),
        ("PROVIDER_SIGNING_ALG", "ES256"),
    ]);
    for (k, v) in extra {
        env.set(k, *v);
    }
    let mut config = Config::from_env(&env).expect("test configuration is valid");
    config.clients_toml = format!("{}\n{}", provider::config::DEFAULT_CLIENTS_TOML, TEST_CLIENTS);
    config
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts a provider; `extra` are environment-style settings.
pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    spawn_on(Arc::new(TestDatabase::fresh("provider").await), extra, None).await
}

/// Starts a provider on an existing database, optionally on a fixed port
/// (to restart "the same" provider).
pub async fn spawn_on(database: Arc<TestDatabase>, extra: &[(&str, &str)], port: Option<u16>) -> TestApp {
    let port = Port::bind(port.unwrap_or(0)).await;
    let config = test_config(port.url(), &database.url, extra);
    serve_provider(port, config, database).await
}

/// Serves a provider built from `config` (which names `port` and `database`).
pub async fn serve_provider(port: Port, config: Config, database: Arc<TestDatabase>) -> TestApp {
    let (base, database_url) = (port.url().to_owned(), database.url.clone());
    let app = App::build_on(config, port.into_listener()).await.expect("provider starts");
    let server = Running::spawn(|stopped| async move { app.run_until_stopped(stopped).await.expect("provider runs") });
    TestApp { base, http: browser(), database_url, database: Some(database), server: Some(server) }
}

impl TestApp {
    /// A handle on a provider that runs elsewhere (another process).
    pub fn attach(base: &str) -> Self {
        TestApp { base: base.to_owned(), http: browser(), database_url: String::new(), database: None, server: None }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn port(&self) -> u16 {
        self.base.rsplit(':').next().unwrap().parse().unwrap()
    }

    /// Stops the server and waits until it has let go of its port.
    pub async fn stop(mut self) {
        if let Some(server) = &mut self.server {
            server.stop().await;
        }
    }

    /// Stops the server and hands back its database and port, for a
    /// restart on both ([`spawn_on`]).
    pub async fn stop_keeping_database(self) -> (Arc<TestDatabase>, u16) {
        let (database, port) = (self.database.clone().expect("a database of its own"), self.port());
        self.stop().await;
        (database, port)
    }

    /// Stops the server and starts a new one on the same port and database,
    /// with the default configuration and a fresh browser.
    pub async fn restart(self) -> TestApp {
        let (database, port) = self.stop_keeping_database().await;
        spawn_on(database, &[], Some(port)).await
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.unwrap()
    }

    /// POST a form to one of this server's pages.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http.post(self.url(path)).form(form).send().await.unwrap()
    }

    /// GET /oauth2/userinfo with a bearer token (OIDC Core §5.3.1).
    pub async fn userinfo(&self, token: &str) -> reqwest::Response {
        self.http.get(self.url("/oauth2/userinfo")).bearer_auth(token).send().await.unwrap()
    }

    /// GET /oauth2/authorize with these parameters.
    pub async fn authorize(&self, params: &[(&str, &str)]) -> reqwest::Response {
        let mut url = url::Url::parse(&self.url("/oauth2/authorize")).unwrap();
        url.query_pairs_mut().extend_pairs(params);
        self.http.get(url).send().await.unwrap()
    }

    /// Signs in through the login form; returns the POST's response.
    pub async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        let page = self.get("/login").await.text().await.unwrap();
        let csrf = hidden_input(&page, "csrf_token");
        self.post_form("/login", &[("username", username), ("password", password), ("csrf_token", csrf.as_str())]).await
    }

    /// Follows a relative Location on this server.
    pub async fn follow(&self, response: &reqwest::Response) -> reqwest::Response {
        let location = location(response);
        let url = if location.starts_with('/') { self.url(location) } else { location.to_owned() };
        self.http.get(url).send().await.unwrap()
    }

    /// Answers the consent page shown in `page`.
    pub async fn decide(&self, page: &str, decision: &str) -> reqwest::Response {
        let csrf = hidden_input(page, "csrf_token");
        let request_id = hidden_input(page, "request_id");
        let form = [("csrf_token", csrf.as_str()), ("request_id", request_id.as_str()), ("decision", decision)];
        self.post_form("/consent", &form).await
    }

    /// The whole front channel as `demo`: authorize → login → consent →
    /// the redirect to the client. Returns the final response (a redirect to
    /// the client's redirect URI).
    pub async fn authorize_as(&self, username: &str, params: &[(&str, &str)]) -> reqwest::Response {
        let first = self.authorize(params).await;
        let mut response = if first.status() == StatusCode::FOUND && location(&first) == "/login" {
            let login = self.login(username, username).await;
            assert_eq!(login.status(), StatusCode::SEE_OTHER, "login succeeds");
            self.follow(&login).await
        } else {
            first
        };
        if response.status() == StatusCode::OK {
            let page = response.text().await.unwrap();
            assert!(page.contains("name=\"decision\""), "expected the consent page, got: {page}");
            response = self.decide(&page, "approve").await;
        }
        response
    }

    /// A code for the todo app, with PKCE; returns (code, verifier).
    pub async fn code_for_todo_app(&self, scope: &str) -> (String, CodeVerifier) {
        self.code_for("demo", "todo-app", TODO_APP_REDIRECT, scope).await
    }

    /// A code that `user` approved for `client_id`, with PKCE; returns
    /// (code, verifier).
    pub async fn code_for(
        &self,
        user: &str,
        client_id: &str,
        redirect_uri: &str,
        scope: &str,
    ) -> (String, CodeVerifier) {
        let verifier = CodeVerifier::generate();
        let challenge = verifier.challenge();
        let response = self
            .authorize_as(
                user,
                &[
                    ("client_id", client_id),
                    ("response_type", "code"),
                    ("redirect_uri", redirect_uri),
                    ("scope", scope),
                    ("state", "s1"),
                    ("nonce", "n-0S6_WzA2Mj"),
                    ("code_challenge", challenge.as_str()),
                    ("code_challenge_method", "S256"),
                ],
            )
            .await;
        let params = redirect_params(&response);
        let code = params.get("code").unwrap_or_else(|| panic!("no code in {params:?}")).clone();
        (code, verifier)
    }

    /// POST /oauth2/token with a form body and optional Basic credentials.
    pub async fn token(&self, credentials: Option<(&str, &str)>, form: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self.http.post(self.url("/oauth2/token")).form(form);
        if let Some((id, secret)) = credentials {
            request = request.header("Authorization", basic(id, secret));
        }
        request.send().await.unwrap()
    }

    /// A token request from todo-app, which authenticates with
    /// `client_secret_basic` (RFC 6749 §2.3.1): HTTP Basic.
    pub async fn token_as_todo_app(&self, form: &[(&str, &str)]) -> reqwest::Response {
        self.token(Some(("todo-app", TODO_APP_SECRET)), form).await
    }

    /// A refresh request (RFC 6749 §6) from todo-app.
    pub async fn refresh_as_todo_app(&self, refresh_token: &str) -> reqwest::Response {
        self.token_as_todo_app(&[("grant_type", "refresh_token"), ("refresh_token", refresh_token)]).await
    }

    /// POST /oauth2/token with a JSON body instead of a form.
    pub async fn token_json(&self, body: &Value) -> reqwest::Response {
        self.http.post(self.url("/oauth2/token")).json(body).send().await.unwrap()
    }

    /// A token request from legacy-app, which authenticates with
    /// `client_secret_post` (RFC 6749 §2.3.1): its id and secret in the form.
    pub async fn token_as_legacy_app(&self, form: &[(&str, &str)]) -> reqwest::Response {
        let mut form = form.to_vec();
        form.extend([("client_id", "legacy-app"), ("client_secret", "legacy-app-secret")]);
        self.token(None, &form).await
    }

    /// Exchanges a todo-app code; panics unless it succeeds.
    pub async fn exchange(&self, code: &str, verifier: &CodeVerifier) -> Value {
        let response = self
            .token_as_todo_app(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", TODO_APP_REDIRECT),
                ("code_verifier", verifier.expose()),
            ])
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    /// Fresh tokens for the todo app and `demo`.
    pub async fn tokens_for_todo_app(&self, scope: &str) -> Value {
        let (code, verifier) = self.code_for_todo_app(scope).await;
        self.exchange(&code, &verifier).await
    }
}

/// The query parameters of a redirect's Location.
pub fn redirect_params(response: &reqwest::Response) -> HashMap<String, String> {
    let url = url::Url::parse(location(response)).expect("absolute Location");
    url.query_pairs().into_owned().collect()
}

/// The value of `<input type="hidden" name="NAME" value="…">` in a page.
pub fn hidden_input(page: &str, name: &str) -> String {
    testkit::html::input_value(page, name).unwrap_or_else(|| panic!("no hidden input {name} in page: {page}"))
}

pub use testkit::html::unescape;

/// Decodes a JWT's header and claims without verifying (tests verify
/// separately with the JWKS).
pub fn jwt_parts(token: &str) -> (Value, Value) {
    let mut parts = token.split('.');
    let decode = |p: &str| -> Value {
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
    };
    let header = decode(parts.next().unwrap());
    let claims = decode(parts.next().unwrap());
    (header, claims)
}

/// The `kid` in the header of a token response's access token: the key
/// that signed it.
pub fn access_token_kid(tokens: &Value) -> Value {
    jwt_parts(tokens["access_token"].as_str().unwrap()).0["kid"].clone()
}

/// Verifies a JWT's signature with the provider's JWKS.
pub async fn verify_with_jwks(app: &TestApp, token: &str) -> Value {
    let set: jsonwebtoken::jwk::JwkSet = app.get("/.well-known/jwks.json").await.json().await.unwrap();
    let header = jsonwebtoken::decode_header(token).unwrap();
    let jwk = set.find(header.kid.as_deref().unwrap()).expect("kid is in the JWKS");
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
    let mut validation = jsonwebtoken::Validation::new(header.alg);
    validation.validate_aud = false;
    jsonwebtoken::decode::<Value>(token, &key, &validation).expect("signature verifies").claims
}

/// Introspects a token as the todo API does (RFC 7662).
pub async fn introspect(app: &TestApp, token: &str) -> Value {
    app.http
        .post(app.url("/oauth2/introspect"))
        .header("Authorization", basic("todo-api", "todo-api-secret"))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Asserts that a page may not be framed by another site (clickjacking,
/// RFC 6749 §10.13): `X-Frame-Options: DENY` and CSP `frame-ancestors 'none'`.
pub fn assert_cannot_be_framed(headers: &HeaderMap) {
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["content-security-policy"], "frame-ancestors 'none'");
}

pub fn assert_no_store(headers: &HeaderMap) {
    assert_eq!(headers.get("cache-control").unwrap(), "no-store");
    assert_eq!(headers.get("pragma").unwrap(), "no-cache");
}

/// Asserts an RFC 6749 §5.2 error body and returns its description.
pub async fn assert_token_error(response: reqwest::Response, status: StatusCode, error: &str) -> String {
    assert_eq!(response.status(), status);
    assert_no_store(response.headers());
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], error, "body: {body}");
    body["error_description"].as_str().unwrap_or_default().to_owned()
}

/// Asserts an RFC 6749 §5.2 error body whose description mentions
/// `mention` (the rule it names, or the value it refuses).
pub async fn assert_token_error_mentioning(
    response: reqwest::Response,
    status: StatusCode,
    error: &str,
    mention: &str,
) {
    let description = assert_token_error(response, status, error).await;
    assert!(description.contains(mention), "{description}");
}

/// Sends every request at once, as simultaneous guesses would arrive; the
/// statuses of their answers.
pub async fn guess_in_parallel(requests: impl IntoIterator<Item = reqwest::RequestBuilder>) -> Vec<StatusCode> {
    let mut guesses = tokio::task::JoinSet::new();
    for request in requests {
        guesses.spawn(async move { request.send().await.unwrap().status() });
    }
    guesses.join_all().await
}

/// How many guesses were tried (401) and how many the throttle refused
/// before trying them (429).
pub fn tried_and_refused(statuses: &[StatusCode]) -> (usize, usize) {
    let count = |status| statuses.iter().filter(|s| **s == status).count();
    (count(StatusCode::UNAUTHORIZED), count(StatusCode::TOO_MANY_REQUESTS))
}
