//! One module per grant type (RFC 6749 §4, §6), each turning an
//! authenticated token request into a token response.

pub mod authorization_code;
pub mod client_credentials;
pub mod refresh_token;
