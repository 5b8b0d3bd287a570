//! Records of issued tokens: access-token `jti`s and hashed refresh tokens.

use sqlx::{Any, AnyPool, Executor, FromRow};
use tokio::sync::{mpsc, oneshot};

/// One access token to record.
pub struct NewAccessToken {
    pub jti: String,
    pub grant_id: String,
    pub client_id: String,
    pub expires_at: i64,
}

struct Pending {
    token: NewAccessToken,
    done: oneshot::Sender<Result<(), String>>,
}

/// The most rows one INSERT carries (4 parameters each, far below the
/// parameter limits of SQLite and PostgreSQL).
const MAX_BATCH: usize = 128;

/// Records access-token `jti`s so they can be revoked and introspected,
/// with a "group commit": the token requests that arrive while one INSERT
/// is running are written together by the next one, in a single statement
/// and a single commit. Under load that is one database round trip for many
/// tokens instead of one each.
///
/// Nothing is lost to the batching: `record` returns only after the row
/// is committed (or with the error), so a token is never handed out before
/// introspection and revocation can find it — an unknown `jti` counts as
/// revoked.
#[derive(Clone)]
pub struct AccessTokenLog {
    queue: mpsc::Sender<Pending>,
}

impl AccessTokenLog {
    /// Starts the writer task; it ends when the last `AccessTokenLog` is dropped.
    pub fn start(pool: AnyPool) -> Self {
        let (queue, mut arrivals) = mpsc::channel::<Pending>(4 * MAX_BATCH);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(MAX_BATCH);
            while arrivals.recv_many(&mut batch, MAX_BATCH).await > 0 {
                let result = insert_access_tokens(&pool, &batch).await.map_err(|e| e.to_string());
                for pending in batch.drain(..) {
                    let _ = pending.done.send(result.clone());
                }
            }
        });
        Self { queue }
    }

    /// Records one token; returns once its row is committed.
    pub async fn record(&self, token: NewAccessToken) -> sqlx::Result<()> {
        let stopped = || sqlx::Error::Io(std::io::Error::other("the access-token writer has stopped"));
        let (done, committed) = oneshot::channel();
        self.queue.send(Pending { token, done }).await.map_err(|_| stopped())?;
        committed.await.map_err(|_| stopped())?.map_err(|e| sqlx::Error::Io(std::io::Error::other(e)))
    }
}

/// One multi-row INSERT for a batch of tokens.
async fn insert_access_tokens(pool: &AnyPool, batch: &[Pending]) -> sqlx::Result<()> {
    let rows: Vec<String> =
        (0..batch.len()).map(|i| format!("(${}, ${}, ${}, ${})", 4 * i + 1, 4 * i + 2, 4 * i + 3, 4 * i + 4)).collect();
    // Only placeholders are formatted into the statement; every value is bound.
    let sql = format!("INSERT INTO access_tokens (jti, grant_id, client_id, expires_at) VALUES {}", rows.join(", "));
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for Pending { token, .. } in batch {
        query = query.bind(&token.jti).bind(&token.grant_id).bind(&token.client_id).bind(token.expires_at);
    }
    query.execute(pool).await?;
    Ok(())
}

/// Whether an access token was revoked (unknown `jti`s count as revoked),
/// itself or through its grant. Revoking a grant marks the token rows that
/// exist at that moment; a token recorded while the grant was being revoked
/// has no mark of its own, so the grant's state is read in the same query.
/// A client_credentials token has no grant row and depends on its own mark.
pub async fn access_token_is_revoked(
    db: impl sqlx::Executor<'_, Database = sqlx::Any>,
    jti: &str,
) -> sqlx::Result<bool> {
    let row: Option<(i32, Option<i64>)> = sqlx::query_as(
        "SELECT CAST(a.revoked AS INTEGER), g.revoked_at FROM access_tokens a \
         LEFT JOIN grants g ON g.id = a.grant_id WHERE a.jti = $1",
    )
    .bind(jti)
    .fetch_optional(db)
    .await?;
    Ok(row.is_none_or(|(revoked, grant_revoked_at)| revoked != 0 || grant_revoked_at.is_some()))
}

