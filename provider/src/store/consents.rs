//! Remembered consent: which scopes a user has allowed a client.

use shared::{ClientId, Scopes};
use sqlx::AnyConnection;

/// The scopes the user has already granted this client (empty if none).
pub async fn granted(
    db: impl sqlx::Executor<'_, Database = sqlx::Any>,
    user_id: &str,
    client_id: &ClientId,
) -> sqlx::Result<Scopes> {
    let row: Option<(String,)> = sqlx::query_as("SELECT scope FROM consents WHERE user_id = $1 AND client_id = $2")
        .bind(user_id)
        .bind(client_id.as_str())
        .fetch_optional(db)
        .await?;
    match row {
        Some((scope,)) => Scopes::parse(&scope).map_err(|e| super::corrupt("consents.scope", e)),
        None => Ok(Scopes::default()),
    }
}

/// Adds `scopes` to what the user has granted the client.
pub async fn grant(conn: &mut AnyConnection, user_id: &str, client_id: &ClientId, scopes: &Scopes) -> sqlx::Result<()> {
    let all = granted(&mut *conn, user_id, client_id).await?.union(scopes);
    sqlx::query(
        "INSERT INTO consents (user_id, client_id, scope, granted_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, client_id) DO UPDATE SET scope = excluded.scope, granted_at = excluded.granted_at",
    )
    .bind(user_id)
    .bind(client_id.as_str())
    .bind(all.to_string())
    .bind(shared::now_unix())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Forgets the consent (the user revoked the app).
pub async fn forget(conn: &mut AnyConnection, user_id: &str, client_id: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM consents WHERE user_id = $1 AND client_id = $2")
        .bind(user_id)
        .bind(client_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
pub struct Consent {
    pub client_id: String,
    pub scope: String,
    pub granted_at: i64,
}

/// The clients a user has granted something, newest first.
pub async fn for_user(conn: &mut AnyConnection, user_id: &str) -> sqlx::Result<Vec<Consent>> {
    sqlx::query_as(
        "SELECT client_id, scope, granted_at FROM consents WHERE user_id = $1 ORDER BY granted_at DESC, client_id",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await
}
