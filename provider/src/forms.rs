//! HTML form and query extractors that own their rejection: a malformed
//! form gets a readable 400 page instead of axum's plain-text error, and
//! every value is read strictly (see `input`): broken percent-encoding,
//! invalid UTF-8, NUL and oversized values are refused by name.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{input, templates};

pub struct HtmlForm<T>(pub T);

/// The query string, read like a form.
pub struct HtmlQuery<T>(pub T);

pub struct FormRejection(String);

/// The provider's error page (auto-escaped: the reason may quote input).
impl IntoResponse for FormRejection {
    fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Context {
            title: &'static str,
            detail: String,
            rule: &'static str,
            /// A form of the provider's own pages, not a client's request.
            form: bool,
        }
        let detail = format!("The form could not be read: {}", self.0);
        match templates::render(
            "error.html",
            Context {
                title: "Bad request",
                detail,
                rule: "HTML §4.10.21.7 (application/x-www-form-urlencoded)",
                form: true,
            },
        ) {
            Ok(html) => (StatusCode::BAD_REQUEST, html).into_response(),
            Err(e) => e.into_response(),
        }
    }
}

/// Checks every pair strictly, then deserializes.
fn read<T: DeserializeOwned>(raw: &[u8]) -> Result<T, FormRejection> {
    input::parse_all(raw).map_err(FormRejection)?;
    serde_urlencoded::from_bytes(raw).map_err(|e| FormRejection(e.to_string()))
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for HtmlForm<T> {
    type Rejection = FormRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let form_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case(FORM_TYPE));
        if !form_type {
            return Err(FormRejection(format!("expected Content-Type {FORM_TYPE}")));
        }
        let body = axum::body::Bytes::from_request(req, state).await.map_err(|e| FormRejection(e.body_text()))?;
        read(&body).map(Self)
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for HtmlQuery<T> {
    type Rejection = FormRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        read(parts.uri.query().unwrap_or("").as_bytes()).map(Self)
    }
}

/// HTML forms post `application/x-www-form-urlencoded` (HTML §4.10.21.7).
pub const FORM_TYPE: &str = "application/x-www-form-urlencoded";
