//! Anti-forgery tokens for this app's own forms.
//!
//! RFC 6749 §10.12 states the rule for the redirect URI, and it holds for
//! every request that changes state: the request must carry "a value that
//! binds the request to the user-agent's authenticated state", which another
//! site cannot read. Here that value is a random token kept in the
//! server-side session and repeated in a hidden form field; a forged form
//! cannot know it. It is compared in constant time, so response timing does
//! not reveal it byte by byte.

use shared::Secret;
use shared::random::random_token;
use shared::secret::constant_time_eq;

use crate::error::AppError;
use crate::session::ClientSession;

/// This session's token, made up on first use.
pub async fn token(session: &ClientSession<'_>) -> Result<Secret, AppError> {
    if let Some(token) = session.csrf_token().await? {
        return Ok(token);
    }
    // 256 random bits (RFC 6749 §10.10 asks at least 128 for such values).
    let token = Secret::new(random_token());
    session.set_csrf_token(&token).await?;
    Ok(token)
}

/// Whether `presented` is this session's token. A session without one
/// matches nothing.
pub async fn matches(session: &ClientSession<'_>, presented: Option<&str>) -> Result<bool, AppError> {
    let (Some(expected), Some(presented)) = (session.csrf_token().await?, presented) else {
        return Ok(false);
    };
    Ok(constant_time_eq(expected.expose().as_bytes(), presented.as_bytes()))
}
