//! `GET|POST /oauth2/logout` — RP-Initiated Logout (OpenID Connect
//! RP-Initiated Logout 1.0).
//!
//! The client sends the user here with `id_token_hint` (the ID token it
//! holds), `post_logout_redirect_uri` and `state`. With a valid hint for the
//! signed-in user the provider logs out at once; without one the user is
//! asked to confirm, so a third-party page cannot log people out (§2: "the OP
//! SHOULD ask the End-User whether to log out"). `post_logout_redirect_uri`
//! is honoured only when registered for the client (§3: "MUST NOT perform
//! post-logout redirection" otherwise).

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use jsonwebtoken::{Validation, decode, decode_header};
use serde::{Deserialize, Serialize};
use shared::jwt::IdTokenClaims;
use tower_sessions::Session;

use crate::authorization::response::AuthorizeError;
use crate::clients::{Client, Clients};
use crate::error::AppError;
use crate::forms::{HtmlForm, HtmlQuery};
use crate::responses::Via;
use crate::responses::no_store;
use crate::session;
use crate::state::Issuer;
use crate::templates;

#[derive(Deserialize, Default)]
pub struct LogoutParams {
    id_token_hint: Option<String>,
    client_id: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
    csrf_token: Option<String>,
    confirm: Option<String>,
}

/// A checked logout request.
struct Checked {
    client: Option<Client>,
    /// `Some` when the hint was a valid ID token of ours.
    hint_subject: Option<String>,
    redirect: Option<String>,
}

/// `GET /oauth2/logout`: a logout request in the query.
pub async fn show(
    State(issuer): State<Issuer>,
    State(clients): State<Clients>,
    session: Session,
    HtmlQuery(params): HtmlQuery<LogoutParams>,
) -> Response {
    request(&issuer, &clients, &session, &params, Via::Get).await
}

/// `POST /oauth2/logout`: either a client's logout request in a form body
/// (RP-Initiated Logout §2: the OP "MUST support the use of the HTTP GET
/// and POST methods", and a POST keeps the ID token out of the browser's
/// history), or the user's answer to the confirmation page (`confirm=yes`
/// with this session's anti-forgery token).
pub async fn confirm(
    State(issuer): State<Issuer>,
    State(clients): State<Clients>,
    session: Session,
    HtmlForm(params): HtmlForm<LogoutParams>,
) -> Response {
    if params.confirm.is_none() {
        return request(&issuer, &clients, &session, &params, Via::Post).await;
    }
    let checked = match check(&issuer, &clients, &params) {
        Ok(checked) => checked,
        Err(error) => return error.into_response(),
    };
    let token = params.csrf_token.as_deref().unwrap_or_default();
    if params.confirm.as_deref() != Some("yes") || !session::csrf_matches(&session, token).await {
        return AuthorizeError::page(
            "Form expired",
            "The sign-out form did not carry this session's anti-forgery token.",
            "RFC 6749 §10.12",
        )
        .into_response();
    }
    finish(&session, &checked, &params, Via::Post).await
}

/// A client's logout request: with a valid hint for the signed-in user (or
/// nobody signed in) the user is logged out at once; otherwise asked.
async fn request(issuer: &Issuer, clients: &Clients, session: &Session, params: &LogoutParams, via: Via) -> Response {
    let checked = match check(issuer, clients, params) {
        Ok(checked) => checked,
        Err(error) => return error.into_response(),
    };
    let current = session::login(session).await;
    let hint_matches = checked.hint_subject.is_some()
        && current.as_ref().is_none_or(|login| Some(&login.user_id) == checked.hint_subject.as_ref());
    if hint_matches {
        return finish(session, &checked, params, via).await;
    }
    confirmation_page(session, &checked, params).await.unwrap_or_else(IntoResponse::into_response)
}

