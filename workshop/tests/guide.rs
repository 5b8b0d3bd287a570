//! The workshop, run as a learner would run it: every ` ```sh ` block of
//! every module, in order, against a started system, each output compared
//! with the ` ```text ` block after it; every ` ```browser ` step done by a
//! scripted browser; every path and item the guide cites looked up; every
//! patch checked to apply; and one patch built into a service, to watch the
//! lab's attack succeed against it.
//!
//! The guide shows the default URLs (http://localhost:8080 and so on); this
//! test runs the services on free ports and rewrites the URLs, in commands
//! and in expected output alike.

use std::path::{Path, PathBuf};
use std::process::Command;

use e2e::{Options, System};
use reqwest::StatusCode;
use workshop::{BrowserStep, Kind, Step};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().expect("the repository")
}

/// `workshop/NN-name.md`, in order.
fn modules() -> Vec<PathBuf> {
    let dir = repository().join("workshop");
    let mut modules: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("workshop/")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            name.ends_with(".md") && name.len() > 3 && name[..2].chars().all(|c| c.is_ascii_digit())
        })
        .collect();
    modules.sort();
    modules
}

/// A shipped binary of this workspace, next to this test's executable.
fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its path");
    let path = exe.parent().and_then(Path::parent).expect("target/<profile>/deps").join(name);
    assert!(path.exists(), "{} is missing: build it with `cargo build --workspace --bins`", path.display());
    path
}

/// The system the guide talks to, and how its text maps onto it.
struct Running {
    system: System,
    spa_url: String,
    rewrites: Vec<(String, String)>,
}

impl Running {
    async fn start(clients_file: &Path) -> Running {
        // The SPA's port first: the provider must know its redirect URI and
        // web origin (provider/clients.toml), and the todo API its origin.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port for the spa");
        let spa_url = format!("http://localhost:{}", listener.local_addr().expect("an address").port());
        // The SPA's registration gains this port beside the shipped one
        // (the lab's attacks use the shipped one).
        let shipped = "\"http://localhost:5173/callback\"";
        let clients =
            provider::config::DEFAULT_CLIENTS_TOML.replacen(shipped, &format!("{shipped}, \"{spa_url}/callback\""), 1);
        std::fs::write(clients_file, clients).expect("write the clients file");
        let options = Options::default()
            .provider("PROVIDER_CLIENTS_FILE", &clients_file.display().to_string())
            .todo_api("SPA_PUBLIC_URL", &spa_url);
        let system = System::start(options).await.expect("the system starts");
        let env = shared::config::Env::from_pairs([
            ("SPA_PUBLIC_URL", spa_url.as_str()),
            ("PROVIDER_PUBLIC_URL", system.provider.public_url.as_str()),
            ("TODO_API_PUBLIC_URL", system.todo_api.public_url.as_str()),
        ]);
        let spa = spa::App::build_on(spa::Config::from_env(&env).expect("the spa's settings"), listener)
            .expect("the spa starts");
        tokio::spawn(spa.run_until_stopped(std::future::pending()));
        let lab = binary("lab").display().to_string();
        let rewrites = vec![
            ("http://localhost:8080".to_owned(), system.provider.public_url.clone()),
            ("http://localhost:3000".to_owned(), system.client.public_url.clone()),
            ("http://localhost:4000".to_owned(), system.todo_api.public_url.clone()),
            ("http://localhost:5173".to_owned(), spa_url.clone()),
            ("cargo run -q -p lab --".to_owned(), lab),
        ];
        Running { system, spa_url, rewrites }
    }

    fn rewrite(&self, text: &str) -> String {
        self.rewrites.iter().fold(text.to_owned(), |text, (from, to)| text.replace(from, to))
    }

    /// What the services read, so that `lab` finds them.
    fn environment(&self) -> Vec<(&'static str, String)> {
        vec![
            ("PROVIDER_PUBLIC_URL", self.system.provider.public_url.clone()),
            ("PROVIDER_INTERNAL_URL", self.system.provider.internal_url.clone()),
            ("CLIENT_PUBLIC_URL", self.system.client.public_url.clone()),
            ("TODO_API_PUBLIC_URL", self.system.todo_api.public_url.clone()),
            ("SPA_PUBLIC_URL", self.spa_url.clone()),
        ]
    }
}

