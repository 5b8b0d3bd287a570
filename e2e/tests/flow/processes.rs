//! The shipped binaries as child processes, configured only by the
//! environment each test gives them.
//!
//! The binaries are found next to the test's executable, in the same
//! target directory; build them first with `cargo build --workspace --bins`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Child processes; killed when dropped, also when the test panics.
pub struct Processes {
    children: Vec<(&'static str, Child)>,
    dir: tempfile::TempDir,
}

impl Drop for Processes {
    fn drop(&mut self) {
        for (_, child) in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Processes {
    /// No process yet; logs (and anything else) go to a fresh directory
    /// named after `label`, removed at the end.
    pub fn new(label: &str) -> Self {
        let dir = tempfile::Builder::new().prefix(&format!("oauth-e2e-{label}-")).tempdir().expect("a temp dir");
        Self { children: Vec::new(), dir }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Kills `name` with SIGKILL: no shutdown, no flushing, as a crash.
    pub fn kill(&mut self, name: &str) {
        if let Some((_, child)) = self.children.iter_mut().find(|(n, _)| *n == name) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the binary `name` with exactly `env`.
    pub fn spawn(&mut self, name: &'static str, env: &[(&str, String)]) {
        self.spawn_as(name, name, env);
    }

    /// Starts the binary `program` under another `name` (a second replica).
    pub fn spawn_as(&mut self, name: &'static str, program: &str, env: &[(&str, String)]) {
        let log = std::fs::File::create(self.log_path(name)).expect("a log file");
        let child = Command::new(binary(program))
            // Only what we pass: no variable of this shell, no `.env` of the checkout.
            .env_clear()
            .envs(env.iter().map(|(name, value)| (*name, value.as_str())))
            .env("RUST_LOG", "warn")
            .current_dir(&self.dir)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        self.children.push((name, child));
    }

    fn log_path(&self, name: &str) -> PathBuf {
        self.dir.path().join(format!("{name}.log"))
    }

    /// Waits until `name` answers `/healthz`, failing with its log if it exits.
    pub async fn wait_until_healthy(&mut self, name: &str, base_url: &str) {
        let http = reqwest::Client::new();
        for _ in 0..300 {
            if let Ok(response) = http.get(format!("{base_url}/healthz")).send().await
                && response.status().is_success()
            {
                return;
            }
            let (_, child) = self.children.iter_mut().find(|(n, _)| *n == name).expect("spawned");
            if let Ok(Some(status)) = child.try_wait() {
                let log = std::fs::read_to_string(self.log_path(name)).unwrap_or_default();
                panic!("{name} exited with {status}:\n{log}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{name} did not answer {base_url}/healthz within 30 s");
    }
}

/// `target/<profile>/<name>`: the test runs from `target/<profile>/deps/`.
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its path");
    let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>/deps/<test>");
    let path = profile_dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: build the binaries first with `cargo build --workspace --bins` \
         (with the same CARGO_TARGET_DIR and profile as the tests)",
        path.display()
    );
    path
}
