//! The honest steps every attack starts from: a user signing in and
//! approving at the provider, a client redeeming a code, a call to the
//! todo API. The demo users and clients are the ones registered in
//! `provider/clients.toml`, whose demo secrets are public there.

use anyhow::{Context as _, bail};
use reqwest::Method;
use shared::pkce::CodeVerifier;

use crate::attack::{Context, Finding};
use crate::browser::{Answer, Browser, hidden_input};

/// A client registered in `provider/clients.toml`.
#[derive(Clone, Copy)]
pub struct DemoClient {
    pub id: &'static str,
    pub auth: ClientAuth,
}

/// How a client authenticates at the token endpoint (RFC 6749 §2.3.1),
/// with its demo secret (public in clients.toml).
#[derive(Clone, Copy)]
pub enum ClientAuth {
    /// `client_secret_basic`: HTTP Basic.
    Basic(&'static str),
    /// `client_secret_post`: `client_id` and `client_secret` in the body.
    Post(&'static str),
    /// `none`: a public client sends its `client_id` only.
    None,
}

/// The client app: confidential, PKCE, `{CLIENT_PUBLIC_URL}/callback`.
pub const TODO_APP: DemoClient = DemoClient { id: "todo-app", auth: ClientAuth::Basic("todo-app-secret") };
/// The browser-based public client: no secret, so PKCE is all that
/// protects its codes.
pub const TODO_SPA: DemoClient = DemoClient { id: "todo-spa", auth: ClientAuth::None };
/// A confidential client registered without mandatory PKCE.
pub const LEGACY_APP: DemoClient = DemoClient { id: "legacy-app", auth: ClientAuth::Post("legacy-app-secret") };
/// The SPA's registered redirect URI.
pub const TODO_SPA_REDIRECT_URI: &str = "http://localhost:5173/callback";
/// The legacy client's registered redirect URI.
pub const LEGACY_APP_REDIRECT_URI: &str = "http://localhost:3001/callback";

/// The client app's registered redirect URI.
pub fn todo_app_redirect_uri(context: &Context) -> String {
    format!("{}/callback", context.config.client_public_url)
}

/// An authorization request URL at the provider (RFC 6749 §4.1.1).
pub fn authorization_url(context: &Context, params: &[(&str, &str)]) -> String {
    let mut url = match url::Url::parse(&format!("{}/oauth2/authorize", context.config.provider_public_url)) {
        Ok(url) => url,
        Err(_) => return String::new(),
    };
    url.query_pairs_mut().extend_pairs(params);
    url.into()
}

/// Follows an authorization request through the provider's login and
/// consent pages as `username` (whose password is the username, as for
/// the demo users), up to the first answer that leaves the provider: the
/// redirect back to the client (not followed), or an error page.
pub async fn sign_in_and_approve(
    browser: &Browser,
    context: &Context,
    start: &str,
    username: &str,
) -> anyhow::Result<Answer> {
    let provider = &context.config.provider_public_url;
    let mut answer = browser.get(start).await?;
    for _ in 0..6 {
        if let Some(next) = answer.location.clone() {
            if !is_at(&next, provider) {
                return Ok(answer);
            }
            answer = browser.get(next.as_str()).await?;
            if next.path() == "/login" && answer.status.is_success() {
                let csrf = hidden_input(&answer.body, "csrf_token").unwrap_or_default();
                let fields = [("username", username), ("password", username), ("csrf_token", csrf.as_str())];
                answer = browser.post_form(&format!("{provider}/login"), &fields).await?;
            }
            continue;
        }
        if answer.status.is_success() && answer.body.contains(r#"name="decision""#) {
            let csrf = hidden_input(&answer.body, "csrf_token").unwrap_or_default();
            let request_id = hidden_input(&answer.body, "request_id").unwrap_or_default();
            let fields = [("csrf_token", csrf.as_str()), ("request_id", request_id.as_str()), ("decision", "approve")];
            answer = browser.post_form(&format!("{provider}/consent"), &fields).await?;
            continue;
        }
        return Ok(answer);
    }
    Ok(answer)
}

/// Whether `url` is on the origin of `base`.
pub fn is_at(url: &url::Url, base: &str) -> bool {
    url::Url::parse(base).is_ok_and(|base| base.origin() == url.origin())
}

/// A user's trip through the client app's own login, up to the provider's
/// redirect back to the client's `/callback` (not followed): its
/// `Location` carries `code`, `state` and `iss`.
pub async fn client_login(browser: &Browser, context: &Context, username: &str) -> anyhow::Result<Answer> {
    let start = format!("{}/login", context.config.client_public_url);
    let to_client = sign_in_and_approve(browser, context, &start, username).await?;
    if to_client.location_param("code").is_none() {
        bail!("expected the provider to redirect to the client with a code, got HTTP {}", to_client.status);
    }
    Ok(to_client)
}

/// An authorization code for `client`, approved by `username`.
pub async fn code_for(
    browser: &Browser,
    context: &Context,
    username: &str,
    params: &[(&str, &str)],
) -> anyhow::Result<String> {
    let state = shared::random::random_token();
    let mut all = vec![("response_type", "code"), ("state", state.as_str())];
    all.extend_from_slice(params);
    let start = authorization_url(context, &all);
    let answer = sign_in_and_approve(browser, context, &start, username).await?;
    answer.location_param("code").with_context(|| format!("no code in the answer (HTTP {})", answer.status))
}

/// A token request (RFC 6749 §4.1.3, §6) from `client`, authenticated as
/// it is registered, at the back channel.
pub async fn token_request(
    browser: &Browser,
    context: &Context,
    client: DemoClient,
    fields: &[(&str, &str)],
) -> anyhow::Result<Answer> {
    let url = format!("{}/oauth2/token", context.config.provider_internal_url);
    let mut fields = fields.to_vec();
    let basic;
    let mut headers = Vec::new();
    match client.auth {
        ClientAuth::Basic(secret) => {
            basic = shared::basic_credentials::encode(client.id, secret);
            headers.push(("Authorization", basic.as_str()));
        }
        ClientAuth::Post(secret) => fields.extend([("client_id", client.id), ("client_secret", secret)]),
        ClientAuth::None => fields.push(("client_id", client.id)),
    }
    browser.send(Method::POST, &url, &headers, Some(&fields)).await
}

/// A refresh request (RFC 6749 §6) from `client` with `refresh_token`.
pub async fn refresh(
    browser: &Browser,
    context: &Context,
    client: DemoClient,
    refresh_token: &str,
) -> anyhow::Result<Answer> {
    token_request(browser, context, client, &[("grant_type", "refresh_token"), ("refresh_token", refresh_token)]).await
}

/// The tokens of a successful token response.
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
}

/// The whole honest flow for the client app: `username` approves `scope`,
/// the client redeems the code with its PKCE verifier.
pub async fn tokens_for(browser: &Browser, context: &Context, username: &str, scope: &str) -> anyhow::Result<Tokens> {
    let verifier = CodeVerifier::generate();
    let challenge = verifier.challenge();
    let redirect_uri = todo_app_redirect_uri(context);
    let nonce = shared::random::random_token();
    let code = code_for(
        browser,
        context,
        username,
        &[
            ("client_id", TODO_APP.id),
            ("redirect_uri", &redirect_uri),
            ("scope", scope),
            ("nonce", &nonce),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ],
    )
    .await?;
    let answer = token_request(
        browser,
        context,
        TODO_APP,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &redirect_uri),
            ("code_verifier", verifier.expose()),
        ],
    )
    .await?;
    tokens_of(&answer).with_context(|| format!("the honest code redemption failed (HTTP {})", answer.status))
}

