//! (b) Variables: what compose sets ⊆ what the service reads ⊆ what
//! `.env.example` documents, with the services' own defaults.

use std::collections::{BTreeMap, BTreeSet};

use shared::config::Env;

use crate::support::{self, SERVICES};
use crate::*;

#[test]
fn the_source_scan_finds_the_variables_each_service_is_known_to_read() {
    // Guards the scan itself: were it to find nothing, the checks below
    // would pass for nothing.
    for service in SERVICES {
        let reads = support::variables_read_by(service);
        let p = prefix(service);
        for expected in
            [format!("{p}_ADDR"), format!("{p}_DATABASE_URL"), "PROVIDER_PUBLIC_URL".into(), "RUST_LOG".into()]
        {
            assert!(reads.contains(&expected), "{service} reads {expected}, the scan found {reads:?}");
        }
        for name in &reads {
            // Setting a variable the service reads to a value no setting
            // accepts either stops the service naming it or changes the
            // configuration (strings) — or it is a secret or the log filter.
            let env = Env::from_pairs([(name.as_str(), "\u{1}not a valid value\u{1}")]);
            let default = config_of(service, &Env::default()).unwrap();
            match config_of(service, &env) {
                Err(message) => assert!(message.contains(name.as_str()), "{service}: {message}"),
                Ok(changed) => assert!(
                    changed != default || name.ends_with("_SECRET") || name == "RUST_LOG",
                    "{service}: the scan says it reads {name}, but setting it changes nothing"
                ),
            }
        }
    }
}

#[test]
fn compose_sets_only_variables_the_service_reads() {
    for (file, compose) in [(COMPOSE, base()), (SQLITE_OVERRIDE, with_sqlite())] {
        for service in SERVICES {
            support::assert_given_only_what_it_reads(file, &compose, service);
        }
    }
}

#[test]
fn compose_passes_every_setting_through_under_its_own_name() {
    // A variable set in `.env` reaches every service that reads it, unless
    // the containers need their own value (bind address, databases...).
    let compose = base();
    for service in SERVICES {
        let environment = &compose.service(service).environment;
        let fixed = container_fixed(service);
        for name in support::variables_read_by(service) {
            let Some(value) = environment.get(&name) else {
                panic!("{COMPOSE}: {service} reads {name}, but `.env` cannot reach it: add `{name}: ${{{name}:-…}}`")
            };
            let refs = support::references(value);
            if fixed.contains(&name) {
                assert!(
                    refs.iter().all(|r| r.name == "POSTGRES_PASSWORD"),
                    "{service}: {name} is fixed for the container, yet interpolates {refs:?}"
                );
            } else {
                assert!(
                    refs.len() == 1 && refs[0].name == name && refs[0].colon && value.starts_with("${"),
                    "{service}: {name} should be exactly ${{{name}:-default}}, is {value:?}"
                );
            }
        }
    }
}

#[test]
fn compose_defaults_are_the_services_own_defaults() {
    // `docker compose up` without `.env` must behave like `cargo run`
    // without `.env`, apart from the container-only values.
    let compose = base();
    for service in SERVICES {
        let default = config_of(service, &Env::default()).unwrap();
        let environment = support::default_environment(compose.service(service));
        let fixed = container_fixed(service);
        for (name, value) in &environment {
            if fixed.contains(name) {
                continue;
            }
            let with = config_of(service, &Env::from_pairs([(name.as_str(), value.as_str())]))
                .unwrap_or_else(|e| panic!("{COMPOSE}: {service}: default {name}={value:?} is refused: {e}"));
            assert!(with == default, "{COMPOSE}: {service}: the default {name}={value:?} is not the service's default");
        }
        // And all of it together, container values included, is a valid
        // configuration (container paths read from the files the Dockerfile
        // copies there).
        let copies = support::runtime_copies_from_context();
        let mut environment = environment;
        for value in environment.values_mut() {
            if let Some((source, _)) = copies.iter().find(|(_, dest)| dest == value) {
                *value = support::root().join(source).display().to_string();
            }
        }
        let env = Env::from_pairs(environment);
        config_of(service, &env).unwrap_or_else(|e| panic!("{COMPOSE}: {service} would not start: {e}"));
    }
}

#[test]
fn env_example_documents_every_variable_with_its_default() {
    let documented = support::env_example();
    let compose = base();
    let mut seen = BTreeMap::new();
    for d in &documented {
        assert!(d.commented, ".env.example:{}: {} is set; every line must be commented out", d.line, d.name);
        assert!(
            seen.insert(d.name.clone(), d.line).is_none(),
            ".env.example:{}: {} is documented twice (first on line {})",
            d.line,
            d.name,
            seen[&d.name]
        );
        let text = d.description.join(" ");
        assert!(
            d.description.len() >= 2 && text.contains("Default:") && text.contains("Example:"),
            ".env.example:{}: {} needs a description, its `Default:` and an `Example:` right above it",
            d.line,
            d.name
        );
    }

    let mut read_by: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    // The attack lab and the single-page app's server read their own LAB_*
    // and SPA_* variables, and the services' URLs.
    for service in SERVICES.into_iter().chain(["lab", "spa"]) {
        for name in support::variables_read_by(service) {
            read_by.entry(name).or_default().push(service);
        }
    }
    let interpolated = compose.interpolated_variables().into_iter().chain(with_sqlite().interpolated_variables());
    let wanted: BTreeSet<String> = read_by.keys().cloned().chain(interpolated).collect();
    let have: BTreeSet<String> = seen.keys().cloned().collect();
    let missing: Vec<_> = wanted.difference(&have).collect();
    assert!(missing.is_empty(), ".env.example does not document {missing:?}");
    let stale: Vec<_> = have.difference(&wanted).collect();
    assert!(stale.is_empty(), ".env.example documents {stale:?}, which nothing reads");

    for d in &documented {
        if d.name == "RUST_LOG" {
            let mains = SERVICES.map(|s| support::read(&format!("{s}/src/main.rs")));
            let default = format!("init_tracing({:?})", d.value);
            assert!(mains.iter().all(|m| m.contains(&default)), "RUST_LOG's default is not {:?}", d.value);
        } else if d.name == "PROVIDER_CLIENTS_FILE" {
            // Relative to the working directory; from the repository root it
            // is the file built into the binary.
            let text = support::read(&d.value);
            assert!(text == provider::config::DEFAULT_CLIENTS_TOML, "{} is not the built-in clients file", d.value);
        } else if let Some(services) = read_by.get(&d.name) {
            for service in services {
                let default = config_of(service, &Env::default()).unwrap();
                let with = config_of(service, &Env::from_pairs([(d.name.as_str(), d.value.as_str())]));
                let problem = with.as_ref().err().map(String::as_str).unwrap_or("a different configuration");
                assert!(
                    with.as_ref() == Ok(&default),
                    ".env.example:{}: {}={:?} is not {service}'s default: {problem}",
                    d.line,
                    d.name,
                    d.value
                );
            }
        } else {
            // Read by docker-compose.yml only: the default written there.
            let defaults: BTreeSet<Option<String>> = compose
                .services
                .values()
                .flat_map(|s| s.environment.values())
                .flat_map(|v| support::references(v))
                .filter(|r| r.name == d.name)
                .map(|r| r.default)
                .collect();
            assert_eq!(defaults, [Some(d.value.clone())].into(), ".env.example: {} is not compose's default", d.name);
        }
    }
}
