//! A scripted browser for the authorization code flow.
//!
//! It keeps cookies like a browser (one jar for every host, so the
//! `access_token` cookie set by the client on `localhost` goes along to the
//! todo API on `localhost`) but follows no redirect by itself: each hop of
//! the flow is one method, and the test asserts every status and `Location`
//! on the way.
//!
//! ```text
//! client_login()          GET  client /login             302 → provider /oauth2/authorize
//! authorize(&hop)         GET  provider /oauth2/authorize 302 → /login (not signed in yet)
//! login_form(&hop)        GET  provider /login            200, the form and its csrf_token
//! submit_login(form, ..)  POST provider /login            303 → /oauth2/authorize?…
//! consent_page(&hop)      GET  provider /oauth2/authorize 200, the consent form
//! decide(page, "approve") POST provider /consent          302/303 → client /callback?code=…&state=…
//! callback(&hop)          GET  client /callback           303 → /, Set-Cookie access_token, refresh_token
//! logout()                GET  client /logout             200, the hand-over form (cookies cleared)
//! hand_over(page)         POST provider /oauth2/logout    303 → client / (provider session ended)
//! ```
//!
//! These are test helpers: they panic, with a message saying which hop
//! failed, when the server cannot be reached.

use std::sync::Arc;

use reqwest::StatusCode;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::{HeaderValue, ORIGIN, SET_COOKIE};
use serde_json::Value;

pub use testkit::http::location_params;

use crate::harness::System;

/// A browser session: one cookie jar, no automatic redirects.
pub struct Browser {
    http: reqwest::Client,
    jar: Arc<Jar>,
    /// The client app as this browser reaches it (`http://localhost:…`).
    pub client_url: String,
    /// The provider as this browser reaches it.
    pub provider_url: String,
    /// The todo API as this browser's page script reaches it.
    pub todo_api_url: String,
}

/// The provider's login form, as the browser received it.
pub struct LoginForm {
    /// Where the form posts to (`{provider}/login`).
    pub action: String,
    /// The anti-CSRF token of the hidden input (RFC 6749 §10.12).
    pub csrf_token: String,
    /// The page itself.
    pub html: String,
}

/// The provider's consent page.
pub struct ConsentPage {
    pub action: String,
    pub csrf_token: String,
    pub request_id: String,
    pub html: String,
}

impl Browser {
    /// A fresh browser (no cookies) for this system.
    pub fn new(system: &System) -> Self {
        Self::for_urls(&system.client.public_url, &system.provider.public_url, &system.todo_api.public_url)
    }

    /// A fresh browser for this system, logged in at the client as
    /// `username` (see [`Browser::log_in_as`]).
    pub async fn logged_in_as(system: &System, username: &str) -> Self {
        let browser = Self::new(system);
        browser.log_in_as(username).await;
        browser
    }

