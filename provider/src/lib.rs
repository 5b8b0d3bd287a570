//! # The authorization server
//!
//! An OAuth 2.0 (RFC 6749) and OpenID Connect provider for teaching: the
//! authorization code grant with PKCE (RFC 7636), refresh-token rotation
//! (RFC 9700 §4.14), JWT access tokens (RFC 9068) and ID tokens (OIDC Core).
//!
//! Read it in this order: `endpoints` (the flow, drawn once, naming the
//! handler of each step), then `authorization` (the browser's half: request,
//! consent, response), then `token` (the client's half: request, client
//! authentication, grants, issuing, errors), then `store`.

/// Checking this provider's own access tokens (userinfo, introspection).
pub mod access_token;
/// `App::build`, the router and its layers, start-up seeding.
pub mod app;
/// The authorization side: request, consent policy, response (RFC 6749 §4.1.1–§4.1.2).
pub mod authorization;
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
/// Background work: pruning expired rows in batches, reloading the keys.
pub mod housekeeping;
/// Strict reading of form-urlencoded text (queries and form bodies).
pub mod input;
/// Signing a JWT with a key parsed once (RFC 7515 §7.1).
pub mod jws;
/// Signing keys and the JWKS.
pub mod keys;
/// Request parameters and the RFC 6749 §3.1/§3.2 rules they share.
pub mod params;
/// argon2id for passwords and client secrets.
pub mod password;
/// Response helpers several endpoints share (no-store, the login redirect).
pub mod responses;
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
/// The token side: request, client authentication, grants, issuing, errors.
pub mod token;

pub use app::App;
pub use config::Config;
