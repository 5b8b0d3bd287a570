//! The errors of the routes the page's script calls, in JSON.
//!
//! `POST /refreshtoken` and BFF mode's `/api/todos` are read by a script,
//! not a person, so they answer every error as an RFC 6749 §5.2 error
//! response: `{"error": "…", "error_description": "…"}` with the status
//! code that fits, and `Cache-Control: no-store` (RFC 6749 §5.1).
//!
//! The errors a route expects (no refresh cookie, a cross-site request, a
//! refused refresh token) it answers itself with [`json_error`]. The
//! unexpected ones (the session store failed, the provider is unreachable)
//! arrive as an [`AppError`] through `?`; [`JsonError`] answers them in the
//! same shape instead of `AppError`'s HTML page.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::{ErrorCode, ErrorResponse};

use crate::error::AppError;

/// An RFC 6749 §5.2-shaped JSON error, never cached.
pub fn json_error(status: StatusCode, error: ErrorCode, description: &str) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Json(ErrorResponse::new(error, description))).into_response()
}

/// An [`AppError`] in a JSON route: the same status code, in JSON.
///
/// A server failure (5xx) answers `server_error` ("an unexpected condition",
/// RFC 6749 §4.1.2.1) with a generic description: what went wrong is
/// logged, never sent, as the HTML error page does. A refusal (4xx) is
/// `invalid_request` and says why.
#[derive(Debug)]
pub struct JsonError(pub AppError);

impl From<AppError> for JsonError {
    fn from(error: AppError) -> Self {
        JsonError(error)
    }
}

impl IntoResponse for JsonError {
    fn into_response(self) -> Response {
        let JsonError(error) = self;
        error.log();
        let status = error.status();
        if status.is_server_error() {
            json_error(status, ErrorCode::ServerError, "an internal error occurred; it has been logged")
        } else {
            json_error(status, ErrorCode::InvalidRequest, &error.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::provider::ProviderError;

    /// The status, `Cache-Control` and JSON body of an answer.
    async fn answer(error: AppError) -> (StatusCode, String, Value) {
        let response = JsonError(error).into_response();
        let cache_control = response.headers()[header::CACHE_CONTROL].to_str().unwrap().to_owned();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, cache_control, serde_json::from_slice(&body).unwrap())
    }

    #[tokio::test]
    async fn a_server_failure_keeps_its_status_and_hides_its_detail() {
        let unreachable =
            ProviderError::Unreachable { url: "http://10.0.0.7/token".into(), reason: "connection refused".into() };

        let (status, cache_control, body) = answer(AppError::Provider(unreachable)).await;

        assert_eq!(status, StatusCode::BAD_GATEWAY);
        assert_eq!(cache_control, "no-store");
        assert_eq!(body["error"], "server_error");
        let description = body["error_description"].as_str().unwrap();
        assert!(!description.contains("10.0.0.7") && !description.contains("refused"), "{description}");
    }

    #[tokio::test]
    async fn a_refusal_keeps_its_status_and_says_why() {
        let (status, _, body) = answer(AppError::CsrfTokenMismatch).await;

        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body["error"], "invalid_request");
        assert_eq!(body["error_description"], AppError::CsrfTokenMismatch.to_string());
    }
}
