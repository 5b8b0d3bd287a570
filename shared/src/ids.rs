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
}
