//! Token endpoint errors (RFC 6749 §5.2).
//!
//! "The authorization server responds with an HTTP 400 (Bad Request) status
//! code (unless specified otherwise) and includes the following parameters
//! with the response: error [...] error_description [...]". For
//! `invalid_client`: "The authorization server MAY return an HTTP 401
//! (Unauthorized) status code to indicate which HTTP authentication schemes
//! are supported. If the client attempted to authenticate via the
//! "Authorization" request header field, the authorization server MUST
//! respond with an HTTP 401 (Unauthorized) status code and include the
//! "WWW-Authenticate" response header field matching the authentication
//! scheme used by the client."

use crate::responses::no_store_headers;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::{ErrorCode, ErrorResponse};

#[derive(Debug)]
pub struct TokenError {
    pub code: ErrorCode,
    pub description: String,
    /// The client tried HTTP Basic: answer with a Basic challenge.
    pub basic_challenge: bool,
    /// Set for throttled requests (429 with `Retry-After`).
    pub retry_after: Option<u64>,
    /// Set when the server itself failed.
    pub server_error: bool,
}

impl TokenError {
    pub fn new(code: ErrorCode, description: impl Into<String>) -> Self {
        Self { code, description: description.into(), basic_challenge: false, retry_after: None, server_error: false }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequest, description)
    }

    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidGrant, description)
    }

    pub fn invalid_scope(description: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidScope, description)
    }

    pub fn unauthorized_client(description: impl Into<String>) -> Self {
        Self::new(ErrorCode::UnauthorizedClient, description)
    }

    pub fn invalid_client(description: impl Into<String>, basic_attempted: bool) -> Self {
        Self { basic_challenge: basic_attempted, ..Self::new(ErrorCode::InvalidClient, description) }
    }

    pub fn status(&self) -> StatusCode {
        if self.retry_after.is_some() {
            StatusCode::TOO_MANY_REQUESTS
        } else if self.server_error {
            StatusCode::INTERNAL_SERVER_ERROR
        } else if self.code == ErrorCode::InvalidClient {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        }
    }
}

impl From<crate::error::AppError> for TokenError {
    fn from(error: crate::error::AppError) -> Self {
        tracing::error!(%error, "token endpoint failed");
        Self {
            server_error: true,
            ..Self::new(ErrorCode::ServerError, "the authorization server failed; the error has been logged")
        }
    }
}

impl From<sqlx::Error> for TokenError {
    fn from(error: sqlx::Error) -> Self {
        crate::error::AppError::from(error).into()
    }
}

impl IntoResponse for TokenError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut response = (status, Json(ErrorResponse::new(self.code, self.description))).into_response();
        let headers = response.headers_mut();
        no_store_headers(headers);
        if self.basic_challenge {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"oauth2\", charset=\"UTF-8\""),
            );
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
