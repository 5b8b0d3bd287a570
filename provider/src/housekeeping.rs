//! What the provider does on its own, beside serving requests: pruning the
//! rows that have expired, re-reading the key ring, and giving argon2's
//! memory back when nobody has signed in for a while.
//!
//! Every table that records something with an end grows with use: a code
//! per authorization, an access-token record per token, a refresh token per
//! refresh, a session per browser. Expired rows are deleted here, in small
//! batches (one `DELETE … WHERE key IN (SELECT … LIMIT n)` each, found by
//! an index on the expiry time), with a pause after each batch that is a
//! few times as long as the batch took: a table with half a million expired
//! rows is emptied over a minute or so, and requests never wait behind one
//! long delete.
//!
//! Replicas on one PostgreSQL each run this. Deleting a row twice is
//! harmless (the second `DELETE` finds nothing), so they need no
//! coordination; they only share the work.
//!
//! Everything here starts with [`crate::App`] and stops when it stops.

use std::time::{Duration, Instant};

use shared::db::Kept;
use shared::session_store::SqlSessionStore;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::state::AppState;
use crate::store;

/// How pruning paces itself.
#[derive(Clone, Copy, Debug)]
pub struct Pacing {
    /// The most rows one statement deletes.
    pub batch: i64,
    /// After a full batch, wait this many times as long as it took (at
    /// least `min_pause`), so pruning takes at most a fraction of the
    /// database's time.
    pub pause_factor: u32,
    pub min_pause: Duration,
}

/// 1,000 rows a statement, then four times the statement's duration off.
pub const PACING: Pacing = Pacing { batch: 1000, pause_factor: 4, min_pause: Duration::from_millis(10) };

/// How often a pruning round starts.
pub const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// How long argon2's working memory is kept after the last password check
/// (see `crate::password`), and how often that is looked at.
pub const ARGON2_MEMORY_KEPT: Duration = Duration::from_secs(30);

/// How long codes and tokens are kept after they expired: a day, so that
/// one presented shortly after its end is told "expired" (and a replayed
/// code still revokes its grant), not "unknown".
pub const KEEP_EXPIRED_SECONDS: i64 = 24 * 3600;

/// How many rows one pruning round deleted, per kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    pub codes: u64,
    pub access_tokens: u64,
    pub refresh_tokens: u64,
    pub sessions: u64,
    pub throttle_counters: u64,
}

/// One pruning round as of `now`: every expired row, batch after batch.
///
/// - authorization codes that expired over a day ago (RFC 6749 §4.1.2 asks
///   that a replayed code revoke its tokens; within that day it still does):
///   the grant of a code never redeemed goes with it, a redeemed code's
///   grant stays with its tokens;
/// - access-token records of tokens that expired over a day ago;
/// - refresh tokens of families whose absolute lifetime ended over a day
///   ago, and tokens never rotated that idled out over a day ago. A rotated
///   token stays as long as its family lives, so that presenting it again
///   is still recognised as reuse (RFC 9700 §4.14.2);
/// - provider sessions past their expiry, and ended throttle windows.
pub async fn prune(db: &Kept, now: i64, pacing: Pacing) -> sqlx::Result<Pruned> {
    let kept_until = now - KEEP_EXPIRED_SECONDS;
    let sessions = SqlSessionStore::writing_to(db.clone());
    let batch = pacing.batch;
    Ok(Pruned {
        codes: in_batches(pacing, || async {
            store::codes::delete_unredeemed(&mut *db.acquire().await?, kept_until, batch).await
        })
        .await?
            + in_batches(pacing, || async {
                store::codes::forget_redeemed(&mut *db.acquire().await?, kept_until, batch).await
            })
            .await?,
        access_tokens: in_batches(pacing, || async {
            store::tokens::delete_expired_access_tokens(&mut *db.acquire().await?, kept_until, batch).await
        })
        .await?,
        refresh_tokens: in_batches(pacing, || async {
            store::tokens::delete_ended_refresh_families(&mut *db.acquire().await?, kept_until, batch).await
        })
        .await?
            + in_batches(pacing, || async {
                store::tokens::delete_idle_refresh_tokens(&mut *db.acquire().await?, kept_until, batch).await
            })
            .await?,
        sessions: in_batches(pacing, || sessions.delete_expired_batch(now, batch)).await?,
        throttle_counters: in_batches(pacing, || async {
            store::throttle::delete_expired(&mut *db.acquire().await?, batch).await
        })
        .await?,
    })
}

/// Runs `delete` (which deletes at most `pacing.batch` rows) until a batch
/// comes back short, pausing after each full one.
async fn in_batches<F, Fut>(pacing: Pacing, mut delete: F) -> sqlx::Result<u64>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = sqlx::Result<u64>>,
{
    let mut total = 0;
    loop {
        let started = Instant::now();
        let deleted = delete().await?;
        total += deleted;
        if deleted < u64::try_from(pacing.batch).unwrap_or(u64::MAX) {
            return Ok(total);
        }
        tokio::time::sleep((started.elapsed() * pacing.pause_factor).max(pacing.min_pause)).await;
    }
}

/// The background tasks of one running provider.
pub struct Housekeeping {
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

impl Housekeeping {
    /// Starts pruning (every [`PRUNE_EVERY`], the first round at once),
    /// the release of argon2's idle memory (every [`ARGON2_MEMORY_KEPT`]),
    /// and the key ring's reload (every `PROVIDER_KEY_RELOAD_SECONDS`, to pick
    /// up keys added by `provider keys rotate` or another replica).
    pub fn start(state: &AppState) -> Self {
        let (stop, stopped) = watch::channel(false);
        let mut tasks = JoinSet::new();

        let db = state.db.clone();
        tasks.spawn(every(PRUNE_EVERY, stopped.clone(), move || {
            let db = db.clone();
            async move {
                match prune(&db, shared::now_unix(), PACING).await {
                    Ok(pruned) if pruned != Pruned::default() => tracing::debug!(?pruned, "pruned expired rows"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "pruning expired rows failed; the next round retries"),
                }
            }
        }));

        tasks.spawn(every(ARGON2_MEMORY_KEPT, stopped.clone(), || async {
            crate::password::release_unused_memory(ARGON2_MEMORY_KEPT);
        }));

        let (keys, db) = (state.keys.clone(), state.db.clone());
        let reload = state.config.key_reload_interval.max(Duration::from_secs(1));
        tasks.spawn(every(reload, stopped, move || {
            let (keys, db) = (keys.clone(), db.clone());
            async move {
                if let Err(e) = keys.reload(&db).await {
                    tracing::warn!(error = %e, "reloading signing keys failed");
                }
            }
        }));
        Self { stop, tasks }
    }

    /// Stops the tasks (a round in progress ends between two statements)
    /// and waits for them.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        while self.tasks.join_next().await.is_some() {}
    }
}

/// Runs `work` every `period` until `stopped` says so (or its sender is
/// gone); stopping interrupts `work` at its next `.await`.
async fn every<F, Fut>(period: Duration, mut stopped: watch::Receiver<bool>, mut work: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stopped.changed() => return,
            _ = async { tick.tick().await; work().await } => {}
        }
    }
}
