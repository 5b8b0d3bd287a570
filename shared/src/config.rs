//! Reading configuration from environment variables.
//!
//! Every service reads its settings once, at start-up, through an `Env` (the
//! process environment, or a map in tests and the launcher). A bad value stops
//! the service with a message that names the variable, says what is wrong and
//! gives an example of a good value.

use std::collections::HashMap;
use std::str::FromStr;

use url::Url;

/// A snapshot of configuration variables.
#[derive(Clone, Debug, Default)]
pub struct Env(HashMap<String, String>);

/// A configuration value that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{variable}={value:?} is not valid: {problem}. Example of a good value: {variable}={example}")]
pub struct ConfigError {
    pub variable: String,
    pub value: String,
    pub problem: String,
    pub example: String,
}

impl ConfigError {
    pub fn new(variable: &str, value: &str, problem: impl Into<String>, example: &str) -> Self {
        Self {
            variable: variable.to_owned(),
            value: value.to_owned(),
            problem: problem.into(),
            example: example.to_owned(),
        }
    }
}

impl Env {
    /// The process environment, after loading `.env` if there is one.
    pub fn from_process() -> Self {
        let _ = dotenvy::dotenv();
        Self(std::env::vars().collect())
    }

    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Self(pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }

    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.0.insert(name.to_owned(), value.into());
    }

    /// The variable's value, trimmed; unset and empty are the same.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    pub fn string(&self, name: &str, default: &str) -> String {
        self.get(name).unwrap_or(default).to_owned()
    }

    /// An absolute http(s) URL without a trailing slash, query or fragment:
    /// the form of every public and internal base URL here.
    pub fn base_url(&self, name: &str, default: &str) -> Result<String, ConfigError> {
        let raw = self.string(name, default);
        let example = default;
        let url = Url::parse(&raw).map_err(|e| ConfigError::new(name, &raw, e.to_string(), example))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ConfigError::new(name, &raw, "the scheme must be http or https", example));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(ConfigError::new(name, &raw, "a base URL has no query or fragment", example));
        }
        Ok(raw.trim_end_matches('/').to_owned())
    }

    /// A `host:port` bind address.
    pub fn addr(&self, name: &str, default: &str) -> Result<String, ConfigError> {
        let raw = self.string(name, default);
        let valid = raw.rsplit_once(':').is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
        if !valid {
            return Err(ConfigError::new(name, &raw, "expected host:port", default));
        }
        Ok(raw)
    }

    /// A value parsed with `FromStr`.
    pub fn parse<T: FromStr>(&self, name: &str, default: T, example: &str) -> Result<T, ConfigError>
    where
        T::Err: std::fmt::Display,
    {
        match self.get(name) {
            None => Ok(default),
            Some(raw) => raw.parse().map_err(|e: T::Err| ConfigError::new(name, raw, e.to_string(), example)),
        }
    }

    /// `true`/`false` (also 1/0, yes/no).
    pub fn bool(&self, name: &str, default: bool) -> Result<bool, ConfigError> {
        match self.get(name).map(str::to_ascii_lowercase).as_deref() {
            None => Ok(default),
            Some("true" | "1" | "yes" | "on") => Ok(true),
            Some("false" | "0" | "no" | "off") => Ok(false),
            Some(other) => Err(ConfigError::new(name, other, "expected true or false", "true")),
        }
    }

    /// A database URL: `sqlite://path?mode=rwc` or `postgres://…`.
    pub fn database_url(&self, name: &str, default: &str) -> Result<String, ConfigError> {
        let raw = self.string(name, default);
        if raw.starts_with("sqlite:") || raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            Ok(raw)
        } else {
            Err(ConfigError::new(name, &raw, "expected a sqlite: or postgres:// URL", default))
        }
    }
}

/// A service's configuration, or — when a variable is bad — the message
/// naming it on stderr and exit status 1. For the binaries' `main`.
pub fn or_exit<T>(service: &str, config: Result<T, ConfigError>) -> T {
    config.unwrap_or_else(|e| {
        eprintln!("{service}: configuration error: {e}");
        std::process::exit(1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_lose_their_trailing_slash() {
        let env = Env::from_pairs([("X", "http://localhost:8080/")]);
        assert_eq!(env.base_url("X", "http://d").unwrap(), "http://localhost:8080");
    }

    #[test]
    fn errors_name_the_variable_and_give_an_example() {
        let env = Env::from_pairs([("PROVIDER_ADDR", "8080")]);
        let message = env.addr("PROVIDER_ADDR", "0.0.0.0:8080").unwrap_err().to_string();
        assert!(message.contains("PROVIDER_ADDR=\"8080\""), "{message}");
        assert!(message.contains("PROVIDER_ADDR=0.0.0.0:8080"), "{message}");
    }

    #[test]
    fn empty_is_unset() {
        let env = Env::from_pairs([("X", "  ")]);
        assert_eq!(env.string("X", "d"), "d");
        assert!(!env.bool("Y", false).unwrap());
        assert!(env.bool("X", true).unwrap());
    }
}
