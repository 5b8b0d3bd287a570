//! `GET /.well-known/jwks.json` — the public keys that verify this
//! provider's signatures (RFC 7517 §5), each with `kid`, `alg` and
//! `use: sig`. Retired keys stay listed until nothing they signed is valid.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

pub async fn jwks(State(state): State<AppState>) -> Response {
    let ring = state.keys.ring();
    let mut response = Json(&ring.jwks).into_response();
    // Short enough that a rotated-in key is picked up within minutes;
    // verifiers also refetch on an unknown `kid`.
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    response
}
