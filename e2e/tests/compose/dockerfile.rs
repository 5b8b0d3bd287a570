//! The image: every workspace member is built, and it runs unprivileged.

use crate::support::{self, SERVICES};
use crate::*;

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
