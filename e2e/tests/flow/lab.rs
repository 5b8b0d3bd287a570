//! The attack lab against the real system: every attack is blocked.
//!
//! The lab's own tests (lab/tests/standins) show each attack succeeding
//! against a vulnerable stand-in; here the same attacks meet the shipped
//! provider, client app and todo API. The lab runs as `127.0.0.1` and the
//! system as `localhost`, so they are different sites, as for a real
//! attacker.

use std::process::Command;
use std::sync::Arc;

use e2e::{Options, System};
use fantoccini::Locator;
use serde_json::Value;
use testkit::db::TestDatabase;
use testkit::serve::{Port, Running};

use crate::chromium::{
    chromedriver, close_chromium, inject_token_thief, open_chromium, screenshot_dir, sign_in_and_approve, start_driver,
};

/// The lab's configuration for this system, the lab itself at `lab_url`.
fn lab_config(system: &System, lab_url: &str) -> lab::Config {
    lab::Config {
        provider_public_url: system.provider.public_url.clone(),
        provider_internal_url: system.provider.internal_url.clone(),
        client_public_url: system.client.public_url.clone(),
        todo_api_public_url: system.todo_api.public_url.clone(),
        todo_api_audience: system.configs.todo_api.audience.clone(),
        addr: "127.0.0.1:0".into(),
        public_url: lab_url.to_owned(),
    }
}

/// `lab serve` in this test, on a port chosen by the OS.
async fn serve_lab(config: impl FnOnce(&str) -> lab::Config) -> (String, Arc<lab::forge::AttackerKey>) {
    let port = Port::free().await;
    let url = port.url().to_owned();
    let lab = lab::Lab::build_on(config(&url), port.into_listener()).expect("the lab starts");
    let key = lab.key();
    Running::spawn(|stopped| async move { lab.run_until_stopped(stopped).await.expect("the lab runs") });
    (url, key)
}

fn assert_all_blocked(reports: &[lab::Report]) {
    let not_blocked: Vec<String> =
        reports.iter().filter(|r| !r.blocked()).map(|r| format!("{} {}: {}", r.id, r.verdict, r.because)).collect();
    assert!(not_blocked.is_empty(), "attacks not blocked:\n{}", not_blocked.join("\n"));
}

#[tokio::test]
async fn every_attack_of_the_lab_is_blocked_by_the_real_system() {
    let system = System::start(Options::default()).await.expect("the system starts");
    let config = Arc::new(lab_config(&system, "http://127.0.0.1:6660"));
    let key = Arc::new(lab::forge::AttackerKey::generate().expect("a key"));
    let reports = lab::cli::run(config, key, lab::attacks::ALL).await;
    assert_eq!(reports.len(), lab::attacks::ALL.len());
    assert_all_blocked(&reports);
    assert_eq!(lab::cli::exit_code(&reports), 0);
    for report in &reports {
        let text = serde_json::to_string(&report.transcript).expect("JSON");
        assert!(!text.contains("todo-app-secret"), "{}: the transcript shows a client secret", report.id);
    }
}

#[tokio::test]
async fn the_todo_api_refuses_expired_and_future_tokens_even_when_it_trusts_their_key() {
    // The todo API fetches its keys from PROVIDER_INTERNAL_URL; pointed at
    // the lab, it trusts the attacker's key, so only exp and nbf stand
    // between the forged tokens and the todos.
    let system = System::start(Options::default()).await.expect("the system starts");
    let (lab_url, key) = serve_lab(|url| lab_config(&system, url)).await;
    let mut config = system.configs.todo_api.clone();
    config.provider_internal_url = lab_url.clone();
    config.leeway = std::time::Duration::ZERO;
    let database = TestDatabase::fresh("e2e_lab_todo_api").await;
    config.database_url = database.url.clone();
    let port = Port::free().await;
    // On `localhost`, the system's site, not the lab's.
    let api_url = format!("http://localhost:{}", port.number());
    let api = todo_api::App::build_on(config, port.into_listener()).await.expect("the todo API starts");
    Running::spawn(|stopped| async move { api.run_until_stopped(stopped).await.expect("the todo API runs") });

    let config = Arc::new(lab::Config { todo_api_public_url: api_url, ..lab_config(&system, &lab_url) });
    let time_attacks = [&lab::attacks::expired_token::ATTACK, &lab::attacks::not_yet_valid_token::ATTACK];
    let reports = lab::cli::run(config, key, &time_attacks).await;
    assert_all_blocked(&reports);
    for report in &reports {
        assert!(
            !report.because.contains("refused for its key"),
            "{}: refused for the time claim: {}",
            report.id,
            report.because
        );
    }
}

