//! `--prefill`: the databases of a service that has been in use for a
//! while, written straight into the SQLite files while the provider and
//! the todo API are stopped.
//!
//! - todo API: 1,000,000 todos over 10,000 users (100 each);
//! - provider: the 10,000 users (sharing the demo user's argon2id hash),
//!   1,000,000 refresh tokens, half of them of families that ended two
//!   days ago (so the provider's pruning has half a million rows to delete
//!   while it is measured), and 100,000 consents (ten clients per user).
//!
//! Each table is filled by a few `INSERT … SELECT` statements over a
//! recursive counter (`WITH RECURSIVE n(i)`), 100,000 rows each, every one
//! its own transaction: SQLite builds the rows itself, so a million rows
//! take seconds rather than the minutes a round trip per row would.

use std::path::Path;
use std::time::{Duration, Instant};

use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;

pub const USERS: i64 = 10_000;
pub const TODOS: i64 = 1_000_000;
pub const REFRESH_TOKENS: i64 = 1_000_000;
pub const CONSENTS_PER_USER: i64 = 10;

/// Rows per statement.
const CHUNK: i64 = 100_000;
const DAY: i64 = 24 * 3600;

/// What was loaded, and how long it took.
pub struct Loaded {
    pub seconds: f64,
    pub summary: String,
    /// How long after the restart the provider's pruning had deleted the
    /// expired backlog (`None` until measured, or if it never finished).
    pub pruning_seconds: Option<f64>,
}

/// One connection to a stopped service's SQLite file, tuned for loading:
/// a large page cache, no fsync (a crash during the bench loses nothing
/// that matters).
async fn open_for_loading(db: &Path) -> sqlx::Result<AnyPool> {
    sqlx::any::install_default_drivers();
    AnyPoolOptions::new()
        .max_connections(1)
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::Executor::execute(&mut *conn, "PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;").await?;
                Ok(())
            })
        })
        .connect(&format!("sqlite://{}?mode=rw", db.display()))
        .await
}

/// Runs `sql`, an `INSERT … SELECT … FROM n`, over `i` in `0..total`, in
/// chunks. Its parameters: `$1` and `$2` bound the counter, `$3` is `now`,
/// `$4` is `text`.
async fn fill(pool: &AnyPool, total: i64, sql: &str, now: i64, text: &str) -> sqlx::Result<()> {
    // Only our own constants are formatted into the statement; values are bound.
    let statement = format!("WITH RECURSIVE n(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $2) {sql}");
    let mut start = 0;
    while start < total {
        let end = (start + CHUNK).min(total);
        sqlx::query(sqlx::AssertSqlSafe(statement.clone()))
            .bind(start)
            .bind(end)
            .bind(now)
            .bind(text)
            .execute(pool)
            .await?;
        start = end;
    }
    Ok(())
}

/// The `sub` of the `u`-th prefilled user, as SQL over the counter `i`.
const USER_OF_I: &str = "'prefill-user-' || (i % 10000)";

/// Loads the todo API's database (`todos.db`) for users of `issuer`.
pub async fn todos(db: &Path, issuer: &str, now: i64) -> anyhow::Result<()> {
    let pool = open_for_loading(db).await?;
    // One todo a minute, going back in time, each user's spread over them.
    let sql = format!(
        "INSERT INTO todos (owner_iss, owner_sub, title, done, created_at) \
         SELECT $4, {USER_OF_I}, 'todo number ' || i, CASE WHEN i % 3 = 0 THEN 1 ELSE 0 END, $3 - 60 * i FROM n"
    );
    fill(&pool, TODOS, &sql, now, issuer).await?;
    pool.close().await;
    Ok(())
}

