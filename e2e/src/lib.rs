//! # The whole system at once
//!
//! The provider, the client app and the todo API are three services; this
//! crate runs them together, twice over:
//!
//! - for people, as the `oauth-demo` launcher behind a bare `cargo run`
//!   ([`launcher`]): the three services on their usual ports, one log with
//!   one prefix per service;
//! - for tests, as a [`harness::System`] on ephemeral ports with fresh
//!   databases, driven hop by hop by a scripted [`browser::Browser`].
//!
//! The tests in `tests/` then walk the flow of "The Authorization Code grant
//! in excruciating detail" from the first click to the logout, and try the
//! attacks the flow is built to stop.

/// A round-robin load balancer for tests of several replicas.
pub mod balancer;
/// A scripted browser: cookies kept, redirects not followed, one method per hop.
pub mod browser;
/// Three services in one test: start, stop, restart, on ports chosen by the OS.
pub mod harness;
/// `cargo run`: the three services in one process, one log prefix each.
pub mod launcher;
/// The configuration of the three services, from one environment each.
pub mod services;

pub use browser::Browser;
pub use harness::{Options, System};
pub use services::ServiceEnvs;
