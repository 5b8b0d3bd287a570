//! The provider's endpoints, one module each.
//!
//! The authorization code flow (RFC 6749 §4.1, Figure 3), with the handler
//! that serves each step (`crate::…` paths are outside this folder):
//!
//! ```text
//!  +----------+
//!  | Resource |
//!  |   Owner  |
//!  +----------+
//!       ^
//!       |                         (B) login::show, login::submit,
//!      (B)                            consent::submit
//!  +----|-----+          Client Identifier      +---------------+
//!  |         -+----(A)-- & Redirection URI ---->|               |
//!  |  User-   |                                 | Authorization |
//!  |  Agent  -+----(B)-- User authenticates --->|     Server    |
//!  |          |                                 |               |
//!  |         -+----(C)-- Authorization Code ---<|               |
//!  +-|----|---+                                 +---------------+
//!    |    |   (A) authorize::authorize               ^      v
//!   (A)  (C)  (B) authorization::consent::decide     |      |
//!    |    |   (C) authorization::response::deliver   |      |
//!    ^    v                                          |      |
//!  +---------+                                       |      |
//!  |         |>---(D)-- Authorization Code ---------'      |
//!  |  Client |          & Redirection URI                  |
//!  |         |   (D) token::token                          |
//!  |         |<---(E)----- Access Token -------------------'
//!  +---------+       (w/ Optional Refresh Token)
//!            (E) crate::token::grants::authorization_code::exchange
//! ```

pub mod account;
pub mod authorize;
pub mod consent;
pub mod discovery;
pub mod health;
pub mod introspect;
pub mod jwks;
pub mod login;
pub mod logout;
pub mod revoke;
pub mod token;
pub mod userinfo;
