//! A database outage is a 503 with a clear message, and the API recovers by
//! itself once the database is back.
//!
//! How the outage is staged depends on the backend under test:
//! - PostgreSQL: the test database stops accepting connections and its
//!   sessions are terminated, as in a failover or restart;
//! - SQLite (a file, which cannot "go away" for an open connection): another
//!   connection holds the write lock, so the API's writes time out with
//!   SQLITE_BUSY after the 5 s busy timeout.

use reqwest::StatusCode;
use serde_json::json;
use sqlx::{AnyConnection, Connection};

use crate::helpers::{TestApp, assert_api_error, spawn_app};

/// An outage of the test's database, lifted when `end` is called.
enum Outage {
    Postgres { admin: AnyConnection, database: String },
    Sqlite { holder: AnyConnection },
}

impl Outage {
    async fn begin(app: &TestApp) -> Outage {
        sqlx::any::install_default_drivers();
        let url = &app.config.database_url;
        if url.starts_with("postgres") {
            let database = url::Url::parse(url).unwrap().path().trim_start_matches('/').to_owned();
            let admin_url = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL");
            let mut admin = AnyConnection::connect(&admin_url).await.unwrap();
            // The name is the harness's own (`testkit::db::TestDatabase`), not input.
            let stop = sqlx::AssertSqlSafe(format!("ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS false"));
            sqlx::raw_sql(stop).execute(&mut admin).await.unwrap();
            sqlx::query("SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity WHERE datname = $1")
                .bind(&database)
                .fetch_all(&mut admin)
                .await
                .unwrap();
            Outage::Postgres { admin, database }
        } else {
            let mut holder = AnyConnection::connect(url).await.unwrap();
            sqlx::raw_sql("BEGIN EXCLUSIVE").execute(&mut holder).await.unwrap();
            Outage::Sqlite { holder }
        }
    }

    async fn end(self) {
        match self {
            Outage::Postgres { mut admin, database } => {
                let start = sqlx::AssertSqlSafe(format!("ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS true"));
                sqlx::raw_sql(start).execute(&mut admin).await.unwrap();
                admin.close().await.unwrap();
            }
            Outage::Sqlite { mut holder } => {
                sqlx::raw_sql("ROLLBACK").execute(&mut holder).await.unwrap();
                holder.close().await.unwrap();
            }
        }
    }
}

#[tokio::test]
async fn database_outage_is_a_503_and_the_api_recovers_without_a_restart() {
    let app = spawn_app().await;
    let token = app.token().sign();
    app.new_todo(&token, "before the outage").await;

    let outage = Outage::begin(&app).await;
    let during = app.create_todo(&token, &json!({"title": "during"})).await;
    assert_api_error(during, StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable", "the database is unavailable")
        .await;

    outage.end().await;
    let after = app.create_todo(&token, &json!({"title": "after"})).await;
    assert_eq!(after.status(), StatusCode::CREATED);
    let health = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let titles: Vec<serde_json::Value> = app.get_todos(&token).await.json().await.unwrap();
    assert_eq!(titles.len(), 2);
}
