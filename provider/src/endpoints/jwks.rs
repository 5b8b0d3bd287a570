//! `GET /.well-known/jwks.json` — the public keys that verify this
//! provider's signatures (RFC 7517 §5), each with `kid`, `alg` and
//! `use: sig`. A new key is listed before it signs; retired keys stay listed
//! until nothing they signed is valid.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::config::Config;
use crate::keys::Keys;

pub async fn jwks(State(keys): State<Keys>, State(config): State<Arc<Config>>) -> Response {
    let ring = keys.ring();
    let mut response = Json(&ring.jwks).into_response();
    // The cache lifetime verifiers are told (RFC 9111 §5.2.2.1 max-age). A
    // rotated-in key is published this long before it signs, so every
    // cache has fetched it by then; verifiers also refetch on an unknown
    // `kid`.
    let max_age = format!("public, max-age={}", config.key_publish_delay.as_secs());
    if let Ok(value) = HeaderValue::from_str(&max_age) {
        response.headers_mut().insert(header::CACHE_CONTROL, value);
    }
    response
}
