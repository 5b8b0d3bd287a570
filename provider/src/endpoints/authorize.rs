//! `GET /oauth2/authorize` — the authorization endpoint (RFC 6749 §3.1,
//! §4.1.1; OIDC Core §3.1.2).
//!
//! Validates the request, makes sure the user is signed in and has
//! consented, then issues a code and sends it to the client.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use shared::ErrorCode;
use tower_sessions::Session;

use crate::authorization_request::{AuthorizationRequest, Params, validate};
use crate::authorization_response::{AuthorizeError, Via, deliver};
use crate::clients::Client;
use crate::grants::authorization_code::issue_code;
use crate::scopes::describe;
use crate::session::{self, Login};
use crate::state::AppState;
use crate::store;

pub async fn authorize(State(state): State<AppState>, session: Session, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    match handle(&state, &session, &query).await {
        Ok(response) => response,
        Err(error) => error.respond(&state.config.issuer, &state.templates, Via::Get),
    }
}

async fn handle(state: &AppState, session: &Session, query: &str) -> Result<Response, AuthorizeError> {
    let params = Params::parse(query);
    let (request, client) = validate(&params, |id| state.client(id))?;

    let login = match session::login(session).await {
        Some(login) if !request.prompt.login => login,
        _ => {
            // OIDC Core §3.1.2.6: with prompt=none "The Authorization Server
            // MUST NOT display any authentication or consent user interface".
            if request.prompt.none {
                return Err(AuthorizeError::redirect(
                    request.target(),
                    ErrorCode::LoginRequired,
                    "the user is not signed in and prompt=none forbids asking",
                ));
            }
            // Come back to this request after login — without prompt=login,
            // or the user would be asked to sign in forever.
            session::set_return_to(session, &without_prompt_login(query)).await.map_err(internal)?;
            return Ok(see_login(Via::Get));
        }
    };
    decide(state, session, request, &client, &login, Via::Get).await
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
    let code = issue_code(state, &request, login).await?;
    tracing::info!(client_id = %client.id, "authorization code issued");
    Ok(deliver(&request.target(), vec![("code", code)], &state.config.issuer, &state.templates, via))
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

/// The query with `login` removed from `prompt`.
fn without_prompt_login(query: &str) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if name == "prompt" {
            let rest: Vec<&str> = value.split(' ').filter(|v| *v != "login" && !v.is_empty()).collect();
            if !rest.is_empty() {
                out.append_pair("prompt", &rest.join(" "));
            }
        } else {
            out.append_pair(&name, &value);
        }
    }
    out.finish()
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
    fn prompt_login_is_dropped_for_the_return_trip() {
        assert_eq!(without_prompt_login("a=1&prompt=login+consent"), "a=1&prompt=consent");
        assert_eq!(without_prompt_login("prompt=login&b=2"), "b=2");
    }
}
