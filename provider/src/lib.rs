//! # The authorization server
//!
//! An OAuth 2.0 (RFC 6749) and OpenID Connect provider for teaching: the
//! authorization code grant with PKCE (RFC 7636), refresh-token rotation
//! (RFC 9700 §4.14), JWT access tokens (RFC 9068) and ID tokens (OIDC Core).
//!
//! Read it in this order: `endpoints` (the flow, drawn once), then
//! `authorization_request` and `authorization_response`, then `grants`.

/// Checking this provider's own access tokens (userinfo, introspection).
pub mod access_token;
/// `App::build`, the router and its layers, start-up seeding.
pub mod app;
/// Checking the parameters of an authorization request (RFC 6749 §4.1.1).
pub mod authorization_request;
/// Sending the authorization response or error back (RFC 6749 §4.1.2).
pub mod authorization_response;
/// Client authentication at the token endpoint (RFC 6749 §2.3).
pub mod client_auth;
/// Client registrations from the clients file.
pub mod clients;
/// Settings from the environment.
pub mod config;
/// CORS for the web origins of browser-based public clients.
pub mod cors;
/// One module per endpoint.
pub mod endpoints;
/// The catch-all 500 error.
pub mod error;
/// An HTML form extractor with a readable rejection.
pub mod forms;
/// One module per grant type.
pub mod grants;
/// Strict reading of form-urlencoded text (queries and form bodies).
pub mod input;
/// Minting access tokens, ID tokens and refresh tokens.
pub mod issue;
/// Signing keys and the JWKS.
pub mod keys;
/// argon2id for passwords and client secrets.
pub mod password;
/// The known scopes and their plain-language descriptions.
pub mod scopes;
/// What the provider keeps in the user's session.
pub mod session;
/// The state shared by every handler.
pub mod state;
/// Storage, one module per aggregate.
pub mod store;
/// HTML templates.
pub mod templates;
/// Throttling of password and client-secret attempts, in the database.
pub mod throttle;
/// RFC 6749 §5.2 token endpoint errors.
pub mod token_error;
/// The token request body (form or JSON).
pub mod token_request;

pub use app::App;
pub use config::Config;
