//! Reading the Docker setup the way Docker would, without Docker: the compose
//! files (with `${NAME:-default}` interpolation and override merging), the
//! Dockerfile's COPY lines, `.env.example`, and which environment variables
//! each service's source reads.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde_yaml::Value;

/// The repository root (e2e's parent).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("e2e is inside the workspace").to_owned()
}

pub fn read(relative: &str) -> String {
    let path = root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The three services: Compose service name, binary name and crate folder
/// are all the same.
pub const SERVICES: [&str; 3] = ["provider", "client", "todo-api"];

// ---------------------------------------------------------------------------
// Compose files
// ---------------------------------------------------------------------------

/// One service of a compose file, as written (values not yet interpolated).
#[derive(Clone, Debug, Default)]
pub struct Service {
    pub image: Option<String>,
    pub build: Option<String>,
    pub command: Vec<String>,
    pub environment: BTreeMap<String, String>,
    pub ports: Vec<String>,
    pub volumes: Vec<String>,
    /// service → condition (`service_started` when only the name is given).
    pub depends_on: BTreeMap<String, String>,
    pub healthcheck: Vec<String>,
    /// `service:<name>` when it shares another container's network.
    pub network_mode: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Compose {
    pub services: BTreeMap<String, Service>,
    pub volumes: BTreeSet<String>,
}

impl Compose {
    /// Parses one compose file relative to the repository root.
    pub fn load(relative: &str) -> Compose {
        let yaml: Value =
            serde_yaml::from_str(&read(relative)).unwrap_or_else(|e| panic!("{relative} is not valid YAML: {e}"));
        let mut compose = Compose::default();
        if let Some(services) = yaml.get("services").and_then(Value::as_mapping) {
            for (name, body) in services {
                let name = scalar(name);
                compose.services.insert(name, parse_service(body));
            }
        }
        if let Some(volumes) = yaml.get("volumes").and_then(Value::as_mapping) {
            compose.volumes.extend(volumes.keys().map(scalar));
        }
        compose
    }

    /// `docker compose -f <base> -f <override>`: maps merge key by key (the
    /// override wins), lists are appended, scalars replaced.
    pub fn merged(mut self, other: Compose) -> Compose {
        for (name, over) in other.services {
            let base = self.services.entry(name).or_default();
            if over.image.is_some() {
                base.image = over.image;
            }
            if over.build.is_some() {
                base.build = over.build;
            }
            if !over.command.is_empty() {
                base.command = over.command;
            }
            if !over.healthcheck.is_empty() {
                base.healthcheck = over.healthcheck;
            }
            if over.network_mode.is_some() {
                base.network_mode = over.network_mode;
            }
            base.environment.extend(over.environment);
            base.depends_on.extend(over.depends_on);
            base.ports.extend(over.ports);
            base.volumes.extend(over.volumes);
        }
        self.volumes.extend(other.volumes);
        self
    }

    pub fn service(&self, name: &str) -> &Service {
        self.services.get(name).unwrap_or_else(|| panic!("docker-compose has no service {name:?}"))
    }

    /// Every `${NAME…}` the file interpolates, anywhere in the parts we read.
    pub fn interpolated_variables(&self) -> BTreeSet<String> {
        let mut names = BTreeSet::new();
        for service in self.services.values() {
            let texts = service
                .environment
                .values()
                .chain(&service.ports)
                .chain(&service.volumes)
                .chain(&service.command)
                .chain(&service.healthcheck)
                .chain(service.image.iter());
            for text in texts {
                names.extend(references(text).into_iter().map(|r| r.name));
            }
        }
        names
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        other => panic!("expected a scalar, found {other:?}"),
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        None => Vec::new(),
        Some(Value::Sequence(items)) => items.iter().map(scalar).collect(),
        // The shell form: `command: provider serve`.
        Some(other) => scalar(other).split_whitespace().map(str::to_owned).collect(),
    }
}

fn parse_service(body: &Value) -> Service {
    let mut service = Service {
        image: body.get("image").map(scalar),
        build: body.get("build").map(|b| match b {
            Value::Mapping(_) => b.get("context").map(scalar).unwrap_or_else(|| ".".to_owned()),
            other => scalar(other),
        }),
        command: strings(body.get("command")),
        ports: strings(body.get("ports")),
        volumes: strings(body.get("volumes")),
        healthcheck: strings(body.get("healthcheck").and_then(|h| h.get("test"))),
        network_mode: body.get("network_mode").map(scalar),
        ..Service::default()
    };
    match body.get("environment") {
        Some(Value::Mapping(map)) => {
            for (k, v) in map {
                service.environment.insert(scalar(k), scalar(v));
            }
        }
        Some(Value::Sequence(items)) => {
            for item in items {
                let item = scalar(item);
                let (k, v) = item.split_once('=').unwrap_or((&item, ""));
                service.environment.insert(k.to_owned(), v.to_owned());
            }
        }
        _ => {}
    }
    match body.get("depends_on") {
        Some(Value::Mapping(map)) => {
            for (k, v) in map {
                let condition = v.get("condition").map(scalar).unwrap_or_else(|| "service_started".to_owned());
                service.depends_on.insert(scalar(k), condition);
            }
        }
        Some(Value::Sequence(items)) => {
            for item in items {
                service.depends_on.insert(scalar(item), "service_started".to_owned());
            }
        }
        _ => {}
    }
    service
}

// ---------------------------------------------------------------------------
// Interpolation: `$$`, `$NAME`, `${NAME}`, `${NAME:-default}`, `${NAME-default}`
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub name: String,
    /// The default after `:-` or `-`, if any.
    pub default: Option<String>,
    /// `:-` (empty counts as unset) rather than `-`.
    pub colon: bool,
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Splits `text` into literal text and references, in order.
fn tokens(text: &str) -> Vec<Result<String, Reference>> {
    let mut out = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        literal.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('$') {
            literal.push('$');
            rest = after;
        } else if let Some(inner) = rest.strip_prefix('{') {
            let end = inner.find('}').unwrap_or_else(|| panic!("unclosed ${{ in {text:?}"));
            let body = &inner[..end];
            rest = &inner[end + 1..];
            let name_len = body.find(|c: char| !is_name_char(c)).unwrap_or(body.len());
            let (name, op) = body.split_at(name_len);
            let (default, colon) = if let Some(d) = op.strip_prefix(":-") {
                (Some(d.to_owned()), true)
            } else if let Some(d) = op.strip_prefix('-') {
                (Some(d.to_owned()), false)
            } else if op.is_empty() {
                (None, false)
            } else {
                panic!("unsupported interpolation ${{{body}}} in {text:?}");
            };
            out.push(Ok(std::mem::take(&mut literal)));
            out.push(Err(Reference { name: name.to_owned(), default, colon }));
        } else {
            let name_len = rest.find(|c: char| !is_name_char(c)).unwrap_or(rest.len());
            assert!(name_len > 0, "a lone $ in {text:?} (write $$)");
            out.push(Ok(std::mem::take(&mut literal)));
            out.push(Err(Reference { name: rest[..name_len].to_owned(), default: None, colon: false }));
            rest = &rest[name_len..];
        }
    }
    literal.push_str(rest);
    out.push(Ok(literal));
    out
}

/// The references in `text`.
pub fn references(text: &str) -> Vec<Reference> {
    tokens(text).into_iter().filter_map(Result::err).collect()
}

/// `text` interpolated the way Compose does, from `vars` (the shell and
/// `.env`); unset variables without a default become empty.
pub fn interpolate(text: &str, vars: &HashMap<String, String>) -> String {
    tokens(text)
        .into_iter()
        .map(|t| match t {
            Ok(literal) => literal,
            Err(r) => match (vars.get(&r.name), r.default) {
                (Some(v), Some(d)) if v.is_empty() && r.colon => d,
                (Some(v), _) => v.clone(),
                (None, Some(d)) => d,
                (None, None) => String::new(),
            },
        })
        .collect()
}

/// A service's environment as `docker compose up` gives it with no `.env`
/// and nothing set in the shell.
pub fn default_environment(service: &Service) -> BTreeMap<String, String> {
    let none = HashMap::new();
    service.environment.iter().map(|(k, v)| (k.clone(), interpolate(v, &none))).collect()
}

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

// ---------------------------------------------------------------------------
// Dockerfile
// ---------------------------------------------------------------------------

/// The Dockerfile with continuation lines joined, one instruction per entry.
pub fn dockerfile_instructions() -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in read("Dockerfile").lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && current.is_empty()) {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(part) => {
                current.push_str(part);
                current.push(' ');
            }
            None => {
                current.push_str(trimmed);
                out.push(std::mem::take(&mut current));
            }
        }
    }
    out
}

