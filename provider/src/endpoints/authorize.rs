//! `GET|POST /oauth2/authorize` — the authorization endpoint (RFC 6749 §3.1,
//! §4.1.1; OIDC Core §3.1.2).
//!
//! Validates the request, makes sure the user is signed in and has
//! consented, then issues a code and sends it to the client.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use shared::{ErrorCode, Scopes};
use tower_sessions::Session;

use crate::authorization_request::{AuthorizationRequest, Params, validate};
use crate::authorization_response::{AuthorizeError, Via, deliver};
use crate::clients::Client;
use crate::forms::FORM_TYPE;
use crate::grants::authorization_code::issue_code;
use crate::scopes::describe;
use crate::session::{self, Login};
use crate::state::AppState;
use crate::store;

pub async fn authorize(State(state): State<AppState>, session: Session, RawQuery(query): RawQuery) -> Response {
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    match handle(&state, &session, &params, Via::Get).await {
        Ok(response) => response,
        Err(error) => error.respond(&state.config.issuer, &state.templates, Via::Get),
    }
}

/// `POST /oauth2/authorize`: OIDC Core §3.1.2.1 "Authorization Servers MUST
/// support the use of the HTTP GET and POST methods defined in RFC 7231 at
/// the Authorization Endpoint." The form body is read exactly like the
/// query and takes the same path from here on.
pub async fn authorize_post(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case(FORM_TYPE));
    if !form {
        return AuthorizeError::page(
            "Invalid request",
            format!("A POST authorization request is a form: send it as {FORM_TYPE}."),
            "OIDC Core §3.1.2.1",
        )
        .respond(&state.config.issuer, &state.templates, Via::Post);
    }
    let params = Params::parse(&body);
    match handle(&state, &session, &params, Via::Post).await {
        Ok(response) => response,
        Err(error) => error.respond(&state.config.issuer, &state.templates, Via::Post),
    }
}

async fn handle(state: &AppState, session: &Session, params: &Params, via: Via) -> Result<Response, AuthorizeError> {
    let (request, client) = validate(params, |id| state.client(id))?;

    // The request is replayed as this query after a login; the login page
    // marks the session with it, so that the fresh login satisfies exactly
    // the request it was made for (even `max_age=0`).
    let replay = params.to_query();
    let just_signed_in = session::take_fresh_login(session).await.as_deref() == Some(replay.as_str());
    let current = session::login(session).await;
    if let Some(login) = &current
        && (just_signed_in || !request.needs_fresh_login(login.auth_time, shared::now_unix()))
    {
        return decide(state, session, request, &client, login, via).await;
    }
    // OIDC Core §3.1.2.6: with prompt=none "The Authorization Server MUST
    // NOT display any authentication or consent user interface".
    if request.prompt.none {
        let why = if current.is_some() {
            "the last sign-in is older than max_age and prompt=none forbids asking again"
        } else {
            "the user is not signed in and prompt=none forbids asking"
        };
        return Err(AuthorizeError::redirect(request.target(), ErrorCode::LoginRequired, why));
    }
    if current.is_some() {
        // A fresh authentication is required: the old one satisfies
        // nothing from now on, not even a later request without prompt=login.
        session::forget_login(session).await.map_err(internal)?;
    }
    session::set_return_to(session, &replay).await.map_err(internal)?;
    Ok(see_login(via))
}

/// Consent, then the code: shared by this endpoint and the consent form.
pub async fn decide(
    state: &AppState,
    session: &Session,
    request: AuthorizationRequest,
    client: &Client,
    login: &Login,
    via: Via,
) -> Result<Response, AuthorizeError> {
    let needs_consent = if client.first_party && !request.prompt.consent {
        // ASVS 10.7.1: the skip applies only to registered first-party
        // clients, and is logged.
        tracing::info!(client_id = %client.id, "consent skipped: first-party client");
        false
    } else {
        let granted = store::consents::granted(&state.db, &login.user_id, &client.id).await?;
        request.prompt.consent || !request.scope.is_subset_of(&granted)
    };
    if needs_consent {
        if request.prompt.none {
            return Err(AuthorizeError::redirect(
                request.target(),
                ErrorCode::ConsentRequired,
                "the user has not consented to these scopes and prompt=none forbids asking",
            ));
        }
        return show_consent(state, session, &request, client, login).await;
    }
    ensure_consented(state, &request, client, login).await?;
    let code = issue_code(state, &request, login).await?;
    tracing::info!(client_id = %client.id, "authorization code issued");
    Ok(deliver(&request.target(), vec![("code", code)], &state.config.issuer, &state.templates, via))
}