fn check(issuer: &Issuer, clients: &Clients, params: &LogoutParams) -> Result<Checked, AuthorizeError> {
    let mut client = None;
    let mut hint_subject = None;
    if let Some(hint) = params.id_token_hint.as_deref().filter(|h| !h.is_empty()) {
        let claims = verify_hint(issuer, hint).ok_or_else(|| {
            AuthorizeError::page(
                "Invalid sign-out request",
                "id_token_hint is not an ID token issued by this provider.",
                "OIDC RP-Initiated Logout §2",
            )
        })?;
        let audience = match &claims.aud {
            Some(shared::jwt::Audience::One(a)) => Some(a.clone()),
            Some(shared::jwt::Audience::Many(list)) => list.first().cloned(),
            None => None,
        };
        client = audience.and_then(|a| clients.find(&a));
        hint_subject = Some(claims.sub);
    }
    if let Some(id) = params.client_id.as_deref().filter(|c| !c.is_empty()) {
        match &client {
            Some(from_hint) if from_hint.id.as_str() != id => {
                return Err(AuthorizeError::page(
                    "Invalid sign-out request",
                    "client_id does not match the audience of id_token_hint.",
                    "OIDC RP-Initiated Logout §2",
                ));
            }
            Some(_) => {}
            None => {
                client = Some(clients.find(id).ok_or_else(|| {
                    AuthorizeError::page(
                        "Unknown application",
                        format!("No client is registered with client_id {id:?}."),
                        "OIDC RP-Initiated Logout §2",
                    )
                })?);
            }
        }
    }
    let redirect = match params.post_logout_redirect_uri.as_deref().filter(|u| !u.is_empty()) {
        None => None,
        Some(uri) => {
            let registered =
                client.as_ref().is_some_and(|c| c.post_logout_redirect_uris.iter().any(|r| r.as_str() == uri));
            if !registered {
                return Err(AuthorizeError::page(
                    "Sign-out redirect not registered",
                    format!(
                        "{uri:?} is not a post-logout redirect URI registered for the client named by id_token_hint or client_id."
                    ),
                    "OIDC RP-Initiated Logout §3",
                ));
            }
            Some(uri.to_owned())
        }
    };
    Ok(Checked { client, hint_subject, redirect })
}

/// The hint's signature and issuer are checked; its expiry is not (§2:
/// "The OP need not be concerned with the expiration").
fn verify_hint(issuer: &Issuer, hint: &str) -> Option<IdTokenClaims> {
    let header = decode_header(hint).ok()?;
    if shared::jwt::is_access_token_typ(header.typ.as_deref()) {
        return None;
    }
    let ring = issuer.keys.ring();
    let key = ring.by_kid.get(header.kid.as_deref()?)?;
    let mut validation = Validation::new(key.alg);
    validation.set_issuer(&[&issuer.config.issuer]);
    validation.validate_aud = false;
    validation.validate_exp = false;
    validation.set_required_spec_claims(&["iss", "sub"]);
    decode::<IdTokenClaims>(hint, &key.decoding, &validation).ok().map(|d| d.claims)
}

async fn finish(session: &Session, checked: &Checked, params: &LogoutParams, via: Via) -> Response {
    if let Err(e) = session::logout(session).await {
        return AppError::from(e).into_response();
    }
    tracing::info!(client_id = checked.client.as_ref().map(|c| c.id.as_str()).unwrap_or("-"), "signed out");
    match &checked.redirect {
        Some(uri) => {
            let mut url = match url::Url::parse(uri) {
                Ok(url) => url,
                Err(_) => return StatusCode::BAD_REQUEST.into_response(),
            };
            if let Some(state_param) = &params.state {
                url.query_pairs_mut().append_pair("state", state_param);
            }
            (via.redirect_status(), [(header::LOCATION, url.to_string())]).into_response()
        }
        None => match templates::render("logout.html", LogoutPage { done: true, ..LogoutPage::default() }) {
            Ok(html) => no_store(html),
            Err(e) => e.into_response(),
        },
    }
}

#[derive(Serialize, Default)]
struct LogoutPage {
    done: bool,
    client_name: Option<String>,
    csrf_token: String,
    params: Vec<(&'static str, String)>,
}

async fn confirmation_page(session: &Session, checked: &Checked, params: &LogoutParams) -> Result<Response, AppError> {
    let mut carried = Vec::new();
    for (name, value) in [
        ("id_token_hint", &params.id_token_hint),
        ("client_id", &params.client_id),
        ("post_logout_redirect_uri", &params.post_logout_redirect_uri),
        ("state", &params.state),
    ] {
        if let Some(value) = value {
            carried.push((name, value.clone()));
        }
    }
    let page = LogoutPage {
        done: false,
        client_name: checked.client.as_ref().map(|c| c.name.clone()),
        csrf_token: session::csrf_token(session).await?,
        params: carried,
    };
    Ok(no_store(templates::render("logout.html", page)?))
}
