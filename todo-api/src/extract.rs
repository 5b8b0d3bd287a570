//! A JSON extractor that owns its rejection (axum's
//! `customize-extractor-error` example).
//!
//! axum's own `Json` answers bad input in plain text, some of it with 422.
//! This one answers in the API's JSON error format: malformed JSON and
//! unknown or mistyped fields are 400 with the parser's message, a missing
//! `Content-Type: application/json` is 415, and a body over the limit set by
//! `DefaultBodyLimit` is 413. Bad input never becomes a 500.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// `Json<T>` in and out, with [`AppError`] as the rejection.
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(rejection) => Err(rejection_to_error(rejection)),
        }
    }
}

fn rejection_to_error(rejection: JsonRejection) -> AppError {
    let message = rejection.body_text();
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::PayloadTooLarge(format!("the request body is larger than {} bytes", crate::app::MAX_BODY_BYTES))
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            AppError::UnsupportedMediaType("send the body as JSON with Content-Type: application/json".to_owned())
        }
        _ => AppError::InvalidInput(message),
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}