/// Loads the provider's database (`provider.db`).
pub async fn provider(db: &Path, now: i64) -> anyhow::Result<()> {
    let pool = open_for_loading(db).await?;
    let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM users WHERE username = 'demo'")
        .fetch_one(&pool)
        .await
        .map_err(|e| anyhow::anyhow!("the demo user's password hash: {e}"))?;
    let users = format!(
        "INSERT INTO users (id, username, password_hash, name, email, email_verified, created_at) \
         SELECT {USER_OF_I}, {USER_OF_I}, $4, 'Prefilled User ' || i, 'prefill-' || i || '@example.com', 1, $3 \
         FROM n"
    );
    fill(&pool, USERS, &users, now, &hash).await?;
    // Even i: a family that ended two days ago (expired, to be pruned);
    // odd i: a live token of a live family.
    let refresh_tokens = format!(
        "INSERT INTO refresh_tokens (token_hash, grant_id, client_id, user_id, scope, created_at, \
         family_expires_at, expires_at) \
         SELECT 'prefill-' || i, 'prefill-grant-' || i, $4, {USER_OF_I}, 'openid offline_access todos:read', \
         $3 - 40 * {DAY}, \
         CASE WHEN i % 2 = 0 THEN $3 - 2 * {DAY} ELSE $3 + 30 * {DAY} END, \
         CASE WHEN i % 2 = 0 THEN $3 - 2 * {DAY} ELSE $3 + 7 * {DAY} END \
         FROM n"
    );
    fill(&pool, REFRESH_TOKENS, &refresh_tokens, now, "todo-app").await?;
    let consents = format!(
        "INSERT INTO consents (user_id, client_id, scope, granted_at) \
         SELECT 'prefill-user-' || (i / {CONSENTS_PER_USER}), 'prefill-client-' || (i % {CONSENTS_PER_USER}), \
         $4, $3 FROM n"
    );
    fill(&pool, USERS * CONSENTS_PER_USER, &consents, now, "openid todos:read").await?;
    pool.close().await;
    Ok(())
}

async fn count(db: &Path, sql: &'static str) -> sqlx::Result<i64> {
    let pool = open_for_loading(db).await?;
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&pool).await?;
    pool.close().await;
    Ok(n)
}

/// Waits until the provider's background pruning has deleted the refresh
/// tokens of the families that ended two days ago (polling its SQLite
/// file, which WAL lets us read while the provider writes), for at most
/// `limit`; the seconds waited, or `None` if rows were still left.
pub async fn wait_for_pruning(provider_db: &Path, limit: Duration) -> sqlx::Result<Option<f64>> {
    const LEFT: &str = "SELECT COUNT(*) FROM refresh_tokens \
                        WHERE family_expires_at < CAST(strftime('%s', 'now') AS INTEGER) - 86400";
    let started = Instant::now();
    loop {
        if count(provider_db, LEFT).await? == 0 {
            return Ok(Some(started.elapsed().as_secs_f64()));
        }
        if started.elapsed() >= limit {
            return Ok(None);
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// Both databases; the services must be stopped.
pub async fn load(provider_db: &Path, todos_db: &Path, issuer: &str) -> anyhow::Result<Loaded> {
    let started = Instant::now();
    let now = shared::now_unix();
    provider(provider_db, now).await?;
    todos(todos_db, issuer, now).await?;
    let seconds = started.elapsed().as_secs_f64();
    // What is in the files now, read back rather than assumed.
    let todos = count(todos_db, "SELECT COUNT(*) FROM todos").await?;
    let owners = count(todos_db, "SELECT COUNT(DISTINCT owner_sub) FROM todos").await?;
    let refresh = count(provider_db, "SELECT COUNT(*) FROM refresh_tokens").await?;
    let ended = count(
        provider_db,
        "SELECT COUNT(*) FROM refresh_tokens WHERE family_expires_at < CAST(strftime('%s', 'now') AS INTEGER)",
    )
    .await?;
    let consents = count(provider_db, "SELECT COUNT(*) FROM consents").await?;
    Ok(Loaded {
        pruning_seconds: None,
        seconds,
        summary: format!(
            "{todos} todos over {owners} users; {refresh} refresh tokens, {ended} of them of ended families; \
             {consents} consents"
        ),
    })
}
