//! One pool type for both databases.
//!
//! Every service speaks to SQLite (the default, a file under `./data/`) or
//! PostgreSQL (when the URL starts with `postgres://`) through sqlx's `Any`
//! driver, with one set of migrations and queries. The portable subset:
//! `TEXT`, `BIGINT` and `INTEGER` columns, unix seconds for time, 0/1 for
//! booleans, `$1` placeholders.

use std::sync::{Arc, Mutex};

use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use sqlx::any::AnyPoolOptions;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Executor};

/// Opens a pool, creating the SQLite file's directory when needed.
pub async fn connect(url: &str) -> Result<AnyPool, sqlx::Error> {
    connect_with(url, 4).await
}

/// Opens a pool with at most `sqlite_connections` connections when the
/// database is SQLite (PostgreSQL always gets 10).
///
/// SQLite lets one connection write at a time. With several pooled
/// connections, concurrent writers collide and wait in SQLite's busy
/// handler, which sleeps in steps of milliseconds (1, 2, 5, 10 ms …), so a
/// service that writes on most requests (the provider: codes, grants,
/// tokens, sessions) is faster with a single connection, where writers
/// queue in the pool instead, for microseconds. A service that mostly reads
/// (the todo API) is faster with several: WAL lets readers run in parallel.
pub async fn connect_with(url: &str, sqlite_connections: u32) -> Result<AnyPool, sqlx::Error> {
    open(url, sqlite_connections, Access::ReadWrite).await
}

/// A pool for the queries that only read, beside `writer`.
///
/// On SQLite the single writer of [`connect_with`] would otherwise run every
/// read too, one at a time, behind whatever is being written. WAL lets
/// other connections read the last committed state while one writes, so
/// this opens `connections` more, each of which refuses to write
/// (`PRAGMA query_only`). A reader sees every transaction committed before
/// its query started, so a request never misses what an earlier one wrote.
/// PostgreSQL has no single writer: its pool serves both, and this returns
/// `writer` itself.
pub async fn read_pool(url: &str, writer: &AnyPool, connections: u32) -> Result<AnyPool, sqlx::Error> {
    if !url.starts_with("sqlite:") {
        return Ok(writer.clone());
    }
    open(url, connections, Access::ReadOnly).await
}

#[derive(Clone, Copy, PartialEq)]
enum Access {
    ReadWrite,
    ReadOnly,
}

async fn open(url: &str, sqlite_connections: u32, access: Access) -> Result<AnyPool, sqlx::Error> {
    sqlx::any::install_default_drivers();
    let is_sqlite = url.starts_with("sqlite:");
    if is_sqlite
        && let Some(dir) = sqlite_path(url).and_then(|p| std::path::Path::new(&p).parent().map(|d| d.to_owned()))
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(&dir).map_err(sqlx::Error::Io)?;
    }
    AnyPoolOptions::new()
        .max_connections(if is_sqlite { sqlite_connections.max(1) } else { 10 })
        .acquire_timeout(Duration::from_secs(5))
        // By default the pool pings a connection every time it hands one
        // out, to find one whose server went away. A SQLite connection is a
        // file that cannot go away, and its ping is one more round trip to
        // the connection's thread per query (sqlx runs each SQLite
        // connection on a thread of its own): as much work as a small query.
        // A PostgreSQL connection can die with its server, so it is tested.
        .test_before_acquire(!is_sqlite)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if is_sqlite {
                    // WAL lets readers work while one writer writes; the busy
                    // timeout makes a writer wait for the lock instead of failing
                    // (another process, e.g. `provider keys rotate`).
                    // `synchronous = NORMAL` is the setting SQLite recommends with
                    // WAL: a commit is an append to the log, and the fsync happens
                    // at checkpoints. The database cannot be corrupted by a crash;
                    // an OS crash or power cut (not a crash of the service) may
                    // lose the last transactions before the checkpoint. FULL, the
                    // default, fsyncs every commit, which makes each token request
                    // wait for the disk. A checkpoint copies the log's pages into
                    // the database file and fsyncs both; at SQLite's default of
                    // one every 1,000 pages the provider checkpointed several
                    // times a second under load, copying the same few hot pages
                    // (the ends of its indexes) each time. Every 10,000 pages
                    // (a log of at most 40 MB) copies each of them once for ten
                    // times as many commits.
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; \
                         PRAGMA wal_autocheckpoint = 10000;",
                    )
                    .await?;
                    if access == Access::ReadOnly {
                        conn.execute("PRAGMA query_only = ON;").await?;
                    }
                }
                Ok(())
            })
        })
        .connect(url)
        .await
}

/// Connections taken from a pool and, on SQLite, kept for the next query
/// instead of being handed back.
///
/// sqlx's pool tests every connection handed back to it with a ping, from a
/// task it spawns for the purpose; on SQLite the ping is one more round
/// trip to the connection's thread, as much work as the query itself. A
/// connection kept here skips that: a query takes one, runs, and puts it
/// back in `idle`. Connections still come from the pool, and a semaphore
/// with one permit per pooled connection bounds the leases, so a query
/// waits for a kept connection rather than for the pool, which will not get
/// its connections back. Every use of the pool must therefore go through
/// here. PostgreSQL connections go back to the pool as usual: there the
/// ping finds a connection whose server went away.
///
/// A lease held while asking for another waits for itself when the pool
/// has one connection (the provider's SQLite writer): take one per
/// statement, or one for a few, and bind a query's result before a `match`
/// or `if let` whose body queries again (the scrutinee's temporaries, the
/// lease among them, live through the body).
#[derive(Clone, Debug)]
pub struct Kept {
    pool: AnyPool,
    /// `None` unless the database is SQLite.
    sqlite: Option<Keeping>,
}

