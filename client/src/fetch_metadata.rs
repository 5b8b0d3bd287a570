//! Where did this request start? Fetch Metadata and `Origin` / `Referer`.
//!
//! Browsers tell the server how a request came about. `Sec-Fetch-Site`
//! (W3C Fetch Metadata Request Headers §2.4) is `same-origin` for a request
//! made by this app's own pages, `none` for one the user started (typed URL,
//! bookmark), and `same-site` / `cross-site` otherwise. Browsers without
//! Fetch Metadata still send `Origin` (RFC 6454 §7) or `Referer` (RFC 9110
//! §10.1.3) with many requests; either naming this app's origin also shows
//! the request started here.

use axum::http::{HeaderMap, header};

/// Whether the request started on this app's pages or in the address bar.
/// A request that says nothing about where it came from did not provably
/// start here, so it is `false`.
pub fn started_on_this_site(headers: &HeaderMap, public_url: &str) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return site == "same-origin" || site == "none";
    }
    let Some(own) = origin_of(public_url) else {
        return false;
    };
    if let Some(origin) = header(header::ORIGIN.as_str()) {
        return origin == own;
    }
    header(header::REFERER.as_str()).and_then(origin_of).is_some_and(|referer| referer == own)
}

/// The RFC 6454 §6.2 serialization of a URL's origin.
fn origin_of(url: &str) -> Option<String> {
    let origin = url::Url::parse(url).ok()?.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;
    use testkit::http::headers;

    const APP: &str = "http://localhost:3000";

    #[test]
    fn fetch_metadata_decides_when_present() {
        assert!(started_on_this_site(&headers(&[("sec-fetch-site", "same-origin")]), APP));
        assert!(started_on_this_site(&headers(&[("sec-fetch-site", "none")]), APP));
        assert!(!started_on_this_site(&headers(&[("sec-fetch-site", "same-site")]), APP));
        // An Origin of ours does not outweigh the browser's own verdict.
        let cross = headers(&[("sec-fetch-site", "cross-site"), ("origin", "http://localhost:3000")]);
        assert!(!started_on_this_site(&cross, APP));
    }

    #[test]
    fn origin_or_referer_decide_without_fetch_metadata() {
        assert!(started_on_this_site(&headers(&[("origin", "http://localhost:3000")]), APP));
        assert!(!started_on_this_site(&headers(&[("origin", "http://127.0.0.1:6660")]), APP));
        assert!(!started_on_this_site(&headers(&[("origin", "null")]), APP));
        assert!(started_on_this_site(&headers(&[("referer", "http://localhost:3000/flow")]), APP));
        assert!(!started_on_this_site(&headers(&[("referer", "http://localhost:3000.evil.example/")]), APP));
        assert!(!started_on_this_site(&headers(&[]), APP), "no evidence is not evidence");
    }
}
