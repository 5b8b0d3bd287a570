//! (c) URLs, ports, health checks and databases line up with the services'
//! own defaults.

use std::collections::{BTreeMap, BTreeSet};

use shared::config::Env;

use crate::support::{self, SERVICES};
use crate::*;

#[test]
fn browser_urls_are_localhost_and_back_channel_urls_are_service_names() {
    let compose = base();
    let mut public_port = BTreeMap::new();
    for service in SERVICES {
        let environment = support::default_environment(compose.service(service));
        let var = format!("{}_PUBLIC_URL", prefix(service));
        let url = environment.get(&var).unwrap_or_else(|| panic!("{service} is not told its {var}"));
        let (host, port) = support::host_port(url);
        assert_eq!(host, "localhost", "{service}: {var}={url} is what the browser uses");
        public_port.insert(service, port);
    }
    for service in SERVICES {
        let environment = support::default_environment(compose.service(service));
        for (name, value) in &environment {
            if name.ends_with("_PUBLIC_URL") {
                // Every service sees the same browser-facing URLs.
                // (SPA_PUBLIC_URL belongs to the spa, checked on its own below.)
                let Some(owner) = SERVICES.iter().find(|s| format!("{}_PUBLIC_URL", prefix(s)) == *name) else {
                    continue;
                };
                assert_eq!(support::host_port(value), ("localhost".into(), public_port[owner]), "{service}: {name}");
            }
        }
        if let Some(internal) = environment.get("PROVIDER_INTERNAL_URL") {
            let (host, port) = support::host_port(internal);
            assert_eq!(host, "provider", "{service}: PROVIDER_INTERNAL_URL is the back channel, by service name");
            assert!(compose.services.contains_key(&host));
            let provider_addr = &support::default_environment(compose.service("provider"))["PROVIDER_ADDR"];
            assert_eq!(port, support::addr_port(provider_addr), "{service}: PROVIDER_INTERNAL_URL's port");
        }
    }
    // The client and the todo API must both get the back channel; the
    // issuer stays the public URL.
    for service in ["client", "todo-api"] {
        assert!(support::default_environment(compose.service(service)).contains_key("PROVIDER_INTERNAL_URL"));
    }
    // The registered redirect URI is the browser-facing one.
    let client_env = support::default_environment(compose.service("client"));
    let redirect = client::Config::from_env(&Env::from_pairs(client_env)).unwrap().redirect_uri;
    assert!(
        provider::config::DEFAULT_CLIENTS_TOML.contains(&format!("\"{}\"", redirect.as_str())),
        "{redirect:?} is not registered in provider/clients.toml"
    );
}

#[test]
fn ports_bind_addresses_and_health_checks_match_the_services() {
    for (file, compose) in [(COMPOSE, base()), (SQLITE_OVERRIDE, with_sqlite())] {
        for service in SERVICES {
            let definition = compose.service(service);
            let environment = support::default_environment(definition);
            let addr = &environment[&format!("{}_ADDR", prefix(service))];
            let port = support::addr_port(&default_addr(service));
            assert_eq!(
                addr,
                &format!("0.0.0.0:{port}"),
                "{file}: {service} must listen on all interfaces, on its port"
            );

            let public = &environment[&format!("{}_PUBLIC_URL", prefix(service))];
            let (_, public_port) = support::host_port(public);
            let published: Vec<_> = definition.ports.iter().map(|p| support::port_mapping(p)).collect();
            assert_eq!(
                published,
                [(Some("127.0.0.1".to_owned()), public_port, port)],
                "{file}: {service} publishes its port on the host's loopback, where its public URL points"
            );

            let health = &definition.healthcheck;
            assert_eq!(health.first().map(String::as_str), Some("CMD"), "{file}: {service}: exec-form health check");
            assert_eq!(health.get(1).map(String::as_str), Some("curl"), "{file}: {service}: probed with curl");
            assert!(health.contains(&"-f".to_owned()) || health.iter().any(|a| a.starts_with("-f")), "{health:?}");
            let url = health.last().unwrap();
            assert_eq!(url, &format!("http://127.0.0.1:{port}/healthz"), "{file}: {service}'s health check URL");

            assert_eq!(definition.command, [service], "{file}: {service} runs its binary");
            assert_eq!(definition.build.as_deref(), Some("."), "{file}: {service} is built from the Dockerfile");
            assert_eq!(definition.image.as_deref(), Some("oauth-demo"), "{file}: one image for the three services");

            assert_eq!(definition.depends_on.get("postgres").map(String::as_str), Some("service_healthy"));
            if service != "provider" {
                assert_eq!(definition.depends_on.get("provider").map(String::as_str), Some("service_healthy"));
            }
        }
        for (name, service) in &compose.services {
            for (dependency, condition) in &service.depends_on {
                if condition == "service_healthy" {
                    assert!(
                        !compose.service(dependency).healthcheck.is_empty(),
                        "{name} waits for {dependency}'s health"
                    );
                }
            }
        }
    }
    // curl is in the image the health checks run in.
    let installs_curl = support::runtime_stage().iter().any(|i| i.contains("apt-get install") && i.contains(" curl"));
    assert!(installs_curl, "the runtime image must contain curl for the health checks");
}

