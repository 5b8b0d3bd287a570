//! One refresh at a time per session, and its result for whoever asked at
//! the same time.
//!
//! Two tabs of one browser share the `refresh_token` cookie. When both find
//! their access token expired, both call `POST /refreshtoken` with the same
//! refresh token. With rotation, the second exchange presents a token the
//! first has just replaced, which is exactly what a stolen-token replay
//! looks like: RFC 9700 §4.14.2 has the provider revoke the whole grant
//! ("If a refresh token is compromised and subsequently used by both the
//! attacker and the legitimate client, one of them will present an
//! invalidated refresh token, which will inform the authorization server of
//! the breach"), and the user is logged out.
//!
//! So the client sends one exchange per session at a time. Requests that
//! present the refresh token a flight has just traded wait for that flight
//! and receive its result, instead of replaying the old token. The result
//! is kept for [`COALESCE_WINDOW`] only, and only for the session that made
//! it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use shared::secret::constant_time_eq;
use shared::{Secret, TokenResponse};
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};
use tower_sessions::session::Id;

/// How long a refresh's result is handed to requests that presented the
/// same (now rotated) refresh token: long enough for requests that were
/// already on their way, far shorter than any token's lifetime.
pub const COALESCE_WINDOW: Duration = Duration::from_secs(10);

/// A finished exchange: which refresh token it traded and what for.
pub struct Landed {
    presented: Secret,
    tokens: Arc<TokenResponse>,
    at: Instant,
}

type Slot = Arc<AsyncMutex<Option<Landed>>>;

/// Every session's refresh lock.
#[derive(Clone, Default)]
pub struct RefreshFlights {
    sessions: Arc<Mutex<HashMap<Id, Slot>>>,
}

/// The right to refresh `session` alone, held until dropped.
pub struct Flight {
    slot: OwnedMutexGuard<Option<Landed>>,
}

impl RefreshFlights {
    /// Waits until no other refresh of this session is in flight.
    pub async fn enter(&self, session: Id) -> Flight {
        let slot = {
            let mut sessions = self.sessions.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            // Forget sessions that nobody is refreshing and whose last
            // result is too old to hand out, so the map stays small.
            sessions.retain(|_, slot| Arc::strong_count(slot) > 1 || slot.try_lock().is_ok_and(|l| is_recent(&l)));
            sessions.entry(session).or_default().clone()
        };
        Flight { slot: slot.lock_owned().await }
    }
}

fn is_recent(landed: &Option<Landed>) -> bool {
    landed.as_ref().is_some_and(|l| l.at.elapsed() < COALESCE_WINDOW)
}

impl Flight {
    /// The tokens that a refresh of this session traded `presented` for a
    /// moment ago, if any.
    pub fn landed_for(&self, presented: &Secret) -> Option<Arc<TokenResponse>> {
        let landed = self.slot.as_ref().filter(|_| is_recent(&self.slot))?;
        constant_time_eq(landed.presented.expose().as_bytes(), presented.expose().as_bytes())
            .then(|| landed.tokens.clone())
    }

    /// Records that `presented` was traded for `tokens`.
    pub fn land(&mut self, presented: Secret, tokens: Arc<TokenResponse>) {
        *self.slot = Some(Landed { presented, tokens, at: Instant::now() });
    }
}
