//! JSON Web Key Sets (RFC 7517 §5): the verifier's side.
//!
//! A resource server or client fetches the provider's JWKS from the one URL
//! it was configured with — never from a `jku`, `x5u` or embedded `jwk`
//! header, which an attacker controls (RFC 8725 §3.10).
//!
//! Keys are cached for as long as the JWKS response says they may be: its
//! `Cache-Control: max-age` (RFC 9111 §5.2.2.1), less its `Age`. After that
//! the set is fetched again before a key from it is used, so a key the
//! provider has withdrawn (rotated out, or compromised) stops being trusted
//! within one cache lifetime. An unknown `kid` triggers a refetch too.
//!
//! Either refetch happens at most once per `min_refresh_interval`, so a
//! stream of forged `kid`s cannot turn the verifier into a traffic
//! amplifier; and when the provider is down the keys already known stay in
//! use, so it does not stop tokens signed by them from validating.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey};
use reqwest::header::{AGE, CACHE_CONTROL, HeaderMap};
use tokio::sync::{Mutex, RwLock};

use crate::jwt::ASYMMETRIC_ALGORITHMS;

/// How long a key set may be used when its response says nothing about
/// caching (RFC 9111 §4.2.2 lets a cache choose such a heuristic lifetime).
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);
/// The longest a key set is kept, whatever its response says: a withdrawn
/// key is distrusted within a day at the latest.
pub const MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// One verification key and the algorithm it is for.
#[derive(Clone)]
pub struct VerificationKey {
    pub key: DecodingKey,
    pub alg: Algorithm,
}

/// Why no key could be found for a token.
#[derive(Debug, thiserror::Error)]
pub enum KeyLookupError {
    #[error("the token has no kid header, so no key in the JWKS can be chosen")]
    MissingKid,
    #[error("unknown key id {0:?}: not in the provider's JWKS")]
    UnknownKid(String),
    #[error("the JWKS at {url} could not be fetched: {reason}")]
    Unavailable { url: String, reason: String },
}

struct Cached {
    keys: HashMap<String, VerificationKey>,
    /// When the last fetch was attempted (successful or not).
    fetched_at: Option<Instant>,
    /// Until when the keys may be used without asking again.
    fresh_until: Option<Instant>,
}

impl Cached {
    fn is_fresh(&self) -> bool {
        self.fresh_until.is_some_and(|until| Instant::now() < until)
    }
}

/// A cached view of one JWKS URL.
#[derive(Clone)]
pub struct JwksCache {
    url: String,
    http: reqwest::Client,
    min_refresh_interval: Duration,
    cached: Arc<RwLock<Cached>>,
    refresh_lock: Arc<Mutex<()>>,
}

