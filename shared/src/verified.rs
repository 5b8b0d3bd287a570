//! A memo of JWTs whose signature has been verified.
//!
//! A resource server sees the same access token on every request of its
//! lifetime — hundreds of times — and verifying an ES256 signature costs
//! about 40 µs each time, for an answer that cannot change: the signature
//! over these exact bytes either verifies with a key or it does not (RFC
//! 7515 §5.2). So the verifier remembers, per token, what the
//! time-independent checks concluded (signature, `alg`, `typ`, `iss`, `aud`,
//! the claims' shapes), keyed by the token's SHA-256 digest.
//!
//! What the memo must never decide, the caller checks on every request:
//!
//! - **time** — `exp` and `nbf` against the clock (RFC 7519 §4.1.4–§4.1.5):
//!   the memo stores them, the caller compares;
//! - **the key** — the `kid` the signature was verified with must still be
//!   in the issuer's JWKS, so a withdrawn key stops being trusted as
//!   promptly as without the memo;
//! - **revocation** — anything revocable (a `jti` revoked at the provider)
//!   is read from the database on every request, never remembered, so every
//!   replica sees a revocation at once.
//!
//! Entries go when their token has expired; the memo holds at most
//! `capacity` tokens, and when it is full of live ones it starts afresh
//! (a forgotten token is only verified again).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

/// What was remembered about one token.
#[derive(Clone, Debug)]
pub struct Verified<T> {
    /// The key that verified the signature.
    pub kid: String,
    /// The token's `exp`: after it, the entry is dropped.
    pub expires_at: i64,
    /// The caller's conclusions (claims, the token's owner…).
    pub value: T,
}

/// Verified tokens by digest. Cheap to clone (shared).
#[derive(Clone)]
pub struct VerifiedTokens<T> {
    entries: Arc<Mutex<HashMap<[u8; 32], Verified<T>>>>,
    capacity: usize,
}

/// Tokens remembered at most, by default: a few MB at most.
pub const DEFAULT_CAPACITY: usize = 10_000;

impl<T: Clone> VerifiedTokens<T> {
    pub fn new(capacity: usize) -> Self {
        Self { entries: Arc::new(Mutex::new(HashMap::new())), capacity: capacity.max(1) }
    }

    fn digest(token: &str) -> [u8; 32] {
        Sha256::digest(token.as_bytes()).into()
    }

    /// What was remembered about `token`, unless its `exp` has passed
    /// (`now` is past it). The caller still checks time, key and revocation.
    pub fn get(&self, token: &str, now: i64) -> Option<Verified<T>> {
        let digest = Self::digest(token);
        let mut entries = self.entries.lock().ok()?;
        match entries.get(&digest) {
            Some(entry) if entry.expires_at >= now => Some(entry.clone()),
            Some(_) => {
                entries.remove(&digest);
                None
            }
            None => None,
        }
    }

    /// Remembers a token that passed every check.
    pub fn insert(&self, token: &str, verified: Verified<T>, now: i64) {
        let Ok(mut entries) = self.entries.lock() else { return };
        if entries.len() >= self.capacity {
            entries.retain(|_, entry| entry.expires_at >= now);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(Self::digest(token), verified);
    }

    /// How many tokens are remembered.
    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T: Clone> Default for VerifiedTokens<T> {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(exp: i64) -> Verified<&'static str> {
        Verified { kid: "k1".into(), expires_at: exp, value: "alice" }
    }

    #[test]
    fn a_token_is_remembered_until_it_expires_and_only_that_token() {
        let memo = VerifiedTokens::new(10);
        memo.insert("a.b.c", entry(100), 50);
        assert_eq!(memo.get("a.b.c", 100).map(|v| v.value), Some("alice"));
        assert!(memo.get("a.b.d", 100).is_none(), "one changed byte is another token");
        assert!(memo.get("a.b.c", 101).is_none(), "expired: forgotten");
        assert!(memo.is_empty());
    }

    #[test]
    fn the_memo_stays_within_its_capacity() {
        let memo = VerifiedTokens::new(3);
        for (i, exp) in [10, 1000, 1000].into_iter().enumerate() {
            memo.insert(&format!("t{i}"), entry(exp), 0);
        }
        memo.insert("t3", entry(1000), 20);
        assert_eq!(memo.len(), 3, "the expired entry made room");
        memo.insert("t4", entry(1000), 20);
        assert!(memo.len() <= 3);
        assert!(memo.get("t4", 20).is_some(), "the newest is kept");
    }
}
