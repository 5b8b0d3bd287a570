//! The authorization response (RFC 6749 §4.1.2) and its errors
//! (§4.1.2.1), delivered in the client's response mode, each carrying `iss`
//! (RFC 9207).
//!
//! Two kinds of error, as oxide-auth separates them: one shown on a page
//! (the client or redirect URI could not be verified — redirecting there
//! would make us an open redirector, RFC 9700 §4.11.2) and one sent back to
//! the verified redirect URI.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use shared::{ErrorCode, RedirectUri, ResponseMode};

use crate::responses::{Via, no_store, send_to};
use crate::templates;

/// Where and how to send the response.
#[derive(Clone, Debug)]
pub struct ResponseTarget {
    pub redirect_uri: RedirectUri,
    pub mode: ResponseMode,
    /// RFC 6749 §4.1.2: "REQUIRED if the "state" parameter was present in
    /// the client authorization request. The exact value received from the
    /// client."
    pub state: Option<String>,
    /// RFC 9207 §2: the `iss` every response names, this provider's issuer.
    pub issuer: String,
    /// The method of the request being answered, which decides the
    /// redirect's status.
    pub via: Via,
}

#[derive(Debug)]
pub enum AuthorizeError {
    /// Shown to the user; never redirected.
    Page { title: String, detail: String, rule: &'static str },
    /// Sent to the client's redirect URI.
    Redirect { target: ResponseTarget, code: ErrorCode, description: String },
    /// The server failed.
    Internal(crate::error::AppError),
}

impl AuthorizeError {
    pub fn page(title: &str, detail: impl Into<String>, rule: &'static str) -> Self {
        Self::Page { title: title.to_owned(), detail: detail.into(), rule }
    }

    pub fn redirect(target: ResponseTarget, code: ErrorCode, description: impl Into<String>) -> Self {
        Self::Redirect { target, code, description: description.into() }
    }
}

/// Every authorization error answers for itself: a page, or a redirect to
/// the client that its target describes.
impl IntoResponse for AuthorizeError {
    fn into_response(self) -> Response {
        match self {
            Self::Page { title, detail, rule } => {
                #[derive(Serialize)]
                struct Context<'a> {
                    title: &'a str,
                    detail: &'a str,
                    rule: &'a str,
                }
                match templates::render("error.html", Context { title: &title, detail: &detail, rule }) {
                    Ok(html) => (StatusCode::BAD_REQUEST, html).into_response(),
                    Err(e) => e.into_response(),
                }
            }
            Self::Redirect { target, code, description } => {
                tracing::info!(error = %code, %description, "authorization request refused");
                let params = vec![("error", code.as_str().to_owned()), ("error_description", description)];
                deliver(&target, params)
            }
            Self::Internal(e) => e.into_response(),
        }
    }
}

impl From<crate::error::AppError> for AuthorizeError {
    fn from(e: crate::error::AppError) -> Self {
        Self::Internal(e)
    }
}

/// The session store failed (a database error underneath).
impl From<tower_sessions::session::Error> for AuthorizeError {
    fn from(e: tower_sessions::session::Error) -> Self {
        Self::Internal(e.into())
    }
}

impl From<sqlx::Error> for AuthorizeError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

/// Sends `params` (plus `state` and `iss`) to the client.
pub fn deliver(target: &ResponseTarget, mut params: Vec<(&'static str, String)>) -> Response {
    if let Some(state) = &target.state {
        params.push(("state", state.clone()));
    }
    // RFC 9207 §2: "the authorization server MUST include the iss parameter
    // in the authorization response" — the client checks it against the
    // issuer it started with, defeating mix-up attacks (RFC 9700 §4.4).
    params.push(("iss", target.issuer.clone()));

    let mut url = target.redirect_uri.to_url();
    match target.mode {
        ResponseMode::Query => {
            // RFC 6749 §3.1.2: the URI "MAY include an
            // "application/x-www-form-urlencoded" formatted query component,
            // which MUST be retained when adding additional query parameters."
            url.query_pairs_mut().extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())));
            redirect(url.as_str(), target.via)
        }
        ResponseMode::Fragment => {
            let fragment = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())))
                .finish();
            url.set_fragment(Some(&fragment));
            redirect(url.as_str(), target.via)
        }
        ResponseMode::FormPost => {
            #[derive(Serialize)]
            struct Context<'a> {
                action: &'a str,
                params: &'a [(&'static str, String)],
            }
            match templates::render("form_post.html", Context { action: target.redirect_uri.as_str(), params: &params })
            {
                Ok(html) => no_store(html),
                Err(e) => e.into_response(),
            }
        }
    }
}

/// The browser sent on to the client, the response kept out of caches (it
/// carries a code or an error, RFC 6749 §5.1's "sensitive information").
fn redirect(location: &str, via: Via) -> Response {
    no_store(send_to(via, location))
}
