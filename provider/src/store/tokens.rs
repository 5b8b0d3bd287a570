//! Records of tokens: revoked access tokens, and hashed refresh tokens.
//!
//! An access token is a JWT that proves itself (RFC 9068), so issuing one
//! writes nothing. Revoking one (RFC 7009 §2.1) writes its `jti` into
//! `access_tokens`; revoking a grant marks the grant, which an access token
//! names in its `grant_id` claim. Rows with `revoked = 0` are the records
//! of tokens issued before issuing stopped writing them; they expire with
//! their tokens, and revoking their grant still marks them.

use sqlx::{Any, AnyConnection, Connection, Executor, FromRow};

/// Whether an access token was revoked: by its own `jti`, or through the
/// grant it names (or, for a token recorded when it was issued, the grant
/// its record names). One query for both, so the answer is that of one
/// moment.
pub async fn access_token_is_revoked(
    db: impl sqlx::Executor<'_, Database = sqlx::Any>,
    jti: &str,
    grant_id: Option<&str>,
) -> sqlx::Result<bool> {
    let (revoked,): (i64,) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM access_tokens WHERE jti = $1 AND revoked = 1) \
              + (SELECT COUNT(*) FROM grants WHERE id = $2 AND revoked_at IS NOT NULL)",
    )
    .bind(jti)
    .bind(grant_id)
    .fetch_one(db)
    .await?;
    Ok(revoked > 0)
}

/// A revoked access token: what `access_tokens` keeps of it until it
/// expires.
pub struct RevokedAccessToken<'a> {
    pub jti: &'a str,
    pub grant_id: Option<&'a str>,
    pub client_id: &'a str,
    pub expires_at: i64,
}

/// What `access_tokens.grant_id` (NOT NULL since the first migration)
/// records for a token that descends from no grant: a client's own
/// `client_credentials` token. No grant has this id, so revoking a grant
/// never touches such a row.
const NO_GRANT: &str = "";

/// RFC 7009 §2.1: revokes one access token, which stays revoked until it
/// expires (and is pruned).
pub async fn revoke_access_token(conn: &mut AnyConnection, token: RevokedAccessToken<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO access_tokens (jti, grant_id, client_id, expires_at, revoked) VALUES ($1, $2, $3, $4, 1) \
         ON CONFLICT (jti) DO UPDATE SET revoked = 1",
    )
    .bind(token.jti)
    .bind(token.grant_id.unwrap_or(NO_GRANT))
    .bind(token.client_id)
    .bind(token.expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Deletes up to `batch` access-token records whose token expired before
/// `before`: an expired token is inactive whether or not it was revoked.
pub async fn delete_expired_access_tokens(conn: &mut AnyConnection, before: i64, batch: i64) -> sqlx::Result<u64> {
    let delete =
        "DELETE FROM access_tokens WHERE jti IN (SELECT jti FROM access_tokens WHERE expires_at < $1 LIMIT $2)";
    super::prune_batch(conn, delete, before, batch).await
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
/// refresh token and records its successor in one transaction. `false`, with nothing written, when the presented token was
/// already retired (reuse). If anything fails, the presented token stays
/// valid, so the client's retry is a retry — not a reuse that would revoke
/// the family.
pub async fn rotate(conn: &mut AnyConnection, presented_hash: &str, successor: &NewRefreshToken) -> sqlx::Result<bool> {
    let mut tx = conn.begin().await?;
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
pub async fn delete_ended_refresh_families(conn: &mut AnyConnection, before: i64, batch: i64) -> sqlx::Result<u64> {
    let delete = "DELETE FROM refresh_tokens WHERE token_hash IN \
                  (SELECT token_hash FROM refresh_tokens WHERE family_expires_at < $1 LIMIT $2)";
    super::prune_batch(conn, delete, before, batch).await
}

/// Deletes up to `batch` refresh tokens that were never rotated and idled
/// out before `before`. A *rotated* token is kept until its family ends,
/// however long ago it expired: presenting it again is how reuse is
/// detected (RFC 9700 §4.14.2), and reuse revokes the family.
pub async fn delete_idle_refresh_tokens(conn: &mut AnyConnection, before: i64, batch: i64) -> sqlx::Result<u64> {
    let delete = "DELETE FROM refresh_tokens WHERE token_hash IN \
                  (SELECT token_hash FROM refresh_tokens WHERE expires_at < $1 AND rotated_at IS NULL LIMIT $2)";
    super::prune_batch(conn, delete, before, batch).await
}
