//! `GET /` — the provider's own page: who is signed in.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tower_sessions::Session;

use crate::endpoints::authorize::no_store;
use crate::error::AppError;
use crate::session;
use crate::state::AppState;
use crate::store;

#[derive(Serialize)]
struct Context {
    user_name: Option<String>,
    apps: Vec<()>,
    csrf_token: String,
}

pub async fn home(State(state): State<AppState>, session: Session) -> Result<Response, AppError> {
    let user = match session::login(&session).await {
        Some(login) => store::users::find_by_id(&state.db, &login.user_id).await?,
        None => None,
    };
    let csrf_token = session::csrf_token(&session).await.map_err(|e| anyhow::anyhow!("session store: {e}"))?;
    let html =
        state.templates.render("home.html", Context { user_name: user.map(|u| u.name), apps: vec![], csrf_token })?;
    Ok(no_store(html.into_response()))
}
