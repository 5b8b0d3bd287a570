//! `spawn_app()`: a fake provider and the client app, each on 127.0.0.1:0,
//! plus one helper per endpoint and the test's signing keys.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::http::{StatusCode, header};
use client::{App, Config};
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};
use shared::config::Env;
pub use testkit::cookies::{SetCookie, attributes};
use testkit::db::TestDatabase;
use testkit::fake_provider::FakeProvider;
pub use testkit::fake_provider::Received;
pub use testkit::http::location;
use testkit::keys::TestKey;
use testkit::serve::Port;
use url::Url;

pub const CLIENT_ID: &str = "todo-app";
pub const CLIENT_SECRET: &str = "todo-app-secret";
pub const KID: &str = "test-key-1";

/// The fake provider's key, published in its JWKS. RSA key generation is
/// slow, so it happens once per test binary.
pub static PROVIDER_KEY: LazyLock<TestKey> = LazyLock::new(|| TestKey::rsa(KID));
/// Another key with the same `kid`: what a forger would sign with.
pub static FORGER_KEY: LazyLock<TestKey> = LazyLock::new(|| TestKey::rsa(KID));

/// Signs `claims` as an ID token (RS256, `typ: JWT`, `kid`).
pub fn sign(claims: &Value, key: &TestKey) -> String {
    key.sign(claims, "JWT")
}

pub struct TestApp {
    /// The client app, e.g. `http://127.0.0.1:41234`.
    pub address: String,
    /// The fake provider (issuer, public and internal URL).
    pub provider_url: String,
    pub provider: FakeProvider,
    /// A browser: cookie store, no redirects followed.
    pub browser: reqwest::Client,
    /// The client's database; removed when the test ends.
    database: TestDatabase,
}

/// The start of a login, as read from `/login`'s `Location`.
pub struct LoginStart {
    pub location: Url,
    pub params: HashMap<String, String>,
}

impl LoginStart {
    pub fn state(&self) -> &str {
        &self.params["state"]
    }
    pub fn nonce(&self) -> &str {
        &self.params["nonce"]
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Spawns both servers, and logs the browser in.
pub async fn spawn_logged_in_app() -> TestApp {
    let app = spawn_app().await;
    app.log_in().await;
    app
}

/// Spawns both servers; `extra` sets or overrides client variables.
pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    let provider = FakeProvider::start(vec![PROVIDER_KEY.jwk.clone()]).await;
    let provider_url = provider.url.clone();

    let port = Port::free().await;
    let address = port.url().to_owned();
    let database = TestDatabase::fresh("client").await;
    let database_url = database.url.clone();
    let mut env = Env::from_pairs([
        ("CLIENT_PUBLIC_URL", address.as_str()),
        ("CLIENT_DATABASE_URL", database_url.as_str()),
        ("PROVIDER_PUBLIC_URL", provider_url.as_str()),
        ("TODO_API_PUBLIC_URL", "http://127.0.0.1:4999"),
    ]);
    for (name, value) in extra {
        env.set(name, *value);
    }
    let config = Config::from_env(&env).expect("test config is valid");
    let app = App::build_on(config, port.into_listener()).await.expect("app builds");
    tokio::spawn(app.run_until_stopped(std::future::pending()));

    let browser = testkit::http::browser();
    TestApp { address, provider_url, provider, browser, database }
}

impl TestApp {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.browser.get(format!("{}{path}", self.address)).send().await.expect("request works")
    }

