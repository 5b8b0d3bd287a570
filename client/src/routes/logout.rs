//! `GET /logout` and `POST /logout`: end the login everywhere it lives.
//!
//! 1. Revoke the refresh token at the provider (RFC 7009), so that a copy of
//!    it (in a backup, a log, a stolen cookie jar) is worth nothing.
//! 2. Expire both token cookies, with the same `Path` they were set with.
//! 3. Clear the server-side session.
//! 4. Hand the browser to the provider's end-session endpoint (OIDC
//!    RP-Initiated Logout), which ends the provider's own session and sends
//!    the browser back to `/`. The hand-over is a form the page posts at
//!    once, so the ID token travels in a body, never in a URL.
//!
//! A `GET` that another site caused (a link, an `<img src>`, a redirect)
//! must not log anyone out: that would be a cross-site request forgery
//! (RFC 6749 §10.12 names the attack for the redirect URI; the same reasoning
//! applies to every state-changing URL). So `GET /logout` logs out at once
//! only when the request provably started on this app's own pages or in the
//! address bar ([`crate::fetch_metadata`]); any other request gets a
//! confirmation page whose button is a `POST /logout` carrying this
//! session's anti-forgery token ([`crate::csrf`]).
//!
//! The refresh cookie (`Path=/refreshtoken`) never reaches this path; the
//! refresh token to revoke comes from the session, where `/callback` and
//! `/refreshtoken` keep a copy (see [`crate::session::LoggedInUser`]).

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use minijinja::context;
use serde::Deserialize;
use tower_sessions::Session;

use crate::config::{Config, TokenDelivery};
use crate::cookies::clear_tokens;
use crate::csrf;
use crate::error::AppError;
use crate::fetch_metadata::started_on_this_site;
use crate::flow_log::{FlowStep, Outcome, mask, rfc, rp_logout};
use crate::provider::Provider;
use crate::session::ClientSession;
use crate::templates;

/// `GET /logout`: from this app's own pages or typed by the user, the
/// hand-over to the provider's end-session endpoint; from anywhere else, a
/// page asking the user to confirm.
pub async fn logout(
    State(config): State<Arc<Config>>,
    State(provider): State<Arc<Provider>>,
    session: Session,
    headers: HeaderMap,
    jar: CookieJar,
) -> Result<Response, AppError> {
    if started_on_this_site(&headers, &config.public_url) {
        return end_session(&config, &provider, &ClientSession(&session), jar).await;
    }
    let session = ClientSession(&session);
    let token = csrf::token(&session).await?;
    let logged_in = session.user().await?.is_some();
    let html = templates::render("logout.html", context! { csrf_token => token.expose(), logged_in })?;
    Ok(([(header::CACHE_CONTROL, "no-store")], html).into_response())
}

/// The confirmation form's fields.
#[derive(Deserialize)]
pub struct ConfirmLogout {
    csrf_token: Option<String>,
}

/// `POST /logout`: the confirmation page's button. Logs out only when the
/// form carries this session's anti-forgery token.
pub async fn confirm(
    State(config): State<Arc<Config>>,
    State(provider): State<Arc<Provider>>,
    session: Session,
    jar: CookieJar,
    Form(form): Form<ConfirmLogout>,
) -> Result<Response, AppError> {
    let session = ClientSession(&session);
    if !csrf::matches(&session, form.csrf_token.as_deref()).await? {
        return Err(AppError::CsrfTokenMismatch);
    }
    end_session(&config, &provider, &session, jar).await
}

/// Steps 1–4.
async fn end_session(
    config: &Config,
    provider: &Provider,
    session: &ClientSession<'_>,
    jar: CookieJar,
) -> Result<Response, AppError> {
    let user = session.user().await?;
    let mut log = session.flow_log().await?;
    log.begin("Logout");

    match user.as_ref().and_then(|u| u.refresh_token.as_ref()) {
        Some(refresh_token) => {
            let revocation = provider.revoke(refresh_token).await;
            for step in revocation.steps {
                log.push(step);
            }
            if let Err(e) = revocation.result {
                // Logging out locally must still work when the provider is
                // down; the token then lives until it expires.
                tracing::warn!(error = %e, "refresh token revocation failed");
            }
        }
        None => log.push(FlowStep::new(
            "Revocation skipped",
            rfc(7009, "2.1"),
            "This session holds no refresh token, so there is nothing to revoke.",
        )),
    }

    // OIDC RP-Initiated Logout §2: `id_token_hint` tells the provider whose
    // session to end (without it the provider asks the user to confirm);
    // `post_logout_redirect_uri` must be registered for this client. §2
    // allows GET or a form-encoded POST: a POST keeps the ID token out of the
    // browser's history and out of the provider's access logs.
    let post_logout_redirect_uri = format!("{}/", config.public_url);
    let mut fields = Vec::with_capacity(3);
    if let Some(user) = &user {
        fields.push(("id_token_hint", user.id_token.expose().to_owned()));
    }
    fields.push(("post_logout_redirect_uri", post_logout_redirect_uri.clone()));
    fields.push(("client_id", config.client_id.as_str().to_owned()));
    log.push(
        FlowStep::new(
            "Cookies cleared, session ended, logout request posted to the provider",
            rp_logout(),
            "Both token cookies were expired (same Path as when set) and the session was cleared; the browser posts the request below to the provider (a form body, so the ID token stays out of URLs), which ends its own session and sends the browser back.",
        )
        .outcome(Outcome::Ok)
        .row(
            "id_token_hint",
            user.as_ref().map_or("(none: not logged in)".to_owned(), |u| mask(u.id_token.expose())),
            "which login to end",
        )
        .row("post_logout_redirect_uri", &post_logout_redirect_uri, "where to come back to; must be registered")
        .row("client_id", config.client_id.as_str(), "who is asking"),
    );

    // Everything the login left in the session goes (the session id too).
    // Only the inspector's record of this logout is written to a fresh one.
    session.clear().await?;
    session.save_flow_log(&log).await?;

    let jar = match config.token_delivery {
        TokenDelivery::Cookies => clear_tokens(jar, config.cookie_secure),
        TokenDelivery::Bff => jar,
    };
    let page =
        templates::render("end_session.html", context! { action => provider.end_session_endpoint.as_str(), fields })?;
    Ok((jar, [(header::CACHE_CONTROL, "no-store")], page).into_response())
}
