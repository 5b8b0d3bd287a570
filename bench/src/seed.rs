//! Rows the bench writes straight into the provider's SQLite file, and
//! what it reads back from it.
//!
//! The provider runs with one connection in WAL mode and a busy timeout,
//! so a second process may write while it serves; the bench does so only
//! during set-up, never while it measures.

use std::path::Path;

use sqlx::AnyPool;

/// The username of the `i`-th first-login worker.
pub fn login_user(i: usize) -> String {
    format!("bench-user-{i:05}")
}

/// Opens a provider database file (`mode=rw`: it must exist).
pub async fn open(db: &Path) -> sqlx::Result<AnyPool> {
    sqlx::any::install_default_drivers();
    AnyPool::connect(&format!("sqlite://{}?mode=rw", db.display())).await
}

/// Adds `count` users whose password is `demo`: each gets a copy of the
/// demo user's argon2id hash (a PHC string carries its own salt and
/// parameters, so a copy verifies the same password at the same cost).
pub async fn add_login_users(db: &Path, count: usize) -> anyhow::Result<()> {
    let pool = open(db).await?;
    let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM users WHERE username = 'demo'")
        .fetch_one(&pool)
        .await
        .map_err(|e| anyhow::anyhow!("the demo user's password hash: {e}"))?;
    let mut tx = pool.begin().await?;
    for i in 0..count {
        let username = login_user(i);
        sqlx::query(
            "INSERT INTO users (id, username, password_hash, name, email, email_verified, created_at) \
             VALUES ($1, $1, $2, $3, $4, 1, $5) ON CONFLICT (username) DO NOTHING",
        )
        .bind(&username)
        .bind(&hash)
        .bind(format!("Bench User {i}"))
        .bind(format!("{username}@example.com"))
        .bind(shared::now_unix())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    pool.close().await;
    Ok(())
}

/// The argon2 parameters of the stored demo password hash, as the provider
/// wrote them (`$argon2id$v=19$m=7168,t=5,p=1$…`).
pub async fn argon2_parameters(db: &Path) -> String {
    let Ok(pool) = open(db).await else { return "argon2 parameters unknown".into() };
    let row: Option<(String,)> = sqlx::query_as("SELECT password_hash FROM users WHERE username = $1")
        .bind("demo")
        .fetch_optional(&pool)
        .await
        .ok()
        .flatten();
    pool.close().await;
    match row.as_ref().map(|(phc,)| phc.split('$').collect::<Vec<_>>()) {
        Some(parts) if parts.len() > 3 => format!("{} {}", parts[1], parts[3].replace(',', ", ")),
        _ => "argon2 parameters unknown".into(),
    }
}
