//! The three services' configurations, read from one environment each.
//!
//! In Docker every service has its own environment; in one process (the
//! launcher, the tests) the same separation is kept with one [`Env`] per
//! service, so a variable meant for one service never leaks into another.

use shared::config::{ConfigError, Env};

/// One environment per service, as docker-compose gives them.
#[derive(Clone, Debug, Default)]
pub struct ServiceEnvs {
    pub provider: Env,
    pub client: Env,
    pub todo_api: Env,
}

impl ServiceEnvs {
    /// The same environment for all three, as when one process reads the
    /// shell's variables and `.env`: each service picks the variables it
    /// knows and ignores the others.
    pub fn shared(env: Env) -> Self {
        Self { provider: env.clone(), client: env.clone(), todo_api: env }
    }
}

/// The three configurations, checked before anything starts.
#[derive(Clone, Debug)]
pub struct Configs {
    pub provider: provider::Config,
    pub client: client::Config,
    pub todo_api: todo_api::Config,
}

impl Configs {
    /// Reads each service's configuration from its own environment. The
    /// first bad value stops everything, with the message naming it.
    pub fn from_envs(envs: &ServiceEnvs) -> Result<Self, ConfigError> {
        Ok(Self {
            provider: provider::Config::from_env(&envs.provider)?,
            client: client::Config::from_env(&envs.client)?,
            todo_api: todo_api::Config::from_env(&envs.todo_api)?,
        })
    }
}

/// Which service, for log prefixes, messages and thread names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    Provider,
    Client,
    TodoApi,
}

impl Service {
    pub const ALL: [Service; 3] = [Service::Provider, Service::Client, Service::TodoApi];

    /// The name used in log lines: the same as the service's binary.
    pub fn name(self) -> &'static str {
        match self {
            Service::Provider => "provider",
            Service::Client => "client",
            Service::TodoApi => "todo-api",
        }
    }

    /// The variable that sets the service's bind address.
    pub fn addr_variable(self) -> &'static str {
        match self {
            Service::Provider => "PROVIDER_ADDR",
            Service::Client => "CLIENT_ADDR",
            Service::TodoApi => "TODO_API_ADDR",
        }
    }

    /// The variable that sets the service's database.
    pub fn database_variable(self) -> &'static str {
        match self {
            Service::Provider => "PROVIDER_DATABASE_URL",
            Service::Client => "CLIENT_DATABASE_URL",
            Service::TodoApi => "TODO_API_DATABASE_URL",
        }
    }

    /// The variable that says where browsers reach the service.
    pub fn public_url_variable(self) -> &'static str {
        match self {
            Service::Provider => "PROVIDER_PUBLIC_URL",
            Service::Client => "CLIENT_PUBLIC_URL",
            Service::TodoApi => "TODO_API_PUBLIC_URL",
        }
    }

    /// The public URL when its variable is not set (the services' defaults).
    pub fn default_public_url(self) -> &'static str {
        match self {
            Service::Provider => "http://localhost:8080",
            Service::Client => "http://localhost:3000",
            Service::TodoApi => "http://localhost:4000",
        }
    }
}

impl std::fmt::Display for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
