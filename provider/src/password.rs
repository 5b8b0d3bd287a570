//! Password and client-secret hashing with argon2id.
//!
//! New hashes use m = 7 MiB, t = 5, p = 1: one of the five argon2id
//! settings OWASP's password storage guidance lists as equally strong (the
//! others trade memory for passes: 19 MiB × 2, 12 MiB × 3, 9 MiB × 4,
//! 46 MiB × 1). Each hash is a PHC string that names its own parameters, so
//! hashes stored with another setting (argon2's default, 19 MiB × 2) still
//! verify. Hashing and verifying take milliseconds of CPU, so they run on
//! the blocking thread pool, never on the async runtime's workers.

use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use argon2::password_hash::phc::{Output, ParamsString, Salt};
use argon2::password_hash::{generate_salt, phc::PasswordHash};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use sha2::{Digest, Sha256};

/// The parameters of new hashes (m in KiB).
static PARAMS: LazyLock<Params> = LazyLock::new(|| {
    Params::new(7 * 1024, 5, 1, Some(Params::DEFAULT_OUTPUT_LEN)).expect("m = 7 MiB, t = 5, p = 1 are valid")
});

/// The argon2id parameters in use, for the benchmark report.
pub fn parameters() -> String {
    let p = &*PARAMS;
    format!("argon2id m={} KiB, t={}, p={}", p.m_cost(), p.t_cost(), p.p_cost())
}

/// How many argon2 computations may run at once: one per CPU.
///
/// Each one fills its m KiB and keeps a core busy for milliseconds, so
/// running more of them than there are cores finishes none sooner and only
/// multiplies the memory. The others wait here, in the async world, for a
/// slot.
static ARGON2_SLOTS: LazyLock<tokio::sync::Semaphore> = LazyLock::new(|| tokio::sync::Semaphore::new(cpus()));

fn cpus() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// argon2's working memory, kept between computations while logins come
/// in: at most one buffer per slot, allocated when first needed and given
/// back by [`release_unused_memory`] once no computation has run for a
/// while.
///
/// Memory freshly mapped from the system arrives as pages that fault in
/// one by one, each zeroed by the kernel; for 7 MiB that is 1,792 faults
/// per login, which on a virtual machine cost more CPU than the hash. A
/// kept buffer has no such cost. Every block is written before it is read
/// (RFC 9106 §3.2, the first pass), so what a buffer held before is never
/// used.
static MEMORY: Mutex<Kept> = Mutex::new(Kept { buffers: Vec::new(), last_used: None });

struct Kept {
    buffers: Vec<Vec<Block>>,
    last_used: Option<Instant>,
}

impl Kept {
    /// A buffer of at least `blocks` blocks: a kept one, grown if needed.
    fn take(&mut self, blocks: usize) -> Vec<Block> {
        let mut buffer = self.buffers.pop().unwrap_or_default();
        if buffer.len() < blocks {
            buffer.resize(blocks, Block::new());
        }
        buffer
    }

    /// Keeps `buffer` for the next computation (at most one per slot).
    fn give_back(&mut self, buffer: Vec<Block>, now: Instant) {
        if self.buffers.len() < cpus() {
            self.buffers.push(buffer);
        }
        self.last_used = Some(now);
    }

    /// Drops the buffers if none was used for `idle` before `now`.
    fn release_if_idle(&mut self, idle: Duration, now: Instant) {
        if self.last_used.is_none_or(|used| now.duration_since(used) >= idle) {
            self.buffers = Vec::new();
        }
    }
}

/// Runs `work` with `blocks` blocks of working memory from [`MEMORY`].
fn with_memory<T>(blocks: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
    let mut buffer = match MEMORY.lock() {
        Ok(mut kept) => kept.take(blocks),
        Err(_) => vec![Block::new(); blocks],
    };
    let result = work(&mut buffer[..blocks]);
    if let Ok(mut kept) = MEMORY.lock() {
        kept.give_back(buffer, Instant::now());
    }
    result
}

/// Gives argon2's kept memory back to the system when no computation has
/// run for `idle`: a provider nobody signs in to stays small. Run by
/// `crate::housekeeping`, and at start once the client secrets are checked.
pub fn release_unused_memory(idle: Duration) {
    if let Ok(mut kept) = MEMORY.lock() {
        kept.release_if_idle(idle, Instant::now());
    }
}

/// Runs one argon2 computation on the blocking pool, once a slot is free.
async fn run_argon2<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
    let _slot = ARGON2_SLOTS.acquire().await?;
    Ok(tokio::task::spawn_blocking(work).await?)
}

/// Hashes a password (or client secret) into a PHC string with a fresh salt.
pub async fn hash(password: String) -> anyhow::Result<String> {
    run_argon2(move || hash_now(password.as_bytes())).await?
}

