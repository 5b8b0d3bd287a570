//! The registry itself: ids, rules and enforcing files.

use lab::attacks::ALL;

#[test]
fn every_enforced_in_path_exists_in_the_repository() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for attack in ALL {
        assert!(root.join(attack.enforced_in).is_file(), "{}: {} does not exist", attack.id, attack.enforced_in);
    }
}

#[test]
fn ids_are_unique_and_kebab_case() {
    let mut seen = std::collections::HashSet::new();
    for attack in ALL {
        assert!(seen.insert(attack.id), "{} twice", attack.id);
        let kebab = attack
            .id
            .split('-')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
        assert!(kebab, "{} is not kebab-case", attack.id);
    }
}

#[test]
fn every_rule_names_a_section_and_links_to_it() {
    for attack in ALL {
        assert!(attack.rule.label.contains('§'), "{}: {}", attack.id, attack.rule.label);
        assert!(attack.rule.url.starts_with("https://"), "{}: {}", attack.id, attack.rule.url);
    }
}

#[test]
fn the_command_line_selects_by_id_and_refuses_unknown_ids() {
    assert_eq!(lab::cli::select(&[]).expect("all").len(), ALL.len());
    let one = lab::cli::select(&["alg-none".to_owned()]).expect("known");
    assert_eq!(one[0].id, "alg-none");
    let unknown = lab::cli::select(&["alg-nope".to_owned()]).map(|_| ()).unwrap_err();
    assert!(unknown.contains("alg-none"), "lists the known ids: {unknown}");
}

#[tokio::test]
async fn the_lab_page_lists_every_attack_with_its_rule_and_publishes_the_attackers_key() {
    let port = testkit::serve::Port::free().await;
    let url = port.url().to_owned();
    let lab =
        lab::Lab::build_on(lab::Config { public_url: url.clone(), ..lab::Config::defaults() }, port.into_listener())
            .expect("the lab builds");
    tokio::spawn(lab.run_until_stopped(std::future::pending()));

    let page = reqwest::get(&url).await.expect("the page").text().await.expect("HTML");
    for attack in ALL {
        assert!(page.contains(&format!(r#"id="{}""#, attack.id)), "{} is on the page", attack.id);
        // minijinja escapes `/` in attribute values.
        let href = attack.rule.url.replace('/', "&#x2f;");
        assert!(page.contains(&href), "{}'s rule is linked", attack.id);
    }
    let jwks: serde_json::Value =
        reqwest::get(format!("{url}/.well-known/jwks.json")).await.expect("JWKS").json().await.expect("JSON");
    assert_eq!(jwks["keys"][0]["kid"], lab::forge::ATTACKER_KID);
    assert!(jwks["keys"][0].get("d").is_none(), "only the public half");

    let unknown =
        reqwest::Client::new().post(format!("{url}/attacks/no-such-attack/run")).send().await.expect("an answer");
    assert_eq!(unknown.status(), reqwest::StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_attack_on_a_system_that_is_not_running_is_an_error_not_a_verdict() {
    let report = lab::attacks::alg_none::ATTACK
        .report(
            std::sync::Arc::new(lab::Config::all_at("http://127.0.0.1:9")),
            std::sync::Arc::new(lab::forge::AttackerKey::generate().expect("a key")),
        )
        .await;
    assert_eq!(report.verdict, "error", "{}", report.because);
    assert_eq!(lab::cli::exit_code(&[report]), 2);
}