impl JwksCache {
    pub fn new(url: impl Into<String>, http: reqwest::Client, min_refresh_interval: Duration) -> Self {
        Self {
            url: url.into(),
            http,
            min_refresh_interval,
            cached: Arc::new(RwLock::new(Cached { keys: HashMap::new(), fetched_at: None, fresh_until: None })),
            refresh_lock: Arc::new(Mutex::new(())),
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// The key for `kid`. The JWKS is fetched again first when the cached
    /// set has outlived its lifetime or does not know `kid`, unless the last
    /// fetch is more recent than the minimum refresh interval.
    pub async fn key(&self, kid: Option<&str>) -> Result<VerificationKey, KeyLookupError> {
        let kid = kid.ok_or(KeyLookupError::MissingKid)?;
        {
            let cached = self.cached.read().await;
            if cached.is_fresh()
                && let Some(key) = cached.keys.get(kid)
            {
                return Ok(key.clone());
            }
        }
        // One refresh at a time; whoever waited re-checks the cache first.
        let _guard = self.refresh_lock.lock().await;
        let known = {
            let cached = self.cached.read().await;
            let known = cached.keys.get(kid).cloned();
            if let Some(key) = &known
                && cached.is_fresh()
            {
                return Ok(key.clone());
            }
            if let Some(at) = cached.fetched_at
                && at.elapsed() < self.min_refresh_interval
            {
                // Too soon to ask again: a known key is still used, past its
                // lifetime, until the provider may be asked.
                return known.ok_or_else(|| KeyLookupError::UnknownKid(kid.to_owned()));
            }
            known
        };
        match self.refresh().await {
            Ok(()) => self
                .cached
                .read()
                .await
                .keys
                .get(kid)
                .cloned()
                .ok_or_else(|| KeyLookupError::UnknownKid(kid.to_owned())),
            // The provider is down: the key it last published stays in use.
            Err(e) => known.ok_or(e),
        }
    }

    /// Fetches the JWKS now. The previous keys stay in use if this fails.
    pub async fn refresh(&self) -> Result<(), KeyLookupError> {
        let unavailable = |reason: String| KeyLookupError::Unavailable { url: self.url.clone(), reason };
        // Whatever the outcome, do not ask again before the interval is over.
        self.cached.write().await.fetched_at = Some(Instant::now());
        let response = self.http.get(&self.url).send().await.map_err(|e| unavailable(e.to_string()))?;
        if !response.status().is_success() {
            return Err(unavailable(format!("HTTP {}", response.status())));
        }
        let lifetime = freshness_lifetime(response.headers());
        let received = Instant::now();
        let set: JwkSet = response.json().await.map_err(|e| unavailable(e.to_string()))?;
        let keys = keys_of(&set);
        let mut cached = self.cached.write().await;
        cached.keys = keys;
        cached.fresh_until = Some(received + lifetime);
        Ok(())
    }
}

/// How long a response may be used: RFC 9111 §4.2.1's freshness lifetime
/// (`max-age`; `no-cache` and `no-store` mean "ask every time") less its
/// current age (§4.2.3, the `Age` header), capped at [`MAX_LIFETIME`].
pub fn freshness_lifetime(headers: &HeaderMap) -> Duration {
    let directives: Vec<String> = headers
        .get_all(CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|d| d.trim().to_ascii_lowercase())
        .collect();
    // §5.2.2.4 no-cache: "the response MUST NOT be used to satisfy any other
    // request without forwarding it for validation"; §5.2.2.5 no-store.
    if directives.iter().any(|d| d == "no-cache" || d == "no-store") {
        return Duration::ZERO;
    }
    // §5.2.2.1: "The max-age response directive indicates that the response
    // is to be considered stale after its age is greater than the specified
    // number of seconds." An invalid value is treated as stale (§4.2.1).
    let max_age =
        directives.iter().find_map(|d| d.strip_prefix("max-age=")).map(|v| v.trim_matches('"').parse::<u64>());
    let lifetime = match max_age {
        Some(Ok(seconds)) => Duration::from_secs(seconds),
        Some(Err(_)) => Duration::ZERO,
        None => DEFAULT_LIFETIME,
    };
    let age = headers.get(AGE).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok()).unwrap_or(0);
    lifetime.saturating_sub(Duration::from_secs(age)).min(MAX_LIFETIME)
}

/// The usable signature keys of a set: those with a `kid`, an asymmetric
/// algorithm we allow, and `use` absent or `sig`.
pub fn keys_of(set: &JwkSet) -> HashMap<String, VerificationKey> {
    set.keys
        .iter()
        .filter_map(|jwk| {
            let kid = jwk.common.key_id.clone()?;
            let alg = algorithm_of(jwk)?;
            if let Some(usage) = &jwk.common.public_key_use
                && *usage != jsonwebtoken::jwk::PublicKeyUse::Signature
            {
                return None;
            }
            let key = DecodingKey::from_jwk(jwk).ok()?;
            Some((kid, VerificationKey { key, alg }))
        })
        .collect()
}

fn algorithm_of(jwk: &Jwk) -> Option<Algorithm> {
    let alg = Algorithm::try_from(jwk.common.key_algorithm?).ok()?;
    ASYMMETRIC_ALGORITHMS.contains(&alg).then_some(alg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lifetime(pairs: &[(&'static str, &'static str)]) -> Duration {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, value.parse().unwrap());
        }
        freshness_lifetime(&headers)
    }

    #[test]
    fn max_age_less_age_is_the_lifetime() {
        assert_eq!(lifetime(&[("cache-control", "public, max-age=600")]), Duration::from_secs(600));
        assert_eq!(lifetime(&[("cache-control", "max-age=600"), ("age", "100")]), Duration::from_secs(500));
        assert_eq!(lifetime(&[("cache-control", "max-age=60"), ("age", "100")]), Duration::ZERO);
        assert_eq!(lifetime(&[("cache-control", "Max-Age=\"30\"")]), Duration::from_secs(30));
    }

    #[test]
    fn no_cache_no_store_and_nonsense_mean_ask_again() {
        assert_eq!(lifetime(&[("cache-control", "max-age=600, no-cache")]), Duration::ZERO);
        assert_eq!(lifetime(&[("cache-control", "no-store")]), Duration::ZERO);
        assert_eq!(lifetime(&[("cache-control", "max-age=soon")]), Duration::ZERO);
        assert_eq!(lifetime(&[("cache-control", "max-age=-1")]), Duration::ZERO);
    }

    #[test]
    fn silence_gets_the_default_and_a_long_max_age_the_cap() {
        assert_eq!(lifetime(&[]), DEFAULT_LIFETIME);
        assert_eq!(lifetime(&[("cache-control", "public")]), DEFAULT_LIFETIME);
        assert_eq!(lifetime(&[("cache-control", "max-age=99999999999")]), MAX_LIFETIME);
    }
}
