//! Which environment variables each service's source reads, and what
//! `.env.example` documents.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::{is_name_char, read, root};

// ---------------------------------------------------------------------------
// What the services read
// ---------------------------------------------------------------------------

/// Variables read only by test helpers of the shared crate, never by a
/// running service.
pub const TEST_ONLY_VARIABLES: &[&str] = &["TEST_DATABASE_URL"];

/// The string literals of a Rust source file (comments skipped; escapes are
/// kept as written, which is enough for variable names).
pub fn string_literals(source: &str) -> Vec<String> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                    i += 1;
                }
                i += 2;
            }
            // A char literal ('x', '\n', '"'); a lifetime ('a) has no closing quote.
            '\'' if chars.get(i + 1) == Some(&'\\') => {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            }
            '\'' if chars.get(i + 2) == Some(&'\'') => i += 3,
            '"' => {
                let mut literal = String::new();
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        literal.push(chars[i]);
                        i += 1;
                    }
                    if i < chars.len() {
                        literal.push(chars[i]);
                    }
                    i += 1;
                }
                out.push(literal);
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// `SOME_NAME`: upper case, digits, at least one underscore.
pub fn looks_like_variable(s: &str) -> bool {
    let mut parts = s.split('_');
    let first = parts.next().unwrap_or("");
    first.starts_with(|c: char| c.is_ascii_uppercase())
        && s.contains('_')
        && s.split('_').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Names passed to `std::env::var`/`var_os` anywhere in a crate's `src/`.
fn process_env_reads(crate_dir: &str) -> BTreeSet<String> {
    let mut files = Vec::new();
    rust_files(&root().join(crate_dir).join("src"), &mut files);
    let mut names = BTreeSet::new();
    for file in files {
        let source = std::fs::read_to_string(&file).expect("a readable source file");
        for call in ["env::var(\"", "env::var_os(\""] {
            for (at, _) in source.match_indices(call) {
                let rest = &source[at + call.len()..];
                if let Some(end) = rest.find('"') {
                    names.insert(rest[..end].to_owned());
                }
            }
        }
    }
    names
}

/// Every environment variable `service` reads: the variable-shaped string
/// literals of its `src/config.rs` (where every setting is read, through
/// `shared::config::Env`), `std::env::var` calls anywhere in its sources or
/// in the shared crate's, and `RUST_LOG` when its `main` sets up logging
/// with `shared::server::init_tracing` (tracing's `EnvFilter`).
pub fn variables_read_by(service: &str) -> BTreeSet<String> {
    let config = read(&format!("{service}/src/config.rs"));
    let mut names: BTreeSet<String> = string_literals(&config).into_iter().filter(|s| looks_like_variable(s)).collect();
    names.extend(process_env_reads(service));
    names.extend(process_env_reads("shared"));
    let main = read(&format!("{service}/src/main.rs"));
    let server = read("shared/src/server.rs");
    if main.contains("init_tracing(") && server.contains("EnvFilter::try_from_default_env") {
        names.insert(tracing_subscriber::EnvFilter::DEFAULT_ENV.to_owned());
    }
    for test_only in TEST_ONLY_VARIABLES {
        names.remove(*test_only);
    }
    names
}

// ---------------------------------------------------------------------------
// .env.example
// ---------------------------------------------------------------------------

#[derive(Clone, Debug)]
pub struct Documented {
    pub name: String,
    /// The value shown (quotes removed).
    pub value: String,
    /// Whether the line is commented out.
    pub commented: bool,
    /// The comment block right above the line.
    pub description: Vec<String>,
    pub line: usize,
}

fn assignment(line: &str) -> Option<(String, String)> {
    let (name, value) = line.split_once('=')?;
    let name = name.trim().strip_prefix("export ").unwrap_or(name.trim());
    if name.is_empty() || !name.chars().all(is_name_char) || !name.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    let value = value.trim();
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .unwrap_or(value);
    Some((name.to_owned(), value.to_owned()))
}

/// The variables of `.env.example`, in order.
pub fn env_example() -> Vec<Documented> {
    let text = read(".env.example");
    let mut out = Vec::new();
    let mut description: Vec<String> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            description.clear();
            continue;
        }
        let (commented, body) = match line.strip_prefix('#') {
            Some(rest) => (true, rest.trim()),
            None => (false, line),
        };
        match assignment(body) {
            Some((name, value)) if !body.contains(' ') || body.contains("=\"") || !commented => {
                out.push(Documented {
                    name,
                    value,
                    commented,
                    description: std::mem::take(&mut description),
                    line: index + 1,
                });
            }
            _ if commented => description.push(body.to_owned()),
            _ => panic!(".env.example:{}: not a comment, not NAME=value: {raw:?}", index + 1),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_skip_comments_and_char_literals() {
        let src = r#"
            // "IN_A_COMMENT"
            /* "IN_A_BLOCK" */
            fn f<'a>(x: &'a str) -> char { let _ = env.get("REAL_ONE"); let _ = "http://x//y"; '"' }
            const Q: char = '\'';
            const S: &str = "ESC\"APED_NAME";
        "#;
        let literals = string_literals(src);
        assert!(literals.contains(&"REAL_ONE".to_owned()), "{literals:?}");
        assert!(literals.contains(&"http://x//y".to_owned()), "{literals:?}");
        assert!(!literals.iter().any(|l| l.contains("COMMENT") || l.contains("BLOCK")), "{literals:?}");
        assert!(looks_like_variable("PROVIDER_ADDR"));
        assert!(!looks_like_variable("RS256"));
        assert!(!looks_like_variable("client_secret_basic"));
        assert!(!looks_like_variable("_X"));
    }
}
