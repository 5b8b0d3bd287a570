//! Signing keys, kept in the database so tokens survive a restart.

use sqlx::{AnyConnection, Connection, FromRow};

#[derive(Clone, FromRow)]
pub struct StoredKey {
    pub kid: String,
    pub alg: String,
    pub private_pem: String,
    pub created_at: i64,
    /// When it starts signing; until then it is only published.
    pub signs_from: i64,
    /// When a newer key took over (or will take over) the signing.
    pub retired_at: Option<i64>,
}

/// Keys not yet pruned, the one that signs (or will sign) last first.
pub async fn all(conn: &mut AnyConnection) -> sqlx::Result<Vec<StoredKey>> {
    sqlx::query_as(
        "SELECT kid, alg, private_pem, created_at, signs_from, retired_at FROM signing_keys \
         ORDER BY signs_from DESC, created_at DESC, kid",
    )
    .fetch_all(&mut *conn)
    .await
}

/// Adds a new key that signs from `signs_from`, and retires the other keys
/// of its algorithm as of that moment (they sign until then), in one
/// transaction.
pub async fn insert(
    conn: &mut AnyConnection,
    kid: &str,
    alg: &str,
    private_pem: &str,
    signs_from: i64,
) -> sqlx::Result<()> {
    let now = shared::now_unix();
    let mut tx = conn.begin().await?;
    sqlx::query("UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL AND alg = $2")
        .bind(signs_from)
        .bind(alg)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO signing_keys (kid, alg, private_pem, created_at, signs_from) VALUES ($1, $2, $3, $4, $5)")
        .bind(kid)
        .bind(alg)
        .bind(private_pem)
        .bind(now)
        .bind(signs_from)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// Retires, as of `at`, the keys of every algorithm not in `in_use` (the
/// configuration no longer signs with them).
pub async fn retire_other_algorithms(conn: &mut AnyConnection, in_use: &[&str], at: i64) -> sqlx::Result<u64> {
    let mut retired = 0;
    for key in all(&mut *conn).await? {
        if key.retired_at.is_none() && !in_use.contains(&key.alg.as_str()) {
            let done = sqlx::query("UPDATE signing_keys SET retired_at = $1 WHERE kid = $2 AND retired_at IS NULL")
                .bind(at)
                .bind(&key.kid)
                .execute(&mut *conn)
                .await?;
            retired += done.rows_affected();
        }
    }
    Ok(retired)
}

/// Deletes keys retired before `cutoff`: nothing they signed is still valid.
pub async fn prune_retired_before(conn: &mut AnyConnection, cutoff: i64) -> sqlx::Result<u64> {
    let done = sqlx::query("DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at < $1")
        .bind(cutoff)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}
