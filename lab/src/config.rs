//! Where the system under attack is, read from the same variables the
//! services read, so `lab` needs no settings of its own beside its address.

use shared::config::{ConfigError, Env};

/// The lab's settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// `PROVIDER_PUBLIC_URL`: the provider as a browser reaches it (and the issuer).
    pub provider_public_url: String,
    /// `PROVIDER_INTERNAL_URL`: the provider's back channel (token endpoint, JWKS).
    pub provider_internal_url: String,
    /// `CLIENT_PUBLIC_URL`: the client app.
    pub client_public_url: String,
    /// `TODO_API_PUBLIC_URL`: the todo API.
    pub todo_api_public_url: String,
    /// `TODO_API_AUDIENCE`: the `aud` the todo API expects (default: its public URL).
    pub todo_api_audience: String,
    /// `LAB_ADDR`: where `lab serve` listens.
    pub addr: String,
    /// `LAB_PUBLIC_URL`: the attacker's site as a browser reaches it. Its
    /// host must be a different *site* from the system's (`127.0.0.1`
    /// against `localhost`), so that SameSite cookies and CORS apply as they
    /// would to a real attacker.
    pub public_url: String,
}

impl Config {
    /// Reads the configuration, with the services' defaults.
    pub fn from_env(env: &Env) -> Result<Config, ConfigError> {
        let provider_public_url = env.base_url("PROVIDER_PUBLIC_URL", "http://localhost:8080")?;
        let todo_api_public_url = env.base_url("TODO_API_PUBLIC_URL", "http://localhost:4000")?;
        Ok(Config {
            provider_internal_url: env.base_url("PROVIDER_INTERNAL_URL", &provider_public_url)?,
            provider_public_url,
            client_public_url: env.base_url("CLIENT_PUBLIC_URL", "http://localhost:3000")?,
            todo_api_audience: env.string("TODO_API_AUDIENCE", &todo_api_public_url),
            todo_api_public_url,
            addr: env.addr("LAB_ADDR", "127.0.0.1:6660")?,
            public_url: env.base_url("LAB_PUBLIC_URL", "http://127.0.0.1:6660")?,
        })
    }

    /// The configuration with every default.
    pub fn defaults() -> Config {
        // The defaults are valid URLs and addresses, so this cannot fail;
        // the fallback only keeps `unwrap` out of the code.
        Config::from_env(&Env::default()).unwrap_or_else(|_| Config {
            provider_public_url: "http://localhost:8080".into(),
            provider_internal_url: "http://localhost:8080".into(),
            client_public_url: "http://localhost:3000".into(),
            todo_api_public_url: "http://localhost:4000".into(),
            todo_api_audience: "http://localhost:4000".into(),
            addr: "127.0.0.1:6660".into(),
            public_url: "http://127.0.0.1:6660".into(),
        })
    }

    /// The same system reached through one base URL for everything (the
    /// lab's tests point it at a stand-in this way).
    pub fn all_at(url: &str) -> Config {
        Config {
            provider_public_url: url.to_owned(),
            provider_internal_url: url.to_owned(),
            client_public_url: url.to_owned(),
            todo_api_public_url: url.to_owned(),
            todo_api_audience: url.to_owned(),
            ..Config::defaults()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_services_defaults_and_the_lab_is_another_site() {
        let config = Config::defaults();
        assert_eq!(config.provider_internal_url, "http://localhost:8080");
        assert_eq!(config.todo_api_audience, "http://localhost:4000");
        assert_eq!(config.public_url, "http://127.0.0.1:6660");
    }

    #[test]
    fn a_bad_lab_url_names_the_variable() {
        let env = Env::from_pairs([("LAB_PUBLIC_URL", "127.0.0.1:6660")]);
        let message = Config::from_env(&env).map(|_| ()).unwrap_err().to_string();
        assert!(message.contains("LAB_PUBLIC_URL"), "{message}");
    }
}
