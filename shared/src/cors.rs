//! The parts of the CORS protocol (Fetch Standard §3.2) that the provider
//! and the todo API answer the same way. Which origins each one allows, and
//! with what, stays in the service's own `cors.rs`.

use reqwest::Method;
use reqwest::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_METHOD,
    HeaderMap, HeaderValue, VARY,
};

/// Fetch §3.2.2: a CORS-preflight request is an OPTIONS request with an
/// `Access-Control-Request-Method` header.
pub fn is_preflight(method: &Method, headers: &HeaderMap) -> bool {
    method == Method::OPTIONS && headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD)
}

/// The headers of the 204 that answers an allowed origin's preflight: the
/// `methods` and request `headers` the service accepts, which the browser
/// may remember for ten minutes.
pub fn preflight_headers(methods: &'static str, headers: &'static str) -> HeaderMap {
    let mut answer = HeaderMap::new();
    answer.insert(ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(methods));
    answer.insert(ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static(headers));
    answer.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    // The preflight answer depends on what was asked, too.
    answer.append(VARY, HeaderValue::from_static("Access-Control-Request-Method, Access-Control-Request-Headers"));
    answer
}
