//! Users (resource owners).

use sqlx::{AnyConnection, FromRow};

#[derive(Clone, Debug, FromRow)]
pub struct User {
    /// The subject identifier (`sub`).
    pub id: String,
    pub username: String,
    pub password_hash: String,
    pub name: String,
    pub email: String,
    pub email_verified: i32,
}

/// `SELECT` every column of a [`User`] (in `FromRow` order) `WHERE` the
/// given condition.
macro_rules! select_user {
    ($condition:literal) => {
        concat!(
            "SELECT id, username, password_hash, name, email, CAST(email_verified AS INTEGER) AS email_verified \
             FROM users WHERE ",
            $condition
        )
    };
}

pub async fn find_by_username(
    db: impl sqlx::Executor<'_, Database = sqlx::Any>,
    username: &str,
) -> sqlx::Result<Option<User>> {
    sqlx::query_as(select_user!("username = $1")).bind(username).fetch_optional(db).await
}

pub async fn find_by_id(db: impl sqlx::Executor<'_, Database = sqlx::Any>, id: &str) -> sqlx::Result<Option<User>> {
    sqlx::query_as(select_user!("id = $1")).bind(id).fetch_optional(db).await
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub password_hash: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub email_verified: bool,
}

/// Inserts a user unless the username exists; returns whether it inserted.
pub async fn insert_if_absent(conn: &mut AnyConnection, user: NewUser<'_>) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO users (id, username, password_hash, name, email, email_verified, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (username) DO NOTHING",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(user.username)
    .bind(user.password_hash)
    .bind(user.name)
    .bind(user.email)
    .bind(user.email_verified as i32)
    .bind(shared::now_unix())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn exists(conn: &mut AnyConnection, username: &str) -> sqlx::Result<bool> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT id FROM users WHERE username = $1").bind(username).fetch_optional(&mut *conn).await?;
    Ok(row.is_some())
}
