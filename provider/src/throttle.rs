//! Throttling of failed attempts (RFC 6749 §2.3.1 and §10.10: the server
//! "MUST protect the endpoint against brute force attacks").
//!
//! A fixed window per key (a username, an IP address, a client id): after
//! `max_failures` failures within `window`, attempts are refused with 429
//! and `Retry-After` until the window ends. In memory: a restart forgets the
//! counts, which is acceptable for a single-node teaching server.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone)]
pub struct Throttle {
    max_failures: u32,
    window: Duration,
    entries: Arc<Mutex<HashMap<String, (u32, Instant)>>>,
}

impl Throttle {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self { max_failures, window, entries: Arc::default() }
    }

    /// `Some(seconds to wait)` when `key` is over its limit.
    pub fn check(&self, key: &str) -> Option<u64> {
        let entries = self.entries.lock().ok()?;
        let (count, started) = entries.get(key)?;
        let elapsed = started.elapsed();
        if *count >= self.max_failures && elapsed < self.window {
            Some((self.window - elapsed).as_secs().max(1))
        } else {
            None
        }
    }

    /// Counts one failure for `key`.
    pub fn fail(&self, key: &str) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() > 10_000 {
            let window = self.window;
            entries.retain(|_, (_, started)| started.elapsed() < window);
        }
        let now = Instant::now();
        let entry = entries.entry(key.to_owned()).or_insert((0, now));
        if entry.1.elapsed() >= self.window {
            *entry = (0, now);
        }
        entry.0 += 1;
    }

    /// Forgets `key`'s failures (after a success).
    pub fn reset(&self, key: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_max_failures_and_reset_clears() {
        let throttle = Throttle::new(3, Duration::from_secs(60));
        for _ in 0..2 {
            throttle.fail("alice");
        }
        assert_eq!(throttle.check("alice"), None);
        throttle.fail("alice");
        assert!(throttle.check("alice").is_some_and(|s| s <= 60));
        assert_eq!(throttle.check("bob"), None);
        throttle.reset("alice");
        assert_eq!(throttle.check("alice"), None);
    }
}
