//! Step 1: the authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3,
//! OIDC Core §3.1.2.1).
//!
//! The client makes up three secrets, keeps them in the server-side session
//! and sends the browser to the provider's authorization endpoint with:
//! - `state`, returned unchanged in the callback, proving the callback
//!   answers a request this browser started (RFC 6749 §10.12);
//! - `nonce`, returned inside the ID token, proving the token was minted for
//!   this login (OIDC Core §3.1.2.1);
//! - `code_challenge`, the SHA-256 of a `code_verifier` that only the token
//!   request will reveal, so a stolen code is worthless (RFC 7636).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::Secret;
use shared::pkce::{CodeChallengeMethod, CodeVerifier};
use shared::random::random_token;
use tower_sessions::Session;

use crate::config::Config;
use crate::error::AppError;
use crate::flow_log::{FlowStep, Outcome, rfc};
use crate::provider::Provider;
use crate::session::{ClientSession, PendingAuthorization};

/// `GET /login`: 302 to the provider's authorization endpoint.
pub async fn login(
    State(config): State<Arc<Config>>,
    State(provider): State<Arc<Provider>>,
    session: Session,
) -> Result<Response, AppError> {
    // RFC 6749 §10.10: 256 random bits each, far above the 128 required.
    // RFC 7636 §4.1: the verifier is 43 characters of base64url.
    let pending = PendingAuthorization {
        state: Secret::new(random_token()),
        nonce: Secret::new(random_token()),
        code_verifier: CodeVerifier::generate(),
    };
    let challenge = pending.code_verifier.challenge();
    let scope = config.scopes.to_string();
    let client_id = config.client_id.as_str();
    let redirect_uri = config.redirect_uri.as_str();

    // Each parameter, with one line on what it is for.
    let parameters = [
        ("response_type", "code", "RFC 6749 §4.1.1: we want an authorization code (the code flow)"),
        ("client_id", client_id, "RFC 6749 §2.2: which registered client is asking"),
        (
            "redirect_uri",
            redirect_uri,
            "RFC 6749 §3.1.2: where to send the browser back; must match the registration exactly",
        ),
        ("scope", scope.as_str(), "RFC 6749 §3.3: what access is requested; openid makes this an OpenID Connect login"),
        (
            "state",
            pending.state.expose(),
            "RFC 6749 §10.12: single-use value bound to this browser's session; stops CSRF",
        ),
        ("nonce", pending.nonce.expose(), "OIDC Core §3.1.2.1: must come back inside the ID token; stops token replay"),
        (
            "code_challenge",
            challenge.as_str(),
            "RFC 7636 §4.2: SHA-256 of the secret code_verifier kept in the session",
        ),
        (
            "code_challenge_method",
            CodeChallengeMethod::S256.as_str(),
            "RFC 7636 §4.3: the challenge is a SHA-256 hash, never plain",
        ),
    ];
    let mut url = provider.authorization_endpoint.clone();
    {
        let mut query = url.query_pairs_mut();
        for (name, value, _) in parameters {
            query.append_pair(name, value);
        }
    }

    let step = parameters.iter().fold(
        FlowStep::new(
            "Authorization request",
            rfc(6749, "4.1.1"),
            format!(
                "The client redirected the browser (302) to the provider's authorization endpoint, {}. \
                 The code_verifier stays in the server-side session; only its hash travels.",
                provider.authorization_endpoint
            ),
        )
        .outcome(Outcome::Ok),
        |step, (name, value, note)| step.row(name, *value, note),
    );
    let step = step.block("Location", url.as_str());

    let session = ClientSession(&session);
    session.start_authorization(&pending).await?;
    let mut log = session.flow_log().await?;
    log.begin_login();
    log.push(step);
    session.save_flow_log(&log).await?;

    Ok((StatusCode::FOUND, [(header::LOCATION, url.to_string()), (header::CACHE_CONTROL, "no-store".to_owned())])
        .into_response())
}
