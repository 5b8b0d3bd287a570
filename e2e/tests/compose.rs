//! The Docker setup, checked without Docker.
//!
//! There is no Docker engine in CI, so these tests check everything that can
//! be checked from the files: `docker-compose config` accepts them; every
//! variable the compose file sets is one the service reads, and every
//! variable a service reads is documented in `.env.example` with its real
//! default; URLs, ports, health checks and databases line up with the
//! services' own defaults and with the Dockerfile; and finally the whole
//! login flow runs with exactly the environment Compose gives each service
//! (host names and ports mapped to this machine, databases swapped for the
//! test's own).
//!
//! `docker-compose` missing: the validation test is skipped with a note,
//! unless `E2E_REQUIRE_DOCKER_COMPOSE=1` (CI sets it).

#[path = "compose/dockerfile.rs"]
mod dockerfile;
#[path = "compose/flow.rs"]
mod flow;
#[path = "compose/lab_and_spa.rs"]
mod lab_and_spa;
#[path = "compose/scale.rs"]
mod scale;
#[path = "compose/support.rs"]
mod support;
#[path = "compose/validation.rs"]
mod validation;
#[path = "compose/variables.rs"]
mod variables;
#[path = "compose/wiring.rs"]
mod wiring;

use std::collections::BTreeSet;

use shared::config::Env;
use support::Compose;

pub const COMPOSE: &str = "docker-compose.yml";
pub const SQLITE_OVERRIDE: &str = "docker-compose.sqlite.yml";
pub const SCALE_OVERRIDE: &str = "docker-compose.scale.yml";

pub fn base() -> Compose {
    Compose::load(COMPOSE)
}

pub fn with_sqlite() -> Compose {
    base().merged(Compose::load(SQLITE_OVERRIDE))
}

/// The configuration a service builds from `env`, as text: two environments
/// that give the same text configure the service the same way.
pub fn config_of(service: &str, env: &Env) -> Result<String, String> {
    match service {
        "provider" => provider::Config::from_env(env).map(|c| format!("{c:?}")),
        "client" => client::Config::from_env(env).map(|c| format!("{c:?}")),
        "todo-api" => todo_api::Config::from_env(env).map(|c| format!("{c:?}")),
        "lab" => lab::Config::from_env(env).map(|c| format!("{c:?}")),
        "spa" => spa::Config::from_env(env).map(|c| format!("{c:?}")),
        other => panic!("unknown service {other}"),
    }
    .map_err(|e| e.to_string())
}

/// The service's bind address when nothing is set (`127.0.0.1:PORT`).
pub fn default_addr(service: &str) -> String {
    let env = Env::default();
    match service {
        "provider" => provider::Config::from_env(&env).unwrap().addr,
        "client" => client::Config::from_env(&env).unwrap().addr,
        "todo-api" => todo_api::Config::from_env(&env).unwrap().addr,
        other => panic!("unknown service {other}"),
    }
}

pub fn prefix(service: &str) -> &'static str {
    match service {
        "provider" => "PROVIDER",
        "client" => "CLIENT",
        "todo-api" => "TODO_API",
        other => panic!("unknown service {other}"),
    }
}

/// Variables docker-compose.yml fixes for the containers instead of taking
/// them from `.env`: their container values differ from `cargo run`'s.
pub fn container_fixed(service: &str) -> BTreeSet<String> {
    let p = prefix(service);
    let mut fixed: BTreeSet<String> = [format!("{p}_ADDR"), format!("{p}_DATABASE_URL")].into();
    if service == "provider" {
        fixed.insert("PROVIDER_CLIENTS_FILE".to_owned());
    } else {
        fixed.insert("PROVIDER_INTERNAL_URL".to_owned());
    }
    if service == "client" {
        // The back channel to the todo API (BFF mode's forwarded calls).
        fixed.insert("TODO_API_INTERNAL_URL".to_owned());
    }
    fixed
}
