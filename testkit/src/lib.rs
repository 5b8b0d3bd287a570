//! # Test support for the workspace's suites
//!
//! A dev-dependency of the services' test suites, never of a service.

/// Property-based inputs that a hostile or broken peer could send:
/// malformed query strings, bodies, headers and tokens.
pub mod malformed;

/// The forms and inputs of the HTML pages the services render.
pub mod html;

/// Signing keys and their public JWKs.
pub mod keys;

/// `Set-Cookie` headers, parsed.
pub mod cookies;

/// Serving a stand-in on a free loopback port, and stopping it; a free
/// port for a server in another process.
pub mod serve;

/// A stand-in authorization server that records what it is sent.
pub mod fake_provider;

/// A fresh database per test, removed afterwards.
pub mod db;

/// A browser-like HTTP client, where a redirect sends it, and HTTP Basic
/// client credentials.
pub mod http;
