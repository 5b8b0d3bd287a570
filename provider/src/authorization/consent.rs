//! The consent policy (OIDC Core §3.1.2.4, ASVS 10.7.1): when the user must
//! be asked, and the invariant that no code leaves without a consent that
//! covers it.
//!
//! A registered first-party client skips the question (and the skip is
//! logged); every other client needs a stored consent that covers every
//! requested scope, or the user is asked on the consent page.

use axum::response::Response;
use serde::Serialize;
use shared::{ErrorCode, Scopes};
use tower_sessions::Session;

use crate::authorization::request::AuthorizationRequest;
use crate::authorization::response::{AuthorizeError, deliver};
use crate::clients::Client;
use crate::config::Config;
use crate::responses::{Via, no_store};
use crate::scopes::describe;
use crate::session::{self, Login};
use crate::state::Database;
use crate::store;
use crate::templates;
use crate::token::grants::authorization_code::issue_code;

/// Consent, then the code: shared by the authorization endpoint and the
/// consent form.
pub async fn decide(
    db: &Database,
    config: &Config,
    session: &Session,
    request: AuthorizationRequest,
    client: &Client,
    login: &Login,
    via: Via,
) -> Result<Response, AuthorizeError> {
    // What the user has already allowed this client, read once: it decides
    // whether to ask, and then whether the code may be issued. `None` for a
    // first-party client, which needs no consent.
    let granted = if client.first_party {
        None
    } else {
        Some(store::consents::granted(&mut *db.reads.acquire().await?, &login.user_id, &client.id).await?)
    };
    let needs_consent = if client.first_party && !request.prompt.consent {
        // ASVS 10.7.1: the skip applies only to registered first-party
        // clients, and is logged.
        tracing::info!(client_id = %client.id, "consent skipped: first-party client");
        false
    } else {
        request.prompt.consent || granted.as_ref().is_some_and(|granted| !request.scope.is_subset_of(granted))
    };
    if needs_consent {
        if request.prompt.none {
            return Err(AuthorizeError::redirect(
                request.target(&config.issuer, via),
                ErrorCode::ConsentRequired,
                "the user has not consented to these scopes and prompt=none forbids asking",
            ));
        }
        return show_consent(db, config, session, &request, client, login).await;
    }
    ensure_consented(&config.issuer, &request, client, granted.as_ref(), via)?;
    let code = issue_code(&db.codes, config.code_ttl, &request, login).await?;
    tracing::info!(client_id = %client.id, "authorization code issued");
    Ok(deliver(&request.target(&config.issuer, via), vec![("code", code)]))
}

/// The invariant behind every code, checked where the code is issued:
/// a client that is not first-party gets a code only for scopes the user
/// has consented to (ASVS 10.7.1), and only for a request that names at
/// least one scope (an empty set would be "covered" by any consent).
fn ensure_consented(
    issuer: &str,
    request: &AuthorizationRequest,
    client: &Client,
    granted: Option<&Scopes>,
    via: Via,
) -> Result<(), AuthorizeError> {
    if consent_covers(granted, &request.scope) {
        return Ok(());
    }
    tracing::error!(client_id = %client.id, "refused to issue a code that no consent covers");
    Err(AuthorizeError::redirect(
        request.target(issuer, via),
        ErrorCode::AccessDenied,
        "the user has not consented to this request, so no code is issued (RFC 6749 §4.1.2.1)",
    ))
}

/// `granted` is `None` for a first-party client (no consent needed).
fn consent_covers(granted: Option<&Scopes>, requested: &Scopes) -> bool {
    !requested.is_empty() && granted.is_none_or(|granted| requested.is_subset_of(granted))
}

async fn show_consent(
    db: &Database,
    config: &Config,
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
    let user = store::users::find_by_id(&mut *db.reads.acquire().await?, &login.user_id).await?;
    let context = Context {
        client_name: client.name.clone(),
        user_name: user.map(|u| u.name).unwrap_or_default(),
        scopes: request.scope.iter().map(|s| ScopeLine { name: s.to_owned(), description: describe(s) }).collect(),
        access_minutes: config.access_token_ttl.as_secs().div_ceil(60),
        offline: request.scope.contains("offline_access"),
        refresh_days: config.refresh_token_ttl.as_secs() / 86_400,
        csrf_token: session::csrf_token(session).await?,
        request_id: session::park_request(session, request).await?,
    };
    let html = templates::render("consent.html", context)?;
    Ok(no_store(html))
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
