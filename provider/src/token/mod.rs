//! The token side of the flow (RFC 6749 §3.2, §4.1.3, §5): what happens
//! between the client's server and the provider, out of the browser's sight.
//!
//! Read in the order a request travels: `request` reads the body,
//! `client_auth` authenticates the client, `grants` runs the grant type,
//! `issue` mints the tokens, and `error` is every way it can be refused.

/// Client authentication at the token endpoint (RFC 6749 §2.3).
pub mod client_auth;
/// RFC 6749 §5.2 token endpoint errors.
pub mod error;
/// One module per grant type.
pub mod grants;
/// Minting access tokens, ID tokens and refresh tokens.
pub mod issue;
/// The token request body (form or JSON).
pub mod request;
