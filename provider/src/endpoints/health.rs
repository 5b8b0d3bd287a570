//! `GET /healthz` — liveness and database reachability, for Docker and the
//! launcher.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use sqlx::AnyPool;

pub async fn health(State(db): State<AnyPool>) -> (StatusCode, Json<Value>) {
    match sqlx::query("SELECT 1").execute(&db).await {
        Ok(_) => (StatusCode::OK, Json(json!({"status": "ok"}))),
        Err(_) => {
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "unavailable", "reason": "database unreachable"})))
        }
    }
}
