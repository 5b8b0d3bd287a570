//! What the provider keeps in the user's session (the `provider_session`
//! cookie holds only a random id; the data lives in the database).

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::authorization::request::AuthorizationRequest;

const LOGIN: &str = "login";
const CSRF: &str = "csrf_token";
const RETURN_TO: &str = "return_to";
const FRESH_LOGIN_FOR: &str = "fresh_login_for";
const PENDING_PREFIX: &str = "pending_consent:";
const SEEN_AT: &str = "seen_at";

/// How often a signed-in user's requests write the session back. The
/// session expires after `PROVIDER_SESSION_TTL_SECONDS` of inactivity, and
/// only a write moves that deadline; writing on every request would cost a
/// database write per authorization, so a request writes only when the last
/// write is this many seconds old.
pub const KEEP_ALIVE_SECONDS: i64 = 60;

/// Who is signed in, and since when (`auth_time`, OIDC Core §2).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Login {
    pub user_id: String,
    pub auth_time: i64,
}

/// Who is signed in, if anyone; a signed-in user's request also keeps the
/// session alive (see [`KEEP_ALIVE_SECONDS`]).
pub async fn login(session: &Session) -> Option<Login> {
    let login = session.get(LOGIN).await.ok().flatten()?;
    keep_alive(session, shared::now_unix()).await;
    Some(login)
}

/// Marks the session seen at `now` if it was last written
/// [`KEEP_ALIVE_SECONDS`] ago or more, which makes it be saved with a new
/// expiry; otherwise leaves it unchanged and unwritten.
async fn keep_alive(session: &Session, now: i64) {
    let seen: Option<i64> = session.get(SEEN_AT).await.ok().flatten();
    if seen.is_none_or(|seen| now - seen >= KEEP_ALIVE_SECONDS) {
        let _ = session.insert(SEEN_AT, now).await;
    }
}

/// Records a successful login. The session id is changed first, so an id
/// planted before login (session fixation) is worthless afterwards.
pub async fn set_login(session: &Session, login: &Login) -> Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    session.insert(LOGIN, login).await?;
    session.insert(SEEN_AT, shared::now_unix()).await?;
    // A fresh CSRF token for the authenticated session.
    session.insert(CSRF, shared::random::random_token()).await
}

/// Ends the authentication but keeps the session (its CSRF token, the
/// request waiting for a login): used when a fresh login is required, so
/// the old one can no longer satisfy any request.
pub async fn forget_login(session: &Session) -> Result<(), tower_sessions::session::Error> {
    session.remove::<Login>(LOGIN).await.map(|_| ())
}

/// Marks the login just made as made for the authorization request that
/// will be replayed as `authorize_query`.
pub async fn set_fresh_login(session: &Session, authorize_query: &str) -> Result<(), tower_sessions::session::Error> {
    session.insert(FRESH_LOGIN_FOR, authorize_query).await
}

/// The request a login was just made for (once).
///
/// Removing a key marks the session changed, and a changed session is
/// written back to the database after the response; the key is there only
/// on the first request after a login, so it is looked at before it is
/// removed, and the other requests of a signed-in user write nothing.
pub async fn take_fresh_login(session: &Session) -> Option<String> {
    take(session, FRESH_LOGIN_FOR).await
}

/// Removes and returns `key`'s value, leaving the session unchanged (and
/// unwritten) when it is not there.
async fn take<T: serde::de::DeserializeOwned>(session: &Session, key: &str) -> Option<T> {
    session.get_value(key).await.ok().flatten()?;
    session.remove(key).await.ok().flatten()
}

pub async fn logout(session: &Session) -> Result<(), tower_sessions::session::Error> {
    session.flush().await
}

/// The session's anti-CSRF token (RFC 6749 §10.12), created on first use.
pub async fn csrf_token(session: &Session) -> Result<String, tower_sessions::session::Error> {
    if let Some(token) = session.get::<String>(CSRF).await? {
        return Ok(token);
    }
    let token = shared::random::random_token();
    session.insert(CSRF, &token).await?;
    Ok(token)
}

/// Whether a form's token matches the session's, compared in constant time.
pub async fn csrf_matches(session: &Session, presented: &str) -> bool {
    match session.get::<String>(CSRF).await {
        Ok(Some(expected)) => shared::secret::constant_time_eq(expected.as_bytes(), presented.as_bytes()),
        _ => false,
    }
}

/// Where to continue after login: an authorization request's query string.
/// Only the query is kept, and it is always replayed against
/// `/oauth2/authorize`, so this can never become an open redirect.
pub async fn set_return_to(session: &Session, authorize_query: &str) -> Result<(), tower_sessions::session::Error> {
    session.insert(RETURN_TO, authorize_query).await
}

pub async fn take_return_to(session: &Session) -> Option<String> {
    take(session, RETURN_TO).await
}

/// Parks a validated request while the consent page is shown; returns the
/// id the form sends back.
pub async fn park_request(
    session: &Session,
    request: &AuthorizationRequest,
) -> Result<String, tower_sessions::session::Error> {
    let id = shared::random::random_token();
    session.insert(&format!("{PENDING_PREFIX}{id}"), request).await?;
    Ok(id)
}

/// Takes a parked request back (once: the consent form cannot be replayed).
pub async fn take_request(session: &Session, id: &str) -> Option<AuthorizationRequest> {
    take(session, &format!("{PENDING_PREFIX}{id}")).await
}
