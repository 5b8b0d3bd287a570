//! `GET /healthz`: is the API up, and can it reach its database?
//!
//! No token needed. 200 `{"status": "ok"}` when the database answers, 503
//! `{"status": "unavailable"}` when it does not, so an orchestrator can tell
//! "process alive" from "able to serve".

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::store::Store;

pub async fn healthz(State(store): State<Store>) -> (StatusCode, Json<Value>) {
    match store.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({"status": "ok"}))),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unavailable");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "unavailable", "database": "unreachable"})))
        }
    }
}
