//! `POST /consent` — the user's answer on the consent page.
//!
//! The form carries the session's CSRF token (RFC 6749 §10.12) and the id of
//! the parked authorization request; its buttons are named `decision` with
//! the values `approve` and `deny`.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use shared::ErrorCode;
use tower_sessions::Session;

use crate::authorization::consent::decide;
use crate::authorization::response::AuthorizeError;
use crate::clients::Clients;
use crate::config::Config;
use crate::forms::HtmlForm;
use crate::responses::{Via, see_login};
use crate::session;
use crate::state::Database;
use crate::store;

#[derive(Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    request_id: String,
    #[serde(default)]
    decision: String,
}

pub async fn submit(
    State(config): State<Arc<Config>>,
    State(clients): State<Clients>,
    State(db): State<Database>,
    session: Session,
    HtmlForm(form): HtmlForm<ConsentForm>,
) -> Result<Response, AuthorizeError> {
    if !session::csrf_matches(&session, &form.csrf_token).await {
        return Err(AuthorizeError::page(
            "Form expired",
            "The consent form did not carry this session's anti-forgery token. Start again from the application.",
            "RFC 6749 §10.12 (CSRF)",
        ));
    }
    let Some(login) = session::login(&session).await else {
        return Ok(see_login(Via::Post));
    };
    let request = session::take_request(&session, &form.request_id).await.ok_or_else(|| {
        AuthorizeError::page(
            "Request expired",
            "This consent request was already answered or has expired. Start again from the application.",
            "",
        )
    })?;
    let client = clients.find(request.client_id.as_str()).ok_or_else(|| {
        AuthorizeError::page("Unknown application", "The application is no longer registered.", "RFC 6749 §4.1.2.1")
    })?;
    match form.decision.as_str() {
        "approve" => {
            store::consents::grant(&mut *db.writer.acquire().await?, &login.user_id, &client.id, &request.scope)
                .await?;
            tracing::info!(client_id = %client.id, "consent granted");
            // The consent now covers the request, so this issues the code.
            let mut request = request;
            request.prompt.consent = false;
            decide(&db, &config, &session, request, &client, &login, Via::Post).await
        }
        "deny" => {
            let target = request.target(&config.issuer, Via::Post);
            Err(AuthorizeError::redirect(target, ErrorCode::AccessDenied, "the user denied the request"))
        }
        other => {
            Err(AuthorizeError::page("Invalid request", format!("decision must be approve or deny, not {other:?}"), ""))
        }
    }
}
