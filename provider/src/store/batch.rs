//! Group commit: one statement writes what many requests asked for.
//!
//! The provider has one writer (on SQLite, one connection, whose statements
//! run one at a time on a thread of its own: see `shared::db`). Under load,
//! requests queue for it, and each statement costs two thread wake-ups on
//! top of SQLite's own work. A [`Batcher`] takes every request of one kind
//! that is waiting — up to a maximum — and writes them all in one
//! multi-row statement, so that one round trip and one commit serve the
//! whole batch. When nothing else is waiting, a batch is a single request,
//! written at once: batching never delays a write.
//!
//! Each request is answered only after the statement that wrote it has
//! committed, as if it had written alone: nothing is acknowledged before it
//! is stored, and every replica sees it in the database at once.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use shared::db::Kept;
use sqlx::AnyConnection;
use tokio::sync::{mpsc, oneshot};

/// The placeholders of `rows` rows of `columns` values each, numbered on
/// from `$first`: `($1, $2), ($3, $4)` for two rows of two from `$1`. A
/// multi-row statement's text holds only these; every value is bound.
pub fn numbered_rows(rows: usize, columns: usize, first: usize) -> String {
    let row = |r: usize| {
        let numbers = (0..columns).map(|c| format!("${}", first + r * columns + c)).collect::<Vec<_>>();
        format!("({})", numbers.join(", "))
    };
    (0..rows).map(row).collect::<Vec<_>>().join(", ")
}

/// Writes a batch: one answer per item, in the items' order.
pub type Write<T, R> = Arc<
    dyn for<'c> Fn(&'c mut AnyConnection, &'c [T]) -> Pin<Box<dyn Future<Output = sqlx::Result<Vec<R>>> + Send + 'c>>
        + Send
        + Sync,
>;

/// A queue of writes of one kind, and the task that writes them in batches.
pub struct Batcher<T, R> {
    queue: mpsc::UnboundedSender<Job<T, R>>,
}

impl<T, R> Clone for Batcher<T, R> {
    fn clone(&self) -> Self {
        Self { queue: self.queue.clone() }
    }
}

struct Job<T, R> {
    item: T,
    answer: oneshot::Sender<Result<R, String>>,
}

impl<T: Send + Sync + 'static, R: Send + 'static> Batcher<T, R> {
    /// Starts the task that writes with `write` on `db`, at most `max` items
    /// a statement. It ends when the last `Batcher` is dropped.
    pub fn start(db: Kept, max: usize, write: Write<T, R>) -> Self {
        let (queue, mut waiting) = mpsc::unbounded_channel::<Job<T, R>>();
        tokio::spawn(async move {
            let mut jobs = Vec::with_capacity(max);
            while waiting.recv_many(&mut jobs, max).await > 0 {
                let (items, answers): (Vec<T>, Vec<_>) = jobs.drain(..).map(|job| (job.item, job.answer)).unzip();
                for (answer, result) in answers.into_iter().zip(write_all(&db, &write, &items).await) {
                    let _ = answer.send(result);
                }
            }
        });
        Self { queue }
    }

    /// Queues `item` and waits until its batch is written: its answer.
    pub async fn write(&self, item: T) -> sqlx::Result<R> {
        let (answer, answered) = oneshot::channel();
        let gone = || sqlx::Error::PoolClosed;
        self.queue.send(Job { item, answer }).map_err(|_| gone())?;
        answered.await.map_err(|_| gone())?.map_err(|why| sqlx::Error::Protocol(format!("batched write: {why}")))
    }
}

/// Writes `items` in one statement. If that fails, each is written alone,
/// so that one bad item fails only its own request.
async fn write_all<T, R>(db: &Kept, write: &Write<T, R>, items: &[T]) -> Vec<Result<R, String>> {
    match write_batch(db, write, items).await {
        Ok(results) => return results.into_iter().map(Ok).collect(),
        Err(why) if items.len() == 1 => return vec![Err(why)],
        Err(_) => {}
    }
    let mut results = Vec::with_capacity(items.len());
    for item in items {
        results.push(
            write_batch(db, write, std::slice::from_ref(item))
                .await
                .and_then(|mut one| one.pop().ok_or_else(|| "the write gave no answer".to_owned())),
        );
    }
    results
}