/// Deletes up to `batch` access-token records whose token expired before
/// `before`: an expired token is inactive whether or not it was revoked.
pub async fn delete_expired_access_tokens(pool: &AnyPool, before: i64, batch: i64) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "DELETE FROM access_tokens WHERE jti IN (SELECT jti FROM access_tokens WHERE expires_at < $1 LIMIT $2)",
    )
    .bind(before)
    .bind(batch)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

pub async fn revoke_access_token(pool: &AnyPool, jti: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE access_tokens SET revoked = 1 WHERE jti = $1").bind(jti).execute(pool).await?;
    Ok(())
}

/// One refresh token to record, by the SHA-256 of its value.
pub struct NewRefreshToken {
    pub token_hash: String,
    pub grant_id: String,
    pub client_id: String,
    pub user_id: String,
    pub scope: String,
    pub family_expires_at: i64,
    pub expires_at: i64,
}

pub async fn insert_refresh_token<'e>(
    db: impl Executor<'e, Database = Any>,
    token: &NewRefreshToken,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, grant_id, client_id, user_id, scope, created_at, \
         family_expires_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&token.token_hash)
    .bind(&token.grant_id)
    .bind(&token.client_id)
    .bind(&token.user_id)
    .bind(&token.scope)
    .bind(shared::now_unix())
    .bind(token.family_expires_at)
    .bind(token.expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// Rotation (RFC 9700 §4.14.2), all or nothing: retires the presented
/// refresh token and records its successor and the new access token in one
/// transaction. `false`, with nothing written, when the presented token was
/// already retired (reuse). If anything fails, the presented token stays
/// valid, so the client's retry is a retry — not a reuse that would revoke
/// the family.
pub async fn rotate(
    pool: &AnyPool,
    presented_hash: &str,
    successor: &NewRefreshToken,
    access_token: &NewAccessToken,
) -> sqlx::Result<bool> {
    let mut tx = pool.begin().await?;
    let retired = sqlx::query(
        "UPDATE refresh_tokens SET rotated_at = $1 WHERE token_hash = $2 AND rotated_at IS NULL AND revoked = 0",
    )
    .bind(shared::now_unix())
    .bind(presented_hash)
    .execute(&mut *tx)
    .await?;
    if retired.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    insert_refresh_token(&mut *tx, successor).await?;
    sqlx::query("INSERT INTO access_tokens (jti, grant_id, client_id, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(&access_token.jti)
        .bind(&access_token.grant_id)
        .bind(&access_token.client_id)
        .bind(access_token.expires_at)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}

#[derive(Clone, Debug, FromRow)]
pub struct RefreshToken {
    pub grant_id: String,
    pub client_id: String,
    pub user_id: String,
    pub scope: String,
    pub created_at: i64,
    pub family_expires_at: i64,
    pub expires_at: i64,
    pub rotated_at: Option<i64>,
    pub revoked: i32,
}

pub async fn find_refresh_token(
    db: impl sqlx::Executor<'_, Database = sqlx::Any>,
    token_hash: &str,
) -> sqlx::Result<Option<RefreshToken>> {
    sqlx::query_as(
        "SELECT grant_id, client_id, user_id, scope, created_at, family_expires_at, expires_at, rotated_at, \
         CAST(revoked AS INTEGER) AS revoked FROM refresh_tokens WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await
}

/// Deletes up to `batch` refresh tokens of families whose absolute lifetime
/// ended before `before`: no member of such a family can ever be used
/// again, so neither can a replay of one revoke anything that lives.
pub async fn delete_ended_refresh_families(pool: &AnyPool, before: i64, batch: i64) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "DELETE FROM refresh_tokens WHERE token_hash IN \
         (SELECT token_hash FROM refresh_tokens WHERE family_expires_at < $1 LIMIT $2)",
    )
    .bind(before)
    .bind(batch)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// Deletes up to `batch` refresh tokens that were never rotated and idled
/// out before `before`. A *rotated* token is kept until its family ends,
/// however long ago it expired: presenting it again is how reuse is
/// detected (RFC 9700 §4.14.2), and reuse revokes the family.
pub async fn delete_idle_refresh_tokens(pool: &AnyPool, before: i64, batch: i64) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "DELETE FROM refresh_tokens WHERE token_hash IN \
         (SELECT token_hash FROM refresh_tokens WHERE expires_at < $1 AND rotated_at IS NULL LIMIT $2)",
    )
    .bind(before)
    .bind(batch)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}
