//! (a) `docker-compose config` accepts the files, with and without `.env`.

use std::process::Command;

use crate::{COMPOSE, SCALE_OVERRIDE, SQLITE_OVERRIDE, base, support};

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
    // An empty env file, removed when `empty` is dropped at the end.
    let empty = tempfile::Builder::new().prefix("compose-test-empty-").suffix(".env").tempfile().unwrap();
    // With no `.env` at all, and with `.env.example` copied to `.env`.
    for env_file in [empty.path(), example.as_path()] {
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
}
