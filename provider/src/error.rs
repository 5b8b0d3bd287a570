//! Errors that are not protocol errors: the database is down, a template
//! failed. They answer 500 with a generic message; the detail is logged
//! once, here, and never sent to the browser.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 500: a query failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// 500: the session store failed (a database error underneath).
    #[error("session store: {0}")]
    Session(#[from] tower_sessions::session::Error),
    /// 500: a template failed to render.
    #[error("template error: {0}")]
    Template(#[from] minijinja::Error),
    /// 500: anything else unexpected.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        tracing::error!(error = %self, "request failed");
        let status = match &self {
            // A pool that cannot hand out a connection is an outage, not a bug.
            AppError::Database(sqlx::Error::PoolTimedOut | sqlx::Error::Io(_)) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (status, Html("<h1>Something went wrong</h1><p>The error has been logged. Please try again.</p>"))
            .into_response()
    }
}