/// The learner's shell: the variables a block sets are there for the next.
struct Shell {
    state: tempfile::NamedTempFile,
    environment: Vec<(&'static str, String)>,
}

impl Shell {
    fn new(environment: Vec<(&'static str, String)>) -> Shell {
        Shell { state: tempfile::NamedTempFile::new().expect("a state file"), environment }
    }

    /// Runs `code` in bash (`set -euo pipefail`) from the repository root,
    /// with the variables of the blocks before; returns the exit status and
    /// what the learner would see (stdout and stderr).
    fn run(&self, code: &str) -> (bool, String) {
        let state = self.state.path().display();
        let script = format!(
            "set -a\nsource '{state}'\nset -euo pipefail\nexec 2>&1\ncd '{}'\n{code}\nexport -p > '{state}'\n",
            repository().display()
        );
        let output = Command::new("bash")
            .arg("-c")
            .arg(script)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", std::env::var("HOME").unwrap_or_default())
            .env("LC_ALL", "C")
            .envs(self.environment.iter().map(|(k, v)| (*k, v.as_str())))
            .output()
            .expect("bash runs");
        (output.status.success(), String::from_utf8_lossy(&output.stdout).into_owned())
    }

    fn set(&self, name: &str, value: &str) {
        let line = format!("export {name}='{}'\n", value.replace('\'', "'\\''"));
        let mut state = std::fs::read_to_string(self.state.path()).unwrap_or_default();
        state.push_str(&line);
        std::fs::write(self.state.path(), state).expect("write the shell state");
    }
}

/// A browser step as a person would do it: open, sign in, approve, and
/// note the address the provider sends the browser to.
async fn browse(running: &Running, shell: &Shell, step: &BrowserStep) -> Result<(), String> {
    let url = match step.open.strip_prefix('$') {
        Some(name) => shell.run(&format!("printf %s \"${name}\"")).1,
        None => running.rewrite(&step.open),
    };
    let system = &running.system;
    let browser =
        e2e::Browser::for_urls(&system.client.public_url, &system.provider.public_url, &system.todo_api.public_url);
    let mut response = browser.get(&url).await;
    for _ in 0..10 {
        let status = response.status();
        if status.is_redirection() {
            let next = e2e::browser::location(&response);
            if !next.starts_with(&system.provider.public_url) {
                shell.set(&step.save_as, &next);
                return Ok(());
            }
            response = browser.get(&next).await;
            continue;
        }
        if status != StatusCode::OK {
            return Err(format!("{url}: HTTP {status}: {}", response.text().await.unwrap_or_default()));
        }
        let page = response.url().clone();
        let html = response.text().await.unwrap_or_default();
        let form = testkit::html::first_form(&html).ok_or(format!("no form on {page}: {html}"))?;
        let mut fields = form.fields.clone();
        if html.contains("name=\"password\"") {
            fields.retain(|(name, _)| name != "username" && name != "password");
            fields.push(("username".into(), step.user.clone()));
            fields.push(("password".into(), step.user.clone()));
        } else if html.contains("name=\"decision\"") {
            fields.push(("decision".into(), "approve".into()));
        } else {
            return Err(format!("{page} is neither a login nor a consent page: {html}"));
        }
        let action = page.join(&form.action).map_err(|e| e.to_string())?;
        response = browser.http().post(action).form(&fields).send().await.map_err(|e| e.to_string())?;
    }
    Err(format!("{url}: the browser never left the provider"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_command_of_the_guide_prints_what_the_guide_says() {
    let modules = modules();
    assert!(modules.len() >= 11, "modules 00 to 10: {modules:?}");
    let clients_file = tempfile::NamedTempFile::new().expect("a clients file");
    let running = Running::start(clients_file.path()).await;
    let mut failures = Vec::new();
    // One shell for the whole guide, as a learner keeps one terminal open:
    // module 3 redeems the code module 2 obtained.
    let shell = Shell::new(running.environment());
    for module in &modules {
        let name = module.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        let markdown = std::fs::read_to_string(module).expect("a module");
        for step in workshop::steps(&markdown) {
            let Step { kind, code, expected, line } = step;
            match kind {
                Kind::Sh => {
                    let (succeeded, output) = shell.run(&running.rewrite(&code));
                    if !succeeded {
                        failures.push(format!("{name}:{line}: the commands failed:\n{code}\n--- output ---\n{output}"));
                        // What follows builds on this step.
                        break;
                    }
                    if let Some(expected) = expected {
                        let expected = running.rewrite(&expected);
                        if !workshop::matches(&expected, &output) {
                            failures.push(format!(
                                "{name}:{line}: the output is not the guide's:\n{code}\n--- expected ---\n{expected}\n--- got ---\n{output}"
                            ));
                        }
                    }
                }
                Kind::Browser => {
                    let parsed = BrowserStep::parse(&code).map_err(|e| format!("{name}:{line}: {e}"));
                    let done = match parsed {
                        Ok(step) => browse(&running, &shell, &step).await.map_err(|e| format!("{name}:{line}: {e}")),
                        Err(e) => Err(e),
                    };
                    if let Err(e) = done {
                        failures.push(e);
                        break;
                    }
                }
            }
        }
    }
    running.system.stop().await;
    assert!(failures.is_empty(), "{} step(s) of the guide failed:\n\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn every_path_and_item_the_guide_cites_exists() {
    let root = repository();
    let mut files = modules();
    files.push(root.join("workshop/README.md"));
    let mut missing = Vec::new();
    let mut cited = 0;
    for file in files {
        let markdown = std::fs::read_to_string(&file).expect("a guide file");
        let citations = workshop::citations(&markdown);
        cited += citations.paths.len() + citations.items.len();
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        missing.extend(citations.paths.iter().filter(|p| !root.join(p).exists()).map(|p| format!("{name}: {p}")));
        missing.extend(
            citations.items.iter().filter(|i| !workshop::item_exists(&root, i)).map(|i| format!("{name}: {i}")),
        );
    }
    assert!(cited > 50, "the guide cites the code it teaches ({cited} citations)");
    assert!(missing.is_empty(), "the guide cites what does not exist:\n{}", missing.join("\n"));
}

#[test]
fn every_patch_applies_to_the_tree() {
    let root = repository();
    let patches: Vec<PathBuf> = std::fs::read_dir(root.join("workshop/patches"))
        .expect("workshop/patches/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "patch"))
        .collect();
    assert!(patches.len() >= 3, "the break-it exercises: {patches:?}");
    for patch in patches {
        let output = Command::new("git")
            .args(["apply", "--check", "-v"])
            .arg(&patch)
            .current_dir(&root)
            .output()
            .expect("git runs");
        assert!(
            output.status.success(),
            "{} does not apply: {}",
            patch.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
