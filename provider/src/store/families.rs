//! Token families (the `grants` table): one row per authorization — a
//! user's approval of a client, or a client's own credentials — that every
//! token issued from it points to, so one update revokes them all (RFC 6749
//! §4.1.2, RFC 9700 §4.14.2).

use sqlx::{AnyConnection, Connection, FromRow};

#[derive(Clone, Debug, FromRow)]
pub struct Family {
    pub id: String,
    pub client_id: String,
    pub user_id: Option<String>,
    pub scope: String,
    pub auth_time: Option<i64>,
    pub nonce: Option<String>,
    pub revoked_at: Option<i64>,
}

pub async fn find(db: impl sqlx::Executor<'_, Database = sqlx::Any>, id: &str) -> sqlx::Result<Option<Family>> {
    sqlx::query_as("SELECT id, client_id, user_id, scope, auth_time, nonce, revoked_at FROM grants WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Revokes a grant and every token descending from it, in one transaction:
/// RFC 6749 §4.1.2 (a replayed code) and RFC 9700 §4.14.2 (a reused refresh
/// token) both ask for exactly this.
pub async fn revoke(conn: &mut AnyConnection, grant_id: &str) -> sqlx::Result<()> {
    let now = shared::now_unix();
    let mut tx = conn.begin().await?;
    sqlx::query("UPDATE grants SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(grant_id)
        .execute(&mut *tx)
        .await?;
    // Access tokens name their grant, so marking it revokes them; this
    // marks the records of tokens issued before they named it.
    sqlx::query("UPDATE access_tokens SET revoked = 1 WHERE grant_id = $1").bind(grant_id).execute(&mut *tx).await?;
    sqlx::query("UPDATE refresh_tokens SET revoked = 1 WHERE grant_id = $1").bind(grant_id).execute(&mut *tx).await?;
    tx.commit().await
}

/// Revokes every live grant a user gave a client; returns how many.
pub async fn revoke_all_for(conn: &mut AnyConnection, user_id: &str, client_id: &str) -> sqlx::Result<usize> {
    let ids: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM grants WHERE user_id = $1 AND client_id = $2 AND revoked_at IS NULL")
            .bind(user_id)
            .bind(client_id)
            .fetch_all(&mut *conn)
            .await?;
    for (id,) in &ids {
        revoke(&mut *conn, id).await?;
    }
    Ok(ids.len())
}
