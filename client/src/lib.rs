//! The OAuth 2.0 "token exchange component": a backend-for-frontend that
//! runs the Authorization Code grant for a todo app, in the manner of "The
//! Authorization Code grant in excruciating detail".
//!
//! The browser never holds a token it can read. The steps of the flow, and
//! where each one lives:
//!
//! 1. **Authorization request** — [`routes::login`]: `GET /login` makes up
//!    `state`, `nonce` and a PKCE `code_verifier`, keeps them in the
//!    server-side [`session`], and redirects the browser to the provider's
//!    authorization endpoint (RFC 6749 §4.1.1, RFC 7636 §4.3).
//! 2. **The user logs in and consents at the provider**, which sends the
//!    browser back to the redirect URI with a `code` (RFC 6749 §4.1.2).
//! 3. **Authorization response** — [`routes::callback`]: `GET /callback`
//!    checks `state` (single use) and `iss` (RFC 9207), then exchanges the
//!    code over the back channel ([`provider`]) with the `code_verifier`,
//!    authenticating with the client secret (RFC 6749 §4.1.3).
//! 4. **ID token validation** — [`id_token`]: every step of OIDC Core
//!    §3.1.3.7 (signature from the JWKS, `iss`, `aud`, `azp`, `exp`, `iat`,
//!    `nonce`) and `at_hash`.
//! 5. **handleTokens** — [`cookies`]: the access token and refresh token
//!    become HttpOnly cookies, then a 303 to `/` ([`routes::home`]), whose
//!    script calls the todo API directly with `credentials: 'include'`.
//! 6. **Refresh** — [`routes::refresh`]: on a 401 the script calls
//!    `POST /refreshtoken` (same-origin only), which trades the refresh
//!    cookie for new cookies (RFC 6749 §6).
//! 7. **Logout** — [`routes::logout`]: revoke the refresh token (RFC 7009),
//!    clear cookies and session, RP-initiated logout at the provider; a
//!    logout another site caused is confirmed first ([`csrf`]).
//!
//! In BFF mode (`CLIENT_TOKEN_DELIVERY=bff`) step 5 keeps the tokens in the
//! session instead, and the page calls [`routes::api`] (`/api/todos`), which
//! forwards to the todo API with the access token and refreshes server-side.
//!
//! [`routes::flow`] (`GET /flow`) shows every one of these steps, as it
//! happened for this browser, with a link to its spec section.

/// Building the app: database, session layer, state, router, server.
pub mod app;
/// The settings, read once from the environment (`CLIENT_*`, `PROVIDER_*`).
pub mod config;
/// handleTokens: the token cookies and their attributes.
pub mod cookies;
/// Anti-forgery tokens for this app's own forms (RFC 6749 §10.12).
pub mod csrf;
/// Page errors, their status codes and the pages that explain them.
pub mod error;
/// Extractors with the app's own rejections.
pub mod extract;
/// Whether a request started on this app's own pages (Fetch Metadata).
pub mod fetch_metadata;
/// The flow inspector's record of each step, kept in the session.
pub mod flow_log;
/// ID token validation, OIDC Core §3.1.3.7, step by step.
pub mod id_token;
/// The errors of the routes the page's script calls, in JSON (RFC 6749 §5.2).
pub mod json_error;
/// The back channel: token and revocation requests to the provider.
pub mod provider;
/// One refresh per session at a time; the others share its result.
pub mod refresh_flight;
/// One module per route.
pub mod routes;
/// What the server-side session holds, with typed access.
pub mod session;
/// What the handlers share, and the parts each takes.
pub mod state;
/// The embedded HTML templates.
pub mod templates;

pub use app::App;
pub use config::Config;
pub use state::AppState;
