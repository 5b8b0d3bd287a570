//! The single-page app (`spa/`, client `todo-spa`) in headless Chromium,
//! against the provider and the todo API: it logs in with PKCE, adds and
//! ticks a todo, survives a reload (`prompt=none`), refreshes once its
//! access token has expired, and logs out — keeping no token in Web
//! Storage and sending no client secret, as Chromium's network log shows.
//!
//! Needs `chromium` and `chromium-driver`, like `chromium.rs`, and is
//! skipped the same way without them.

use e2e::{Options, System};
use fantoccini::{Client, Locator};
use serde_json::{Value, json};
use shared::config::Env;
use testkit::serve::{Port, Running};

use crate::chromium::{
    add_and_tick, assert_nothing_to_steal, chromedriver, click_the_first_checkbox, close_chromium, open_chromium_with,
    screenshot_dir, sign_in_and_approve, start_driver, wait_for_the_empty_list,
};

/// The SPA's origin in the shipped clients file.
const SHIPPED_SPA_ORIGIN: &str = "http://localhost:5173";

/// The system, plus the SPA's server on a port of its own.
struct SpaSystem {
    system: System,
    spa_url: String,
    /// The provider's clients file, removed when the test ends.
    _clients_file: tempfile::NamedTempFile,
    /// The SPA's own server, stopped with the system.
    spa: Running,
}

impl SpaSystem {
    /// Starts everything. The SPA's port is chosen first, because the
    /// provider must know its redirect URI and web origin, and the todo API
    /// its origin, before they start. The provider signs with `signing_alg`
    /// (`PROVIDER_SIGNING_ALG`), which the SPA's ID token check must verify
    /// with WebCrypto.
    async fn start(token_request_body: &str, signing_alg: &str) -> SpaSystem {
        let port = Port::free().await;
        let spa_url = format!("http://localhost:{}", port.number());
        let clients_file = tempfile::Builder::new().prefix("spa-clients-").suffix(".toml").tempfile().expect("a file");
        let clients = provider::config::DEFAULT_CLIENTS_TOML.replace(SHIPPED_SPA_ORIGIN, &spa_url);
        std::fs::write(clients_file.path(), clients).expect("write the clients file");
        let options = Options::default()
            .provider("PROVIDER_CLIENTS_FILE", &clients_file.path().display().to_string())
            .provider("PROVIDER_SIGNING_ALG", signing_alg)
            // Short-lived access tokens, so that the SPA must refresh.
            .provider("PROVIDER_ACCESS_TOKEN_TTL_SECONDS", "4")
            .todo_api("TODO_API_LEEWAY_SECONDS", "0")
            .todo_api("SPA_PUBLIC_URL", &spa_url);
        let system = System::start(options).await.expect("the system starts");
        let env = Env::from_pairs([
            ("SPA_PUBLIC_URL", spa_url.as_str()),
            ("PROVIDER_PUBLIC_URL", system.provider.public_url.as_str()),
            ("TODO_API_PUBLIC_URL", system.todo_api.public_url.as_str()),
            ("SPA_TOKEN_REQUEST_BODY", token_request_body),
        ]);
        let config = spa::Config::from_env(&env).expect("the spa's configuration");
        let app = spa::App::build_on(config, port.into_listener()).expect("the spa starts");
        let spa = Running::spawn(|stopped| async move { app.run_until_stopped(stopped).await.expect("the spa runs") });
        SpaSystem { system, spa_url, _clients_file: clients_file, spa }
    }

    async fn stop(mut self) {
        self.spa.stop().await;
        self.system.stop().await;
    }
}

/// Chromium with its network events recorded (the DevTools "performance" log).
fn performance_log() -> serde_json::Map<String, Value> {
    let mut extra = serde_json::Map::new();
    extra.insert("goog:loggingPrefs".to_owned(), json!({ "performance": "ALL" }));
    extra
}

/// chromedriver's `POST /session/{id}/se/log`: the log entries since the last call.
#[derive(Debug)]
struct GetPerformanceLog;

impl fantoccini::wd::WebDriverCompatibleCommand for GetPerformanceLog {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/se/log", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (axum::http::Method::POST, Some(json!({ "type": "performance" }).to_string()))
    }
}