    /// A fresh browser for services at these browser-facing URLs.
    pub fn for_urls(client_url: &str, provider_url: &str, todo_api_url: &str) -> Self {
        let jar = Arc::new(Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a reqwest client can be built");
        Self {
            http,
            jar,
            client_url: client_url.to_owned(),
            provider_url: provider_url.to_owned(),
            todo_api_url: todo_api_url.to_owned(),
        }
    }

    /// The underlying HTTP client (with this browser's cookies).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// `GET` an absolute URL.
    pub async fn get(&self, url: &str) -> reqwest::Response {
        self.http.get(url).send().await.unwrap_or_else(|e| panic!("GET {url}: {e}"))
    }

    /// Follows the `Location` of a redirect, resolved against the URL that
    /// answered with it (the provider sends relative ones).
    pub async fn follow(&self, redirect: &reqwest::Response) -> reqwest::Response {
        self.get(&location(redirect)).await
    }

    // --- The hops of the flow, in order. ---

    /// Hop 1: the user clicks "Log in" on the client app.
    pub async fn client_login(&self) -> reqwest::Response {
        self.get(&format!("{}/login", self.client_url)).await
    }

    /// Hop 2: the browser arrives at the provider's authorization endpoint.
    pub async fn authorize(&self, redirect: &reqwest::Response) -> reqwest::Response {
        self.follow(redirect).await
    }

    /// Hop 3: the provider's login page, with its hidden `csrf_token`.
    pub async fn login_form(&self, redirect: &reqwest::Response) -> LoginForm {
        let page = self.follow(redirect).await;
        assert_eq!(page.status(), StatusCode::OK, "the login page is shown");
        let action = resolve(page.url(), "/login");
        let html = page.text().await.expect("the login page has a body");
        LoginForm { action, csrf_token: hidden_input(&html, "csrf_token"), html }
    }

    /// Hop 4: the user types a username and password and submits the form.
    pub async fn submit_login(&self, form: &LoginForm, username: &str, password: &str) -> reqwest::Response {
        self.http
            .post(&form.action)
            .form(&[("username", username), ("password", password), ("csrf_token", form.csrf_token.as_str())])
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {}: {e}", form.action))
    }

    /// Hop 5: back at the authorization endpoint, now signed in: the
    /// consent page.
    pub async fn consent_page(&self, redirect: &reqwest::Response) -> ConsentPage {
        let page = self.follow(redirect).await;
        assert_eq!(page.status(), StatusCode::OK, "the consent page is shown");
        let action = resolve(page.url(), "/consent");
        let html = page.text().await.expect("the consent page has a body");
        assert!(html.contains(r#"name="decision""#), "expected the consent page, got: {html}");
        ConsentPage {
            action,
            csrf_token: hidden_input(&html, "csrf_token"),
            request_id: hidden_input(&html, "request_id"),
            html,
        }
    }

    /// Hop 6: the user presses `approve` (or `deny`).
    pub async fn decide(&self, page: &ConsentPage, decision: &str) -> reqwest::Response {
        self.http
            .post(&page.action)
            .form(&[
                ("csrf_token", page.csrf_token.as_str()),
                ("request_id", page.request_id.as_str()),
                ("decision", decision),
            ])
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {}: {e}", page.action))
    }

    /// Hop 7: the provider sends the browser back to the client's
    /// `/callback` with the code.
    pub async fn callback(&self, redirect: &reqwest::Response) -> reqwest::Response {
        self.follow(redirect).await
    }

    /// All the hops for a user whose password is their username (the demo
    /// users), checking each status; returns the callback's response (a 303
    /// to the client's home page, setting the token cookies).
    pub async fn log_in_as(&self, username: &str) -> reqwest::Response {
        let to_client = self.approve_as(username).await;
        let callback = self.callback(&to_client).await;
        assert_eq!(callback.status(), StatusCode::SEE_OTHER, "the client accepts the callback");
        callback
    }

    /// Every hop up to the provider's redirect back to the client, not
    /// following it: the response carries `code`, `state` and `iss` in its
    /// `Location`. Attack tests use it to tamper with the callback.
    pub async fn approve_as(&self, username: &str) -> reqwest::Response {
        let to_provider = self.client_login().await;
        assert_eq!(to_provider.status(), StatusCode::FOUND, "client /login redirects to the provider");
        let to_login = self.authorize(&to_provider).await;
        assert_eq!(to_login.status(), StatusCode::FOUND, "the provider asks the user to sign in");
        self.sign_in_and_approve(&to_login, username).await
    }

    /// From the provider's redirect to its login page: signs in as
    /// `username` (whose password is the username) and approves; returns
    /// the redirect back to the client.
    pub async fn sign_in_and_approve(&self, to_login: &reqwest::Response, username: &str) -> reqwest::Response {
        let form = self.login_form(to_login).await;
        let signed_in = self.submit_login(&form, username, username).await;
        assert_eq!(signed_in.status(), StatusCode::SEE_OTHER, "{username} signs in");
        let consent = self.consent_page(&signed_in).await;
        let to_client = self.decide(&consent, "approve").await;
        assert!(to_client.status().is_redirection(), "consent redirects to the client: {}", to_client.status());
        to_client
    }

    // --- After the flow. ---

    /// The value of cookie `name` that this browser would send to `url`.
    pub fn cookie(&self, url: &str, name: &str) -> Option<String> {
        let url = url::Url::parse(url).ok()?;
        let header = self.jar.cookies(&url)?;
        let header = header.to_str().ok()?;
        header.split("; ").find_map(|pair| pair.strip_prefix(name)?.strip_prefix('=')).map(str::to_owned)
    }

    /// The page script's `POST /refreshtoken`, from the client's own origin.
    pub async fn refresh(&self) -> reqwest::Response {
        let url = format!("{}/refreshtoken", self.client_url);
        let origin = HeaderValue::from_str(&self.client_url).expect("a URL is a header value");
        self.http.post(&url).header(ORIGIN, origin).send().await.unwrap_or_else(|e| panic!("POST {url}: {e}"))
    }

    /// The user clicks "Log out" on the client app: a navigation from the
    /// app's own page, which a browser marks `Sec-Fetch-Site: same-origin`.
    /// The answer is the hand-over page; [`Browser::hand_over`] submits it.
    pub async fn logout(&self) -> reqwest::Response {
        let url = format!("{}/logout", self.client_url);
        let request = self.http.get(&url).header("sec-fetch-site", "same-origin");
        request.send().await.unwrap_or_else(|e| panic!("GET {url}: {e}"))
    }

    /// The hand-over page's script posts its form (the RP-Initiated Logout
    /// request, OIDC RP-Initiated Logout 1.0 §2) to the provider, from the
    /// client's origin. Panics when the page is not a hand-over page.
    pub async fn hand_over(&self, page: reqwest::Response) -> reqwest::Response {
        assert_eq!(page.status(), StatusCode::OK, "the logout hand-over page");
        let html = page.text().await.expect("a page");
        let form = testkit::html::first_form(&html).unwrap_or_else(|| panic!("no hand-over form in {html}"));
        assert_eq!(form.method, "post", "{html}");
        let origin = HeaderValue::from_str(&self.client_url).expect("a URL is a header value");
        let request = self.http.post(&form.action).header(ORIGIN, origin).form(&form.fields);
        request.send().await.unwrap_or_else(|e| panic!("POST {}: {e}", form.action))
    }

    /// A call to the todo API as the page script makes it: the cookie jar
    /// supplies `access_token`, and the `Origin` is the client app's.
    pub fn api(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let origin = HeaderValue::from_str(&self.client_url).expect("a URL is a header value");
        self.http.request(method, format!("{}{path}", self.todo_api_url)).header(ORIGIN, origin)
    }

    /// `GET /todos` → the response.
    pub async fn list_todos(&self) -> reqwest::Response {
        self.api(reqwest::Method::GET, "/todos").send().await.expect("the todo API answers")
    }

    /// `POST /todos` with this title → the response.
    pub async fn create_todo(&self, title: &str) -> reqwest::Response {
        let body = serde_json::json!({ "title": title });
        self.api(reqwest::Method::POST, "/todos").json(&body).send().await.expect("the todo API answers")
    }

    /// `PATCH /todos/{id}` with this body → the response.
    pub async fn update_todo(&self, id: &str, changes: &Value) -> reqwest::Response {
        self.api(reqwest::Method::PATCH, &format!("/todos/{id}"))
            .json(changes)
            .send()
            .await
            .expect("the todo API answers")
    }

    /// `DELETE /todos/{id}` → the response.
    pub async fn delete_todo(&self, id: &str) -> reqwest::Response {
        self.api(reqwest::Method::DELETE, &format!("/todos/{id}")).send().await.expect("the todo API answers")
    }
}

/// The absolute URL of a redirect's `Location`: testkit's, resolved
/// against the URL of the request it answers.
pub fn location(redirect: &reqwest::Response) -> String {
    resolve(redirect.url(), testkit::http::location(redirect))
}

/// The first `Set-Cookie` header of a response whose cookie is `name`
/// (RFC 6265 §4.1), as sent: attributes and all.
pub fn set_cookie<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| cookie::Cookie::parse(*value).is_ok_and(|parsed| parsed.name() == name))
}

/// The value of a hidden `<input name="…" value="…">` in a page.
pub fn hidden_input(html: &str, name: &str) -> String {
    testkit::html::input_value(html, name).unwrap_or_else(|| panic!("no input named {name} in: {html}"))
}

fn resolve(base: &url::Url, reference: &str) -> String {
    base.join(reference).map(String::from).unwrap_or_else(|_| reference.to_owned())
}
