//! The authorization side of the code flow (RFC 6749 §4.1.1–§4.1.2): what
//! happens in the browser, before the client holds a code.
//!
//! Read in the order a request travels: `request` checks the parameters,
//! `consent` decides whether the user must be asked, `response` sends the
//! code (or the error) back to the client.

/// Consent policy: when the user is asked, and the invariant behind every code.
pub mod consent;
/// OIDC Core §3.1.2.1 `prompt`.
pub mod prompt;
/// Checking the parameters of an authorization request (RFC 6749 §4.1.1).
pub mod request;
/// Sending the authorization response or error back (RFC 6749 §4.1.2).
pub mod response;
