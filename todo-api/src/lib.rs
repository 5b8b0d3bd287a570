//! # todo-api: the protected resource
//!
//! A todo list per user, behind OAuth 2.0 access tokens: the resource server
//! of RFC 6749 §1.1. Every request's token is checked (signature, `typ`,
//! `iss`, `aud`, `exp`, `nbf`, `iat`, `sub`, `jti`, `scope`; RFC 9068 §4 and
//! RFC 8725) before any data is read, and every refusal is an RFC 6750 §3
//! challenge that names the rule.
//!
//! Read it in the order a request meets it:
//!
//! 1. [`config`] and [`state`] — the settings, and what the handlers share.
//! 2. [`app`] — the router and its layers: [`cors`] for the client app's
//!    origin, the body limit, the timeout; [`health`] beside the API.
//! 3. [`auth::bearer`] — the token taken from the request (RFC 6750 §2).
//! 4. [`auth::jwt`] and [`auth::claims`] — the JWT checked (RFC 9068 §4,
//!    RFC 8725) against the [`clock`], or [`auth::introspection`] asking
//!    the provider (RFC 7662).
//! 5. [`auth`]'s `Authorized` extractor — the scope a route needs.
//! 6. [`todos`] — the handlers, their input read by [`extract`], then
//!    [`store`] — the queries, always by owner.
//! 7. [`auth::error`] and [`error`] — every way a request is refused.

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
/// What the handlers share, handed out by part (`FromRef`).
pub mod state;
/// The todos table, one small function per operation.
pub mod store;
/// The todo endpoints and the rules of their input.
pub mod todos;

pub use app::App;
pub use config::{Config, TokenValidation};