#[test]
fn each_service_has_its_own_postgres_database_created_by_the_init_script() {
    let compose = base();
    let postgres = compose.service("postgres");
    assert!(postgres.image.as_deref().is_some_and(|i| i.starts_with("postgres:")), "official postgres image, pinned");
    let pg_env = support::default_environment(postgres);
    let user = &pg_env["POSTGRES_USER"];
    let password = &pg_env["POSTGRES_PASSWORD"];
    assert!(postgres.volumes.iter().any(|v| v.ends_with(":/var/lib/postgresql/data")), "data on a named volume");
    let named = postgres.volumes[0].split(':').next().unwrap();
    assert!(compose.volumes.contains(named), "volume {named} is declared");
    let init_mount = postgres
        .volumes
        .iter()
        .find(|v| v.contains(":/docker-entrypoint-initdb.d"))
        .expect("an init script folder mounted at /docker-entrypoint-initdb.d");
    let init_dir = init_mount.split(':').next().unwrap().trim_start_matches("./");
    let mut created = BTreeSet::new();
    for entry in std::fs::read_dir(support::root().join(init_dir)).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines() {
            if let Some(name) = line.trim().strip_prefix("CREATE DATABASE ") {
                created.insert(name.trim_end_matches(';').trim_matches('"').to_owned());
            }
        }
    }
    let health = postgres.healthcheck.join(" ");
    assert!(health.contains("pg_isready") && health.contains("-h 127.0.0.1"), "postgres health over TCP: {health}");

    let mut databases = BTreeSet::new();
    for service in SERVICES {
        let environment = support::default_environment(compose.service(service));
        let raw = &environment[&format!("{}_DATABASE_URL", prefix(service))];
        let url = url::Url::parse(raw).unwrap();
        assert_eq!(url.scheme(), "postgres", "{service}: {raw}");
        assert_eq!(url.host_str(), Some("postgres"), "{service}: the postgres service by name");
        assert_eq!(url.port(), Some(5432));
        assert_eq!(url.username(), user);
        assert_eq!(url.password(), Some(password.as_str()));
        let database = url.path().trim_start_matches('/').to_owned();
        assert!(created.contains(&database), "{service}: database {database:?} is not created by {init_dir}");
        assert!(databases.insert(database), "{service} shares its database");
    }

    // The SQLite variant: files on one named volume per service, mounted
    // where the image has a directory the service user may write.
    let sqlite = with_sqlite();
    let runtime = support::runtime_stage().join("\n");
    for service in SERVICES {
        let definition = sqlite.service(service);
        let url = &support::default_environment(definition)[&format!("{}_DATABASE_URL", prefix(service))];
        let path =
            url.strip_prefix("sqlite://").and_then(|p| p.strip_suffix("?mode=rwc")).expect("sqlite://…?mode=rwc");
        let dir = std::path::Path::new(path).parent().unwrap().to_str().unwrap();
        let volume = definition
            .volumes
            .iter()
            .find_map(|v| v.strip_suffix(&format!(":{dir}")))
            .unwrap_or_else(|| panic!("{SQLITE_OVERRIDE}: {service}: no volume at {dir}"));
        assert!(sqlite.volumes.contains(volume), "{SQLITE_OVERRIDE}: volume {volume} is declared");
        assert!(runtime.contains(&format!("chown app:app {dir}")), "the image lets its user write {dir}");
    }
}