/// The argon2id PHC string of `password` with a fresh 16-byte salt
/// (RFC 9106 §3.1 recommends 128 bits), on this thread.
fn hash_now(password: &[u8]) -> anyhow::Result<String> {
    let salt = generate_salt();
    let params = PARAMS.clone();
    let output = compute(Algorithm::Argon2id, Version::V0x13, params.clone(), password, &salt)?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?,
        salt: Some(Salt::new(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?),
        hash: Some(Output::new(&output).map_err(|e| anyhow::anyhow!("argon2 output: {e}"))?),
    };
    Ok(hash.to_string())
}

/// The raw argon2 output for these inputs, in kept memory.
fn compute(
    algorithm: Algorithm,
    version: Version,
    params: Params,
    password: &[u8],
    salt: &[u8],
) -> anyhow::Result<Vec<u8>> {
    let mut output = vec![0; params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)];
    let blocks = params.block_count();
    let argon2 = Argon2::new(algorithm, version, params);
    with_memory(blocks, |memory| argon2.hash_password_into_with_memory(password, salt, &mut output, memory))
        .map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
    Ok(output)
}

/// Verifies a password against a PHC string, whatever parameters it names.
/// A malformed hash is a mismatch.
pub async fn verify(password: String, phc: String) -> bool {
    run_argon2(move || verify_now(password.as_bytes(), &phc)).await.unwrap_or(false)
}

fn verify_now(password: &[u8], phc: &str) -> bool {
    let Ok(stored) = PasswordHash::new(phc) else { return false };
    let (Some(salt), Some(expected)) = (&stored.salt, &stored.hash) else { return false };
    let Ok(algorithm) = Algorithm::try_from(stored.algorithm.as_str()) else { return false };
    let Ok(version) = stored.version.map(Version::try_from).transpose() else { return false };
    let Ok(params) = Params::try_from(&stored) else { return false };
    match compute(algorithm, version.unwrap_or_default(), params, password, salt) {
        // `Output`'s equality is constant-time.
        Ok(computed) => Output::new(&computed).is_ok_and(|computed| &computed == expected),
        Err(_) => false,
    }
}

/// Makes the allocator give large blocks back to the system when they are
/// freed. Call once, first thing in `main`.
///
/// glibc serves blocks above `M_MMAP_THRESHOLD` with their own `mmap` and
/// unmaps them on free — but by default the threshold moves up to the size
/// of the largest block freed so far (up to 32 MiB), so after one large
/// block (an argon2 buffer of a hash with other parameters, a large body)
/// every later one comes from a per-thread arena, which keeps it. Setting
/// the threshold explicitly turns that adjustment off (mallopt(3)). The
/// arena count is capped at two per CPU for the same reason: each arena
/// keeps its own free memory. (argon2's own buffers are kept on purpose,
/// one per CPU: see [`MEMORY`].)
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
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_now(shared::random::random_token().as_bytes()).unwrap_or_default());

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

#[cfg(test)]
mod tests {
    use argon2::password_hash::PasswordHasher;

    use super::*;

    #[test]
    fn a_new_hash_names_its_parameters_and_verifies() {
        let phc = hash_now(b"correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{phc}");
        assert!(verify_now(b"correct horse", &phc));
        assert!(!verify_now(b"correct horsf", &phc));
    }

    #[test]
    fn hashes_made_with_argon2s_default_parameters_still_verify() {
        let old = Argon2::default().hash_password(b"demo").unwrap().to_string();
        assert!(old.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{old}");
        assert!(verify_now(b"demo", &old));
        assert!(!verify_now(b"Demo", &old));
        // And a smaller hash after the larger one, in the same kept memory.
        let new = hash_now(b"demo").unwrap();
        assert!(verify_now(b"demo", &new));
    }

    #[test]
    fn memory_is_kept_while_used_and_released_when_idle() {
        let mut kept = Kept { buffers: Vec::new(), last_used: None };
        let start = Instant::now();
        let buffer = kept.take(8);
        assert_eq!(buffer.len(), 8);
        kept.give_back(buffer, start);
        assert_eq!(kept.take(16).len(), 16, "a kept buffer grows to what a hash needs");
        kept.give_back(vec![Block::new(); 16], start);
        kept.release_if_idle(Duration::from_secs(30), start + Duration::from_secs(29));
        assert_eq!(kept.buffers.len(), 1, "used 29 s ago: kept");
        kept.release_if_idle(Duration::from_secs(30), start + Duration::from_secs(30));
        assert!(kept.buffers.is_empty(), "idle for 30 s: given back");
    }

    #[test]
    fn a_malformed_hash_is_a_mismatch() {
        for phc in ["", "plaintext", "$argon2id$v=19$m=7168,t=5,p=1$c2FsdA", "$argon2id$v=19$m=8,t=1,p=1$$"] {
            assert!(!verify_now(b"demo", phc), "{phc:?}");
        }
    }
}
