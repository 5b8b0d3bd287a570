//! Throttling of authentication attempts: RFC 6749 §10.10 ("the
//! authorization server MUST prevent [...] brute force") for passwords, and
//! §2.3.1 ("MUST protect the endpoint against brute force attacks") for
//! client secrets.
//!
//! Each [`Key`] has a [`Rule`]: at most `limit` attempts in a fixed
//! `window`. Three decisions make it safe rather than a new way to attack:
//!
//! - **An attempt counts when it starts** ([`Throttle::begin`]), in one
//!   statement that checks and increments, so N parallel requests still get
//!   at most `limit` guesses — not N, as they would if failures were counted
//!   after the slow argon2 check.
//! - **Keys are chosen so nobody can lock anybody else out.** A client is
//!   counted per address ([`Key::Client`]): failures from one address never
//!   refuse the right secret from another. A username is counted on its own
//!   ([`Key::User`]), and every address ([`Key::Address`]) has a limit far
//!   higher than a user's, so people behind one proxy or NAT are not locked
//!   out together by one of them.
//! - **A success gives back what it proved harmless** ([`OnSuccess`]): the
//!   right password resets that user's count; at a shared address it takes
//!   back only its own attempt.
//!
//! The counters are rows in the database (`store::throttle`), so every
//! replica on one PostgreSQL counts the same attempts; memory does not grow
//! with the number of keys, each attempt costs one indexed statement, and
//! housekeeping prunes ended windows in batches.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use shared::db::Kept;

use crate::store;

/// What is being counted.
#[derive(Clone, Debug)]
pub enum Key {
    /// Password attempts for one username (compared case-insensitively).
    User(String),
    /// Password attempts from one network address, for any username.
    Address(IpAddr),
    /// Secret attempts for one client from one address.
    Client { client_id: String, address: IpAddr },
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::User(username) => write!(f, "user:{}", username.to_lowercase()),
            Self::Address(address) => write!(f, "address:{address}"),
            Self::Client { client_id, address } => write!(f, "client:{address}:{client_id}"),
        }
    }
}

/// What a successful attempt does to its key's count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnSuccess {
    /// Forget every attempt: the right credential was shown for this key.
    Reset,
    /// Take back this attempt only: others share the key.
    Refund,
}

/// At most `limit` attempts per `window`.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub limit: u32,
    pub window: Duration,
    pub on_success: OnSuccess,
}

/// How many times a user's limit an address may fail: a classroom or an
/// office behind one address has many users, each allowed their own
/// mistakes.
pub const ADDRESS_LIMIT_FACTOR: u32 = 20;

/// A client's secret attempts per address: 20 in five minutes.
pub const CLIENT_RULE: Rule = Rule { limit: 20, window: Duration::from_secs(300), on_success: OnSuccess::Reset };

/// Refused: over the limit, retry after `retry_after` seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refused {
    pub retry_after: u64,
}

/// The attempts counted by one [`Throttle::begin`].
#[must_use = "an attempt that succeeds must be passed to Throttle::succeeded"]
pub struct Attempt {
    counted: Vec<(Key, Rule)>,
}

#[derive(Clone)]
pub struct Throttle {
    db: Kept,
}

impl Throttle {
    pub fn new(db: Kept) -> Self {
        Self { db }
    }

    /// Counts one attempt for every key, or — if any key is at its limit —
    /// refuses and counts nothing (a refused request guessed nothing).
    pub async fn begin(&self, keys: &[(Key, Rule)]) -> sqlx::Result<Result<Attempt, Refused>> {
        let mut attempt = Attempt { counted: Vec::with_capacity(keys.len()) };
        for (key, rule) in keys {
            let name = key.to_string();
            let window = i64::try_from(rule.window.as_secs()).unwrap_or(i64::MAX / 2);
            if store::throttle::count_attempt(&mut *self.db.acquire().await?, &name, rule.limit, window).await? {
                attempt.counted.push((key.clone(), *rule));
                continue;
            }
            let retry_after = store::throttle::seconds_left(&mut *self.db.acquire().await?, &name).await?;
            for (counted, _) in &attempt.counted {
                store::throttle::refund(&mut *self.db.acquire().await?, &counted.to_string()).await?;
            }
            return Ok(Err(Refused { retry_after }));
        }
        Ok(Ok(attempt))
    }

    /// The attempt showed the right credential: apply each key's
    /// [`OnSuccess`]. (A failed attempt needs nothing: it was counted.)
    pub async fn succeeded(&self, attempt: Attempt) -> sqlx::Result<()> {
        for (key, rule) in attempt.counted {
            let name = key.to_string();
            match rule.on_success {
                OnSuccess::Reset => store::throttle::reset(&mut *self.db.acquire().await?, &name).await?,
                OnSuccess::Refund => store::throttle::refund(&mut *self.db.acquire().await?, &name).await?,
            }
        }
        Ok(())
    }
}
