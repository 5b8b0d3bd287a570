//! Identifiers that travel in URLs.

use serde::{Deserialize, Serialize};

/// RFC 6749 §2.2: "The authorization server issues the registered client a
/// client identifier -- a unique string representing the registration
/// information provided by the client."
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientId(String);

impl ClientId {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ClientId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A redirection endpoint (RFC 6749 §3.1.2).
///
/// Kept as the exact string it was registered or sent as: RFC 9700 §2.1
/// requires "exact string matching", so `https://a/cb` and `https://a/cb/`
/// are different URIs, and no normalisation happens before comparing.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RedirectUri(String);

/// Why a redirect URI cannot be registered.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RedirectUriError {
    #[error("{0:?} is not an absolute URI (RFC 6749 §3.1.2)")]
    NotAbsolute(String),
    #[error("{0:?} has a fragment; RFC 6749 §3.1.2 says it \"MUST NOT include a fragment component\"")]
    Fragment(String),
    #[error(
        "{0:?} uses plain http to a non-loopback host; RFC 9700 §2.6 requires https except for localhost, 127.0.0.1 and [::1]"
    )]
    InsecureHttp(String),
}

impl RedirectUri {
    /// Validates a URI for registration: absolute, no fragment, https unless
    /// the host is a loopback host.
    pub fn parse(value: &str) -> Result<Self, RedirectUriError> {
        let url = url::Url::parse(value).map_err(|_| RedirectUriError::NotAbsolute(value.to_owned()))?;
        if url.fragment().is_some() || value.contains('#') {
            return Err(RedirectUriError::Fragment(value.to_owned()));
        }
        match url.scheme() {
            "https" => {}
            "http" if is_loopback_host(&url) => {}
            "http" => return Err(RedirectUriError::InsecureHttp(value.to_owned())),
            // Private-use schemes of native apps (RFC 8252 §7.1) are allowed.
            _ => {}
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The URI as a `Url`, for appending response parameters.
    pub fn to_url(&self) -> url::Url {
        // Checked at construction.
        url::Url::parse(&self.0).expect("RedirectUri holds a valid URL")
    }
}

impl std::fmt::Display for RedirectUri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A web origin (RFC 6454 §6.2): `scheme://host[:port]`, the value a browser
/// sends in its `Origin` header, which CORS answers are compared with.
///
/// Kept in the browser's own serialization (lower-case scheme and host, no
/// default port, no trailing slash): an origin written any other way would
/// never equal an `Origin` header, so it is refused with the spelling to use.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WebOrigin(String);

/// Why a value is not a web origin.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WebOriginError {
    #[error("{0:?} is not an origin: expected scheme://host[:port], e.g. https://app.example.com")]
    NotAnOrigin(String),
    #[error("{0:?} is not an origin (scheme://host[:port], no path, query or fragment); write it as {1:?}")]
    NotSerialized(String, String),
    #[error(
        "{0:?} uses plain http to a non-loopback host; RFC 9700 §2.6 requires https except for localhost, 127.0.0.1 and [::1]"
    )]
    InsecureHttp(String),
}

impl WebOrigin {
    /// Checks an origin for registration: http(s), nothing after the port,
    /// https unless the host is a loopback host (as for redirect URIs).
    pub fn parse(value: &str) -> Result<Self, WebOriginError> {
        let url = url::Url::parse(value).map_err(|_| WebOriginError::NotAnOrigin(value.to_owned()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(WebOriginError::NotAnOrigin(value.to_owned()));
        }
        let serialized = url.origin().ascii_serialization();
        if value != serialized {
            return Err(WebOriginError::NotSerialized(value.to_owned(), serialized));
        }
        if url.scheme() == "http" && !is_loopback_host(&url) {
            return Err(WebOriginError::InsecureHttp(value.to_owned()));
        }
        Ok(Self(serialized))
    }

    /// The origin of an http(s) URI, e.g. of a redirect URI; `None` for a
    /// private-use scheme (a native app's `com.example.app:/cb`), which has
    /// no web origin.
    pub fn of(uri: &RedirectUri) -> Option<Self> {
        let url = uri.to_url();
        matches!(url.scheme(), "http" | "https").then(|| Self(url.origin().ascii_serialization()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for WebOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// localhost, 127.0.0.1 (any 127/8) and [::1].
pub fn is_loopback_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_http_is_fine_other_http_is_not() {
        assert!(RedirectUri::parse("http://localhost:3000/callback").is_ok());
        assert!(RedirectUri::parse("http://127.0.0.1:3000/callback").is_ok());
        assert!(RedirectUri::parse("http://[::1]/cb").is_ok());
        assert!(RedirectUri::parse("https://app.example.com/cb").is_ok());
        assert!(matches!(RedirectUri::parse("http://app.example.com/cb"), Err(RedirectUriError::InsecureHttp(_))));
    }

    #[test]
    fn fragments_and_relative_uris_are_refused() {
        assert!(matches!(RedirectUri::parse("https://a.example/cb#x"), Err(RedirectUriError::Fragment(_))));
        assert!(matches!(RedirectUri::parse("/callback"), Err(RedirectUriError::NotAbsolute(_))));
    }

    #[test]
    fn the_original_string_is_kept() {
        let uri = RedirectUri::parse("https://A.example/cb").unwrap();
        assert_eq!(uri.as_str(), "https://A.example/cb");
    }

    #[test]
    fn an_origin_is_scheme_host_and_port_in_the_browsers_spelling() {
        assert_eq!(WebOrigin::parse("http://localhost:5173").unwrap().as_str(), "http://localhost:5173");
        assert!(WebOrigin::parse("https://app.example.com").is_ok());
        assert!(matches!(WebOrigin::parse("http://localhost:5173/"), Err(WebOriginError::NotSerialized(..))));
        assert!(matches!(WebOrigin::parse("http://localhost:5173/app"), Err(WebOriginError::NotSerialized(..))));
        assert!(matches!(WebOrigin::parse("https://App.example.com:443"), Err(WebOriginError::NotSerialized(..))));
        assert!(matches!(WebOrigin::parse("http://app.example.com"), Err(WebOriginError::InsecureHttp(_))));
        assert!(matches!(WebOrigin::parse("localhost:5173"), Err(WebOriginError::NotAnOrigin(_))));
    }

    #[test]
    fn a_redirect_uri_has_the_origin_of_its_page() {
        let uri = RedirectUri::parse("http://localhost:5173/callback").unwrap();
        assert_eq!(WebOrigin::of(&uri).unwrap().as_str(), "http://localhost:5173");
        assert_eq!(WebOrigin::of(&RedirectUri::parse("com.example.app:/cb").unwrap()), None);
    }
}
