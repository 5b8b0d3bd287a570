//! Scopes (RFC 6749 §3.3).
//!
//! "The value of the scope parameter is expressed as a list of space-delimited,
//! case-sensitive strings. [...] If the value contains multiple space-delimited
//! strings, their order does not matter."
//!
//! `Scopes` is therefore a set, parsed from and printed as one
//! space-delimited string.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A set of scope tokens.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scopes(BTreeSet<String>);

/// Why a scope string was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("scope token {0:?} has a character outside RFC 6749 §3.3's scope-token (%x21 / %x23-5B / %x5D-7E)")]
pub struct InvalidScope(pub String);

impl Scopes {
    /// Parses a space-delimited scope string (RFC 6749 §3.3):
    /// `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`.
    /// Runs of spaces are tolerated; an empty string is the empty set.
    pub fn parse(value: &str) -> Result<Self, InvalidScope> {
        let mut set = BTreeSet::new();
        for token in value.split(' ').filter(|t| !t.is_empty()) {
            let valid = token.bytes().all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b));
            if !valid {
                return Err(InvalidScope(token.to_owned()));
            }
            set.insert(token.to_owned());
        }
        Ok(Self(set))
    }

    pub fn contains(&self, scope: &str) -> bool {
        self.0.contains(scope)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when every scope here is also in `other`.
    pub fn is_subset_of(&self, other: &Scopes) -> bool {
        self.0.is_subset(&other.0)
    }

    /// The scopes here that `other` lacks.
    pub fn difference(&self, other: &Scopes) -> Scopes {
        Scopes(self.0.difference(&other.0).cloned().collect())
    }

    /// The scopes in both.
    pub fn intersection(&self, other: &Scopes) -> Scopes {
        Scopes(self.0.intersection(&other.0).cloned().collect())
    }

    /// All scopes of both.
    pub fn union(&self, other: &Scopes) -> Scopes {
        Scopes(self.0.union(&other.0).cloned().collect())
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

impl<S: Into<String>> FromIterator<S> for Scopes {
    fn from_iter<I: IntoIterator<Item = S>>(items: I) -> Self {
        Self(items.into_iter().map(Into::into).collect())
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for scope in &self.0 {
            if !first {
                f.write_str(" ")?;
            }
            f.write_str(scope)?;
            first = false;
        }
        Ok(())
    }
}

impl std::str::FromStr for Scopes {
    type Err = InvalidScope;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Scopes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Scopes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Scopes::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_and_repeated_spaces_do_not_matter() {
        let a = Scopes::parse("openid  profile").unwrap();
        let b = Scopes::parse("profile openid").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "openid profile");
    }

    #[test]
    fn subset_and_difference() {
        let granted = Scopes::parse("openid profile todos:read").unwrap();
        let asked = Scopes::parse("openid todos:write").unwrap();
        assert!(!asked.is_subset_of(&granted));
        assert_eq!(asked.difference(&granted).to_string(), "todos:write");
    }

    #[test]
    fn quotes_and_backslashes_are_not_scope_characters() {
        assert!(Scopes::parse("open\"id").is_err());
        assert!(Scopes::parse("a\\b").is_err());
        assert!(Scopes::parse("caf\u{e9}").is_err());
    }
}