async fn write_batch<T, R>(db: &Kept, write: &Write<T, R>, items: &[T]) -> Result<Vec<R>, String> {
    let mut conn = db.acquire().await.map_err(|e| e.to_string())?;
    let results = write(&mut conn, items).await.map_err(|e| e.to_string())?;
    if results.len() != items.len() {
        return Err(format!("a batch of {} got {} answers", items.len(), results.len()));
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A batcher that inserts numbers into `n` and answers each with its
    /// number doubled and the size of the batch it was written in.
    async fn doubling(dir: &tempfile::TempDir) -> (Kept, Batcher<i64, (i64, usize)>) {
        let url = format!("sqlite://{}/batch.db?mode=rwc", dir.path().display());
        let db = Kept::new(&url, shared::db::connect_with(&url, 1).await.unwrap());
        let create = "CREATE TABLE n (id BIGINT PRIMARY KEY CHECK (id >= 0))";
        sqlx::query(create).execute(&mut *db.acquire().await.unwrap()).await.unwrap();
        let write: Write<i64, (i64, usize)> = Arc::new(|conn, numbers| {
            Box::pin(async move {
                let sql = format!("INSERT INTO n (id) VALUES {}", numbered_rows(numbers.len(), 1, 1));
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for number in numbers {
                    query = query.bind(*number);
                }
                query.execute(&mut *conn).await?;
                Ok(numbers.iter().map(|n| (n * 2, numbers.len())).collect())
            })
        });
        (db.clone(), Batcher::start(db, 8, write))
    }

    async fn stored(db: &Kept) -> Vec<i64> {
        let rows: Vec<(i64,)> =
            sqlx::query_as("SELECT id FROM n ORDER BY id").fetch_all(&mut *db.acquire().await.unwrap()).await.unwrap();
        rows.into_iter().map(|(id,)| id).collect()
    }

    #[test]
    fn placeholders_are_numbered_row_after_row() {
        assert_eq!(numbered_rows(2, 2, 1), "($1, $2), ($3, $4)");
        assert_eq!(numbered_rows(2, 2, 2), "($2, $3), ($4, $5)");
        assert_eq!(numbered_rows(1, 3, 1), "($1, $2, $3)");
    }

    // One thread: the 40 requests all queue before the batcher first runs.
    #[tokio::test]
    async fn concurrent_writes_are_batched_and_each_gets_its_own_answer_once_stored() {
        let dir = tempfile::tempdir().unwrap();
        let (db, batcher) = doubling(&dir).await;
        let writes = (0..40_i64).map(|n| {
            let batcher = batcher.clone();
            tokio::spawn(async move { (n, batcher.write(n).await.unwrap()) })
        });
        let writes: Vec<_> = writes.collect();
        let mut largest = 0;
        for write in writes {
            let (n, (doubled, batch)) = write.await.unwrap();
            assert_eq!(doubled, n * 2, "each write gets its own answer");
            assert!(batch <= 8, "at most the maximum a statement");
            largest = largest.max(batch);
        }
        assert!(largest > 1, "40 writes at once share statements");
        assert_eq!(stored(&db).await, (0..40).collect::<Vec<_>>(), "every answered write is stored");
    }

    #[tokio::test]
    async fn a_write_that_fails_fails_only_its_own_request() {
        let dir = tempfile::tempdir().unwrap();
        let (db, batcher) = doubling(&dir).await;
        // -1 breaks the CHECK, 3 is written twice: in whichever batches they
        // land, those two requests fail and every other one succeeds.
        let numbers = [1_i64, 2, -1, 3, 3, 4, 5, 6];
        let writes = numbers.map(|n| {
            let batcher = batcher.clone();
            tokio::spawn(async move { batcher.write(n).await })
        });
        let mut failed = 0;
        for write in writes {
            if write.await.unwrap().is_err() {
                failed += 1;
            }
        }
        assert_eq!(failed, 2, "the bad number and the second 3");
        assert_eq!(stored(&db).await, vec![1, 2, 3, 4, 5, 6]);
    }
}
