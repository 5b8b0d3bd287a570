//! `GET|POST /oauth2/authorize` — the authorization endpoint (RFC 6749 §3.1,
//! §4.1.1; OIDC Core §3.1.2).
//!
//! Validates the request, makes sure the user is signed in and has
//! consented, then issues a code and sends it to the client.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use shared::ErrorCode;
use tower_sessions::Session;

use crate::authorization::consent::decide;
use crate::authorization::request::validate;
use crate::authorization::response::AuthorizeError;
use crate::clients::Clients;
use crate::config::Config;
use crate::forms::FORM_TYPE;
use crate::params::Params;
use crate::responses::{Via, see_login};
use crate::session;
use crate::state::Database;

pub async fn authorize(
    State(config): State<Arc<Config>>,
    State(clients): State<Clients>,
    State(db): State<Database>,
    session: Session,
    RawQuery(query): RawQuery,
) -> Result<Response, AuthorizeError> {
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    handle(&config, &clients, &db, &session, &params, Via::Get).await
}

/// `POST /oauth2/authorize`: OIDC Core §3.1.2.1 "Authorization Servers MUST
/// support the use of the HTTP GET and POST methods defined in RFC 7231 at
/// the Authorization Endpoint." The form body is read exactly like the
/// query and takes the same path from here on.
pub async fn authorize_post(
    State(config): State<Arc<Config>>,
    State(clients): State<Clients>,
    State(db): State<Database>,
    session: Session,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AuthorizeError> {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case(FORM_TYPE));
    if !form {
        return Err(AuthorizeError::page(
            "Invalid request",
            format!("A POST authorization request is a form: send it as {FORM_TYPE}."),
            "OIDC Core §3.1.2.1",
        ));
    }
    let params = Params::parse(&body);
    handle(&config, &clients, &db, &session, &params, Via::Post).await
}

async fn handle(
    config: &Config,
    clients: &Clients,
    db: &Database,
    session: &Session,
    params: &Params,
    via: Via,
) -> Result<Response, AuthorizeError> {
    let (request, client) = validate(params, &config.issuer, via, |id| clients.find(id))?;

    // The request is replayed as this query after a login; the login page
    // marks the session with it, so that the fresh login satisfies exactly
    // the request it was made for (even `max_age=0`).
    let replay = params.to_query();
    let just_signed_in = session::take_fresh_login(session).await.as_deref() == Some(replay.as_str());
    let current = session::login(session).await;
    if let Some(login) = &current
        && (just_signed_in || !request.needs_fresh_login(login.auth_time, shared::now_unix()))
    {
        return decide(db, config, session, request, &client, login, via).await;
    }
    // OIDC Core §3.1.2.6: with prompt=none "The Authorization Server MUST
    // NOT display any authentication or consent user interface".
    if request.prompt.none {
        let why = if current.is_some() {
            "the last sign-in is older than max_age and prompt=none forbids asking again"
        } else {
            "the user is not signed in and prompt=none forbids asking"
        };
        return Err(AuthorizeError::redirect(request.target(&config.issuer, via), ErrorCode::LoginRequired, why));
    }
    if current.is_some() {
        // A fresh authentication is required: the old one satisfies
        // nothing from now on, not even a later request without prompt=login.
        session::forget_login(session).await?;
    }
    session::set_return_to(session, &replay).await?;
    Ok(see_login(via))
}
