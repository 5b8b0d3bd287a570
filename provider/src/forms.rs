//! An HTML form extractor that owns its rejection: a malformed form gets a
//! readable 400 page instead of axum's plain-text error.

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::de::DeserializeOwned;

pub struct HtmlForm<T>(pub T);

pub struct FormRejection(String);

impl IntoResponse for FormRejection {
    fn into_response(self) -> Response {
        let body = format!(
            "<!doctype html><title>Bad request</title><h1>Bad request</h1><p>The form could not be read: {}</p>",
            html_escape(&self.0)
        );
        (StatusCode::BAD_REQUEST, Html(body)).into_response()
    }
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for HtmlForm<T> {
    type Rejection = FormRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(value)) => Ok(Self(value)),
            Err(rejection) => Err(FormRejection(rejection.body_text())),
        }
    }
}
