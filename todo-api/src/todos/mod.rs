//! The protected resource: a todo list per user.
//!
//! | method and path      | scope         | success              |
//! |----------------------|---------------|----------------------|
//! | `GET /todos`         | `todos:read`  | 200, newest first    |
//! | `POST /todos`        | `todos:write` | 201 with the todo    |
//! | `PATCH /todos/{id}`  | `todos:write` | 200 with the todo    |
//! | `DELETE /todos/{id}` | `todos:write` | 204                  |
//!
//! Each handler's first argument is [`crate::auth::Authorized`], so the
//! token is validated and its scope checked before any data is read.

pub mod handlers;
pub mod model;
pub mod page;

use axum::Router;
use axum::routing::{get, patch};

use crate::state::AppState;

pub use model::{Title, Todo, TodoId};

/// The `/todos` routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/todos", get(handlers::list).post(handlers::create))
        .route("/todos/{id}", patch(handlers::update).delete(handlers::delete))
}
