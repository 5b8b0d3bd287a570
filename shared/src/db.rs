//! One pool type for both databases.
//!
//! Every service speaks to SQLite (the default, a file under `./data/`) or
//! PostgreSQL (when the URL starts with `postgres://`) through sqlx's `Any`
//! driver, with one set of migrations and queries. The portable subset:
//! `TEXT`, `BIGINT` and `INTEGER` columns, unix seconds for time, 0/1 for
//! booleans, `$1` placeholders.

use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};

/// Opens a pool, creating the SQLite file's directory when needed.
pub async fn connect(url: &str) -> Result<AnyPool, sqlx::Error> {
    sqlx::any::install_default_drivers();
    let is_sqlite = url.starts_with("sqlite:");
    if is_sqlite
        && let Some(dir) = sqlite_path(url).and_then(|p| std::path::Path::new(&p).parent().map(|d| d.to_owned()))
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(&dir).map_err(sqlx::Error::Io)?;
    }
    AnyPoolOptions::new()
        .max_connections(if is_sqlite { 4 } else { 10 })
        .acquire_timeout(Duration::from_secs(5))
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if is_sqlite {
                    // WAL lets readers work while one writer writes; the busy
                    // timeout makes a writer wait for the lock instead of failing.
                    conn.execute("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;")
                        .await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await
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

/// A fresh, empty database for one test: a new PostgreSQL database on the
/// server named by `TEST_DATABASE_URL` when that is set, else a new SQLite
/// file in the temp directory.
pub async fn fresh_test_database(label: &str) -> String {
    let suffix = crate::random::random_token().to_ascii_lowercase().replace(['-', '_'], "");
    let suffix = &suffix[..12];
    match std::env::var("TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres")) {
        Some(base) => {
            sqlx::any::install_default_drivers();
            let mut url = url::Url::parse(&base).expect("TEST_DATABASE_URL is a URL");
            let prefix = url.path().trim_start_matches('/').to_owned();
            let prefix = if prefix.is_empty() { "oauth_test".to_owned() } else { prefix };
            let name = format!("{prefix}_{label}_{suffix}");
            let admin = AnyPool::connect(&base).await.expect("TEST_DATABASE_URL accepts connections");
            // The name is ours (a fixed prefix and base64url letters), not user input.
            let create = sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\""));
            sqlx::raw_sql(create).execute(&admin).await.expect("CREATE DATABASE works");
            admin.close().await;
            url.set_path(&format!("/{name}"));
            url.to_string()
        }
        None => {
            let path = std::env::temp_dir().join(format!("oauth-test-{label}-{suffix}.db"));
            format!("sqlite://{}?mode=rwc", path.display())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths() {
        assert_eq!(sqlite_path("sqlite://./data/p.db?mode=rwc").as_deref(), Some("./data/p.db"));
        assert_eq!(sqlite_path("sqlite:data/p.db").as_deref(), Some("data/p.db"));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }
}