/// A request the browser sent, from the network log.
#[derive(Debug)]
struct SentRequest {
    method: String,
    url: String,
    headers: Value,
    body: String,
}

impl SentRequest {
    /// A request header, by name in any case.
    fn header(&self, name: &str) -> &str {
        let headers = self.headers.as_object().into_iter().flatten();
        headers
            .filter(|(key, _)| key.eq_ignore_ascii_case(name))
            .find_map(|(_, value)| value.as_str())
            .unwrap_or_default()
    }
}

/// The requests sent since the last call (`Network.requestWillBeSent`).
async fn sent_requests(browser: &Client) -> Vec<SentRequest> {
    let entries = browser.issue_cmd(GetPerformanceLog).await.expect("the performance log");
    let mut requests = Vec::new();
    for entry in entries.as_array().into_iter().flatten() {
        let Some(message) = entry["message"].as_str().and_then(|m| serde_json::from_str::<Value>(m).ok()) else {
            continue;
        };
        if message["message"]["method"] != "Network.requestWillBeSent" {
            continue;
        }
        let request = &message["message"]["params"]["request"];
        requests.push(SentRequest {
            method: request["method"].as_str().unwrap_or_default().to_owned(),
            url: request["url"].as_str().unwrap_or_default().to_owned(),
            headers: request["headers"].clone(),
            body: request["postData"].as_str().unwrap_or_default().to_owned(),
        });
    }
    requests
}

/// The provider's JWKS has a key for `alg`.
async fn assert_jwks_offers(provider_url: &str, alg: &str) {
    let jwks = crate::support::published_jwks(provider_url).await;
    let algs: Vec<&str> = jwks["keys"].as_array().into_iter().flatten().filter_map(|k| k["alg"].as_str()).collect();
    assert!(algs.contains(&alg), "the provider signs with {alg}: {jwks}");
}

/// The attribute `name` of the session line, as a number.
async fn session_number(browser: &Client, name: &str) -> i64 {
    let line = browser.find(Locator::Id("session")).await.expect("the session line");
    let value = line.attr(name).await.expect("an attribute").unwrap_or_default();
    value.parse().unwrap_or_else(|_| panic!("{name}={value:?} is not a number"))
}

/// What the page keeps in Web Storage: (localStorage, sessionStorage) as JSON.
async fn web_storage(browser: &Client) -> (String, String) {
    let script = "return [JSON.stringify(localStorage), JSON.stringify(sessionStorage)];";
    let value = browser.execute(script, vec![]).await.expect("read Web Storage");
    (value[0].as_str().unwrap_or_default().to_owned(), value[1].as_str().unwrap_or_default().to_owned())
}

/// Opens the SPA, clicks its Log in button, and signs in and approves at
/// the provider.
async fn log_in_at_the_spa(browser: &Client, spa_url: &str) {
    browser.goto(&format!("{spa_url}/")).await.expect("open the spa");
    let log_in = browser.wait().for_element(Locator::XPath(SIGNED_OUT)).await.expect("the logged-out page");
    log_in.click().await.expect("log in");
    sign_in_and_approve(browser).await;
}

const SIGNED_OUT: &str = "//section[@id='signed-out'][not(@hidden)]//button[@id='login']";

/// Asserts what holds for every request the SPA's browser sent.
fn assert_no_client_secret(requests: &[SentRequest]) {
    for request in requests {
        let text = format!("{} {} {} {}", request.method, request.url, request.headers, request.body);
        assert!(!text.contains("client_secret"), "a request carries a client secret: {request:?}");
        let authorization = request.header("authorization");
        assert!(!authorization.starts_with("Basic"), "a request authenticates with a secret: {request:?}");
    }
}