    /// `GET path` with these extra headers.
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self.browser.get(format!("{}{path}", self.address));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("request works")
    }

    /// The user clicks "Log out" on one of the app's pages.
    pub async fn logout(&self) -> reqwest::Response {
        self.get_with("/logout", &[("Sec-Fetch-Site", "same-origin")]).await
    }

    /// `GET /login`, with its `Location` parsed.
    pub async fn start_login(&self) -> LoginStart {
        let response = self.get("/login").await;
        assert_eq!(response.status(), StatusCode::FOUND);
        let location = Url::parse(location(&response)).expect("Location is an absolute URL");
        let params = location.query_pairs().into_owned().collect();
        LoginStart { location, params }
    }

    /// The ID token claims a well-behaved provider would mint for `nonce`.
    pub fn id_token_claims(&self, nonce: &str, access_token: &str) -> Value {
        let now = shared::now_unix();
        json!({
            "iss": self.provider_url,
            "sub": "user-42",
            "aud": CLIENT_ID,
            "exp": now + 300,
            "iat": now,
            "auth_time": now - 5,
            "nonce": nonce,
            "at_hash": shared::jwt::at_hash(access_token, Algorithm::RS256),
            "name": "Demo User",
            "preferred_username": "demo",
            "email": "demo@example.com",
            "email_verified": true,
        })
    }

    /// Makes the fake token endpoint answer with these tokens.
    pub fn reply_with_tokens(&self, access_token: &str, refresh_token: &str, id_token: &str) {
        *self.provider.script.token_reply.lock().unwrap() = (
            200,
            json!({
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 300,
                "scope": "openid profile email offline_access todos:read todos:write",
                "refresh_token": refresh_token,
                "id_token": id_token,
            }),
        );
    }

    /// Makes the fake token endpoint answer `login`'s code with good
    /// tokens: an ID token for its nonce, signed with the provider's key.
    pub fn reply_with_tokens_for(&self, login: &LoginStart) {
        let claims = self.id_token_claims(login.nonce(), ACCESS_TOKEN);
        self.reply_with_tokens(ACCESS_TOKEN, REFRESH_TOKEN, &sign(&claims, &PROVIDER_KEY));
    }

    /// Makes the fake token endpoint answer with an RFC 6749 §5.2 error.
    pub fn reply_with_error(&self, status: u16, error: &str, description: &str) {
        *self.provider.script.token_reply.lock().unwrap() =
            (status, json!({"error": error, "error_description": description}));
    }

    /// `GET /callback` with these query parameters.
    pub async fn callback(&self, params: &[(&str, &str)]) -> reqwest::Response {
        let mut url = Url::parse(&format!("{}/callback", self.address)).unwrap();
        url.query_pairs_mut().extend_pairs(params);
        self.browser.get(url).send().await.expect("request works")
    }

    /// A whole login whose ID token claims `tweak` may change, signed with
    /// `key`. Returns the callback's response.
    pub async fn log_in_with(&self, key: &TestKey, tweak: impl FnOnce(&mut Value)) -> reqwest::Response {
        let login = self.start_login().await;
        let mut claims = self.id_token_claims(login.nonce(), ACCESS_TOKEN);
        tweak(&mut claims);
        self.reply_with_tokens(ACCESS_TOKEN, REFRESH_TOKEN, &sign(&claims, key));
        self.callback(&[("code", CODE), ("state", login.state()), ("iss", &self.provider_url)]).await
    }

    /// A successful login.
    pub async fn log_in(&self) -> reqwest::Response {
        let response = self.log_in_with(&PROVIDER_KEY, |_| {}).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "login failed: {}",
            response.text().await.unwrap_or_default()
        );
        response
    }

    /// `POST /refreshtoken` with these extra headers.
    pub async fn refresh(&self, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self.browser.post(format!("{}/refreshtoken", self.address));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("request works")
    }

    /// `POST /refreshtoken` the way the page's script sends it.
    pub async fn refresh_same_origin(&self) -> reqwest::Response {
        let origin = self.address.clone();
        self.refresh(&[("Origin", &origin)]).await
    }

    /// Makes the client's session store fail from now on, as a database
    /// that went away would: its `sessions` table is dropped.
    pub async fn break_session_store(&self) {
        let db = shared::db::connect(&self.database.url).await.expect("the test database opens");
        sqlx::query("DROP TABLE sessions").execute(&db).await.expect("the sessions table is dropped");
        db.close().await;
    }

    pub fn token_requests(&self) -> Vec<Received> {
        self.provider.token_requests()
    }

    pub fn revocations(&self) -> Vec<Received> {
        self.provider.revocations()
    }
}

pub const CODE: &str = "SplxlOBeZQQYbYS6WxSbIA-the-test-code";
pub const ACCESS_TOKEN: &str = "eyJhY2Nlc3MiOiJ0b2tlbiJ9.access-token-1";
pub const REFRESH_TOKEN: &str = "tGzv3JOkF0XG5Qx2TlKWIA-refresh-1";

/// Every `Set-Cookie` header of a response.
pub fn set_cookies(response: &reqwest::Response) -> Vec<SetCookie> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|value| SetCookie::parse(value.to_str().expect("Set-Cookie is ASCII")).expect("a cookie"))
        .collect()
}

pub fn cookie<'a>(cookies: &'a [SetCookie], name: &str) -> &'a SetCookie {
    cookies.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no Set-Cookie for {name} in {cookies:?}"))
}

/// A JSON route's answer to a failure behind it (RFC 6749 §5.2 shape): 500
/// `server_error`, not cached, and a generic description, because the
/// detail (here, which table is missing) is logged, never sent.
pub async fn assert_internal_error_in_json(response: reqwest::Response) {
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    let body: Value = response.json().await.expect("a JSON body");
    assert_eq!(body["error"], "server_error", "{body}");
    let description = body["error_description"].as_str().expect("an error_description");
    assert!(!description.contains("sessions") && !description.contains("table"), "leaks the detail: {description}");
}

/// The body of an HTML page with minijinja's escapes undone, so assertions
/// can name values as they are (`/` is escaped as `&#x2f;` in pages).
pub async fn page(response: reqwest::Response) -> String {
    response
        .text()
        .await
        .expect("a body")
        .replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The logout hand-over page: a 200 (never a redirect, whose URL would
/// carry the ID token into the history) whose form posts the RP-Initiated
/// Logout request to the provider.
pub async fn handover_form(response: reqwest::Response) -> testkit::html::Form {
    assert_eq!(response.status(), reqwest::StatusCode::OK, "the hand-over page");
    assert!(response.headers().get("location").is_none(), "no redirect");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let html = page(response).await;
    assert!(html.contains("<script src=\"/static/autosubmit.js\"></script>"), "{html}");
    let form = testkit::html::first_form(&html).unwrap_or_else(|| panic!("no form in {html}"));
    assert_eq!(form.method, "post");
    form
}
