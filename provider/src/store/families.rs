//! Token families (the `grants` table): one row per authorization — a
//! user's approval of a client, or a client's own credentials — that every
//! token issued from it points to, so one update revokes them all (RFC 6749
//! §4.1.2, RFC 9700 §4.14.2).

use sqlx::{AnyConnection, Connection, FromRow, Row};

use super::users::User;

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

pub struct NewFamily<'a> {
    pub client_id: &'a str,
    pub user_id: Option<&'a str>,
    pub scope: &'a str,
    pub auth_time: Option<i64>,
    pub nonce: Option<&'a str>,
}

/// Creates a grant and returns its id.
pub async fn create(conn: &mut AnyConnection, grant: NewFamily<'_>) -> sqlx::Result<String> {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO grants (id, client_id, user_id, scope, auth_time, nonce, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(grant.client_id)
    .bind(grant.user_id)
    .bind(grant.scope)
    .bind(grant.auth_time)
    .bind(grant.nonce)
    .bind(shared::now_unix())
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

pub async fn find(db: impl sqlx::Executor<'_, Database = sqlx::Any>, id: &str) -> sqlx::Result<Option<Family>> {
    sqlx::query_as("SELECT id, client_id, user_id, scope, auth_time, nonce, revoked_at FROM grants WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// A grant and the user it names (`None` for a client's own grant, or a
/// user deleted since), in one query: the code exchange needs both.
pub async fn find_with_user(
    db: impl sqlx::Executor<'_, Database = sqlx::Any>,
    id: &str,
) -> sqlx::Result<Option<(Family, Option<User>)>> {
    let row = sqlx::query(
        "SELECT g.id, g.client_id, g.user_id, g.scope, g.auth_time, g.nonce, g.revoked_at, \
         u.username, u.password_hash, u.name, u.email, CAST(u.email_verified AS INTEGER) AS email_verified \
         FROM grants g LEFT JOIN users u ON u.id = g.user_id WHERE g.id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let family = Family::from_row(&row)?;
    let user = match (&family.user_id, row.try_get::<Option<String>, _>("username")?) {
        (Some(user_id), Some(username)) => Some(User {
            id: user_id.clone(),
            username,
            password_hash: row.try_get("password_hash")?,
            name: row.try_get("name")?,
            email: row.try_get("email")?,
            email_verified: row.try_get("email_verified")?,
        }),
        _ => None,
    };
    Ok(Some((family, user)))
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
