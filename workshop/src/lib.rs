//! # The workshop's guide, read as a test reads it
//!
//! The modules in `workshop/NN-name.md` are Markdown. What a learner types
//! is in fenced ` ```sh ` blocks, and what they should see follows in a
//! fenced ` ```text ` block; a ` ```browser ` block is a step done in the
//! browser (signing in, approving). `workshop/tests/guide.rs` runs every
//! block against a started system and compares the output with this
//! crate's [`matches`], so a guide that drifts from the code fails the
//! build. The conventions are in `workshop/README.md` ("How the guide is
//! tested").

use std::path::Path;

/// What kind of step a fenced block is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Commands for bash.
    Sh,
    /// A step in the browser, in the three-line form [`BrowserStep`] reads.
    Browser,
}

/// One step of a module, with the output the learner should see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub kind: Kind,
    pub code: String,
    /// The ` ```text ` block right after a ` ```sh ` block, if any.
    pub expected: Option<String>,
    /// The line of the Markdown file where the block starts (1-based).
    pub line: usize,
}

/// The steps of a module, in order. A ` ```text ` block belongs to the
/// ` ```sh ` block before it when only blank lines and prose lie between.
pub fn steps(markdown: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut lines = markdown.lines().enumerate();
    let mut text_may_follow = false;
    while let Some((number, line)) = lines.next() {
        let Some(info) = line.trim_start().strip_prefix("```") else {
            continue;
        };
        let mut body = String::new();
        for (_, inner) in lines.by_ref() {
            if inner.trim_start().starts_with("```") {
                break;
            }
            body.push_str(inner);
            body.push('\n');
        }
        match info.trim() {
            "sh" => {
                steps.push(Step { kind: Kind::Sh, code: body, expected: None, line: number + 1 });
                text_may_follow = true;
                continue;
            }
            "browser" => steps.push(Step { kind: Kind::Browser, code: body, expected: None, line: number + 1 }),
            "text" if text_may_follow => {
                if let Some(last) = steps.last_mut() {
                    last.expected = Some(body);
                }
            }
            _ => {}
        }
        text_may_follow = false;
    }
    steps
}

/// A ` ```browser ` block:
///
/// ```text
/// open $AUTHORIZE_URL
/// sign in as demo and approve
/// save the address you land on as CALLBACK
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrowserStep {
    /// What to open: a URL, or `$NAME` of a shell variable that holds one.
    pub open: String,
    /// The demo user who signs in (the password is the username).
    pub user: String,
    /// The shell variable that receives the address the browser lands on.
    pub save_as: String,
}

impl BrowserStep {
    pub fn parse(code: &str) -> Result<BrowserStep, String> {
        let mut lines = code.lines().map(str::trim).filter(|l| !l.is_empty());
        let mut next = |prefix: &str, suffix: &str| -> Result<String, String> {
            let line = lines.next().ok_or(format!("a browser block needs a line \"{prefix}…\""))?;
            line.strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix(suffix))
                .map(|value| value.trim().to_owned())
                .ok_or(format!("expected \"{prefix}…{suffix}\", found {line:?}"))
        };
        let open = next("open ", "")?;
        let user = next("sign in as ", " and approve")?;
        let save_as = next("save the address you land on as ", "")?;
        Ok(BrowserStep { open, user, save_as })
    }
}

/// Whether `actual` is what `expected` shows, line by line, after trailing
/// whitespace is trimmed:
///
/// - `<name>` (lowercase letters, digits, `-` or `_` between angle
///   brackets) stands for one or more characters that vary: a token, a
///   time, an id;
/// - a line that is only `...` stands for any number of lines (also none);
/// - everything else must be there exactly.
pub fn matches(expected: &str, actual: &str) -> bool {
    let expected: Vec<&str> = expected.lines().map(str::trim_end).collect();
    let actual: Vec<&str> = actual.lines().map(str::trim_end).collect();
    lines_match(&trim_blank(&expected), &trim_blank(&actual))
}