/// The tokens in a token response, if it is a successful one.
pub fn tokens_of(answer: &Answer) -> Option<Tokens> {
    let json = answer.json()?;
    let access_token = json.get("access_token")?.as_str()?.to_owned();
    let refresh_token = json.get("refresh_token").and_then(|t| t.as_str()).map(str::to_owned);
    answer.status.is_success().then_some(Tokens { access_token, refresh_token })
}

/// The verdict on an attack's last token request: tokens in `answer` mean
/// the provider missed its check, and the attack `succeeded`; a refusal
/// means it was `blocked`.
pub fn verdict_on(answer: &Answer, succeeded: &str, blocked: String) -> Finding {
    match tokens_of(answer) {
        Some(_) => Finding::succeeded(succeeded),
        None => Finding::blocked(blocked),
    }
}

/// `GET /todos` with a bearer token, after writing the token's decoded
/// header and claims to the transcript under `label`.
pub async fn present_token(browser: &Browser, context: &Context, label: &str, token: &str) -> anyhow::Result<Answer> {
    context.note(format!("{label}:\n{}", crate::transcript::describe_jwt(token)));
    let url = format!("{}/todos", context.config.todo_api_public_url);
    let bearer = format!("Bearer {token}");
    browser.send(Method::GET, &url, &[("Authorization", &bearer)], None).await
}

/// The todo API's verdict on a forged token: only a 401 is a refusal of
/// the token itself (RFC 6750 §3.1 `invalid_token`); any other answer
/// means the API took the token as genuine.
pub fn api_verdict(answer: &Answer, what: &str) -> crate::attack::Finding {
    if answer.status == reqwest::StatusCode::UNAUTHORIZED {
        crate::attack::Finding::blocked(format!(
            "the todo API refused {what} with 401: {}",
            answer.header("www-authenticate")
        ))
    } else {
        crate::attack::Finding::succeeded(format!("the todo API accepted {what}: HTTP {}", answer.status))
    }
}
