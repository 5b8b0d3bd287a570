//! Errors that are not about the token: bad input, missing todos, the
//! database. Token errors are [`crate::auth::BearerError`] (RFC 6750).
//!
//! Every variant documents its status code. The body is always
//! `{"error", "error_description"}`, like the OAuth errors, so a client needs
//! one error parser for the whole API.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error of a todo request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the body or a field breaks a rule, which the message names.
    #[error("{0}")]
    InvalidInput(String),
    /// 404: no such todo *for this user* — another user's todo is reported
    /// exactly like one that never existed, so ids reveal nothing.
    #[error("no todo with id {0} belongs to you")]
    TodoNotFound(String),
    /// 404: no such route.
    #[error("no route for {0}")]
    RouteNotFound(String),
    /// 413: the body is larger than the limit.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 415: the body is not declared as JSON.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 503 when the database cannot be reached (the next request tries
    /// again); 500 for any other database failure. Details go to the log,
    /// not to the caller.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

#[derive(Serialize)]
struct ErrorBody {
    error: &'static str,
    error_description: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, error, description) = match &self {
            Self::InvalidInput(_) => (StatusCode::BAD_REQUEST, "invalid_request", self.to_string()),
            Self::TodoNotFound(_) | Self::RouteNotFound(_) => (StatusCode::NOT_FOUND, "not_found", self.to_string()),
            Self::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "invalid_request", self.to_string()),
            Self::UnsupportedMediaType(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "invalid_request", self.to_string()),
            Self::Database(e) if is_unavailable(e) => {
                tracing::warn!(error = %e, "database unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "temporarily_unavailable",
                    "the database is unavailable right now; try again in a moment".to_owned(),
                )
            }
            Self::Database(e) => {
                tracing::error!(error = %e, "database error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    "an unexpected error occurred; it has been logged".to_owned(),
                )
            }
        };
        let body = ErrorBody { error, error_description: description };
        (status, Json(body)).into_response()
    }
}

/// Whether a database error means "cannot reach the database now" (worth a
/// 503 and a retry) rather than a bug in a query.
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // PostgreSQL SQLSTATE classes 08 (connection exception), 53
            // (insufficient resources), 57 (operator intervention, e.g. the
            // server shutting down), 55000 (database not accepting
            // connections) and 3D000 (database does not exist).
            code.starts_with("08")
                || code.starts_with("53")
                || code.starts_with("57")
                || code == "55000"
                || code == "3D000"
                // SQLite primary result codes BUSY (5), LOCKED (6), IOERR
                // (10) and CANTOPEN (14); extended codes keep the primary
                // code in their low byte.
                || code
                    .parse::<i32>()
                    .is_ok_and(|n| matches!(n & 0xff, 5 | 6 | 10 | 14))
        }),
        _ => false,
    }
}
