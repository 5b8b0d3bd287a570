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

/// How many argon2 computations may run at once: one per CPU.
///
/// Each one fills 19 MiB and keeps a core busy for tens of milliseconds, so
/// running more of them than there are cores finishes none sooner and only
/// multiplies the memory: 32 simultaneous logins would hold 600 MiB. The
/// others wait here, in the async world, for a slot.
static ARGON2_SLOTS: LazyLock<tokio::sync::Semaphore> =
    LazyLock::new(|| tokio::sync::Semaphore::new(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)));

/// Runs one argon2 computation on the blocking pool, once a slot is free.
async fn run_argon2<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
    let _slot = ARGON2_SLOTS.acquire().await?;
    Ok(tokio::task::spawn_blocking(work).await?)
}

/// Hashes a password (or client secret) into a PHC string with a fresh salt.
pub async fn hash(password: String) -> anyhow::Result<String> {
    run_argon2(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("argon2: {e}"))
    })
    .await?
}

/// Verifies a password against a PHC string. A malformed hash is a mismatch.
pub async fn verify(password: String, phc: String) -> bool {
    run_argon2(move || Argon2::default().verify_password(password.as_bytes(), phc.as_str()).is_ok())
        .await
        .unwrap_or(false)
}

/// Makes the allocator give argon2's 19 MiB back to the system when a
/// computation ends. Call once, first thing in `main`.
///
/// glibc serves blocks above `M_MMAP_THRESHOLD` with their own `mmap` and
/// unmaps them on free — but by default the threshold moves up to the size
/// of the largest block freed so far (up to 32 MiB), so after the first
/// argon2 run every later 19 MiB block comes from a per-thread arena, which
/// keeps it: the provider grew to hundreds of MB after a burst of logins
/// and never shrank. Setting the threshold explicitly turns that adjustment
/// off (mallopt(3)); blocks of 1 MiB and more are mapped and unmapped each
/// time, which costs page faults worth a few percent of an argon2 run. The
/// arena count is capped at two per CPU for the same reason: each arena
/// keeps its own free memory.
pub fn release_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only changes allocator tuning; called at start-up.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
            let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
            libc::mallopt(libc::M_ARENA_MAX, i32::try_from(2 * cpus).unwrap_or(8));
        }
    }
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
    /// Whether `presented` is the secret last verified for `client_id`: a
    /// constant-time comparison of SHA-256 digests, no argon2.
    pub fn is_known(&self, client_id: &str, presented: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let remembered = self.verified.lock().ok().and_then(|map| map.get(client_id).copied());
        remembered.is_some_and(|known| shared::secret::constant_time_eq(&known, &digest))
    }

    /// Checks `presented` against the stored argon2id hash (unless it is
    /// already known), and remembers it when it matches.
    pub async fn verify(&self, client_id: &str, presented: &str, stored_phc: &str) -> bool {
        if self.is_known(client_id, presented) {
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
