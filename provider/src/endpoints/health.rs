//! `GET /healthz` — liveness and database reachability, for Docker and the
//! launcher.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use shared::db::Kept;

pub async fn health(State(db): State<Kept>) -> (StatusCode, Json<Value>) {
    let reached = match db.acquire().await {
        Ok(mut conn) => sqlx::query("SELECT 1").execute(&mut *conn).await.map(drop),
        Err(e) => Err(e),
    };
    match reached {
        Ok(_) => (StatusCode::OK, Json(json!({"status": "ok"}))),
        Err(_) => {
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "unavailable", "reason": "database unreachable"})))
        }
    }
}
