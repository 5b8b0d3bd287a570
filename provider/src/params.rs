//! Request parameters, read once for every endpoint that takes them: the
//! authorization endpoint's query or form body, and the token,
//! introspection and revocation endpoints' form or JSON body.
//!
//! Two rules hold for all of them, RFC 6749 §3.1 and §3.2 alike:
//! "Parameters sent without a value MUST be treated as if they were omitted
//! from the request" and "Request and response parameters MUST NOT be
//! included more than once." Each value is read strictly (`input`); a value
//! that is not usable text is kept with its reason, so that the endpoint can
//! refuse it in its own way (the authorization endpoint with a page or a
//! redirect, the token endpoint with RFC 6749 §5.2 JSON).

use std::collections::BTreeMap;

use shared::MissingParameter;

use crate::input::{self, TextProblem};

#[derive(Debug, Default)]
pub struct Params {
    values: BTreeMap<String, String>,
    repeated: Vec<String>,
    unreadable: BTreeMap<String, TextProblem>,
}

impl Params {
    /// Reads `application/x-www-form-urlencoded` text (a query or a body).
    pub fn parse(raw: &[u8]) -> Self {
        let mut params = Self::default();
        for pair in input::parse(raw) {
            // A name that is not text cannot be a parameter of ours: RFC 6749
            // §3.1 "The authorization server MUST ignore unrecognized request
            // parameters."
            let Ok(name) = pair.name else { continue };
            params.add(name, pair.value);
        }
        params
    }

    /// Name → value pairs that arrived some other way (a JSON body), held
    /// to the same checks as form text.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut params = Self::default();
        for (name, value) in pairs {
            let checked = input::check(&value).map(|()| value);
            params.add(name, checked);
        }
        params
    }

    fn add(&mut self, name: String, value: Result<String, TextProblem>) {
        if self.values.contains_key(&name) || self.unreadable.contains_key(&name) {
            self.repeated.push(name.clone());
        }
        match value {
            Ok(value) => {
                self.values.insert(name, value);
            }
            Err(problem) => {
                self.unreadable.insert(name, problem);
            }
        }
    }

    /// A parameter's value; an empty value counts as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// A parameter the request cannot do without.
    pub fn require(&self, name: &'static str, rule: &'static str) -> Result<&str, MissingParameter> {
        self.get(name).ok_or(MissingParameter { name, rule })
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn is_repeated(&self, name: &str) -> bool {
        self.repeated.iter().any(|r| r == name)
    }

    /// The first parameter sent more than once, if any.
    pub fn first_repeated(&self) -> Option<&str> {
        self.repeated.first().map(String::as_str)
    }

    /// Why a parameter's value could not be read, if it could not.
    pub fn problem(&self, name: &str) -> Option<&TextProblem> {
        self.unreadable.get(name)
    }

    /// The first parameter whose value could not be read, with the reason.
    pub fn first_problem(&self) -> Option<(&str, &TextProblem)> {
        self.unreadable.iter().next().map(|(name, problem)| (name.as_str(), problem))
    }

    /// Whether the parameter was sent at all, readable or not.
    pub fn was_sent(&self, name: &str) -> bool {
        self.get(name).is_some() || self.problem(name).is_some()
    }

    /// The readable parameters as one query string, in a fixed order: what
    /// is replayed against the authorization endpoint after the login.
    pub fn to_query(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new()).extend_pairs(self.values.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_parameters_are_noticed_and_empty_is_absent() {
        let params = Params::parse(b"a=1&a=2&b=&c=%00&c=x");
        assert!(params.is_repeated("a"));
        assert_eq!(params.first_repeated(), Some("a"));
        assert_eq!(params.get("b"), None);
        assert!(params.is_repeated("c") && params.problem("c").is_some());
        assert!(params.require("b", "RFC 6749 §3.1").is_err());
    }

    #[test]
    fn pairs_from_json_meet_the_same_checks() {
        let params = Params::from_pairs([("a".to_owned(), "x\0y".to_owned()), ("b".to_owned(), "ok".to_owned())]);
        assert_eq!(params.first_problem().map(|(name, _)| name), Some("a"));
        assert_eq!(params.require("b", "").unwrap(), "ok");
    }
}
