//! `GET /`: what the user sees.
//!
//! Logged out: what will happen when they click "Log in". Logged in: their
//! name, from the validated ID token, and the todo list. The list is drawn by
//! `static/app.js`, which calls the todo API directly (the `access_token`
//! cookie travels with those calls) or, in BFF mode, this app's `/api/`;
//! either way neither this page nor its script ever holds a token.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Html;
use minijinja::context;
use tower_sessions::Session;

use crate::config::{Config, TokenDelivery};
use crate::error::AppError;
use crate::session::ClientSession;
use crate::templates;

pub async fn home(State(config): State<Arc<Config>>, session: Session) -> Result<Html<String>, AppError> {
    let user = ClientSession(&session).user().await?;
    let bff = config.token_delivery == TokenDelivery::Bff;
    // In BFF mode the page calls this app's /api/, which forwards.
    let (todo_api_url, refresh_url) =
        if bff { ("/api", "") } else { (config.todo_api_public_url.as_str(), "/refreshtoken") };
    Ok(templates::render(
        "home.html",
        context! {
            user_name => user.as_ref().map(|u| u.display_name.as_str()),
            bff,
            todo_api_url,
            refresh_url,
            provider_url => &config.provider_public_url,
            client_id => config.client_id.as_str(),
        },
    )?)
}
