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