fn trim_blank<'a>(lines: &[&'a str]) -> Vec<&'a str> {
    let start = lines.iter().position(|l| !l.is_empty()).unwrap_or(lines.len());
    let end = lines.iter().rposition(|l| !l.is_empty()).map_or(start, |i| i + 1);
    lines[start..end].to_vec()
}

fn lines_match(expected: &[&str], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((&"...", rest)) => (0..=actual.len()).any(|skip| lines_match(rest, &actual[skip..])),
        Some((line, rest)) => {
            actual.split_first().is_some_and(|(first, others)| line_matches(line, first) && lines_match(rest, others))
        }
    }
}

fn line_matches(expected: &str, actual: &str) -> bool {
    match placeholder_at(expected) {
        None => expected == actual,
        Some((start, end)) => {
            let (literal, rest) = (&expected[..start], &expected[end..]);
            let Some(after_literal) = actual.strip_prefix(literal) else {
                return false;
            };
            // One or more characters, then the rest of the line.
            after_literal
                .char_indices()
                .skip(1)
                .map(|(i, _)| i)
                .chain(std::iter::once(after_literal.len()))
                .filter(|&i| i > 0)
                .any(|i| line_matches(rest, &after_literal[i..]))
        }
    }
}

/// The byte range of the first `<placeholder>` in `line`.
fn placeholder_at(line: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(open) = line[from..].find('<').map(|i| i + from) {
        let close = line[open..].find('>').map(|i| i + open)?;
        let name = &line[open + 1..close];
        let is_name = !name.is_empty()
            && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if is_name {
            return Some((open, close + 1));
        }
        from = open + 1;
    }
    None
}

/// What a module cites in backticks: repository paths (`provider/src/…`)
/// and Rust items (`provider::token::grants::authorization_code::issue_code`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Citations {
    pub paths: Vec<String>,
    pub items: Vec<String>,
}

/// The workspace's crates, as the guide names them in `crate::item`.
pub const CRATES: &[(&str, &str)] = &[
    ("provider", "provider"),
    ("client", "client"),
    ("todo_api", "todo-api"),
    ("shared", "shared"),
    ("lab", "lab"),
    ("spa", "spa"),
    ("e2e", "e2e"),
    ("workshop", "workshop"),
];

/// The top-level folders a cited path may start with.
const ROOTS: &[&str] = &[
    "provider/",
    "client/",
    "todo-api/",
    "shared/",
    "lab/",
    "spa/",
    "e2e/",
    "workshop/",
    "testkit/",
    "docker/",
    ".ci/",
];

pub fn citations(markdown: &str) -> Citations {
    let mut citations = Citations::default();
    let mut in_block = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block {
            continue;
        }
        for (i, quoted) in line.split('`').enumerate() {
            if i % 2 == 0 {
                continue;
            }
            let quoted = quoted.trim();
            if quoted.contains(char::is_whitespace) {
                continue;
            }
            let path = quoted.split(':').next().unwrap_or(quoted);
            if ROOTS.iter().any(|root| path.starts_with(root)) {
                citations.paths.push(path.to_owned());
            } else if let Some((krate, _)) = quoted.split_once("::")
                && CRATES.iter().any(|(name, _)| *name == krate)
                && quoted.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
            {
                citations.items.push(quoted.to_owned());
            }
        }
    }
    citations
}

