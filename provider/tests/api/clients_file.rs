//! The clients file (`PROVIDER_CLIENTS_FILE`) as a person edits it: every
//! mistake is an error naming the file, never a panic, and what parses keeps
//! the rules of RFC 6749 §2.1 and RFC 9700 §2.1.1.

use proptest::prelude::*;
use testkit::malformed;

/// A clients file a person might write: the shipped one with a piece cut
/// out, something pasted in, or a value replaced.
fn edited_clients_file() -> impl Strategy<Value = String> {
    let shipped = provider::config::DEFAULT_CLIENTS_TOML;
    let len = shipped.len();
    prop_oneof![
        (0..len, 0..200usize).prop_map(move |(at, n)| {
            let end = (at + n).min(len);
            format!("{}{}", safe_prefix(shipped, at), &shipped[safe_index(shipped, end)..])
        }),
        (0..len, malformed::text()).prop_map(move |(at, text)| {
            let at = safe_index(shipped, at);
            format!("{}{}{}", &shipped[..at], text, &shipped[at..])
        }),
        "\\PC{0,200}",
        Just("[[client]]\nid = \"x\"\n".to_owned()),
        Just("client = 3".to_owned()),
    ]
}

fn safe_index(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn safe_prefix(text: &str, at: usize) -> &str {
    &text[..safe_index(text, at)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, failure_persistence: None, ..ProptestConfig::default() })]

    /// A mistake in the clients file is an error naming the file, never a
    /// panic; what parses keeps the rules (a public client needs PKCE).
    #[test]
    fn the_clients_file_parser_answers_every_edit_without_panicking(text in edited_clients_file()) {
        match provider::clients::parse_clients_file(&text, "clients.toml") {
            Ok(clients) => {
                for checked in clients {
                    prop_assert!(!checked.client.is_public() || checked.client.require_pkce);
                    prop_assert!(!checked.client.is_public() || checked.secret.is_none());
                }
            }
            Err(e) => prop_assert!(e.to_string().contains("clients.toml"), "{e}"),
        }
    }
}
