//! A fresh, empty database for one test, removed when the test is done.
//!
//! A new PostgreSQL database on the server named by `TEST_DATABASE_URL`
//! when that is set (CI sets it for its second leg), else a new SQLite file
//! in a new temporary directory. Either way, dropping the [`TestDatabase`]
//! removes it: the directory, with the SQLite file and its `-wal`/`-shm`
//! companions, or the PostgreSQL database (`DROP DATABASE … WITH (FORCE)`,
//! which also ends the connections of a server that is still running).

use sqlx::AnyPool;

/// The one number a `SELECT COUNT(*) …` returns.
pub async fn count(db: &AnyPool, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(db).await.unwrap();
    n
}

/// A database that exists for as long as this value does.
#[derive(Debug)]
pub struct TestDatabase {
    /// What the service under test connects to.
    pub url: String,
    place: Place,
}

/// Where the database lives: in a temporary directory that holds the
/// SQLite file (and removes itself when `_dir` is dropped), or on a
/// PostgreSQL server.
#[derive(Debug)]
enum Place {
    Sqlite { _dir: tempfile::TempDir },
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// A new database; `label` goes into its name, to tell a left-over one
    /// (from a killed run) apart.
    pub async fn fresh(label: &str) -> TestDatabase {
        match std::env::var("TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres")) {
            Some(admin_url) => {
                sqlx::any::install_default_drivers();
                let suffix = shared::random::random_token().to_ascii_lowercase().replace(['-', '_'], "");
                let suffix = &suffix[..12];
                let mut url = url::Url::parse(&admin_url).expect("TEST_DATABASE_URL is a URL");
                let prefix = url.path().trim_start_matches('/').to_owned();
                let prefix = if prefix.is_empty() { "oauth_test".to_owned() } else { prefix };
                let name = format!("{prefix}_{label}_{suffix}");
                let admin = AnyPool::connect(&admin_url).await.expect("TEST_DATABASE_URL accepts connections");
                // The name is ours (a fixed prefix and base64url letters), not input.
                let create = sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\""));
                sqlx::raw_sql(create).execute(&admin).await.expect("CREATE DATABASE works");
                admin.close().await;
                url.set_path(&format!("/{name}"));
                TestDatabase { url: url.to_string(), place: Place::Postgres { admin_url, name } }
            }
            None => {
                let prefix = format!("oauth-test-{label}-");
                let dir = tempfile::Builder::new().prefix(&prefix).tempdir().expect("a temporary directory");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                TestDatabase { url, place: Place::Sqlite { _dir: dir } }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.place {
            // The directory removes itself, with the SQLite file and its
            // `-wal`/`-shm` companions, once dropped with this value.
            Place::Sqlite { .. } => {}
            Place::Postgres { admin_url, name } => {
                // Drop runs inside the test's runtime, which cannot be
                // blocked on: the statement gets a thread and runtime of its own.
                let (admin_url, name) = (admin_url.clone(), name.clone());
                let dropped = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
                    runtime.block_on(async {
                        let admin = AnyPool::connect(&admin_url).await.ok()?;
                        let drop = sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
                        let result = sqlx::raw_sql(drop).execute(&admin).await.ok();
                        admin.close().await;
                        result
                    })
                });
                let _ = dropped.join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_test_database_is_usable_and_gone_once_dropped() {
        sqlx::any::install_default_drivers();
        let database = TestDatabase::fresh("testkit").await;
        let pool = AnyPool::connect(&database.url).await.unwrap();
        sqlx::query("CREATE TABLE t (x INTEGER)").execute(&pool).await.unwrap();
        pool.close().await;
        let url = database.url.clone();
        drop(database);
        match url.strip_prefix("sqlite://") {
            Some(rest) => {
                let path = rest.split('?').next().unwrap();
                let path = std::path::Path::new(path);
                assert!(!path.exists(), "{} is removed", path.display());
                assert!(!path.parent().unwrap().exists(), "and so is its directory");
            }
            None => {
                let refused = AnyPool::connect(&url).await;
                assert!(refused.is_err(), "the PostgreSQL database {url} is dropped");
            }
        }
    }
}
