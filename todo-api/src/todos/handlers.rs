//! The four todo handlers. Each one only ever sees the caller's own todos:
//! the owner comes from the validated token, never from the request body.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::model::{NewTodo, Title, Todo, TodoId, TodoPatch};
use crate::auth::{Authorized, ReadTodos, WriteTodos};
use crate::error::AppError;
use crate::extract::Json;
use crate::store::Store;

/// `GET /todos`: the caller's todos, newest first.
pub async fn list(auth: Authorized<ReadTodos>, State(store): State<Store>) -> Result<Json<Vec<Todo>>, AppError> {
    Ok(Json(store.list(auth.owner()).await?))
}

/// `POST /todos` `{"title"}`: 201 with the new todo.
pub async fn create(
    auth: Authorized<WriteTodos>,
    State(store): State<Store>,
    Json(input): Json<NewTodo>,
) -> Result<(StatusCode, Json<Todo>), AppError> {
    let title = Title::parse(&input.title)?;
    let todo = store.insert(auth.owner(), &title, shared::now_unix()).await?;
    Ok((StatusCode::CREATED, Json(todo)))
}

/// `PATCH /todos/{id}` `{"title"?, "done"?}`: 200 with the changed todo.
pub async fn update(
    auth: Authorized<WriteTodos>,
    State(store): State<Store>,
    Path(raw_id): Path<String>,
    Json(patch): Json<TodoPatch>,
) -> Result<Json<Todo>, AppError> {
    let id = TodoId::parse(&raw_id)?;
    let title = patch.title.as_deref().map(Title::parse).transpose()?;
    store
        .update(auth.owner(), id, title.as_ref(), patch.done)
        .await?
        .map(Json)
        .ok_or_else(|| AppError::TodoNotFound(id.0.to_string()))
}

/// `DELETE /todos/{id}`: 204, or 404 if the caller has no such todo.
pub async fn delete(
    auth: Authorized<WriteTodos>,
    State(store): State<Store>,
    Path(raw_id): Path<String>,
) -> Result<StatusCode, AppError> {
    let id = TodoId::parse(&raw_id)?;
    if store.delete(auth.owner(), id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::TodoNotFound(id.0.to_string()))
    }
}
