//! Password and client-secret hashing with argon2id.
//!
//! Parameters are argon2's defaults, which are OWASP's recommended minimum
//! for argon2id: m = 19 MiB, t = 2, p = 1. Hashing and verifying take tens of
//! milliseconds of CPU, so they run on the blocking thread pool, never on the
//! async runtime's workers.

use std::sync::{Arc, LazyLock, Mutex};

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};

/// The argon2id parameters in use, for the benchmark report.
pub fn parameters() -> String {
    let p = argon2::Params::DEFAULT;
    format!("argon2id m={} KiB, t={}, p={}", p.m_cost(), p.t_cost(), p.p_cost())
}

/// Hashes a password (or client secret) into a PHC string with a fresh salt.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("argon2: {e}"))
    })
    .await?
}

/// Verifies a password against a PHC string. A malformed hash is a mismatch.
pub async fn verify(password: String, phc: String) -> bool {
    tokio::task::spawn_blocking(move || Argon2::default().verify_password(password.as_bytes(), phc.as_str()).is_ok())
        .await
        .unwrap_or(false)
}

/// A hash of a password nobody knows, so that a login for an unknown user
/// costs the same argon2 work as a wrong password for a known one: the
/// response time does not reveal which usernames exist.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    Argon2::default()
        .hash_password(shared::random::random_token().as_bytes())
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// Verifies against the dummy hash; always false, takes as long as `verify`.
pub async fn verify_dummy(password: String) -> bool {
    let phc = tokio::task::spawn_blocking(|| DUMMY_HASH.clone()).await.unwrap_or_default();
    verify(password, phc).await;
    false
}

/// Client-secret checks for the token, introspection and revocation
/// endpoints.
///
/// Secrets are stored as argon2id hashes, so a leaked database does not leak
/// them even when they are weak (the demo secrets are). Running argon2 on
/// every token request would dominate the endpoint, so after one successful
/// argon2 check the SHA-256 of that secret is remembered in memory, and the
/// next request compares SHA-256 digests in constant time (microseconds).
/// Only verified secrets are remembered, nothing is written to disk, and a
/// changed secret (a new clients file) fails the digest comparison and goes
/// through argon2 again.
#[derive(Clone, Default)]
pub struct SecretVerifier {
    verified: Arc<Mutex<std::collections::HashMap<String, [u8; 32]>>>,
}

impl SecretVerifier {
    pub async fn verify(&self, client_id: &str, presented: &str, stored_phc: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let remembered = self.verified.lock().ok().and_then(|map| map.get(client_id).copied());
        if let Some(known) = remembered
            && shared::secret::constant_time_eq(&known, &digest)
        {
            return true;
        }
        let ok = verify(presented.to_owned(), stored_phc.to_owned()).await;
        if ok {
            self.remember(client_id, presented);
        }
        ok
    }

    /// Records a secret known to match (used at start, right after hashing).
    pub fn remember(&self, client_id: &str, secret: &str) {
        let digest: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        if let Ok(mut map) = self.verified.lock() {
            map.insert(client_id.to_owned(), digest);
        }
    }
}
