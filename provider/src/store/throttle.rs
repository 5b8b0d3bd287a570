//! Attempt counters for the throttle (`crate::throttle`): one row per key,
//! a fixed window each.

use sqlx::AnyConnection;

/// Counts one attempt for `key` unless it already has `limit` attempts in
/// its current window; `false` when it has (nothing is counted then).
///
/// One statement, so concurrent attempts cannot all slip under the limit:
/// the row is locked while it is checked and incremented.
pub async fn count_attempt(conn: &mut AnyConnection, key: &str, limit: u32, window_seconds: i64) -> sqlx::Result<bool> {
    let now = shared::now_unix();
    let counted: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO throttle_counters (key, attempts, window_ends_at) VALUES ($1, 1, $2) \
         ON CONFLICT (key) DO UPDATE SET \
             attempts = CASE WHEN throttle_counters.window_ends_at <= $3 THEN 1 \
                             ELSE throttle_counters.attempts + 1 END, \
             window_ends_at = CASE WHEN throttle_counters.window_ends_at <= $3 THEN $2 \
                                   ELSE throttle_counters.window_ends_at END \
         WHERE throttle_counters.window_ends_at <= $3 OR throttle_counters.attempts < $4 \
         RETURNING attempts",
    )
    .bind(key)
    .bind(now + window_seconds)
    .bind(now)
    .bind(i64::from(limit))
    .fetch_optional(&mut *conn)
    .await?;
    Ok(counted.is_some())
}

/// Seconds until `key`'s window ends (at least 1).
pub async fn seconds_left(conn: &mut AnyConnection, key: &str) -> sqlx::Result<u64> {
    let ends: Option<(i64,)> = sqlx::query_as("SELECT window_ends_at FROM throttle_counters WHERE key = $1")
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?;
    let left = ends.map_or(0, |(ends,)| ends - shared::now_unix());
    Ok(u64::try_from(left).unwrap_or(0).max(1))
}

/// Takes one attempt back.
pub async fn refund(conn: &mut AnyConnection, key: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE throttle_counters SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0")
        .bind(key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Forgets every attempt of `key`.
pub async fn reset(conn: &mut AnyConnection, key: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM throttle_counters WHERE key = $1").bind(key).execute(&mut *conn).await?;
    Ok(())
}

/// Deletes up to `batch` counters whose window has ended; the number deleted.
pub async fn delete_expired(conn: &mut AnyConnection, batch: i64) -> sqlx::Result<u64> {
    let delete = "DELETE FROM throttle_counters WHERE key IN \
                  (SELECT key FROM throttle_counters WHERE window_ends_at <= $1 LIMIT $2)";
    super::prune_batch(conn, delete, shared::now_unix(), batch).await
}

/// How many counters exist (for tests and the operator).
pub async fn count(db: impl sqlx::Executor<'_, Database = sqlx::Any>) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM throttle_counters").fetch_one(db).await?;
    Ok(n)
}
