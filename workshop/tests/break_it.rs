//! Module 8's "break it" exercise, done by the test suite: patch 01 removes
//! the todo API's audience check; the patched todo API, built from a copy of
//! the tree, lets the lab's `wrong-audience` attack through, while the same
//! attack is blocked by the shipped todo API.
//!
//! The copy is built in its own target directory, `target/workshop-break-it`
//! (Cargo holds this test run's lock on the main one). The first time, it is
//! seeded with hard links to the main one's compiled dependencies; a
//! dependency whose features differ for this one binary still compiles
//! once (about two minutes on two cores in a clean clone), and every later
//! run compiles only the copied crates (about ten seconds).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use e2e::{Options, System};

const PATCH: &str = "workshop/patches/01-api-skips-the-audience-check.patch";

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().expect("the repository")
}

/// `target/<profile>` of this test run.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its path");
    exe.parent().and_then(Path::parent).expect("target/<profile>/deps/<test>").to_owned()
}

/// The workspace's sources (what git tracks, as they are now), without
/// any build output.
fn copy_sources(to: &Path) {
    let root = repository();
    let listed = Command::new("git")
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        .current_dir(&root)
        .output()
        .expect("git lists the files");
    assert!(listed.status.success(), "git ls-files: {}", String::from_utf8_lossy(&listed.stderr));
    for file in listed.stdout.split(|b| *b == 0).filter(|f| !f.is_empty()) {
        let relative = Path::new(std::str::from_utf8(file).expect("a UTF-8 path"));
        let (from, dest) = (root.join(relative), to.join(relative));
        if !from.is_file() {
            continue; // deleted in the working tree
        }
        std::fs::create_dir_all(dest.parent().expect("a parent")).expect("a directory");
        std::fs::copy(&from, &dest).expect("copy a source file");
    }
}

/// A target directory whose compiled dependencies are hard links to this
/// run's: Cargo finds them fresh and compiles only the copied crates.
fn seed_target(profile: &Path, target: &Path) {
    let into = target.join(profile.file_name().expect("a profile name"));
    for dir in ["deps", "build", ".fingerprint"] {
        std::fs::create_dir_all(into.join(dir)).expect("a directory");
        let status = Command::new("cp")
            .args(["-al", "--no-target-directory"])
            .arg(profile.join(dir))
            .arg(into.join(dir))
            .status()
            .expect("cp runs");
        assert!(status.success(), "hard-linking {dir}");
    }
}

/// The patched todo API, killed when the test ends.
struct Patched(Child);

impl Drop for Patched {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_lab_s_wrong_audience_attack_succeeds_against_a_todo_api_built_with_patch_01() {
    let scratch = tempfile::Builder::new().prefix("workshop-break-it-").tempdir().expect("a scratch directory");
    let tree = scratch.path().join("tree");
    copy_sources(&tree);
    let applied = Command::new("git").arg("apply").arg(tree.join(PATCH)).current_dir(&tree).output().expect("git");
    assert!(applied.status.success(), "{PATCH} applies: {}", String::from_utf8_lossy(&applied.stderr));

    let profile = profile_dir();
    let target = profile.parent().expect("the target directory").join("workshop-break-it");
    if !target.join(profile.file_name().expect("a profile name")).join(".fingerprint").exists() {
        seed_target(&profile, &target);
    }
    let started = Instant::now();
    let mut build = Command::new(env!("CARGO"));
    build.args(["build", "--offline", "--locked", "-q", "-p", "todo-api", "--bin", "todo-api"]);
    if profile.file_name().is_some_and(|p| p == "release") {
        build.arg("--release");
    }
    let built = build.arg("--target-dir").arg(&target).current_dir(&tree).output().expect("cargo runs");
    assert!(built.status.success(), "the patched todo API builds:\n{}", String::from_utf8_lossy(&built.stderr));
    eprintln!("the patched todo API built in {:.0?}", started.elapsed());
    let binary = target.join(profile.file_name().expect("a profile")).join("todo-api");

    // The shipped services, and the patched todo API beside them.
    let system = System::start(Options::default()).await.expect("the system starts");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("an address").port();
    drop(listener);
    let patched_url = format!("http://localhost:{port}");
    let api = Command::new(&binary)
        .env_clear()
        .env("TODO_API_ADDR", format!("127.0.0.1:{port}"))
        .env("TODO_API_PUBLIC_URL", &patched_url)
        .env("PROVIDER_PUBLIC_URL", &system.provider.public_url)
        .env("PROVIDER_INTERNAL_URL", &system.provider.internal_url)
        .env("CLIENT_PUBLIC_URL", &system.client.public_url)
        .env("TODO_API_DATABASE_URL", format!("sqlite://{}?mode=rwc", scratch.path().join("todos.db").display()))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the patched todo API starts");
    let _api = Patched(api);
    let healthy = async {
        for _ in 0..300 {
            if reqwest::get(format!("{patched_url}/healthz")).await.is_ok_and(|r| r.status().is_success()) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    };
    assert!(healthy.await, "the patched todo API answers /healthz");

    let config = |todo_api_url: &str| {
        Arc::new(lab::Config {
            provider_public_url: system.provider.public_url.clone(),
            provider_internal_url: system.provider.internal_url.clone(),
            client_public_url: system.client.public_url.clone(),
            todo_api_public_url: todo_api_url.to_owned(),
            todo_api_audience: todo_api_url.to_owned(),
            addr: "127.0.0.1:0".into(),
            public_url: "http://127.0.0.1:6660".into(),
        })
    };
    let key = Arc::new(lab::forge::AttackerKey::generate().expect("a key"));
    let attack = [&lab::attacks::wrong_audience::ATTACK];

    let against_patched = lab::cli::run(config(&patched_url), key.clone(), &attack).await;
    assert!(against_patched[0].succeeded(), "wrong-audience against the patched API: {}", against_patched[0].because);
    assert_eq!(lab::cli::exit_code(&against_patched), 1, "`lab run` exits 1 when an attack succeeds");

    let against_shipped = lab::cli::run(config(&system.todo_api.public_url), key, &attack).await;
    assert!(against_shipped[0].blocked(), "the shipped todo API blocks it: {}", against_shipped[0].because);
    system.stop().await;
}
