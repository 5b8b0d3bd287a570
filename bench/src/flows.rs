//! The operations the scenarios repeat, and the browser steps they are made
//! of: the authorization request, the login and consent forms, the token
//! request. Every step checks what the protocol says it must get back, so a
//! fast wrong answer counts as an error, not as throughput.

use std::net::SocketAddr;

use serde_json::Value;
use shared::basic_credentials;
use shared::pkce::CodeVerifier;
use testkit::html::input_value;

use crate::http::{Conn, Cookies, Response, form};
use crate::load::Operation;

pub const TODO_APP: (&str, &str) = ("todo-app", "todo-app-secret");
pub const REPORT_SERVICE: (&str, &str) = ("report-service", "report-service-secret");
pub const TODO_API_CLIENT: (&str, &str) = ("todo-api", "todo-api-secret");
pub const REDIRECT_URI: &str = "http://localhost:3000/callback";

/// One request, repeated; succeeds on the expected status.
pub struct Request {
    pub conn: Conn,
    pub method: &'static str,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub expect: u16,
}

impl Request {
    pub fn get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Self {
        Self::new(addr, "GET", path, headers, Vec::new())
    }

    pub fn post_form(addr: SocketAddr, path: &str, headers: &[(&str, &str)], pairs: &[(&str, &str)]) -> Self {
        let mut headers = headers.to_vec();
        headers.push(("content-type", "application/x-www-form-urlencoded"));
        Self::new(addr, "POST", path, &headers, form(pairs).into_bytes())
    }

    fn new(addr: SocketAddr, method: &'static str, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Self {
        Self {
            conn: Conn::new(addr),
            method,
            path: path.to_owned(),
            headers: headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
            body,
            expect: 200,
        }
    }
}

impl Operation for Request {
    async fn call(&mut self) -> Result<(), String> {
        let headers: Vec<(&str, &str)> = self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let response =
            self.conn.send(self.method, &self.path, &headers, &self.body).await.map_err(|e| e.to_string())?;
        if response.status != self.expect {
            return Err(format!("{} {}: {}", self.method, self.path, response.describe()));
        }
        Ok(())
    }
}

/// Scenario 4: a signed-in user whose consent is remembered. One call is
/// authorize → code → token exchange with PKCE.
pub struct CodeFlow {
    pub conn: Conn,
    pub cookies: Cookies,
    pub scope: String,
}

impl Operation for CodeFlow {
    async fn call(&mut self) -> Result<(), String> {
        let verifier = CodeVerifier::generate();
        let response = authorize(&mut self.conn, &mut self.cookies, &self.scope, &verifier, false).await?;
        let code = code_from(&response)?;
        exchange(&mut self.conn, &code, &verifier).await.map(|_| ())
    }
}

/// Scenario 5: a browser with no session. One call is authorize → login
/// form → argon2id password check → consent → code → token.
pub struct FirstLogin {
    pub conn: Conn,
    pub username: String,
    pub password: String,
    pub scope: String,
}

impl Operation for FirstLogin {
    async fn call(&mut self) -> Result<(), String> {
        let mut cookies = Cookies::default();
        let (code, verifier) =
            sign_in(&mut self.conn, &mut cookies, &self.username, &self.password, &self.scope, true).await?;
        exchange(&mut self.conn, &code, &verifier).await.map(|_| ())
    }
}

/// The whole front channel for a browser without a session; `force_consent`
/// adds `prompt=consent` so the consent form is shown even when remembered.
/// Returns the code and its verifier; `cookies` keeps the session.
pub async fn sign_in(
    conn: &mut Conn,
    cookies: &mut Cookies,
    username: &str,
    password: &str,
    scope: &str,
    force_consent: bool,
) -> Result<(String, CodeVerifier), String> {
    let verifier = CodeVerifier::generate();
    let first = authorize(conn, cookies, scope, &verifier, force_consent).await?;
    if !matches!(first.status, 302 | 303) || first.header("location") != Some("/login") {
        return Err(format!("authorize without a session: expected a redirect to /login, got {}", first.describe()));
    }
    let page = get(conn, cookies, "/login").await?;
    if page.status != 200 {
        return Err(format!("GET /login: {}", page.describe()));
    }
    let csrf = input_value(&page.text(), "csrf_token").ok_or("GET /login: no csrf_token input in the page")?;
    let body = form(&[("username", username), ("password", password), ("csrf_token", &csrf)]);
    let login = post(conn, cookies, "/login", &[], body).await?;
    if login.status != 303 {
        return Err(format!("POST /login: {}", login.describe()));
    }
    let back = path_of(login.header("location").unwrap_or_default());
    let mut response = get(conn, cookies, &back).await?;
    if response.status == 200 {
        let page = response.text();
        let csrf = input_value(&page, "csrf_token").ok_or("consent page: no csrf_token input")?;
        let request_id = input_value(&page, "request_id").ok_or("consent page: no request_id input")?;
        let body = form(&[("csrf_token", &csrf), ("request_id", &request_id), ("decision", "approve")]);
        response = post(conn, cookies, "/consent", &[], body).await?;
    }
    Ok((code_from(&response)?, verifier))
}