/// The invariant behind every code, checked where the code is issued:
/// a client that is not first-party gets a code only for scopes the user
/// has consented to (ASVS 10.7.1), and only for a request that names at
/// least one scope (an empty set would be "covered" by any consent).
async fn ensure_consented(
    state: &AppState,
    request: &AuthorizationRequest,
    client: &Client,
    login: &Login,
) -> Result<(), AuthorizeError> {
    let granted = if client.first_party {
        None
    } else {
        Some(store::consents::granted(&state.db, &login.user_id, &client.id).await?)
    };
    if consent_covers(granted.as_ref(), &request.scope) {
        return Ok(());
    }
    tracing::error!(client_id = %client.id, "refused to issue a code that no consent covers");
    Err(AuthorizeError::redirect(
        request.target(),
        ErrorCode::AccessDenied,
        "the user has not consented to this request, so no code is issued (RFC 6749 §4.1.2.1)",
    ))
}

/// `granted` is `None` for a first-party client (no consent needed).
fn consent_covers(granted: Option<&Scopes>, requested: &Scopes) -> bool {
    !requested.is_empty() && granted.is_none_or(|granted| requested.is_subset_of(granted))
}

async fn show_consent(
    state: &AppState,
    session: &Session,
    request: &AuthorizationRequest,
    client: &Client,
    login: &Login,
) -> Result<Response, AuthorizeError> {
    #[derive(Serialize)]
    struct ScopeLine {
        name: String,
        description: &'static str,
    }
    #[derive(Serialize)]
    struct Context {
        client_name: String,
        user_name: String,
        scopes: Vec<ScopeLine>,
        access_minutes: u64,
        offline: bool,
        refresh_days: u64,
        csrf_token: String,
        request_id: String,
    }
    let user = store::users::find_by_id(&state.db, &login.user_id).await?;
    let context = Context {
        client_name: client.name.clone(),
        user_name: user.map(|u| u.name).unwrap_or_default(),
        scopes: request.scope.iter().map(|s| ScopeLine { name: s.to_owned(), description: describe(s) }).collect(),
        access_minutes: state.config.access_token_ttl.as_secs().div_ceil(60),
        offline: request.scope.contains("offline_access"),
        refresh_days: state.config.refresh_token_ttl.as_secs() / 86_400,
        csrf_token: session::csrf_token(session).await.map_err(internal)?,
        request_id: session::park_request(session, request).await.map_err(internal)?,
    };
    let html = state.templates.render("consent.html", context)?;
    Ok(no_store(html.into_response()))
}

pub fn see_login(via: Via) -> Response {
    let status = match via {
        Via::Get => StatusCode::FOUND,
        Via::Post => StatusCode::SEE_OTHER,
    };
    (status, [(header::LOCATION, "/login")]).into_response()
}

pub fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub fn internal(e: tower_sessions::session::Error) -> AuthorizeError {
    AuthorizeError::Internal(anyhow::anyhow!("session store: {e}").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_needs_a_consent_that_covers_a_non_empty_request() {
        let scopes = |s: &str| Scopes::parse(s).unwrap();
        assert!(consent_covers(Some(&scopes("openid profile")), &scopes("openid")));
        assert!(!consent_covers(Some(&scopes("openid")), &scopes("openid email")));
        assert!(!consent_covers(Some(&scopes("openid")), &scopes(" ")), "the empty set is no request");
        assert!(!consent_covers(None, &scopes("")), "not even for a first-party client");
        assert!(consent_covers(None, &scopes("openid")));
    }
}
