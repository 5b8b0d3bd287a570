//! Storage: one small module of named queries per aggregate.
//!
//! Every query is plain SQL that runs unchanged on SQLite and PostgreSQL
//! through sqlx's `Any` driver (see `shared::db`).

pub mod clients;
pub mod codes;
pub mod consents;
pub mod families;
pub mod keys;
pub mod throttle;
pub mod tokens;
pub mod users;

use sqlx::AnyPool;

/// The migrations in `provider/migrations`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Connects and brings the schema up to date.
pub async fn open(database_url: &str) -> anyhow::Result<AnyPool> {
    // One SQLite connection: nearly every request writes (see connect_with).
    let pool = shared::db::connect_with(database_url, 1).await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// A JSON array column, read back.
pub(crate) fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}
