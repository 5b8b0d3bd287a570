//! Response helpers that several endpoints share.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// How the browser is sent on: 302 answers a GET, 303 answers a POST so the
/// browser follows with a GET and never re-POSTs the form (RFC 9700 §4.12).
#[derive(Clone, Copy, Debug)]
pub enum Via {
    Get,
    Post,
}

impl Via {
    /// The redirect status for a response to a request made this way.
    pub fn redirect_status(self) -> StatusCode {
        match self {
            Via::Get => StatusCode::FOUND,
            Via::Post => StatusCode::SEE_OTHER,
        }
    }
}

/// Sends the browser on to `location`; a location that cannot be a header
/// value is refused with 400 rather than answered with a broken redirect.
pub fn send_to(via: Via, location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(location) => (via.redirect_status(), [(header::LOCATION, location)]).into_response(),
        Err(_) => (StatusCode::BAD_REQUEST, "the redirect target cannot be used in a header").into_response(),
    }
}

/// Sends the browser to the login page.
pub fn see_login(via: Via) -> Response {
    send_to(via, "/login")
}

/// Marks a response as never to be stored: RFC 6749 §5.1 "The authorization
/// server MUST include the HTTP "Cache-Control" response header field with a
/// value of "no-store" in any response containing tokens, credentials, or
/// other sensitive information, as well as the "Pragma" response header
/// field with a value of "no-cache"." Pages carrying a CSRF token or a
/// user's data are kept out of caches the same way.
pub fn no_store(response: impl IntoResponse) -> Response {
    let mut response = response.into_response();
    no_store_headers(response.headers_mut());
    response
}

/// The headers of [`no_store`], for a response being assembled.
pub fn no_store_headers(headers: &mut HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}
