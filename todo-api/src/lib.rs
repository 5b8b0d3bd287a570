//! # todo-api: the protected resource
//!
//! The API of "The Authorization Code grant in excruciating detail": a todo
//! list per user, behind OAuth 2.0 access tokens. It is the article's
//! "API verifies token" step done in full — every request's token is checked
//! (signature, `typ`, `iss`, `aud`, `exp`, `nbf`, `iat`, `sub`, `jti`,
//! `scope`; RFC 9068 §4 and RFC 8725) before any data is read, and every
//! refusal is an RFC 6750 §3 challenge that names the rule.
//!
//! Read it in this order:

/// `App`: binds, connects, migrates, serves; the router and its layers.
pub mod app;
/// Bearer token intake, JWT validation, introspection, RFC 6750 errors.
pub mod auth;
/// Unix seconds and RFC 3339.
pub mod clock;
/// Settings from the environment (`TODO_API_*`, `PROVIDER_*`, `CLIENT_PUBLIC_URL`).
pub mod config;
/// CORS for the client app's origin, and for no other.
pub mod cors;
/// Non-token errors (400, 404, 413, 503) as JSON.
pub mod error;
/// A JSON extractor that answers bad input with 400/413/415, never 500.
pub mod extract;
/// `GET /healthz`.
pub mod health;
/// The todos table, one small function per operation.
pub mod store;
/// The todo endpoints and the rules of their input.
pub mod todos;

pub use app::App;
pub use config::{Config, TokenValidation};
