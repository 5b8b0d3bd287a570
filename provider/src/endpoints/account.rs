//! `GET /` and `POST /account/apps/revoke` — the user's own page: who is
//! signed in, and the applications they have granted access to, each
//! revocable (ASVS 10.7.3: "the user can revoke consent").

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use shared::db::Kept;
use tower_sessions::Session;

use crate::clients::Clients;
use crate::error::AppError;
use crate::forms::HtmlForm;
use crate::responses::{Via, no_store, see_login, send_to};
use crate::session;
use crate::store;
use crate::templates;

#[derive(Serialize)]
struct App {
    client_id: String,
    client_name: String,
    scope: String,
    granted_at: i64,
}

#[derive(Serialize)]
struct Context {
    user_name: Option<String>,
    apps: Vec<App>,
    csrf_token: String,
}

pub async fn home(
    State(db): State<Kept>,
    State(clients): State<Clients>,
    session: Session,
) -> Result<Response, AppError> {
    let mut context = Context { user_name: None, apps: Vec::new(), csrf_token: session::csrf_token(&session).await? };
    let user = match session::login(&session).await {
        Some(login) => store::users::find_by_id(&mut *db.acquire().await?, &login.user_id).await?,
        None => None,
    };
    if let Some(user) = user {
        context.user_name = Some(user.name);
        let consents = store::consents::for_user(&mut *db.acquire().await?, &user.id).await?;
        for consent in consents {
            let client_name =
                clients.find(&consent.client_id).map(|c| c.name).unwrap_or_else(|| consent.client_id.clone());
            context.apps.push(App {
                client_id: consent.client_id,
                client_name,
                scope: consent.scope,
                granted_at: consent.granted_at,
            });
        }
    }
    Ok(no_store(templates::render("home.html", context)?))
}

#[derive(Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    client_id: String,
}

/// Forgets the consent and revokes every grant (and so every token) the
/// user gave the client.
pub async fn revoke_app(
    State(db): State<Kept>,
    session: Session,
    HtmlForm(form): HtmlForm<RevokeForm>,
) -> Result<Response, AppError> {
    if !session::csrf_matches(&session, &form.csrf_token).await {
        return Ok((StatusCode::FORBIDDEN, "the form did not carry this session's anti-forgery token").into_response());
    }
    let Some(login) = session::login(&session).await else {
        return Ok(see_login(Via::Post));
    };
    store::consents::forget(&mut *db.acquire().await?, &login.user_id, &form.client_id).await?;
    let revoked = store::families::revoke_all_for(&mut *db.acquire().await?, &login.user_id, &form.client_id).await?;
    tracing::info!(client_id = %form.client_id, grants = revoked, "user revoked an application");
    Ok(send_to(Via::Post, "/"))
}
