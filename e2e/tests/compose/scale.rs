//! `docker-compose.scale.yml`: two providers and two todo APIs behind nginx,
//! checked as the main file is — replicas configured alike, balancers from
//! an official image with their configuration in the repository, ports and
//! names that line up — and the replicas' environments run the flow.

use std::collections::BTreeMap;

use shared::config::Env;

use crate::flow::run_the_flow;
use crate::support::{self, Compose};
use crate::{COMPOSE, SCALE_OVERRIDE, base, config_of};

fn scaled() -> Compose {
    base().merged(Compose::load(SCALE_OVERRIDE))
}

/// Each replicated service: (replica A, replica B, balancer, prefix of its
/// bind-address variable).
const REPLICATED: [(&str, &str, &str, &str); 2] = [
    ("provider", "provider-b", "provider-balancer", "PROVIDER"),
    ("todo-api", "todo-api-b", "todo-api-balancer", "TODO_API"),
];

/// An environment without its bind address.
fn without_addr(environment: &BTreeMap<String, String>, prefix: &str) -> BTreeMap<String, String> {
    let mut environment = environment.clone();
    environment.remove(&format!("{prefix}_ADDR"));
    environment
}

#[test]
fn replica_b_is_replica_a_on_another_address() {
    let compose = scaled();
    for (a, b, _, prefix) in REPLICATED {
        let (a, b) = (compose.service(a), compose.service(b));
        assert_eq!(b.image, a.image, "{SCALE_OVERRIDE}: the replicas run one image");
        assert!(b.build.is_none(), "{SCALE_OVERRIDE}: replica B uses the image A builds");
        assert_eq!(b.command, a.command);
        assert_eq!(without_addr(&b.environment, prefix), without_addr(&a.environment, prefix), "same settings");
        // And the two configure the service the same way, address apart.
        let config = |service: &support::Service| {
            let mut environment = support::default_environment(service);
            environment.insert(format!("{prefix}_ADDR"), "0.0.0.0:1".into());
            for value in environment.values_mut() {
                if let Some((source, _)) = support::runtime_copies_from_context().iter().find(|(_, dest)| dest == value)
                {
                    *value = support::root().join(source).display().to_string();
                }
            }
            let name = if prefix == "PROVIDER" { "provider" } else { "todo-api" };
            config_of(name, &Env::from_pairs(environment)).expect("a valid configuration")
        };
        assert_eq!(config(a), config(b));
        // Every replica's health check probes the port it binds.
        for replica in [a, b] {
            let port = support::addr_port(&support::default_environment(replica)[&format!("{prefix}_ADDR")]);
            let probe = replica.healthcheck.last().expect("a health check");
            assert_eq!(support::host_port(probe).1, port, "{SCALE_OVERRIDE}: {probe} probes another port than {port}");
        }
    }
}

#[test]
fn the_balancers_are_official_nginx_in_replica_a_s_network_with_a_config_from_the_repo() {
    let compose = scaled();
    for (a, b, balancer, prefix) in REPLICATED {
        let service = compose.service(balancer);
        let image = service.image.as_deref().unwrap_or_default();
        assert!(image.starts_with("nginx:"), "{balancer}: an official image, not {image:?}");
        assert!(service.build.is_none());
        assert_eq!(service.network_mode.as_deref(), Some(format!("service:{a}").as_str()));
        let mount =
            service.volumes.iter().find(|v| v.ends_with(":/etc/nginx/conf.d/default.conf:ro")).expect("a config");
        let source = mount.split(':').next().unwrap_or_default().trim_start_matches("./");
        let conf = support::read(source);

        // It listens where A listened in docker-compose.yml (the published
        // port, the name others use) and forwards to where A and B are now.
        let published = base().service(a).ports.iter().map(|p| support::port_mapping(p).2).next().expect("a port");
        assert!(conf.contains(&format!("listen {published};")), "{source} listens on {published}");
        let a_port = support::addr_port(&support::default_environment(compose.service(a))[&format!("{prefix}_ADDR")]);
        let b_port = support::addr_port(&support::default_environment(compose.service(b))[&format!("{prefix}_ADDR")]);
        assert_ne!(a_port, published, "A moved off the balancer's port");
        assert!(conf.contains(&format!("server 127.0.0.1:{a_port}")), "{source} forwards to A on {a_port}");
        assert!(conf.contains(&format!("server {b}:{b_port}")), "{source} forwards to {b}:{b_port}");
        assert!(!conf.contains("ip_hash") && !conf.contains("sticky"), "{source}: no sticky sessions");
    }
    // Nothing in the main file changes its meaning: the others still call
    // the provider by its name.
    for service in ["client", "todo-api", "lab"] {
        assert_eq!(base().service(service).environment["PROVIDER_INTERNAL_URL"], "http://provider:8080", "{COMPOSE}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replica_b_s_environments_run_the_flow() {
    // The harness given replica B's environments (it swaps ports, URLs and
    // databases): B alone is a working provider and todo API.
    run_the_flow(&scaled(), ["provider-b", "client", "todo-api-b"]).await;
}