#[tokio::test]
async fn the_shipped_lab_binary_runs_all_attacks_and_exits_zero() {
    let system = System::start(Options::default()).await.expect("the system starts");
    let exe = std::env::current_exe().expect("the test knows its path");
    let binary = exe.parent().and_then(std::path::Path::parent).expect("target/<profile>/deps").join("lab");
    assert!(binary.exists(), "{} is missing: build it with `cargo build --workspace --bins`", binary.display());
    let system_for_blocking = (
        system.provider.public_url.clone(),
        system.provider.internal_url.clone(),
        system.client.public_url.clone(),
        system.todo_api.public_url.clone(),
    );
    let output = tokio::task::spawn_blocking(move || {
        let (provider, internal, client, todo_api) = system_for_blocking;
        Command::new(binary)
            .args(["run", "all", "--json"])
            .env_clear()
            .env("PROVIDER_PUBLIC_URL", provider)
            .env("PROVIDER_INTERNAL_URL", internal)
            .env("CLIENT_PUBLIC_URL", client)
            .env("TODO_API_PUBLIC_URL", todo_api)
            .current_dir(std::env::temp_dir())
            .output()
            .expect("lab runs")
    })
    .await
    .expect("the process ends");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "lab run all exits 0:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let reports: Vec<Value> = serde_json::from_str(&stdout).expect("a JSON array");
    assert_eq!(reports.len(), lab::attacks::ALL.len());
    let repository = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for report in &reports {
        assert_eq!(report["verdict"], "blocked", "{report}");
        assert!(report["id"].is_string() && report["rule"].is_string(), "{report}");
        let enforced_in = report["enforced_in"].as_str().expect("a path");
        assert!(repository.join(enforced_in).is_file(), "{enforced_in} exists");
    }
}

#[tokio::test]
async fn the_lab_page_runs_the_browser_attacks_in_chromium_and_all_are_blocked() {
    let Some(chromedriver) = chromedriver() else { return };
    let system = System::start(Options::default()).await.expect("the system starts");
    let (lab_url, _) = serve_lab(|url| lab_config(&system, url)).await;
    let driver = start_driver(&chromedriver).await;
    let browser = open_chromium(&driver, "1200,1400").await;

    // The victim is logged in at the client: their browser has an
    // access_token cookie for localhost.
    browser.goto(&system.client.url("/login")).await.expect("open the client's login");
    sign_in_and_approve(&browser).await;
    browser.wait().for_element(Locator::Css("#todos")).await.expect("logged in at the client");

    // Then they visit the attacker's site.
    browser.goto(&lab_url).await.expect("open the lab");
    let png = browser.screenshot().await.expect("a screenshot");
    std::fs::write(screenshot_dir().join("lab-top.png"), png).expect("save the screenshot");
    for id in ["cors-read", "clickjacking", "token-theft"] {
        let button = format!("#{id} button.run");
        browser.find(Locator::Css(&button)).await.expect("a Run button").click().await.expect("run");
        let verdict = format!("#{id} .verdict[data-verdict]");
        let verdict = browser.wait().for_element(Locator::Css(&verdict)).await.expect("a verdict");
        let shown = verdict.attr("data-verdict").await.expect("an attribute");
        let card = browser.find(Locator::Css(&format!("#{id}"))).await.expect("the card").text().await.expect("text");
        assert_eq!(shown.as_deref(), Some("blocked"), "{id}: {card}");
        if id == "cors-read" {
            assert!(card.contains("refused by the browser"), "the browser itself refused the read: {card}");
        }
    }
    let card = browser.find(Locator::Css("#cors-read")).await.expect("the card");
    card.find(Locator::Css("details summary")).await.expect("the transcript").click().await.expect("open it");
    let png = browser.screenshot().await.expect("a screenshot");
    std::fs::write(screenshot_dir().join("lab-page.png"), png).expect("save the screenshot");
    let inject = browser.find(Locator::Css("#token-theft details.inject")).await.expect("the script to paste");
    inject.find(Locator::Css("summary")).await.expect("its summary").click().await.expect("open it");
    let shown = inject.find(Locator::Css("pre")).await.expect("the script").text().await.expect("text");
    assert!(shown.contains("localStorage"), "the page shows the injected script: {shown}");
    let card = browser.find(Locator::Css("#token-theft")).await.expect("the card");
    let png = card.screenshot().await.expect("a screenshot of the card");
    std::fs::write(screenshot_dir().join("lab-token-theft.png"), png).expect("save the screenshot");
    let framed = browser.find(Locator::Css("#clickjacking")).await.expect("the card");
    let png = framed.screenshot().await.expect("a screenshot of the card");
    std::fs::write(screenshot_dir().join("lab-clickjacking.png"), png).expect("save the screenshot");

    close_chromium(browser, driver).await;
    system.stop().await;
}

/// The token-theft attack is real: on a page that keeps its token in
/// `localStorage` (the seed's pattern, a stand-in served by this test) the
/// same injected script that finds nothing on the system's pages steals it.
#[tokio::test]
async fn the_injected_script_steals_the_token_a_page_keeps_in_local_storage() {
    let Some(chromedriver) = chromedriver() else { return };
    const TOKEN: &str = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJkZW1vIn0.c2lnbmF0dXJl";
    let seed_page = axum::response::Html(format!(
        "<!doctype html><title>Seed todo page</title><script>localStorage.setItem('access_token', '{TOKEN}');</script>"
    ));
    let port = Port::free().await;
    let url = format!("{}/", port.url());
    let router = axum::Router::new().route("/", axum::routing::get(move || async move { seed_page }));
    port.serve(router);
    let driver = start_driver(&chromedriver).await;
    let browser = open_chromium(&driver, "800,600").await;

    browser.goto(&url).await.expect("open the stand-in");
    let loot = inject_token_thief(&browser).await;

    let finding = lab::attacks::token_theft::verdict(&loot);
    assert_eq!(finding.verdict, lab::Verdict::Succeeded, "{}", finding.because);
    assert!(
        loot.iter()
            .any(|l| l.place == "localStorage.access_token" && TOKEN.starts_with(l.preview.trim_end_matches('…'))),
        "{loot:?}"
    );
    close_chromium(browser, driver).await;
}
