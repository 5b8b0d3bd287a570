//! CORS for browser-based public clients (Fetch Standard §3.2, "CORS
//! protocol").
//!
//! A single-page app such as `todo-spa` calls the provider with `fetch` from
//! its own origin: the token endpoint to exchange its code and refresh,
//! the revocation endpoint at logout, userinfo, the JWKS to check its ID
//! token's signature, and discovery to find them all. A browser hands the
//! script the answer only when the provider names the script's origin in
//! `Access-Control-Allow-Origin`. "OAuth 2.0 for Browser-Based Applications"
//! (draft-ietf-oauth-browser-based-apps-26 §6.3.3.4, "Cross-Origin
//! Requests") names these endpoints: "the CORS configuration is relevant
//! for the token endpoint … Additionally, if the authorization server
//! provides additional endpoints to the application, such as discovery
//! metadata URLs, JSON Web Key Sets, … revocation, … or user info
//! endpoints, … the authorization server is responsible for supporting
//! CORS on these endpoints." It leaves the policy open ("a wildcard origin
//! or a more restrictive configuration"); this one is the restrictive kind.
//!
//! So the answers here are narrow on purpose:
//! - only for the endpoints in [`CORS_ENDPOINTS`] — never the authorization
//!   endpoint, the login or the consent page, which a browser reaches by
//!   navigation and which must never be readable by another origin's script;
//! - only for the web origins of registered *public* clients (`web_origins`
//!   in the clients file, by default the origins of their redirect URIs): a
//!   confidential client's server needs no CORS;
//! - the exact origin echoed, never `*`, and `Vary: Origin` on every answer
//!   of these endpoints, because the answer depends on the `Origin` header;
//! - no `Access-Control-Allow-Credentials`: the provider's session cookie
//!   has no business on these calls, whose credentials are the code, the
//!   verifier and the tokens in the request itself.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ORIGIN, VARY};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::clients::Client;

/// The endpoints a browser-based public client calls with `fetch`.
pub const CORS_ENDPOINTS: [&str; 6] = [
    "/.well-known/openid-configuration",
    "/.well-known/oauth-authorization-server",
    "/.well-known/jwks.json",
    "/oauth2/token",
    "/oauth2/revoke",
    "/oauth2/userinfo",
];

/// The registered web origins of the public clients, in their browser
/// serialization (RFC 6454 §6.2), the form an `Origin` header has.
#[derive(Clone, Debug, Default)]
pub struct WebOrigins(Arc<BTreeSet<String>>);

impl WebOrigins {
    /// The origins of every public client among `clients`.
    pub fn of_public_clients<'a>(clients: impl IntoIterator<Item = &'a Client>) -> Self {
        let origins = clients
            .into_iter()
            .filter(|client| client.is_public())
            .flat_map(|client| client.web_origins.iter().map(|origin| origin.as_str().to_owned()))
            .collect();
        Self(Arc::new(origins))
    }

    /// The request's `Origin`, when it is a registered one. Compared as the
    /// exact string: RFC 6454 §5 compares origins by scheme, host and port,
    /// all of which the serialization spells one way only.
    fn allowed(&self, headers: &HeaderMap) -> Option<HeaderValue> {
        let origin = headers.get(ORIGIN)?;
        self.0.contains(origin.to_str().ok()?).then(|| origin.clone())
    }
}

/// Middleware: CORS answers on [`CORS_ENDPOINTS`] for the registered origins.
pub async fn for_web_origins(State(origins): State<WebOrigins>, request: Request, next: Next) -> Response {
    if !CORS_ENDPOINTS.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    let allowed = origins.allowed(request.headers());
    // Fetch §3.2.2: a CORS-preflight request is an OPTIONS request with an
    // `Access-Control-Request-Method` header. It is answered here, before
    // routing; from any other origin it goes on to the router, which knows
    // no OPTIONS route and says 405 without a single CORS header.
    let is_preflight = shared::cors::is_preflight(request.method(), request.headers());
    let mut response = match (&allowed, is_preflight) {
        (Some(_), true) => preflight_answer(),
        _ => next.run(request).await,
    };
    let headers = response.headers_mut();
    headers.append(VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = allowed {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        // The RFC 6750 §3 challenge of a failed userinfo call, readable by
        // the script so it can tell an expired token from other failures.
        headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("WWW-Authenticate"));
    }
    response
}

/// 204 with what a browser-based client's requests need: GET (discovery,
/// JWKS, userinfo) and POST (token, revocation, userinfo), with a
/// `Content-Type` other than a form's (the seed's JSON token request) and
/// an `Authorization` header (a Bearer token at userinfo).
fn preflight_answer() -> Response {
    (StatusCode::NO_CONTENT, shared::cors::preflight_headers("GET, POST", "Authorization, Content-Type"))
        .into_response()
}
