//! `Set-Cookie` headers (RFC 6265 §4.1) as a test reads them: the name, the
//! value, and the attributes as a set, so that an assertion can say exactly
//! which attributes a cookie carries.

use std::collections::BTreeSet;

use cookie::Cookie;

/// One `Set-Cookie` header.
#[derive(Debug)]
pub struct SetCookie {
    pub name: String,
    pub value: String,
    /// Each attribute as it is written: `HttpOnly`, `SameSite=Lax`,
    /// `Path=/`, `Max-Age=300`, …
    pub attributes: BTreeSet<String>,
}

impl SetCookie {
    /// Parses one header value; `None` if it is not a cookie.
    pub fn parse(header: &str) -> Option<Self> {
        let cookie = Cookie::parse(header).ok()?;
        let mut attributes = BTreeSet::new();
        let mut add = |attribute: String| attributes.insert(attribute);
        if cookie.http_only() == Some(true) {
            add("HttpOnly".into());
        }
        if cookie.secure() == Some(true) {
            add("Secure".into());
        }
        if let Some(same_site) = cookie.same_site() {
            add(format!("SameSite={same_site}"));
        }
        if let Some(path) = cookie.path() {
            add(format!("Path={path}"));
        }
        if let Some(domain) = cookie.domain() {
            add(format!("Domain={domain}"));
        }
        if let Some(max_age) = cookie.max_age() {
            add(format!("Max-Age={}", max_age.whole_seconds()));
        }
        if let Some(expires) = cookie.expires_datetime() {
            add(format!("Expires={expires}"));
        }
        Some(Self { name: cookie.name().to_owned(), value: cookie.value().to_owned(), attributes })
    }

    /// The attributes without `Expires` (a date that moves).
    pub fn attributes_except_expires(&self) -> BTreeSet<String> {
        self.attributes.iter().filter(|a| !a.starts_with("Expires=")).cloned().collect()
    }
}

/// A set of attributes, written as a test expects them.
pub fn attributes(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|a| (*a).to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_value_and_every_attribute() {
        let cookie = SetCookie::parse(
            "refresh_token=abc; HttpOnly; SameSite=Strict; Path=/refreshtoken; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
        )
        .unwrap();
        assert_eq!((cookie.name.as_str(), cookie.value.as_str()), ("refresh_token", "abc"));
        assert_eq!(
            cookie.attributes_except_expires(),
            attributes(&["HttpOnly", "SameSite=Strict", "Path=/refreshtoken", "Max-Age=0"])
        );
        assert!(cookie.attributes.iter().any(|a| a.starts_with("Expires=")));
        assert!(SetCookie::parse("no equals sign").is_none());
    }
}