/// `GET /oauth2/authorize` for the todo app with a fresh PKCE challenge.
pub async fn authorize(
    conn: &mut Conn,
    cookies: &mut Cookies,
    scope: &str,
    verifier: &CodeVerifier,
    force_consent: bool,
) -> Result<Response, String> {
    let challenge = verifier.challenge();
    let mut pairs = vec![
        ("client_id", TODO_APP.0),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT_URI),
        ("scope", scope),
        ("state", "bench-state"),
        ("nonce", "bench-nonce"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    if force_consent {
        pairs.push(("prompt", "consent"));
    }
    get(conn, cookies, &format!("/oauth2/authorize?{}", form(&pairs))).await
}

/// The code in a redirect to the todo app, after checking `state`.
pub fn code_from(response: &Response) -> Result<String, String> {
    let location = response.header("location").filter(|l| l.starts_with(REDIRECT_URI));
    let Some(location) = location.filter(|_| matches!(response.status, 302 | 303)) else {
        return Err(format!("expected a redirect to the client with a code, got {}", response.describe()));
    };
    let url = url::Url::parse(location).map_err(|e| e.to_string())?;
    let params: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    if params.get("state").map(String::as_str) != Some("bench-state") {
        return Err(format!("state not returned unchanged in {location}"));
    }
    params.get("code").cloned().ok_or_else(|| format!("no code in {location}"))
}

/// The token request for a todo-app code (client_secret_basic + PKCE).
pub async fn exchange(conn: &mut Conn, code: &str, verifier: &CodeVerifier) -> Result<Value, String> {
    let body = form(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT_URI),
        ("code_verifier", verifier.expose()),
    ]);
    let auth = basic_credentials::encode(TODO_APP.0, TODO_APP.1);
    let response = post(conn, &mut Cookies::default(), "/oauth2/token", &[("authorization", &auth)], body).await?;
    token_json(&response)
}

/// A client_credentials token.
pub async fn client_credentials(conn: &mut Conn, client: (&str, &str), scope: &str) -> Result<Value, String> {
    let auth = basic_credentials::encode(client.0, client.1);
    let body = form(&[("grant_type", "client_credentials"), ("scope", scope)]);
    let response = post(conn, &mut Cookies::default(), "/oauth2/token", &[("authorization", &auth)], body).await?;
    token_json(&response)
}

fn token_json(response: &Response) -> Result<Value, String> {
    if response.status != 200 {
        return Err(format!("token request: {}", response.describe()));
    }
    let json: Value = serde_json::from_slice(&response.body).map_err(|e| e.to_string())?;
    if json["access_token"].as_str().is_none_or(str::is_empty) {
        return Err(format!("token response without access_token: {json}"));
    }
    Ok(json)
}

pub async fn get(conn: &mut Conn, cookies: &mut Cookies, path: &str) -> Result<Response, String> {
    let cookie = cookies.header();
    let headers: &[(&str, &str)] = if cookie.is_empty() { &[] } else { &[("cookie", &cookie)] };
    let response = conn.send("GET", path, headers, b"").await.map_err(|e| format!("GET {path}: {e}"))?;
    cookies.update(&response);
    Ok(response)
}

pub async fn post(
    conn: &mut Conn,
    cookies: &mut Cookies,
    path: &str,
    extra: &[(&str, &str)],
    body: String,
) -> Result<Response, String> {
    let cookie = cookies.header();
    let mut headers = vec![("content-type", "application/x-www-form-urlencoded")];
    if !cookie.is_empty() {
        headers.push(("cookie", &cookie));
    }
    headers.extend_from_slice(extra);
    let response = conn.send("POST", path, &headers, body.as_bytes()).await.map_err(|e| format!("POST {path}: {e}"))?;
    cookies.update(&response);
    Ok(response)
}

/// The path and query of a same-server `Location` (relative or absolute).
fn path_of(location: &str) -> String {
    match url::Url::parse(location) {
        Ok(url) => match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        },
        Err(_) => location.to_owned(),
    }
}
