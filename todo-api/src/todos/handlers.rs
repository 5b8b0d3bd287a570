//! The four todo handlers. Each one only ever sees the caller's own todos:
//! the owner comes from the validated token, never from the request body.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::model::{NewTodo, Title, Todo, TodoId, TodoPatch};
use super::page::{PageRequest, next_link};
use crate::auth::{Authorized, ReadTodos, WriteTodos};
use crate::error::AppError;
use crate::extract::Json;
use crate::state::PublicUrl;
use crate::store::Store;

/// `GET /todos?limit=&cursor=`: one page of the caller's todos, newest
/// first, and the next page's URL in `Link: <…>; rel="next"` when there is
/// more (see [`super::page`]).
pub async fn list(
    auth: Authorized<ReadTodos>,
    State(store): State<Store>,
    State(PublicUrl(public_url)): State<PublicUrl>,
    page: PageRequest,
) -> Result<Response, AppError> {
    let (todos, next) = store.list(auth.owner(), page).await?;
    let mut response = Json::<Vec<Todo>>(todos).into_response();
    if let Some(link) = next.and_then(|last| next_link(&public_url, page.limit, last))
        && let Ok(value) = HeaderValue::from_str(&link)
    {
        response.headers_mut().insert(header::LINK, value);
    }
    Ok(response)
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
