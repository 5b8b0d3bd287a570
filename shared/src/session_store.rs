//! A tower-sessions store on the service's own `sessions` table, so that a
//! restart keeps everyone logged in. Works on SQLite and PostgreSQL.
//!
//! The table each service's migrations create:
//! `sessions (id TEXT PRIMARY KEY, data TEXT NOT NULL, expires_at BIGINT NOT NULL)`.

use async_trait::async_trait;
use sqlx::AnyPool;

use crate::db::Kept;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

#[derive(Clone, Debug)]
pub struct SqlSessionStore {
    /// Where sessions are created, saved and deleted.
    writer: Kept,
    /// Where sessions are loaded from: `writer`, unless `reading_from` gave
    /// read-only connections (`crate::db::read_pool`).
    reads: Option<Kept>,
}

impl SqlSessionStore {
    /// Sessions in `pool`, whose connections go back to it after each query.
    pub fn new(pool: AnyPool) -> Self {
        Self::writing_to(Kept::passing_through(pool))
    }

    /// Sessions written through `writer`, the connections a service keeps
    /// for every write (see `crate::db::Kept`).
    pub fn writing_to(writer: Kept) -> Self {
        Self { writer, reads: None }
    }

    /// Loads sessions through `reads`; creating, saving and deleting still
    /// go through the writer.
    pub fn reading_from(self, reads: Kept) -> Self {
        Self { reads: Some(reads), ..self }
    }

    /// Removes expired sessions; call now and then.
    pub async fn delete_expired(&self) -> Result<u64, sqlx::Error> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(crate::now_unix())
            .execute(&mut *self.writer.acquire().await?)
            .await?;
        Ok(done.rows_affected())
    }
}

impl SqlSessionStore {
    /// Deletes up to `batch` sessions that expired before `before`; the
    /// number deleted. Call it in a loop with pauses to prune a large table
    /// without holding the database for long.
    pub async fn delete_expired_batch(&self, before: i64, batch: i64) -> Result<u64, sqlx::Error> {
        let done =
            sqlx::query("DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at < $1 LIMIT $2)")
                .bind(before)
                .bind(batch)
                .execute(&mut *self.writer.acquire().await?)
                .await?;
        Ok(done.rows_affected())
    }

    /// Runs `insert` with the record's id, its data as JSON and its expiry
    /// time as `$1`, `$2`, `$3`; returns how many rows it wrote.
    async fn write(&self, insert: &'static str, record: &Record) -> session_store::Result<u64> {
        let data = serde_json::to_string(&record).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let done = sqlx::query(insert)
            .bind(record.id.to_string())
            .bind(data)
            .bind(record.expiry_date.unix_timestamp())
            .execute(&mut *self.writer.acquire().await.map_err(backend)?)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected())
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

#[async_trait]
impl SessionStore for SqlSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A fresh random id; on the (astronomically unlikely) collision, draw again.
        loop {
            let inserted = self
                .write(
                    "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
                    record,
                )
                .await?;
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.write(
            "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at",
            record,
        )
        .await?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let query = sqlx::query_as("SELECT data FROM sessions WHERE id = $1 AND expires_at > $2")
            .bind(id.to_string())
            .bind(crate::now_unix());
        let reads = self.reads.as_ref().unwrap_or(&self.writer);
        let row: Option<(String,)> =
            query.fetch_optional(&mut *reads.acquire().await.map_err(backend)?).await.map_err(backend)?;
        match row {
            Some((data,)) => {
                Ok(Some(serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?))
            }
            None => Ok(None),
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *self.writer.acquire().await.map_err(backend)?)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
