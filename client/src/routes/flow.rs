//! `GET /flow`: the flow inspector, the workshop's main teaching screen.
//!
//! Shows, for this browser only, every step of its latest login and the
//! refreshes and logout after it, as recorded by the handlers in the
//! session ([`crate::flow_log`]), each with a link to its spec section.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use minijinja::value::{Serde, Value};
use tower_sessions::Session;

use crate::error::AppError;
use crate::session::ClientSession;
use crate::templates;

pub async fn flow(session: Session) -> Result<Response, AppError> {
    let session = ClientSession(&session);
    let log = session.flow_log().await?;
    let logged_in = session.user().await?.is_some();
    let html = templates::render("flow.html", context! { log => Value::from(Serde(&log)), logged_in })?;
    Ok(([(header::CACHE_CONTROL, "no-store")], html).into_response())
}
