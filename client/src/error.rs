//! Everything that can go wrong in a page request, and the page it becomes.
//!
//! Each variant documents its status code. Most are part of the lesson (a
//! state mismatch, a provider error, a rejected ID token) and render a page
//! that says what happened, why it matters and how to try again. Internal
//! failures render a generic 500 and are logged once, here ([`AppError::log`]).
//! The routes the page's script calls answer the same errors in JSON
//! instead ([`crate::json_error`]).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::flow_log::{Check, SpecRef, oidc, rfc};
use crate::provider::ProviderError;
use crate::templates;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: a query string that cannot be read (e.g. a parameter twice).
    #[error("malformed query string: {0}")]
    BadQuery(String),
    /// 400: `/callback` arrived, but this browser's session holds no
    /// authorization in progress.
    #[error("no authorization request in progress for this browser")]
    NoPendingAuthorization,
    /// 400: `state` missing or not the one this browser's login sent
    /// (RFC 6749 §10.12).
    #[error("the state parameter does not match")]
    StateMismatch { received: bool },
    /// 400: `iss` names another server (RFC 9207 §2.4, mix-up attacks).
    #[error("the authorization response came from {received:?}, not {expected:?}")]
    IssuerMismatch { expected: String, received: String },
    /// 400: no `iss` although the provider's metadata promises it
    /// (RFC 9207 §2.4).
    #[error("the authorization response has no iss, although {expected:?} advertises it")]
    MissingIssuer { expected: String },
    /// 400: the provider answered with an error instead of a code
    /// (RFC 6749 §4.1.2.1), e.g. `access_denied`.
    #[error("the authorization request ended with {error}")]
    Authorization { error: String, description: Option<String> },
    /// 400: neither `code` nor `error` in the callback.
    #[error("the callback carries no code")]
    MissingCode,
    /// 502 when the provider is unreachable or answers gibberish; 400 when
    /// it answers with an RFC 6749 §5.2 error (`invalid_grant`, …).
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// 502: the provider's JWKS could not be fetched, so the ID token
    /// cannot be verified.
    #[error("the provider's keys at {url} could not be fetched: {reason}")]
    JwksUnavailable { url: String, reason: String },
    /// 502: the token response carried no ID token although `openid` was asked.
    #[error("the token response has no id_token")]
    MissingIdToken,
    /// 502: the ID token failed OIDC Core §3.1.3.7; the failed checks.
    #[error("the ID token was rejected")]
    IdTokenRejected { failed: Vec<Check> },
    /// 403: a form of this app arrived without this session's
    /// anti-forgery token (RFC 6749 §10.12): forged, or from an old page.
    #[error("the form does not carry this session's anti-forgery token")]
    CsrfTokenMismatch,
    /// 500: the session store failed.
    #[error("session store: {0}")]
    Session(#[from] tower_sessions::session::Error),
    /// 500: a template failed to render.
    #[error("template: {0}")]
    Template(#[from] minijinja::Error),
}

/// What `error.html` shows.
#[derive(Serialize)]
struct ErrorPage {
    status: u16,
    title: String,
    /// What happened, in one or two sentences.
    message: String,
    /// What the learner might check.
    causes: Vec<String>,
    /// Name/value facts: the provider's error code, the URL tried, …
    facts: Vec<(String, String)>,
    failed_checks: Vec<Check>,
    spec: Option<SpecRef>,
}

impl AppError {
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Self::BadQuery(_)
            | Self::NoPendingAuthorization
            | Self::StateMismatch { .. }
            | Self::IssuerMismatch { .. }
            | Self::MissingIssuer { .. }
            | Self::Authorization { .. }
            | Self::MissingCode
            | Self::Provider(ProviderError::Rejected { .. }) => StatusCode::BAD_REQUEST,
            Self::Provider(_) | Self::JwksUnavailable { .. } | Self::MissingIdToken | Self::IdTokenRejected { .. } => {
                StatusCode::BAD_GATEWAY
            }
            Self::CsrfTokenMismatch => StatusCode::FORBIDDEN,
            Self::Session(_) | Self::Template(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn page(&self) -> ErrorPage {
        let page = |title: &str, message: String, spec: Option<SpecRef>| ErrorPage {
            status: self.status().as_u16(),
            title: title.to_owned(),
            message,
            causes: Vec::new(),
            facts: Vec::new(),
            failed_checks: Vec::new(),
            spec,
        };
        match self {
            Self::BadQuery(reason) => page("That link is malformed", format!("The query string could not be read: {reason}."), None),
            Self::NoPendingAuthorization => ErrorPage {
                causes: vec![
                    "The session cookie was not sent back. The provider redirected here, and the browser attaches client_session only if the cookie's SameSite rule allows it (Lax allows a top-level GET redirect) and the host matches.".into(),
                    "You started on http://127.0.0.1:… but the redirect URI says http://localhost:… (or the other way round): these are different sites with different cookies. Use one host name everywhere.".into(),
                    "The login took too long and the session expired, or this callback was already used (state is single-use), e.g. by the back button or a reload.".into(),
                    "Another tab started a newer login, which replaced this one.".into(),
                ],
                ..page(
                    "No login in progress for this browser",
                    "The provider sent you back here, but this browser's session holds no authorization request to compare the answer with, so the code cannot be trusted and was not used.".into(),
                    Some(rfc(6749, "10.12")),
                )
            },
            Self::StateMismatch { received } => ErrorPage {
                facts: vec![("state".into(), if *received { "present, but different".into() } else { "missing".into() })],
                ..page(
                    "The state parameter does not match",
                    "The callback's state is not the one this browser's login request carried. That is what a cross-site request forgery looks like (someone else's code injected into your browser), so the response was refused and the pending login discarded.".into(),
                    Some(rfc(6749, "10.12")),
                )
            },
            Self::IssuerMismatch { expected, received } => ErrorPage {
                facts: vec![("iss received".into(), received.clone()), ("issuer expected".into(), expected.clone())],
                ..page(
                    "The response came from another authorization server",
                    "The iss parameter names a different issuer than the one this login was sent to. RFC 9207 asks the client to refuse it: this is how mix-up attacks are stopped.".into(),
                    Some(rfc(9207, "2.4")),
                )
            },
            Self::MissingIssuer { expected } => ErrorPage {
                facts: vec![("iss received".into(), "(none)".into()), ("issuer expected".into(), expected.clone())],
                causes: vec![
                    "The link was not made by the provider: its metadata (authorization_response_iss_parameter_supported) says every authorization response it sends names it in iss.".into(),
                ],
                ..page(
                    "The response does not say which server sent it",
                    "The callback has no iss parameter, but the provider advertises that it always sends one. RFC 9207 asks the client to refuse such a response: without iss it could come from another authorization server (a mix-up attack).".into(),
                    Some(rfc(9207, "2.4")),
                )
            },
            Self::Authorization { error, description } => ErrorPage {
                facts: facts(error, description),
                ..page(
                    if error == "access_denied" { "You declined the request" } else { "The provider did not grant access" },
                    if error == "access_denied" {
                        "The provider reports that access was denied: you (or the provider's policy) said no on the consent screen. Nothing was shared with this app.".into()
                    } else {
                        "The provider sent you back with an error instead of an authorization code.".into()
                    },
                    Some(rfc(6749, "4.1.2.1")),
                )
            },
            Self::MissingCode => page(
                "The callback has no code",
                "The provider's redirect carried neither an authorization code nor an error.".into(),
                Some(rfc(6749, "4.1.2")),
            ),
            Self::Provider(ProviderError::Unreachable { url, reason }) => ErrorPage {
                facts: vec![("URL tried".into(), url.clone()), ("error".into(), reason.clone())],
                causes: vec![
                    "Is the provider running? Check PROVIDER_INTERNAL_URL: it is the address this server (not your browser) uses to reach the provider, e.g. http://provider:8080 inside Docker.".into(),
                ],
                ..page(
                    "The provider could not be reached",
                    "This app calls the provider directly, server to server (the back channel), and that call failed.".into(),
                    Some(rfc(6749, "4.1.3")),
                )
            },
            Self::Provider(ProviderError::Rejected { url, status, error, description }) => ErrorPage {
                facts: [facts(error, description), vec![("HTTP status".into(), status.to_string()), ("endpoint".into(), url.clone())]].concat(),
                causes: vec![
                    "invalid_grant: the code expired, was already used, or the redirect_uri or code_verifier did not match.".into(),
                    "invalid_client: CLIENT_ID, CLIENT_SECRET or CLIENT_AUTH_METHOD do not match the provider's registration.".into(),
                ],
                ..page(
                    "The token endpoint refused the request",
                    "The provider answered the back-channel token request with an OAuth error.".into(),
                    Some(rfc(6749, "5.2")),
                )
            },
            Self::Provider(ProviderError::Malformed { url, status, reason }) => ErrorPage {
                facts: vec![("endpoint".into(), url.clone()), ("HTTP status".into(), status.to_string()), ("problem".into(), reason.clone())],
                ..page(
                    "The provider's answer makes no sense",
                    "The answer from the provider is not what the RFC describes. Is PROVIDER_INTERNAL_URL pointing at the provider?".into(),
                    Some(rfc(6749, "5.1")),
                )
            },
            Self::JwksUnavailable { url, reason } => ErrorPage {
                facts: vec![("URL tried".into(), url.clone()), ("error".into(), reason.clone())],
                ..page(
                    "The provider's signing keys could not be fetched",
                    "Without the provider's public keys the ID token's signature cannot be checked, so the login was not completed.".into(),
                    Some(oidc("10.1.1", "RotateSigKeys")),
                )
            },
            Self::MissingIdToken => page(
                "The token response has no ID token",
                "This login asked for the openid scope, so the token response must include an id_token (OIDC Core §3.1.3.3). Without it the app does not know who you are.".into(),
                Some(oidc("3.1.3.3", "TokenResponse")),
            ),
            Self::IdTokenRejected { failed } => ErrorPage {
                failed_checks: failed.clone(),
                ..page(
                    "The ID token failed validation",
                    "The provider's ID token broke at least one rule of OpenID Connect Core §3.1.3.7, so this app does not believe it and did not log you in. The failed checks are below; /flow shows all of them.".into(),
                    Some(oidc("3.1.3.7", "IDTokenValidation")),
                )
            },
            Self::CsrfTokenMismatch => ErrorPage {
                causes: vec![
                    "The page with the form is older than your current session (you logged in or out in another tab since): open it again.".into(),
                    "Another site submitted the form for you. Without the token from this app's own page, the request was refused.".into(),
                ],
                ..page(
                    "The form has expired",
                    "The form did not carry the anti-forgery token of this browser's session, so nothing was changed.".into(),
                    Some(rfc(6749, "10.12")),
                )
            },
            Self::Session(_) | Self::Template(_) => page(
                "Something went wrong",
                "An internal error occurred. It has been logged.".into(),
                None,
            ),
        }
    }
}

fn facts(error: &str, description: &Option<String>) -> Vec<(String, String)> {
    let mut facts = vec![("error".to_owned(), error.to_owned())];
    if let Some(description) = description {
        facts.push(("error_description".to_owned(), description.clone()));
    }
    facts
}

impl AppError {
    /// The one place failures are logged, whether they become a page or
    /// JSON. Nothing here holds a token: the variants carry URLs, codes and
    /// descriptions only.
    pub(crate) fn log(&self) {
        if self.status().is_server_error() {
            tracing::error!(error = %self, "request failed");
        } else {
            tracing::info!(error = %self, "request refused");
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        self.log();
        match templates::render("error.html", self.page()) {
            Ok(html) => (status, html).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "error page did not render");
                (status, status.canonical_reason().unwrap_or("error")).into_response()
            }
        }
    }
}