/// Whether the Rust item `krate::module::…::item` exists under `root`: the
/// module's file exists and declares `item` (a fn, type, const, static,
/// trait or module).
pub fn item_exists(root: &Path, item: &str) -> bool {
    let parts: Vec<&str> = item.split("::").collect();
    let Some(folder) = CRATES.iter().find(|(name, _)| *name == parts[0]).map(|(_, folder)| *folder) else {
        return false;
    };
    let src = root.join(folder).join("src");
    let (modules, name) = (&parts[1..parts.len() - 1], parts[parts.len() - 1]);
    // The item is declared in the deepest module file that exists: a path
    // may end in a module (`provider::token::grants`) or in an item of one.
    let mut candidates = Vec::new();
    for depth in (0..=modules.len()).rev() {
        let base = modules[..depth].iter().fold(src.clone(), |dir, m| dir.join(m));
        if depth == 0 {
            candidates.push(src.join("lib.rs"));
        } else {
            candidates.push(base.with_extension("rs"));
            candidates.push(base.join("mod.rs"));
        }
        if candidates.iter().any(|c| c.is_file()) {
            break;
        }
    }
    let declares = |source: &str| {
        ["fn", "struct", "enum", "const", "static", "trait", "mod", "type"].iter().any(|keyword| {
            source.lines().any(|line| {
                let line = line.trim_start().trim_start_matches("pub(crate) ").trim_start_matches("pub ");
                let line = line.trim_start_matches("async ");
                line.strip_prefix(keyword).and_then(|rest| rest.strip_prefix(' ')).is_some_and(|rest| {
                    rest.starts_with(name) && !rest[name.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
                })
            })
        })
    };
    candidates.iter().filter_map(|c| std::fs::read_to_string(c).ok()).any(|source| declares(&source))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODULE: &str = "# Module\n\nRun it:\n\n```sh\necho hello\n```\n\nYou see:\n\n```text\nhello\n```\n\n```sh\ntrue\n```\n\n```browser\nopen $URL\nsign in as demo and approve\nsave the address you land on as CALLBACK\n```\n";

    #[test]
    fn steps_pair_each_command_with_the_output_after_it() {
        let steps = steps(MODULE);
        assert_eq!(steps.len(), 3);
        assert_eq!(
            (steps[0].kind, steps[0].code.as_str(), steps[0].expected.as_deref()),
            (Kind::Sh, "echo hello\n", Some("hello\n"))
        );
        assert_eq!(steps[0].line, 5);
        assert_eq!(steps[1].expected, None);
        assert_eq!(steps[2].kind, Kind::Browser);
        let browser = BrowserStep::parse(&steps[2].code).unwrap();
        assert_eq!(
            (browser.open.as_str(), browser.user.as_str(), browser.save_as.as_str()),
            ("$URL", "demo", "CALLBACK")
        );
    }

    #[test]
    fn placeholders_stand_for_what_varies_and_nothing_else() {
        assert!(matches("token: <jwt>\n", "token: eyJ.a.b\n"));
        assert!(matches("HTTP/1.1 200 OK\n...\n{\"a\": <n>}\n", "HTTP/1.1 200 OK\nx: y\nz: w\n{\"a\": 5}\n"));
        assert!(matches("a <x> b <y> c", "a 1 b 2 b 3 c"));
        assert!(matches("...\nend", "end"));
        assert!(!matches("token: <jwt>", "token: "), "a placeholder stands for one character or more");
        assert!(!matches("hello", "hullo"), "a changed expected output fails");
        assert!(!matches("a\nb", "a\nb\nc"), "an extra line fails");
        assert!(matches("x < y and <b>", "x < y and bold"), "only <lowercase-name> is a placeholder");
    }

    #[test]
    fn citations_are_paths_and_items_outside_code_blocks() {
        let markdown = "Read `provider/src/endpoints/token.rs` and `provider::token::grants::authorization_code::issue_code`, not `cargo run`.\n```sh\ncat `not/cited`\n```\n";
        let cited = citations(markdown);
        assert_eq!(cited.paths, ["provider/src/endpoints/token.rs"]);
        assert_eq!(cited.items, ["provider::token::grants::authorization_code::issue_code"]);
    }

    #[test]
    fn items_are_found_in_their_module_file() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        assert!(item_exists(&root, "workshop::matches"));
        assert!(item_exists(&root, "workshop::BrowserStep"));
        assert!(!item_exists(&root, "workshop::no_such_function"));
        assert!(!item_exists(&root, "nowhere::matches"));
    }
}
