//! Extractors that own their rejections.
//!
//! axum's `Query` answers a malformed query string with a plain-text 400 of
//! its own; here it becomes the app's error page instead, so a mangled
//! callback URL still gets an explanation.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// The query string as `T`. Accepts anything `T` deserializes from (use
/// `Option` fields for parameters that may be absent); rejects a query that
/// does not parse, or repeats a parameter, with [`AppError::BadQuery`] (400).
pub struct Params<T>(pub T);

impl<T, S> FromRequestParts<S> for Params<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::try_from_uri(&parts.uri)
            .map(|Query(value)| Params(value))
            .map_err(|rejection| AppError::BadQuery(rejection.body_text()))
    }
}
