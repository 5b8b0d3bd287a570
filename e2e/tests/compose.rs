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

#[path = "compose/scale.rs"]
mod scale;
#[path = "compose/support.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::time::Duration;

use base64::Engine;
use reqwest::StatusCode;
use reqwest::cookie::CookieStore;
use shared::config::Env;
use support::{Compose, SERVICES};

const COMPOSE: &str = "docker-compose.yml";
const SQLITE_OVERRIDE: &str = "docker-compose.sqlite.yml";
const SCALE_OVERRIDE: &str = "docker-compose.scale.yml";

fn base() -> Compose {
    Compose::load(COMPOSE)
}

fn with_sqlite() -> Compose {
    base().merged(Compose::load(SQLITE_OVERRIDE))
}

/// The configuration a service builds from `env`, as text: two environments
/// that give the same text configure the service the same way.
fn config_of(service: &str, env: &Env) -> Result<String, String> {
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
fn default_addr(service: &str) -> String {
    let env = Env::default();
    match service {
        "provider" => provider::Config::from_env(&env).unwrap().addr,
        "client" => client::Config::from_env(&env).unwrap().addr,
        "todo-api" => todo_api::Config::from_env(&env).unwrap().addr,
        other => panic!("unknown service {other}"),
    }
}

fn prefix(service: &str) -> &'static str {
    match service {
        "provider" => "PROVIDER",
        "client" => "CLIENT",
        "todo-api" => "TODO_API",
        other => panic!("unknown service {other}"),
    }
}