/// The connections waiting for their next query.
type Idle = Arc<Mutex<Vec<PoolConnection<Any>>>>;

#[derive(Clone, Debug)]
struct Keeping {
    idle: Idle,
    permits: Arc<Semaphore>,
}

impl Kept {
    pub fn new(url: &str, pool: AnyPool) -> Self {
        let sqlite = url.starts_with("sqlite:").then(|| Keeping {
            idle: Arc::default(),
            permits: Arc::new(Semaphore::new(pool.options().get_max_connections() as usize)),
        });
        Self { pool, sqlite }
    }

    /// Leases that go straight back to `pool`, on any database: for code
    /// written against `Kept` that shares its pool with other users.
    pub fn passing_through(pool: AnyPool) -> Self {
        Self { pool, sqlite: None }
    }

    /// A connection for one query or a few: a kept one, or one from the pool.
    pub async fn acquire(&self) -> Result<Lease, sqlx::Error> {
        let Some(keeping) = &self.sqlite else {
            return Ok(Lease { conn: Some(self.pool.acquire().await?), home: None });
        };
        let permit = keeping.permits.clone().acquire_owned().await.map_err(|_| sqlx::Error::PoolClosed)?;
        let kept = keeping.idle.lock().ok().and_then(|mut idle| idle.pop());
        let conn = match kept {
            Some(conn) => conn,
            // Fewer connections are kept than there are permits, so the
            // pool has one to give.
            None => self.pool.acquire().await?,
        };
        Ok(Lease { conn: Some(conn), home: Some((keeping.idle.clone(), permit)) })
    }
}

/// A connection from [`Kept::acquire`]; dropping it puts it back.
pub struct Lease {
    conn: Option<PoolConnection<Any>>,
    home: Option<(Idle, OwnedSemaphorePermit)>,
}

impl std::ops::Deref for Lease {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        self.conn.as_deref().expect("a lease holds its connection until dropped")
    }
}

impl std::ops::DerefMut for Lease {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        self.conn.as_deref_mut().expect("a lease holds its connection until dropped")
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let (Some(conn), Some((idle, _permit))) = (self.conn.take(), &self.home)
            && let Ok(mut idle) = idle.lock()
        {
            idle.push(conn);
        }
        // Otherwise the connection drops here and goes back to the pool;
        // the permit is released with the lease, after the connection is
        // back where the next lease looks for it.
    }
}

/// The file path of a `sqlite:` URL, if it names a file.
fn sqlite_path(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    if path.is_empty() || path == ":memory:" || path.starts_with("file:") {
        return None;
    }
    Some(path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_read_pool_sees_every_commit_and_refuses_to_write() {
        // Declared first, `dir` is dropped last: after the pools, it removes the files.
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/reads.db?mode=rwc", dir.path().display());
        let writer = connect_with(&url, 1).await.unwrap();
        let reads = read_pool(&url, &writer, 2).await.unwrap();
        sqlx::query("CREATE TABLE notes (id BIGINT PRIMARY KEY)").execute(&writer).await.unwrap();
        for id in 1..=3_i64 {
            sqlx::query("INSERT INTO notes (id) VALUES ($1)").bind(id).execute(&writer).await.unwrap();
            let (seen,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM notes").fetch_one(&reads).await.unwrap();
            assert_eq!(seen, id, "a read after a commit sees it");
        }
        let refused = sqlx::query("INSERT INTO notes (id) VALUES (4)").execute(&reads).await;
        assert!(refused.is_err(), "the read pool must not write");
        writer.close().await;
        reads.close().await;
    }

    #[tokio::test]
    async fn kept_connections_serve_more_queries_at_once_than_the_pool_has_connections() {
        // Declared first, `dir` is dropped last: after the pool, it removes the files.
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/kept.db?mode=rwc", dir.path().display());
        let pool = connect_with(&url, 2).await.unwrap();
        let kept = Kept::new(&url, pool);
        sqlx::query("CREATE TABLE n (id BIGINT PRIMARY KEY)")
            .execute(&mut *kept.acquire().await.unwrap())
            .await
            .unwrap();
        let queries = (0..50_i64).map(|id| {
            let kept = kept.clone();
            tokio::spawn(async move {
                let mut conn = kept.acquire().await?;
                sqlx::query("INSERT INTO n (id) VALUES ($1)").bind(id).execute(&mut *conn).await?;
                // Held across an await, so that the others must wait for it.
                tokio::task::yield_now().await;
                sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM n").fetch_one(&mut *conn).await
            })
        });
        // Were a lease to wait on the pool (whose connections never go
        // back to it), this would end in sqlx's 5-second acquire timeout.
        for query in queries.collect::<Vec<_>>() {
            query.await.unwrap().unwrap();
        }
        let (all,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM n").fetch_one(&mut *kept.acquire().await.unwrap()).await.unwrap();
        assert_eq!(all, 50);
        let sqlite = kept.sqlite.as_ref().expect("SQLite connections are kept");
        assert!(sqlite.idle.lock().unwrap().len() <= 2, "never more connections than the pool has");
    }

    #[test]
    fn sqlite_paths() {
        assert_eq!(sqlite_path("sqlite://./data/p.db?mode=rwc").as_deref(), Some("./data/p.db"));
        assert_eq!(sqlite_path("sqlite:data/p.db").as_deref(), Some("data/p.db"));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }
}
