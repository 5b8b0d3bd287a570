//! CORS for the browser app: the article's "Enable CORS" step.
//!
//! The todo page at `CLIENT_PUBLIC_URL` calls this API from the browser with
//! `fetch(…, {credentials: 'include'})`, so that the `access_token` cookie
//! comes along. The Fetch standard allows that only when the response names
//! the page's exact origin (never `*`) and says
//! `Access-Control-Allow-Credentials: true`.
//!
//! Only that one origin is answered. tower-http's `CorsLayer` with an exact
//! origin would also send its headers to every other origin (harmless, as
//! the browser compares the value, but confusing to read in a network tab),
//! so a small middleware removes them from answers to any other origin.

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, ORIGIN};
use axum::http::{HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The CORS layer for `origin` (e.g. `http://localhost:3000`).
pub fn cors_layer(origin: HeaderValue) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::exact(origin))
        .allow_credentials(true)
        .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
        .allow_headers([CONTENT_TYPE, AUTHORIZATION])
        // The answer depends on the request's Origin (see the middleware
        // below), so a shared cache must not serve one origin's answer to
        // another. tower-http only adds this itself for origin lists.
        .vary([ORIGIN])
}

/// Middleware: no `Access-Control-*` headers for any origin but `allowed`.
pub async fn only_for_allowed_origin(State(allowed): State<HeaderValue>, request: Request, next: Next) -> Response {
    let is_allowed = request.headers().get(ORIGIN) == Some(&allowed);
    let mut response = next.run(request).await;
    if !is_allowed {
        let cors_headers: Vec<HeaderName> =
            response.headers().keys().filter(|name| name.as_str().starts_with("access-control-")).cloned().collect();
        for name in cors_headers {
            response.headers_mut().remove(name);
        }
    }
    response
}