/// Variables docker-compose.yml fixes for the containers instead of taking
/// them from `.env`: their container values differ from `cargo run`'s.
fn container_fixed(service: &str) -> BTreeSet<String> {
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

// ---------------------------------------------------------------------------
// (a) docker-compose accepts the files
// ---------------------------------------------------------------------------

#[test]
fn docker_compose_accepts_the_compose_files() {
    let installed = Command::new("docker-compose").arg("version").output().is_ok_and(|o| o.status.success());
    if !installed {
        assert!(
            std::env::var("E2E_REQUIRE_DOCKER_COMPOSE").as_deref() != Ok("1"),
            "E2E_REQUIRE_DOCKER_COMPOSE=1 but docker-compose is not installed (apt-get install docker-compose)"
        );
        eprintln!("SKIPPED: docker-compose is not installed; set E2E_REQUIRE_DOCKER_COMPOSE=1 to make this a failure");
        return;
    }
    let root = support::root();
    let example = root.join(".env.example");
    let empty = std::env::temp_dir().join(format!("compose-test-empty-{}.env", std::process::id()));
    std::fs::write(&empty, "").unwrap();
    // With no `.env` at all, and with `.env.example` copied to `.env`.
    for env_file in [&empty, &example] {
        for files in [vec![COMPOSE], vec![COMPOSE, SQLITE_OVERRIDE], vec![COMPOSE, SCALE_OVERRIDE]] {
            let mut command = Command::new("docker-compose");
            command.current_dir(&root).arg("--env-file").arg(env_file);
            for file in &files {
                command.args(["-f", file]);
            }
            // The shell's settings must not decide the outcome.
            for name in base().interpolated_variables() {
                command.env_remove(name);
            }
            let output = command.args(["config", "-q"]).output().expect("docker-compose runs");
            assert!(
                output.status.success(),
                "docker-compose {files:?} config -q (env file {}) failed:\n{}{}",
                env_file.display(),
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
    let _ = std::fs::remove_file(empty);
}

// ---------------------------------------------------------------------------
// (b) variables: set ⊆ read ⊆ documented
// ---------------------------------------------------------------------------

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
            let reads = support::variables_read_by(service);
            let set: BTreeSet<String> = compose.service(service).environment.keys().cloned().collect();
            let stray: Vec<_> = set.difference(&reads).collect();
            assert!(
                stray.is_empty(),
                "{file}: {service} is given {stray:?}, which it never reads (it reads {reads:?})"
            );
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

// ---------------------------------------------------------------------------
// (c) URLs, ports, health checks, databases, image
// ---------------------------------------------------------------------------

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

#[test]
fn the_dockerfile_builds_every_member_and_runs_unprivileged() {
    let instructions = support::dockerfile_instructions();
    let text = instructions.join("\n");
    for from in instructions.iter().filter(|i| i.starts_with("FROM ")) {
        let image = from.split_whitespace().nth(1).unwrap();
        let tag = image.split_once(':').map(|(_, t)| t).unwrap_or("");
        assert!(!tag.is_empty() && tag != "latest", "base images are pinned: {from}");
    }
    // The dependency layer needs every workspace member's manifest.
    let manifest: toml::Value = toml::from_str(&support::read("Cargo.toml")).unwrap();
    let members = manifest["workspace"]["members"].as_array().unwrap();
    for member in members {
        let member = member.as_str().unwrap();
        assert!(
            text.contains(&format!("COPY {member}/Cargo.toml")),
            "the Dockerfile does not copy {member}/Cargo.toml"
        );
        assert!(
            instructions.iter().any(|i| {
                i.contains("for crate in") && i.split_whitespace().any(|w| w.trim_end_matches(';') == member)
            }),
            "the Dockerfile's stand-in step does not know the member {member}"
        );
    }
    for service in SERVICES {
        assert!(text.contains(&format!("-p {service}")), "the Dockerfile does not build {service}");
        assert!(text.contains(&format!("target/release/{service}")), "the Dockerfile does not keep {service}");
    }
    let runtime = support::runtime_stage();
    let user = runtime.iter().rev().find_map(|i| i.strip_prefix("USER ")).expect("a USER in the runtime stage");
    assert!(!user.starts_with("root") && !user.starts_with("0"), "the services do not run as root: USER {user}");
    // The clients file compose points the provider to is the repository's.
    let compose = base();
    let clients = &compose.service("provider").environment["PROVIDER_CLIENTS_FILE"];
    let copies = support::runtime_copies_from_context();
    let source = copies.iter().find(|(_, dest)| dest == clients).map(|(src, _)| src);
    assert_eq!(source.map(String::as_str), Some("provider/clients.toml"), "{clients} in the image");

    let ignored = support::read(".dockerignore");
    for needed in ["target/", "data/", ".git/", ".env"] {
        assert!(ignored.lines().any(|l| l.trim() == needed), ".dockerignore must list {needed}");
    }
}

// ---------------------------------------------------------------------------
// (d) the login flow, with the environment Compose gives each service
// ---------------------------------------------------------------------------

/// Runs the three services in this process with `compose`'s environment:
/// each Compose endpoint (`localhost:8080` for the browser, `provider:8080`
/// on the Compose network, …) becomes the service's ephemeral port here;
/// databases become fresh test databases; container paths become the
/// repository's files.
struct Running {
    /// The environment each service was given, after mapping.
    envs: BTreeMap<&'static str, BTreeMap<String, String>>,
    ports: BTreeMap<&'static str, u16>,
    stop: Vec<tokio::sync::oneshot::Sender<()>>,
    tasks: Vec<tokio::task::JoinHandle<std::io::Result<()>>>,
    _scratch: tempdir::TempDir,
}

mod tempdir {
    /// A directory removed on drop.
    pub struct TempDir(pub std::path::PathBuf);
    impl TempDir {
        pub fn new(label: &str) -> Self {
            let suffix = shared::random::random_token().replace(['-', '_'], "");
            let path = std::env::temp_dir().join(format!("compose-{label}-{}", &suffix[..12]));
            std::fs::create_dir_all(&path).unwrap();
            Self(path)
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl Running {
    async fn start(compose: &Compose, label: &str) -> Running {
        let scratch = tempdir::TempDir::new(label);
        let mut listeners = BTreeMap::new();
        let mut ports = BTreeMap::new();
        for service in SERVICES {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            ports.insert(service, listener.local_addr().unwrap().port());
            listeners.insert(service, listener);
        }
        // Where Compose makes each service reachable → where it is here.
        let mut endpoints: Vec<(String, String)> = Vec::new();
        for service in SERVICES {
            let definition = compose.service(service);
            let environment = support::default_environment(definition);
            let container = support::addr_port(&environment[&format!("{}_ADDR", prefix(service))]);
            for (_, host_port, container_port) in definition.ports.iter().map(|p| support::port_mapping(p)) {
                assert_eq!(container_port, container);
                endpoints
                    .push((format!("http://localhost:{host_port}"), format!("http://localhost:{}", ports[service])));
            }
            endpoints.push((format!("http://{service}:{container}"), format!("http://127.0.0.1:{}", ports[service])));
        }
        let map_urls = |value: &str| {
            let mut value = value.to_owned();
            for (from, to) in &endpoints {
                value = value.replace(from, to);
            }
            value
        };
        let copies = support::runtime_copies_from_context();

        let mut envs = BTreeMap::new();
        for service in SERVICES {
            let mut environment = support::default_environment(compose.service(service));
            for (name, value) in environment.iter_mut() {
                *value = if name.ends_with("_ADDR") {
                    format!("127.0.0.1:{}", ports[service])
                } else if name.ends_with("_DATABASE_URL") && value.starts_with("postgres://") {
                    let db = url::Url::parse(value).unwrap().path().trim_start_matches('/').to_owned();
                    shared::db::fresh_test_database(&format!("compose_{db}")).await
                } else if let Some(path) = value.strip_prefix("sqlite:///app/data/") {
                    format!("sqlite://{}/{path}", scratch.0.display())
                } else if name == "PROVIDER_CLIENTS_FILE" {
                    let (source, _) = copies
                        .iter()
                        .find(|(_, dest)| dest == value)
                        .unwrap_or_else(|| panic!("{value} is not put into the image by the Dockerfile"));
                    let mapped = scratch.0.join("clients.toml");
                    std::fs::write(&mapped, map_urls(&support::read(source))).unwrap();
                    mapped.display().to_string()
                } else {
                    map_urls(value)
                };
                assert!(!value.contains("/app/"), "{service}: {name}={value} still points into the container");
            }
            envs.insert(service, environment);
        }

        let env_of = |service: &str| Env::from_pairs(envs[service].clone());
        let provider = provider::App::build_on(
            provider::Config::from_env(&env_of("provider")).expect("the provider accepts compose's environment"),
            listeners.remove("provider").unwrap(),
        )
        .await
        .expect("the provider starts");
        let client = client::App::build_on(
            client::Config::from_env(&env_of("client")).expect("the client accepts compose's environment"),
            listeners.remove("client").unwrap(),
        )
        .await
        .expect("the client starts");
        let todo_api = todo_api::App::build_on(
            todo_api::Config::from_env(&env_of("todo-api")).expect("the todo API accepts compose's environment"),
            listeners.remove("todo-api").unwrap(),
        )
        .await
        .expect("the todo API starts");

        let mut stop = Vec::new();
        let mut shutdown = || {
            let (tx, rx) = tokio::sync::oneshot::channel::<()>();
            stop.push(tx);
            async move {
                let _ = rx.await;
            }
        };
        let tasks = vec![
            tokio::spawn(provider.run_until_stopped(shutdown())),
            tokio::spawn(client.run_until_stopped(shutdown())),
            tokio::spawn(todo_api.run_until_stopped(shutdown())),
        ];

        Running { envs, ports, stop, tasks, _scratch: scratch }
    }

    fn env(&self, service: &str, name: &str) -> &str {
        self.envs[service].get(name).unwrap_or_else(|| panic!("{service} has no {name}"))
    }

    async fn stop(self) {
        for tx in self.stop {
            let _ = tx.send(());
        }
        for task in self.tasks {
            let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
        }
    }
}

/// A redirect's target, made absolute against the request's URL.
fn location(response: &reqwest::Response) -> String {
    let raw = response.headers().get("location").expect("a Location").to_str().unwrap();
    response.url().join(raw).unwrap().to_string()
}

/// The hidden inputs and the action of the first `<form method="post">`.
fn form(html: &str, page: &reqwest::Url) -> (String, Vec<(String, String)>) {
    let form = support::tags(html, "form")
        .into_iter()
        .find(|f| f.get("method").is_some_and(|m| m.eq_ignore_ascii_case("post")))
        .unwrap_or_else(|| panic!("no POST form on {page}:\n{html}"));
    let action = page.join(form.get("action").map(String::as_str).unwrap_or("")).unwrap().to_string();
    let hidden = support::tags(html, "input")
        .into_iter()
        .filter(|i| i.get("type").is_some_and(|t| t == "hidden"))
        .map(|i| (i["name"].clone(), i.get("value").cloned().unwrap_or_default()))
        .collect();
    (action, hidden)
}

/// Where the test's browser finds the running services.
struct Urls {
    provider: String,
    client: String,
    todo_api: String,
    /// (service, the URL its Docker health check probes, mapped here).
    health: Vec<(&'static str, String)>,
}

/// The three services with exactly compose's environments, mapped by this
/// file's [`Running`]: each Compose endpoint follows its service.
async fn login_flow(compose: Compose, label: &str) {
    let system = Running::start(&compose, label).await;
    let health = SERVICES
        .iter()
        .map(|service| {
            let probe = compose.service(service).healthcheck.last().unwrap();
            let port = support::addr_port(
                &support::default_environment(compose.service(service))[&format!("{}_ADDR", prefix(service))],
            );
            (*service, probe.replace(&format!(":{port}/"), &format!(":{}/", system.ports[service])))
        })
        .collect();
    let urls = Urls {
        provider: system.env("provider", "PROVIDER_PUBLIC_URL").to_owned(),
        client: system.env("client", "CLIENT_PUBLIC_URL").to_owned(),
        todo_api: system.env("todo-api", "TODO_API_PUBLIC_URL").to_owned(),
        health,
    };
    drive_login_flow(&urls).await;
    system.stop().await;
}

/// Logs in as demo/demo through the client, approves the consent, and
/// uses the todo API with the access token cookie, as a browser would.
async fn drive_login_flow(urls: &Urls) {
    let client_url = urls.client.clone();
    let provider_url = urls.provider.clone();
    let todo_url = urls.todo_api.clone();

    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let browser = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();

    // What Docker's health checks ask.
    for (service, probe) in &urls.health {
        let status = browser.get(probe).send().await.unwrap().status();
        assert_eq!(status, StatusCode::OK, "{service}: health check {probe}");
    }

    // 1. The client sends the browser to the provider's public URL.
    let response = browser.get(format!("{client_url}/login")).send().await.unwrap();
    assert!(response.status().is_redirection(), "client /login: {}", response.status());
    let mut next = location(&response);
    assert!(next.starts_with(&format!("{provider_url}/oauth2/authorize?")), "client /login → {next}");

    // 2. The provider asks for a login, then for consent.
    let mut logged_in = false;
    let callback = loop {
        let response = browser.get(&next).send().await.unwrap();
        if response.status().is_redirection() {
            next = location(&response);
            if next.starts_with(&format!("{client_url}/callback")) {
                break next;
            }
            continue;
        }
        assert_eq!(response.status(), StatusCode::OK, "GET {next}");
        let page = response.url().clone();
        let html = response.text().await.unwrap();
        let (action, mut fields) = form(&html, &page);
        if html.contains("name=\"password\"") {
            assert!(!logged_in, "asked to log in twice");
            logged_in = true;
            fields.push(("username".into(), "demo".into()));
            fields.push(("password".into(), "demo".into()));
        } else if html.contains("name=\"decision\"") {
            fields.push(("decision".into(), "approve".into()));
        } else {
            panic!("unexpected page {page}:\n{html}");
        }
        let response = browser.post(&action).form(&fields).send().await.unwrap();
        assert!(response.status().is_redirection(), "POST {action}: {}", response.status());
        next = location(&response);
        if next.starts_with(&format!("{client_url}/callback")) {
            break next;
        }
    };
    assert!(logged_in);

    // 3. The client exchanges the code over the back channel and sets the
    //    access token cookie.
    let response = browser.get(&callback).send().await.unwrap();
    assert!(response.status().is_redirection(), "client /callback: {}", response.status());
    let cookies = jar.cookies(&client_url.parse().unwrap()).expect("cookies for the client");
    let access_token = cookies
        .to_str()
        .unwrap()
        .split("; ")
        .find_map(|c| c.strip_prefix("access_token="))
        .expect("an access_token cookie")
        .to_owned();
    let payload = access_token.split('.').nth(1).expect("a JWT");
    let claims: serde_json::Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(claims["iss"], provider_url.as_str(), "the issuer is the public URL");
    let audience = todo_url.as_str();
    let aud_ok = claims["aud"] == audience || claims["aud"].as_array().is_some_and(|a| a.iter().any(|v| v == audience));
    assert!(aud_ok, "aud {} should name the todo API", claims["aud"]);

    // 4. The page's script calls the todo API with the cookie, from the
    //    client's origin.
    let response = browser
        .post(format!("{todo_url}/todos"))
        .header("origin", &client_url)
        .json(&serde_json::json!({"title": "runs in compose"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED, "POST /todos");
    let response = browser.get(format!("{todo_url}/todos")).header("origin", &client_url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "GET /todos");
    assert_eq!(
        response.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()),
        Some(client_url.as_str()),
        "CORS for the client's public origin"
    );
    let todos: serde_json::Value = response.json().await.unwrap();
    assert_eq!(todos[0]["title"], "runs in compose", "{todos}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_login_flow_works_with_compose_environment() {
    login_flow(base(), "postgres").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_login_flow_works_with_the_sqlite_override() {
    login_flow(with_sqlite(), "sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_harness_runs_the_flow_with_compose_environments() {
    // The shared harness (e2e::System) given compose's environments as they
    // are: it swaps ports, URLs and databases itself.
    let compose = base();
    let env_of = |service: &str| Env::from_pairs(support::default_environment(compose.service(service)));
    let envs =
        e2e::ServiceEnvs { provider: env_of("provider"), client: env_of("client"), todo_api: env_of("todo-api") };
    let system = e2e::System::start_with_envs(envs).await.expect("the services start with compose's environments");
    let health_path = |service: &str| {
        let probe = compose.service(service).healthcheck.last().unwrap();
        url::Url::parse(probe).unwrap().path().to_owned()
    };
    let urls = Urls {
        provider: system.provider.public_url.clone(),
        client: system.client.public_url.clone(),
        todo_api: system.todo_api.public_url.clone(),
        health: vec![
            ("provider", system.provider.url(&health_path("provider"))),
            ("client", system.client.url(&health_path("client"))),
            ("todo-api", system.todo_api.url(&health_path("todo-api"))),
        ],
    };
    drive_login_flow(&urls).await;
    system.stop().await;
}

#[test]
fn the_lab_is_published_on_loopback_as_another_site_and_gets_only_what_it_reads() {
    let compose = base();
    let lab = compose.service("lab");
    let reads = support::variables_read_by("lab");
    let set: BTreeSet<String> = lab.environment.keys().cloned().collect();
    let stray: Vec<_> = set.difference(&reads).collect();
    assert!(stray.is_empty(), "{COMPOSE}: the lab is given {stray:?}, which it never reads (it reads {reads:?})");
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
    let reads = support::variables_read_by("spa");
    let set: BTreeSet<String> = spa.environment.keys().cloned().collect();
    let stray: Vec<_> = set.difference(&reads).collect();
    assert!(stray.is_empty(), "{COMPOSE}: the spa is given {stray:?}, which it never reads (it reads {reads:?})");
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