#[tokio::test]
async fn the_spa_logs_in_adds_and_ticks_a_todo_survives_a_reload_refreshes_and_logs_out_in_chromium() {
    let Some(chromedriver) = chromedriver() else { return };
    let running = SpaSystem::start("form", "RS256").await;
    let provider_url = running.system.provider.public_url.clone();
    let driver = start_driver(&chromedriver).await;
    let browser = open_chromium_with(&driver, "1200,900", performance_log()).await;
    let mut requests = Vec::new();

    // First visit: the SPA asks the provider silently (prompt=none), hears
    // login_required, and shows its Log in button.
    log_in_at_the_spa(&browser, &running.spa_url).await;

    // Back at the SPA: it exchanged the code and loaded the (empty) list.
    wait_for_the_empty_list(&browser, "the todos loaded from the API").await;
    let url = browser.current_url().await.expect("a URL");
    assert_eq!(url.as_str(), format!("{}/", running.spa_url), "the code left the address bar");
    let (local, session) = web_storage(&browser).await;
    assert_eq!((local.as_str(), session.as_str()), ("{}", "{}"), "no token, no verifier left in Web Storage");
    requests.extend(sent_requests(&browser).await);
    let token_requests: Vec<_> =
        requests.iter().filter(|r| r.method == "POST" && r.url == format!("{provider_url}/oauth2/token")).collect();
    assert!(
        token_requests
            .iter()
            .any(|r| r.body.contains("grant_type=authorization_code") && r.body.contains("code_verifier=")),
        "the code was exchanged with its PKCE verifier, as a form: {token_requests:?}"
    );

    // Add a todo, then tick it.
    add_and_tick(&browser, "Buy oat milk").await;
    let png = browser.screenshot().await.expect("a screenshot");
    std::fs::write(screenshot_dir().join("spa.png"), png).expect("save the screenshot");

    // A reload loses the in-memory tokens; prompt=none gets new ones
    // without showing the provider's pages.
    browser.refresh().await.expect("reload");
    browser.wait().for_element(Locator::Css("#todo-list li.done")).await.expect("the todo is back after a reload");
    requests.extend(sent_requests(&browser).await);
    let silent =
        requests.iter().filter(|r| r.url.contains("/oauth2/authorize") && r.url.contains("prompt=none")).count();
    assert!(silent >= 2, "the first visit and the reload asked with prompt=none ({silent} times)");
    let (local, session) = web_storage(&browser).await;
    assert_eq!((local.as_str(), session.as_str()), ("{}", "{}"), "nothing in Web Storage after the reload");
    // The tokens are in a module's variable: an injected script (the lab's
    // token-theft attack) reaches neither them nor any copy in the page.
    assert_nothing_to_steal(&browser, "the SPA").await;

    // Once the access token has expired (the todo API allows no leeway here),
    // the next call refreshes first; untick the todo.
    let refreshes = session_number(&browser, "data-refreshes").await;
    let expires = session_number(&browser, "data-access-token-expires").await;
    while shared::now_unix() <= expires {
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    click_the_first_checkbox(&browser).await;
    let undone = "//ul[@id='todo-list']/li[not(contains(@class, 'done'))]/span[text()='Buy oat milk']";
    browser.wait().for_element(Locator::XPath(undone)).await.expect("the todo is open again, after a refresh");
    assert!(session_number(&browser, "data-refreshes").await > refreshes, "the SPA refreshed its tokens");
    requests.extend(sent_requests(&browser).await);
    assert!(
        requests.iter().any(|r| r.url.ends_with("/oauth2/token") && r.body.contains("grant_type=refresh_token")),
        "a refresh token grant was sent"
    );
    let api_calls: Vec<_> =
        requests.iter().filter(|r| r.url.starts_with(&running.system.todo_api.public_url)).collect();
    assert!(!api_calls.is_empty());
    for call in api_calls.iter().filter(|r| r.method != "OPTIONS") {
        let authorization = call.header("authorization");
        assert!(authorization.starts_with("Bearer "), "the API is called with a Bearer token: {call:?}");
    }

    // Log out: the refresh token is revoked, the provider's session ends,
    // and the silent check after the redirect finds no session.
    browser.find(Locator::Id("logout")).await.expect("Log out").click().await.expect("log out");
    browser.wait().for_element(Locator::XPath(SIGNED_OUT)).await.expect("logged out, with the Log in button");
    requests.extend(sent_requests(&browser).await);
    assert!(
        requests
            .iter()
            .any(|r| r.url == format!("{provider_url}/oauth2/revoke")
                && r.body.contains("token_type_hint=refresh_token")),
        "the refresh token was revoked"
    );
    // RP-Initiated Logout §2 by POST: the ID token is in the body, never in
    // a URL that the history would keep.
    let logouts: Vec<_> = requests.iter().filter(|r| r.url.contains("/oauth2/logout")).collect();
    assert!(!logouts.is_empty(), "RP-initiated logout");
    for logout in logouts {
        assert_eq!(
            (logout.method.as_str(), logout.url.as_str()),
            ("POST", format!("{provider_url}/oauth2/logout").as_str())
        );
        assert!(logout.body.contains("id_token_hint="), "the hint goes in the body: {logout:?}");
    }
    assert!(requests.iter().all(|r| !r.url.contains("id_token_hint")), "no ID token in any URL");

    assert_no_client_secret(&requests);
    close_chromium(browser, driver).await;
    running.stop().await;
}

#[tokio::test]
async fn the_spa_can_send_its_token_requests_as_json_like_the_seed() {
    let Some(chromedriver) = chromedriver() else { return };
    // ES256 here, EdDSA in the 401 test, RS256 in the main one: the SPA
    // verifies the ID token's signature with WebCrypto for each.
    let running = SpaSystem::start("json", "ES256").await;
    assert_jwks_offers(&running.system.provider.public_url, "ES256").await;
    let provider_url = running.system.provider.public_url.clone();
    let driver = start_driver(&chromedriver).await;
    let browser = open_chromium_with(&driver, "1000,800", performance_log()).await;

    log_in_at_the_spa(&browser, &running.spa_url).await;
    wait_for_the_empty_list(&browser, "the todos loaded from the API").await;

    let requests = sent_requests(&browser).await;
    let exchange = requests
        .iter()
        .find(|r| r.method == "POST" && r.url == format!("{provider_url}/oauth2/token"))
        .expect("a token request");
    let content_type = exchange.header("content-type");
    assert_eq!(content_type, "application/json", "{exchange:?}");
    let body: Value = serde_json::from_str(&exchange.body).expect("a JSON body");
    assert_eq!(body["grant_type"], "authorization_code");
    assert_eq!(body["client_id"], "todo-spa");
    assert!(body["code_verifier"].as_str().is_some_and(|v| v.len() >= 43), "{body}");
    assert_no_client_secret(&requests);

    close_chromium(browser, driver).await;
    running.stop().await;
}

#[tokio::test]
async fn the_spa_refreshes_and_retries_when_the_api_answers_401() {
    let Some(chromedriver) = chromedriver() else { return };
    let running = SpaSystem::start("form", "EdDSA").await;
    assert_jwks_offers(&running.system.provider.public_url, "EdDSA").await;
    let driver = start_driver(&chromedriver).await;
    let browser = open_chromium_with(&driver, "1000,800", performance_log()).await;
    log_in_at_the_spa(&browser, &running.spa_url).await;
    wait_for_the_empty_list(&browser, "the todos loaded from the API").await;

    // Let the access token expire, then set the page's clock 30 s back, so
    // that the SPA believes its token is still fresh and sends it: only the
    // todo API's 401 (RFC 6750 §3.1 invalid_token) can tell it to refresh.
    let refreshes = session_number(&browser, "data-refreshes").await;
    let expires = session_number(&browser, "data-access-token-expires").await;
    while shared::now_unix() <= expires {
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let behind = "const real = Date.now.bind(Date); Date.now = () => real() - 30000;";
    browser.execute(behind, vec![]).await.expect("set the page's clock back");
    let title = browser.find(Locator::Css("#add-todo input[name='title']")).await.expect("the title input");
    title.send_keys("After a 401").await.expect("type a title");
    browser.find(Locator::Css("#add-todo button[type='submit']")).await.expect("Add").click().await.expect("add");
    let added = "//ul[@id='todo-list']/li/span[@class='title'][text()='After a 401']";
    browser.wait().for_element(Locator::XPath(added)).await.expect("the todo was added after a refresh");
    assert_eq!(session_number(&browser, "data-refreshes").await, refreshes + 1, "one refresh, after the 401");
    let posts: Vec<_> = sent_requests(&browser)
        .await
        .into_iter()
        .filter(|r| r.method == "POST" && r.url == format!("{}/todos", running.system.todo_api.public_url))
        .collect();
    assert_eq!(posts.len(), 2, "the POST was sent, refused, and sent again: {posts:?}");
    assert_ne!(posts[0].header("authorization"), posts[1].header("authorization"), "with a new access token");

    close_chromium(browser, driver).await;
    running.stop().await;
}