/// The instructions of the last stage (the image that runs).
pub fn runtime_stage() -> Vec<String> {
    let all = dockerfile_instructions();
    let last_from = all.iter().rposition(|i| i.starts_with("FROM ")).expect("a FROM");
    all[last_from..].to_vec()
}

/// `COPY [--flags] src… dest` of the runtime stage from the build context
/// (not `--from=`): (source in the repository, destination in the image).
pub fn runtime_copies_from_context() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for instruction in runtime_stage() {
        let Some(args) = instruction.strip_prefix("COPY ") else { continue };
        let words: Vec<&str> = args.split_whitespace().collect();
        if words.iter().any(|w| w.starts_with("--from")) {
            continue;
        }
        let words: Vec<&str> = words.into_iter().filter(|w| !w.starts_with("--")).collect();
        let (dest, sources) = words.split_last().expect("COPY src dest");
        for source in sources {
            let dest = if dest.ends_with('/') {
                format!("{dest}{}", Path::new(source).file_name().unwrap().to_string_lossy())
            } else {
                (*dest).to_owned()
            };
            out.push(((*source).to_owned(), dest));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Small URL helpers
// ---------------------------------------------------------------------------

/// (host, port) of an http URL, with the scheme's port when none is written.
pub fn host_port(url: &str) -> (String, u16) {
    let parsed = url::Url::parse(url).unwrap_or_else(|e| panic!("{url:?} is not a URL: {e}"));
    (parsed.host_str().expect("a host").to_owned(), parsed.port_or_known_default().expect("a port"))
}

/// The port of a `host:port` bind address.
pub fn addr_port(addr: &str) -> u16 {
    addr.rsplit_once(':').and_then(|(_, p)| p.parse().ok()).unwrap_or_else(|| panic!("{addr:?} is not host:port"))
}

/// A Compose port mapping `[ip:]host:container[/proto]` → (ip, host, container).
pub fn port_mapping(spec: &str) -> (Option<String>, u16, u16) {
    let spec = spec.split('/').next().unwrap();
    let parts: Vec<&str> = spec.split(':').collect();
    let port = |p: &str| p.parse::<u16>().unwrap_or_else(|_| panic!("{spec:?}: {p:?} is not a port"));
    match parts.as_slice() {
        [host, container] => (None, port(host), port(container)),
        [ip, host, container] => (Some((*ip).to_owned()), port(host), port(container)),
        _ => panic!("{spec:?}: expected [ip:]host:container"),
    }
}

/// Decodes the few HTML entities minijinja's escaping produces.
pub fn html_unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find(';') else { break };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The attributes of every `<tag …>` in `html`, e.g. all `<input>`s.
pub fn tags(html: &str, tag: &str) -> Vec<HashMap<String, String>> {
    let open = format!("<{tag}");
    let mut out = Vec::new();
    for (at, _) in html.match_indices(&open) {
        let rest = &html[at + open.len()..];
        if !rest.starts_with(|c: char| c.is_whitespace() || c == '>') {
            continue;
        }
        let end = rest.find('>').unwrap_or(rest.len());
        out.push(attributes(&rest[..end]));
    }
    out
}

fn attributes(mut s: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    loop {
        s = s.trim_start().trim_start_matches('/').trim_start();
        if s.is_empty() {
            return out;
        }
        let name_len = s.find(|c: char| c.is_whitespace() || c == '=').unwrap_or(s.len());
        let name = s[..name_len].to_ascii_lowercase();
        s = s[name_len..].trim_start();
        let value = if let Some(after) = s.strip_prefix('=') {
            let after = after.trim_start();
            let (value, rest) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let body = &after[1..];
                    let end = body.find(q).unwrap_or(body.len());
                    (&body[..end], body.get(end + 1..).unwrap_or(""))
                }
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            s = rest;
            html_unescape(value)
        } else {
            String::new()
        };
        out.insert(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_follows_compose() {
        let vars: HashMap<String, String> = [("SET", "x"), ("EMPTY", "")].map(|(k, v)| (k.into(), v.into())).into();
        assert_eq!(interpolate("a${SET:-d}b", &vars), "axb");
        assert_eq!(interpolate("${UNSET:-d}", &vars), "d");
        assert_eq!(interpolate("${EMPTY:-d}", &vars), "d");
        assert_eq!(interpolate("${EMPTY-d}", &vars), "");
        assert_eq!(interpolate("${UNSET:-}", &vars), "");
        assert_eq!(interpolate("$SET/$$HOME", &vars), "x/$HOME");
        assert_eq!(interpolate("p://u:${P:-pw}@h/db", &vars), "p://u:pw@h/db");
        let refs = references("${A:-1} $B ${C}");
        assert_eq!(refs.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["A", "B", "C"]);
    }

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

    #[test]
    fn html_forms_are_read() {
        let html = r#"<form method="post" action="&#x2f;login"><input type="hidden" name="csrf_token" value="a&amp;b&#x2f;c"><input name=username></form>"#;
        let inputs = tags(html, "input");
        assert_eq!(inputs[0]["value"], "a&b/c");
        assert_eq!(inputs[1]["name"], "username");
        assert_eq!(tags(html, "form")[0]["action"], "/login");
        assert_eq!(port_mapping("127.0.0.1:8080:8080/tcp"), (Some("127.0.0.1".into()), 8080, 8080));
    }
}
