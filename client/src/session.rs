//! What the client remembers about one browser, server-side.
//!
//! The browser holds only an opaque `client_session` cookie; the values live
//! in the client's own database (`sessions` table, through
//! [`shared::session_store::SqlSessionStore`]), so a restart logs nobody out
//! and nothing secret ever sits in the browser's cookie jar or JavaScript.
//!
//! Four things are kept, each under its own key:
//! - between `/login` and `/callback`: the [`PendingAuthorization`];
//! - after a successful login: the [`LoggedInUser`];
//! - always: the [`FlowLog`] that `/flow` shows;
//! - once a form needs it: the anti-forgery token ([`crate::csrf`]).

use serde::{Deserialize, Serialize};
use shared::Secret;
use shared::pkce::CodeVerifier;
use tower_sessions::Session;

use crate::error::AppError;
use crate::flow_log::FlowLog;

const PENDING: &str = "pending_authorization";
const USER: &str = "user";
const FLOW: &str = "flow_log";
const CSRF: &str = "csrf_token";

/// The three values `/login` makes up and `/callback` needs back. None of
/// them may be guessable, and none leaves the server except as the
/// authorization request's parameters.
#[derive(Serialize, Deserialize)]
pub struct PendingAuthorization {
    /// RFC 6749 §10.12: "an opaque value used by the client to maintain state
    /// between the request and callback", binding the callback to this
    /// browser (CSRF protection).
    pub state: Secret,
    /// OIDC Core §3.1.2.1: "String value used to associate a Client session
    /// with an ID Token, and to mitigate replay attacks."
    pub nonce: Secret,
    /// RFC 7636 §4.1: the secret half of PKCE, sent only to the token endpoint.
    pub code_verifier: CodeVerifier,
}

/// Who is logged in, from the validated ID token, and what logout needs.
#[derive(Clone, Serialize, Deserialize)]
pub struct LoggedInUser {
    /// `sub`: the user's identifier at the issuer (OIDC Core §2).
    pub subject: String,
    /// `name`, else `preferred_username`, else `sub`: for the greeting.
    pub display_name: String,
    /// The raw ID token: the `id_token_hint` of RP-initiated logout.
    pub id_token: Secret,
    /// The current refresh token, for revocation at logout.
    ///
    /// Why here as well as in the `refresh_token` cookie: that cookie has
    /// `Path=/refreshtoken`, so the browser sends it to `/refreshtoken` and
    /// nowhere else, not even to `/logout`. Keeping a copy in the server-side
    /// session (updated at every rotation) lets `/logout` revoke it without
    /// widening the cookie's path.
    pub refresh_token: Option<Secret>,
    /// BFF mode only: the current access token, which the browser never
    /// receives; `/api/` adds it to the calls it forwards.
    #[serde(default)]
    pub access_token: Option<Secret>,
}

/// Typed access to the session's values.
pub struct ClientSession<'a>(pub &'a Session);

impl ClientSession<'_> {
    pub async fn start_authorization(&self, pending: &PendingAuthorization) -> Result<(), AppError> {
        Ok(self.0.insert(PENDING, pending).await?)
    }

    /// Removes and returns the pending authorization: whatever happens next,
    /// its `state` can be used only once (RFC 9700 §2.1, CSRF).
    pub async fn take_authorization(&self) -> Result<Option<PendingAuthorization>, AppError> {
        Ok(self.0.remove(PENDING).await?)
    }

    pub async fn user(&self) -> Result<Option<LoggedInUser>, AppError> {
        Ok(self.0.get(USER).await?)
    }

    /// Records the login. The session id changes first, so an id planted
    /// in the browser before login is worth nothing after it (session fixation).
    pub async fn log_in(&self, user: &LoggedInUser) -> Result<(), AppError> {
        self.0.cycle_id().await?;
        Ok(self.0.insert(USER, user).await?)
    }

    pub async fn set_user(&self, user: &LoggedInUser) -> Result<(), AppError> {
        Ok(self.0.insert(USER, user).await?)
    }

    pub async fn flow_log(&self) -> Result<FlowLog, AppError> {
        Ok(self.0.get(FLOW).await?.unwrap_or_default())
    }

    pub async fn save_flow_log(&self, log: &FlowLog) -> Result<(), AppError> {
        Ok(self.0.insert(FLOW, log).await?)
    }

    pub async fn csrf_token(&self) -> Result<Option<Secret>, AppError> {
        Ok(self.0.get(CSRF).await?)
    }

    pub async fn set_csrf_token(&self, token: &Secret) -> Result<(), AppError> {
        Ok(self.0.insert(CSRF, token).await?)
    }

    /// Forgets everything and deletes the stored record.
    pub async fn clear(&self) -> Result<(), AppError> {
        Ok(self.0.flush().await?)
    }

    /// Writes the session now. Needed before answering with a 5xx, because
    /// tower-sessions does not save on server errors, and a consumed `state`
    /// must stay consumed.
    pub async fn persist(&self) -> Result<(), AppError> {
        if self.0.id().is_some() {
            self.0.save().await?;
        }
        Ok(())
    }
}
