//! The client app's integration tests: one binary, one module per route.
//! Each test stands up a fake provider (JWKS, token, revocation) and the
//! client on 127.0.0.1:0 with a fresh database, and drives them with a
//! cookie-keeping, non-redirecting HTTP client, like a browser would.

mod bff;
mod callback;
mod flow;
mod helpers;
mod home;
mod id_token;
mod login;
mod logout;
mod refresh;
mod robustness;
