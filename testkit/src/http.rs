//! HTTP as a test's browser speaks it: a client that keeps cookies and
//! never follows a redirect on its own (each hop is asserted), and the
//! `Location` it is sent to (RFC 9110 §10.2.2); and HTTP as a test's client
//! authenticates (RFC 6749 §2.3.1).

use std::collections::HashMap;

use reqwest::header::{HeaderMap, LOCATION};

/// A client that keeps cookies and never follows redirects.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("a client")
}

/// The `Authorization` header value of HTTP Basic client credentials, id
/// and secret form-encoded before base64 as RFC 6749 §2.3.1 says (reqwest's
/// `basic_auth` skips the form-encoding, so tests send this instead): the
/// very encoding the client app sends, `shared::basic_credentials`.
pub use shared::basic_credentials::encode as basic;

/// The `Location` of a redirect, as sent (a relative one stays relative).
pub fn location(response: &reqwest::Response) -> &str {
    response
        .headers()
        .get(LOCATION)
        .unwrap_or_else(|| panic!("expected a Location header from {}, got {}", response.url(), response.status()))
        .to_str()
        .expect("Location is ASCII")
}

/// The query parameters of a redirect's `Location`, resolved against the
/// request's URL.
pub fn location_params(response: &reqwest::Response) -> HashMap<String, String> {
    let url = response.url().join(location(response)).expect("Location is a URI reference");
    url.query_pairs().into_owned().collect()
}

/// A header map of these `(name, value)` pairs, for the unit tests of code
/// that reads request headers; a name given twice keeps both values.
pub fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(*name, value.parse().expect("a valid header value"));
    }
    map
}
