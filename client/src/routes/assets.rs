//! The pages' scripts and stylesheet, embedded in the binary, and `/healthz`.

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse};

const APP_JS: &str = include_str!("../../static/app.js");
const AUTOSUBMIT_JS: &str = include_str!("../../static/autosubmit.js");
const STYLE_CSS: &str = include_str!("../../static/style.css");

pub async fn app_js() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], APP_JS)
}

pub async fn autosubmit_js() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], AUTOSUBMIT_JS)
}

pub async fn style_css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], STYLE_CSS)
}

/// 200 while the process serves requests.
pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn not_found() -> impl IntoResponse {
    (StatusCode::NOT_FOUND, Html("<!doctype html><title>Not found</title><p>Not found. <a href=\"/\">Home</a></p>"))
}
