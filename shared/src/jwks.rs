//! JSON Web Key Sets (RFC 7517 §5): the verifier's side.
//!
//! A resource server or client fetches the provider's JWKS from the one URL
//! it was configured with — never from a `jku`, `x5u` or embedded `jwk`
//! header, which an attacker controls (RFC 8725 §3.10). Keys are cached; an
//! unknown `kid` triggers at most one refetch per `min_refresh_interval`, so a
//! stream of forged `kid`s cannot turn the verifier into a traffic amplifier,
//! and a provider that is down does not stop tokens signed by known keys from
//! validating.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey};
use tokio::sync::{Mutex, RwLock};

use crate::jwt::ASYMMETRIC_ALGORITHMS;

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
    fetched_at: Option<Instant>,
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
            cached: Arc::new(RwLock::new(Cached { keys: HashMap::new(), fetched_at: None })),
            refresh_lock: Arc::new(Mutex::new(())),
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// The key for `kid`, refetching the JWKS once if it is unknown and the
    /// last fetch is older than the minimum refresh interval.
    pub async fn key(&self, kid: Option<&str>) -> Result<VerificationKey, KeyLookupError> {
        let kid = kid.ok_or(KeyLookupError::MissingKid)?;
        if let Some(key) = self.cached.read().await.keys.get(kid) {
            return Ok(key.clone());
        }
        // One refresh at a time; whoever waited re-checks the cache first.
        let _guard = self.refresh_lock.lock().await;
        {
            let cached = self.cached.read().await;
            if let Some(key) = cached.keys.get(kid) {
                return Ok(key.clone());
            }
            if let Some(at) = cached.fetched_at
                && at.elapsed() < self.min_refresh_interval
            {
                return Err(KeyLookupError::UnknownKid(kid.to_owned()));
            }
        }
        self.refresh().await?;
        self.cached.read().await.keys.get(kid).cloned().ok_or_else(|| KeyLookupError::UnknownKid(kid.to_owned()))
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
        let set: JwkSet = response.json().await.map_err(|e| unavailable(e.to_string()))?;
        let keys = keys_of(&set);
        let mut cached = self.cached.write().await;
        cached.keys = keys;
        Ok(())
    }
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
