//! The compose files as Docker reads them: services, `${NAME:-default}`
//! interpolation, and `-f a.yml -f b.yml` merging.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_yaml::Value;

use super::read;

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

pub fn is_name_char(c: char) -> bool {
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
}
