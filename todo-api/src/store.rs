//! The todos table: one small function per thing the handlers do.
//!
//! Every query takes the [`Owner`] and filters by it, so a handler cannot
//! forget to: a todo of another user is simply not found. Queries are plain
//! `sqlx::query` with `$n` placeholders, which run unchanged on SQLite and
//! PostgreSQL through sqlx's `Any` driver; titles are always bound, never
//! pasted into SQL, so `'); DROP TABLE todos; --` is just a title.

use shared::db::Kept;
use sqlx::migrate::Migrator;

use crate::auth::Owner;
use crate::todos::model::{Title, Todo, TodoId};
use crate::todos::page::{Cursor, PageRequest};

/// SQLite and PostgreSQL differ in how they spell an auto-incrementing key,
/// so each has its own copy of the migrations (see `migrations/`).
static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// The database behind the API. Cheap to clone (the pool is shared).
#[derive(Clone)]
pub struct Store {
    /// The pool's connections, kept between queries (`shared::db::Kept`).
    db: Kept,
}

#[derive(sqlx::FromRow)]
struct TodoRow {
    id: i64,
    title: String,
    done: i64,
    created_at: i64,
}

impl From<TodoRow> for Todo {
    fn from(row: TodoRow) -> Self {
        Todo::new(TodoId(row.id), row.title, row.done != 0, row.created_at)
    }
}

impl Store {
    /// Connects (creating a SQLite file and its directory on first start)
    /// and brings the schema up to date.
    pub async fn open(database_url: &str) -> Result<Store, sqlx::Error> {
        let pool = shared::db::connect_with(database_url, 4).await?;
        let migrator = if database_url.starts_with("sqlite:") { &SQLITE_MIGRATIONS } else { &POSTGRES_MIGRATIONS };
        migrator.run(&pool).await?;
        Ok(Store { db: Kept::new(database_url, pool) })
    }

    /// A round trip to the database, for `/healthz`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&mut *self.db.acquire().await?).await?;
        Ok(())
    }

    /// One page of the owner's todos, newest first (ties broken by id, also
    /// newest first), and the cursor of the page after it if there is one.
    ///
    /// Keyset pagination: the rows after the cursor in the list's order,
    /// found by one seek in the `(owner_iss, owner_sub, created_at, id)`
    /// index, however far into the list the page is. One row more than the
    /// page is read, to know whether another page follows.
    ///
    /// The limit is bound inside a `CAST`: SQLite plans a bare `LIMIT $n`
    /// with the value bound at the time, so binding it again (as every
    /// execution does) throws the prepared statement away and parses and
    /// plans the query anew. Behind a `CAST` it is an expression evaluated
    /// when the statement runs, and the prepared statement is kept.
    pub async fn list(&self, owner: &Owner, page: PageRequest) -> Result<(Vec<Todo>, Option<Cursor>), sqlx::Error> {
        let limit = i64::from(page.limit);
        let mut conn = self.db.acquire().await?;
        let mut rows: Vec<TodoRow> = match page.after {
            None => {
                sqlx::query_as(
                    "SELECT id, title, done, created_at FROM todos
                     WHERE owner_iss = $1 AND owner_sub = $2
                     ORDER BY created_at DESC, id DESC
                     LIMIT CAST($3 AS BIGINT)",
                )
                .bind(&owner.issuer)
                .bind(&owner.subject)
                .bind(limit + 1)
                .fetch_all(&mut *conn)
                .await?
            }
            Some(after) => {
                sqlx::query_as(
                    "SELECT id, title, done, created_at FROM todos
                     WHERE owner_iss = $1 AND owner_sub = $2
                       AND (created_at < $3 OR (created_at = $3 AND id < $4))
                     ORDER BY created_at DESC, id DESC
                     LIMIT CAST($5 AS BIGINT)",
                )
                .bind(&owner.issuer)
                .bind(&owner.subject)
                .bind(after.created_at)
                .bind(after.id)
                .bind(limit + 1)
                .fetch_all(&mut *conn)
                .await?
            }
        };
        let next = if rows.len() > page.limit as usize {
            rows.truncate(page.limit as usize);
            rows.last().map(|last| Cursor { created_at: last.created_at, id: last.id })
        } else {
            None
        };
        Ok((rows.into_iter().map(Todo::from).collect(), next))
    }

    pub async fn insert(&self, owner: &Owner, title: &Title, created_at: i64) -> Result<Todo, sqlx::Error> {
        let row: TodoRow = sqlx::query_as(
            "INSERT INTO todos (owner_iss, owner_sub, title, done, created_at)
             VALUES ($1, $2, $3, 0, $4)
             RETURNING id, title, done, created_at",
        )
        .bind(&owner.issuer)
        .bind(&owner.subject)
        .bind(title.as_str())
        .bind(created_at)
        .fetch_one(&mut *self.db.acquire().await?)
        .await?;
        Ok(row.into())
    }

    /// Changes the fields that are `Some`; `None` when the owner has no such
    /// todo.
    pub async fn update(
        &self,
        owner: &Owner,
        id: TodoId,
        title: Option<&Title>,
        done: Option<bool>,
    ) -> Result<Option<Todo>, sqlx::Error> {
        let row: Option<TodoRow> = sqlx::query_as(
            "UPDATE todos SET title = COALESCE($1, title), done = COALESCE($2, done)
             WHERE id = $3 AND owner_iss = $4 AND owner_sub = $5
             RETURNING id, title, done, created_at",
        )
        .bind(title.map(Title::as_str))
        .bind(done.map(i32::from))
        .bind(id.0)
        .bind(&owner.issuer)
        .bind(&owner.subject)
        .fetch_optional(&mut *self.db.acquire().await?)
        .await?;
        Ok(row.map(Todo::from))
    }

    /// Deletes the todo; `false` when the owner has no such todo.
    pub async fn delete(&self, owner: &Owner, id: TodoId) -> Result<bool, sqlx::Error> {
        let result = sqlx::query("DELETE FROM todos WHERE id = $1 AND owner_iss = $2 AND owner_sub = $3")
            .bind(id.0)
            .bind(&owner.issuer)
            .bind(&owner.subject)
            .execute(&mut *self.db.acquire().await?)
            .await?;
        Ok(result.rows_affected() > 0)
    }
}
