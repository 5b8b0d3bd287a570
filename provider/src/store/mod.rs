//! Storage: one small module of named queries per aggregate.
//!
//! Every query is plain SQL that runs unchanged on SQLite and PostgreSQL
//! through sqlx's `Any` driver (see `shared::db`).

pub mod batch;
pub mod clients;
pub mod codes;
pub mod consents;
pub mod families;
pub mod keys;
pub mod throttle;
pub mod tokens;
pub mod users;

use shared::db::Kept;
use sqlx::AnyPool;

/// The migrations in `provider/migrations`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Connects the writer and brings the schema up to date.
pub async fn open(database_url: &str) -> anyhow::Result<Kept> {
    Ok(Kept::new(database_url, open_writer(database_url).await?))
}

/// The writer of [`open`], and the connections for the reads of the hot
/// paths (sessions, consents, a code's grant, revocation checks): on
/// SQLite, read-only connections beside the single writer; on PostgreSQL,
/// the same pool.
pub async fn open_with_reads(database_url: &str) -> anyhow::Result<(Kept, Kept)> {
    let writer = open_writer(database_url).await?;
    let reads = shared::db::read_pool(database_url, &writer, SQLITE_READERS).await?;
    Ok((Kept::new(database_url, writer), Kept::new(database_url, reads)))
}

async fn open_writer(database_url: &str) -> anyhow::Result<AnyPool> {
    // One SQLite connection: nearly every request writes (see connect_with).
    let pool = shared::db::connect_with(database_url, 1).await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// How many read-only SQLite connections sit beside the writer. Each runs on
/// a thread of its own (see `shared::db`); on a 2-core machine two readers
/// did more per CPU-second than three (fewer threads to wake).
const SQLITE_READERS: u32 = 2;

/// Runs one batch of a pruning `DELETE` (or `UPDATE`), whose `$1` is the
/// cut-off time and `$2` the batch size; the number of rows it changed.
/// Each such statement changes the rows its sub-select finds by an expiry
/// index, at most `$2`.
pub(crate) async fn prune_batch(
    conn: &mut sqlx::AnyConnection,
    statement: &'static str,
    before: i64,
    batch: i64,
) -> sqlx::Result<u64> {
    Ok(sqlx::query(statement).bind(before).bind(batch).execute(conn).await?.rows_affected())
}

/// A JSON array column, read back.
pub(crate) fn json_list(column: &'static str, text: &str) -> sqlx::Result<Vec<String>> {
    serde_json::from_str(text).map_err(|e| corrupt(column, e))
}

/// A stored value that does not read back as what was written: the database
/// was changed behind the provider's back. It fails the request (a logged
/// 500) rather than turning into a silent default — an empty scope list or a
/// missing user id would quietly change what a token grants.
pub(crate) fn corrupt(column: &'static str, why: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Decode(format!("stored {column} is unreadable: {why}").into())
}

/// Each element of a stored list, parsed, or the error naming the column.
pub(crate) fn parse_list<T>(
    column: &'static str,
    text: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> sqlx::Result<Vec<T>> {
    json_list(column, text)?
        .iter()
        .map(|value| parse(value).ok_or_else(|| corrupt(column, format!("{value:?} is not a known value"))))
        .collect()
}
