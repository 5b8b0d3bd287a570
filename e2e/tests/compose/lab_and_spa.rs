//! The two services beside the three: the attack lab and the SPA.

use std::collections::BTreeSet;

use shared::config::Env;

use crate::support;
use crate::*;

#[test]
fn the_lab_is_published_on_loopback_as_another_site_and_gets_only_what_it_reads() {
    let compose = base();
    let lab = compose.service("lab");
    support::assert_given_only_what_it_reads(COMPOSE, &compose, "lab");
    assert_eq!(lab.command, ["lab", "serve"]);
    assert_eq!(lab.image.as_deref(), Some("oauth-demo"));
    let published: Vec<_> = lab.ports.iter().map(|p| support::port_mapping(p)).collect();
    assert_eq!(published, [(Some("127.0.0.1".to_owned()), 6660, 6660)]);
    let environment = support::default_environment(lab);
    assert_eq!(environment["LAB_ADDR"], "0.0.0.0:6660");
    let (host, _) = support::host_port(&environment["LAB_PUBLIC_URL"]);
    assert_eq!(host, "127.0.0.1", "the lab is another site than localhost");
    lab::Config::from_env(&Env::from_pairs(environment)).expect("the lab's compose environment is valid");
}

#[test]
fn the_spa_is_published_on_its_public_port_and_its_origin_is_registered_and_allowed() {
    let compose = base();
    let spa = compose.service("spa");
    let reads = support::assert_given_only_what_it_reads(COMPOSE, &compose, "spa");
    let set: BTreeSet<String> = spa.environment.keys().cloned().collect();
    let unreachable: Vec<_> = reads.difference(&set).collect();
    assert!(unreachable.is_empty(), "{COMPOSE}: the spa reads {unreachable:?}, which `.env` cannot reach");
    assert_eq!(spa.command, ["spa"]);
    assert_eq!(spa.image.as_deref(), Some("oauth-demo"));
    let published: Vec<_> = spa.ports.iter().map(|p| support::port_mapping(p)).collect();
    assert_eq!(published, [(Some("127.0.0.1".to_owned()), 5173, 5173)]);
    assert_eq!(spa.healthcheck.last().map(String::as_str), Some("http://127.0.0.1:5173/healthz"));

    let mut environment = support::default_environment(spa);
    assert_eq!(environment["SPA_ADDR"], "0.0.0.0:5173");
    let config =
        spa::Config::from_env(&Env::from_pairs(environment.clone())).expect("the spa's compose environment is valid");
    // Apart from the bind address, compose's defaults are the spa's own.
    environment.remove("SPA_ADDR");
    assert_eq!(config_of("spa", &Env::from_pairs(environment)), config_of("spa", &Env::default()));
    // Its redirect URI is registered, and the todo API allows its origin.
    assert!(
        provider::config::DEFAULT_CLIENTS_TOML.contains(&format!("\"{}\"", config.redirect_uri())),
        "{} is not registered in provider/clients.toml",
        config.redirect_uri()
    );
    let todo_api_env = support::default_environment(compose.service("todo-api"));
    let todo_api = todo_api::Config::from_env(&Env::from_pairs(todo_api_env)).unwrap();
    assert_eq!(todo_api.spa_origin, config.public_url, "the todo API's CORS origin for the SPA");
}
