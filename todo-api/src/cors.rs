//! CORS for the two browser apps that call this API (Fetch Standard §3.2).
//!
//! - The todo page of the client app, at `CLIENT_PUBLIC_URL`: the article's
//!   "Enable CORS" step. It calls with `fetch(…, {credentials: 'include'})`
//!   so that the `access_token` cookie comes along, which the Fetch standard
//!   allows only when the answer names the page's exact origin (never `*`)
//!   and says `Access-Control-Allow-Credentials: true`.
//! - The single-page app, at `SPA_PUBLIC_URL`: a public client holding its
//!   access token in memory, calling with `Authorization: Bearer` and no
//!   credentials ("OAuth 2.0 for Browser-Based Applications",
//!   draft-ietf-oauth-browser-based-apps-26 §6.3.3.4: "the resource server
//!   MUST send necessary CORS headers"). Its answers never say
//!   `Allow-Credentials`, so a browser refuses the page any call that would
//!   carry the client app's cookie.
//!
//! Every other origin gets no `Access-Control-*` header at all, and every
//! answer says `Vary: Origin`, since it depends on that header.

use axum::extract::{Request, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ORIGIN, VARY,
};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The origins this API answers, and how.
#[derive(Clone, Debug)]
pub struct CorsPolicy {
    /// The client app's origin: cookies allowed.
    pub with_credentials: HeaderValue,
    /// The single-page app's origin: Bearer tokens only.
    pub bearer_only: HeaderValue,
}

/// How a request's origin may call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Allowed {
    WithCredentials,
    BearerOnly,
}

impl CorsPolicy {
    fn allowed(&self, origin: Option<&HeaderValue>) -> Option<Allowed> {
        match origin? {
            o if *o == self.with_credentials => Some(Allowed::WithCredentials),
            o if *o == self.bearer_only => Some(Allowed::BearerOnly),
            _ => None,
        }
    }
}

/// Middleware: answers preflights of the allowed origins and adds the CORS
/// headers to their responses; nothing for any other origin.
pub async fn cors(State(policy): State<CorsPolicy>, request: Request, next: Next) -> Response {
    let origin = request.headers().get(ORIGIN).cloned();
    let allowed = policy.allowed(origin.as_ref());
    // Fetch §3.2.2: an OPTIONS request with `Access-Control-Request-Method`
    // is a CORS-preflight request. From any other origin it goes on to the
    // router, which has no OPTIONS route (405, no CORS headers).
    let is_preflight = shared::cors::is_preflight(request.method(), request.headers());
    let mut response = match allowed {
        Some(_) if is_preflight => preflight_answer(),
        _ => next.run(request).await,
    };
    let headers = response.headers_mut();
    headers.append(VARY, HeaderValue::from_static("Origin"));
    if let (Some(how), Some(origin)) = (allowed, origin) {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        // Fetch §3.2.5: a script reads only the CORS-safelisted response
        // headers unless more are exposed; the pages read `Link` to know
        // that the list has another page.
        if !is_preflight {
            headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("Link"));
        }
        if how == Allowed::WithCredentials {
            headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
        }
    }
    response
}

/// 204 with the methods of the todo API and the two request headers its
/// callers send: `Content-Type: application/json` and `Authorization`.
fn preflight_answer() -> Response {
    (StatusCode::NO_CONTENT, shared::cors::preflight_headers("GET, POST, PATCH, DELETE", "Content-Type, Authorization"))
        .into_response()
}
