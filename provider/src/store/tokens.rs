//! Records of issued tokens: access-token `jti`s and hashed refresh tokens.

use sqlx::{AnyPool, FromRow};

/// Records an access token's `jti` so it can be revoked and introspected.
pub async fn record_access_token(
    pool: &AnyPool,
    jti: &str,
    grant_id: &str,
    client_id: &str,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO access_tokens (jti, grant_id, client_id, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(jti)
        .bind(grant_id)
        .bind(client_id)
        .bind(expires_at)
        .execute(pool)
        .await?;
    Ok(())
}

/// Whether an access token was revoked (unknown `jti`s count as revoked).
pub async fn access_token_is_revoked(pool: &AnyPool, jti: &str) -> sqlx::Result<bool> {
    let row: Option<(i32,)> = sqlx::query_as("SELECT CAST(revoked AS INTEGER) FROM access_tokens WHERE jti = $1")
        .bind(jti)
        .fetch_optional(pool)
        .await?;
    Ok(row.is_none_or(|(revoked,)| revoked != 0))
}

pub async fn revoke_access_token(pool: &AnyPool, jti: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE access_tokens SET revoked = 1 WHERE jti = $1").bind(jti).execute(pool).await?;
    Ok(())
}

pub struct NewRefreshToken<'a> {
    pub token_hash: &'a str,
    pub grant_id: &'a str,
    pub client_id: &'a str,
    pub user_id: &'a str,
    pub scope: &'a str,
    pub family_expires_at: i64,
    pub expires_at: i64,
}

pub async fn insert_refresh_token(pool: &AnyPool, token: NewRefreshToken<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, grant_id, client_id, user_id, scope, created_at, \
         family_expires_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(token.token_hash)
    .bind(token.grant_id)
    .bind(token.client_id)
    .bind(token.user_id)
    .bind(token.scope)
    .bind(shared::now_unix())
    .bind(token.family_expires_at)
    .bind(token.expires_at)
    .execute(pool)
    .await?;
    Ok(())
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

pub async fn find_refresh_token(pool: &AnyPool, token_hash: &str) -> sqlx::Result<Option<RefreshToken>> {
    sqlx::query_as(
        "SELECT grant_id, client_id, user_id, scope, created_at, family_expires_at, expires_at, rotated_at, \
         CAST(revoked AS INTEGER) AS revoked FROM refresh_tokens WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await
}

/// Marks a refresh token used, in one statement: only one of two concurrent
/// refreshes with the same token gets `true`.
pub async fn mark_rotated(pool: &AnyPool, token_hash: &str) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE refresh_tokens SET rotated_at = $1 WHERE token_hash = $2 AND rotated_at IS NULL AND revoked = 0",
    )
    .bind(shared::now_unix())
    .bind(token_hash)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}
