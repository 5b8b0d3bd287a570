//! The protocol's nouns, shared by the three services of the OAuth demo.
//!
//! Everything that appears on the wire between the provider, the client app
//! and the todo API has one type here, named as the RFCs name it. Secrets get
//! types whose `Debug` prints `[redacted]`, so they cannot leak into a log line
//! by accident.

/// HTTP Basic client credentials, encoded and decoded as RFC 6749 §2.3.1 says.
pub mod basic_credentials;
/// The `WWW-Authenticate: Bearer` challenge of RFC 6750 §3.
pub mod bearer_challenge;
/// Environment-variable configuration helpers that name the variable on error.
pub mod config;
/// CORS preflights (Fetch Standard §3.2), answered alike by the provider
/// and the todo API.
pub mod cors;
/// Connecting to SQLite or PostgreSQL through one sqlx `Any` pool.
pub mod db;
/// OAuth 2.0 error codes and the RFC 6749 §5.2 error body.
pub mod error;
/// Grant types, response types, response modes, client authentication methods.
pub mod grant;
/// The services' pages read as a browser reads them: an input's value,
/// the templates' HTML escaping undone.
pub mod html;
/// `ClientId`, `RedirectUri` and other identifiers.
pub mod ids;
/// JSON Web Key Sets: fetching, caching and selecting a verification key.
pub mod jwks;
/// JWT claims: RFC 9068 access tokens and OIDC ID tokens, plus `at_hash`.
pub mod jwt;
/// OAuth 2.0 Authorization Server Metadata (RFC 8414) / OIDC Discovery.
pub mod metadata;
/// Proof Key for Code Exchange (RFC 7636).
pub mod pkce;
/// Random values: codes, tokens, state, nonces.
pub mod random;
/// Scopes (RFC 6749 §3.3).
pub mod scope;
/// Secrets whose `Debug` is `[redacted]` and whose comparison is constant-time.
pub mod secret;
/// Server bootstrap: tracing, binding, graceful shutdown.
pub mod server;
/// A tower-sessions store on a service's own database table.
pub mod session_store;
/// The successful token response (RFC 6749 §5.1).
pub mod token;
/// The token request, one variant per grant type (RFC 6749 §4.1.3, §6, §4.4.2).
pub mod token_request;
/// A memo of JWTs whose signature was verified (time, key and revocation
/// are still checked on every use).
pub mod verified;

pub use error::{ErrorCode, ErrorResponse};
pub use grant::{ClientAuthMethod, GrantType, ResponseMode, ResponseType};
pub use ids::{ClientId, RedirectUri, WebOrigin};
pub use scope::Scopes;
pub use secret::Secret;
pub use token::{TokenResponse, TokenType};
pub use token_request::{MissingParameter, TokenRequest};

/// Seconds since the Unix epoch, the unit of every `exp`, `iat` and `nbf`.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}
