//! `GET /login` and `POST /login` — authenticating the resource owner.
//!
//! A username/password form protected by a session-bound CSRF token
//! (RFC 6749 §10.12), argon2id password checks that take as long for an
//! unknown user as for a wrong password, a generic error message that does
//! not say which of the two was wrong, and throttling of attempts per
//! username and per address (RFC 6749 §10.10 brute force).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::clients::Clients;
use crate::config::Config;
use crate::error::AppError;
use crate::forms::HtmlForm;
use crate::password;
use crate::responses::{Via, no_store, send_to};
use crate::session::{self, Login};
use crate::state::Database;
use crate::store;
use crate::templates;
use crate::throttle::{self, Key, OnSuccess, Refused, Rule, Throttle};

#[derive(Serialize, Default)]
struct Page {
    csrf_token: String,
    username: String,
    error: Option<String>,
    client_name: Option<String>,
}

pub async fn show(State(clients): State<Clients>, session: Session) -> Result<Response, AppError> {
    render(&clients, &session, StatusCode::OK, Page::default()).await
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf_token: String,
}

pub async fn submit(
    State(config): State<Arc<Config>>,
    State(clients): State<Clients>,
    State(throttle): State<Throttle>,
    State(db): State<Database>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    session: Session,
    HtmlForm(form): HtmlForm<LoginForm>,
) -> Result<Response, AppError> {
    let retry = |error: &str, status| {
        Page { username: form.username.clone(), error: Some(error.to_owned()), ..Page::default() }.with(status)
    };

    if !session::csrf_matches(&session, &form.csrf_token).await {
        let (page, status) =
            retry("The form expired or was not sent from this page. Please sign in again.", StatusCode::FORBIDDEN);
        return render(&clients, &session, status, page).await;
    }

    if form.username.len() > MAX_USERNAME_BYTES {
        let (page, status) = retry(
            &format!("A username is at most {MAX_USERNAME_BYTES} bytes long; no account has this one."),
            StatusCode::BAD_REQUEST,
        );
        return render(&clients, &session, status, page).await;
    }

    // RFC 6749 §10.10: attempts are counted as they start, per username and
    // per address (see `crate::throttle` for why both, and why this order).
    let attempt = match throttle.begin(&throttle_keys(&config, &form.username, peer.ip())).await? {
        Ok(attempt) => attempt,
        Err(Refused { retry_after }) => {
            let (page, status) = retry(
                &format!("Too many failed attempts. Try again in {retry_after} seconds."),
                StatusCode::TOO_MANY_REQUESTS,
            );
            let mut response = render(&clients, &session, status, page).await?;
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            return Ok(response);
        }
    };

    let user = store::users::find_by_username(&mut *db.reads.acquire().await?, &form.username).await?;
    let verified = match &user {
        Some(user) => password::verify(form.password.clone(), user.password_hash.clone()).await,
        // Same argon2 cost for unknown users: timing does not reveal them.
        None => password::verify_dummy(form.password.clone()).await,
    };
    let Some(user) = user.filter(|_| verified) else {
        tracing::info!("login failed");
        let (page, status) = retry("Invalid username or password.", StatusCode::UNAUTHORIZED);
        return render(&clients, &session, status, page).await;
    };

    throttle.succeeded(attempt).await?;
    let return_to = session::take_return_to(&session).await;
    let login = Login { user_id: user.id.clone(), auth_time: shared::now_unix() };
    session::set_login(&session, &login).await?;
    if let Some(query) = &return_to {
        session::set_fresh_login(&session, query).await?;
    }
    tracing::info!(user_id = %user.id, "login succeeded");

    // 303 See Other: the browser continues with a GET and never re-posts the
    // password anywhere (RFC 9700 §4.12).
    let location = match return_to {
        Some(query) => format!("/oauth2/authorize?{query}"),
        None => "/".to_owned(),
    };
    Ok(send_to(Via::Post, &location))
}

/// The longest username looked up; longer ones are refused before any
/// lookup or counter.
pub const MAX_USERNAME_BYTES: usize = 256;

/// The throttle's keys for a login: the username, limited to the
/// configured failures per window and reset by the right password; and the
/// address, allowed [`throttle::ADDRESS_LIMIT_FACTOR`] times as many, from
/// which a success takes back only its own attempt.
fn throttle_keys(config: &Config, username: &str, address: IpAddr) -> [(Key, Rule); 2] {
    let (limit, window) = (config.login_max_failures, config.login_window);
    [
        (Key::User(username.to_owned()), Rule { limit, window, on_success: OnSuccess::Reset }),
        (
            Key::Address(address),
            Rule { limit: limit.saturating_mul(throttle::ADDRESS_LIMIT_FACTOR), window, on_success: OnSuccess::Refund },
        ),
    ]
}

impl Page {
    fn with(self, status: StatusCode) -> (Self, StatusCode) {
        (self, status)
    }
}

async fn render(
    clients: &Clients,
    session: &Session,
    status: StatusCode,
    mut page: Page,
) -> Result<Response, AppError> {
    page.csrf_token = session::csrf_token(session).await?;
    page.client_name = client_name_of_pending_request(clients, session).await;
    let html = templates::render("login.html", page)?;
    Ok(no_store((status, html)))
}

/// "Sign in to continue to <client>", when a request is waiting.
async fn client_name_of_pending_request(clients: &Clients, session: &Session) -> Option<String> {
    let query: String = session.get("return_to").await.ok().flatten()?;
    let client_id = url::form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "client_id")?.1.into_owned();
    clients.find(&client_id).map(|c| c.name)
}
