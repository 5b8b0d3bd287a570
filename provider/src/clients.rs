//! Client registration (RFC 6749 §2) from the clients file.
//!
//! One `[[client]]` table per client, with RFC 7591 §2's metadata names
//! where they exist (`redirect_uris`, `grant_types`). It is read at
//! start, every entry is checked, and a mistake stops the provider with a
//! message that names the client and the field — a misregistered redirect
//! URI is a security hole, not a warning.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Deserialize;
use shared::ids::{RedirectUri, RedirectUriError, WebOrigin};
use shared::{ClientAuthMethod, ClientId, GrantType, ResponseMode, ResponseType, Scopes};

use crate::scopes::KNOWN_SCOPES;

/// One registered client, as the provider uses it.
#[derive(Clone, Debug)]
pub struct Client {
    pub id: ClientId,
    pub name: String,
    /// `Some` for confidential clients: the argon2id hash of the secret.
    pub secret_hash: Option<String>,
    pub redirect_uris: Vec<RedirectUri>,
    pub post_logout_redirect_uris: Vec<RedirectUri>,
    /// First-party clients skip the consent screen (the skip is logged).
    pub first_party: bool,
    pub grant_types: Vec<GrantType>,
    pub response_types: Vec<ResponseType>,
    pub response_modes: Vec<ResponseMode>,
    pub auth_methods: Vec<ClientAuthMethod>,
    pub scopes: Scopes,
    pub require_pkce: bool,
    /// May call the introspection endpoint (RFC 7662 §4: the authorization
    /// server decides who may learn what a token means).
    pub may_introspect: bool,
    /// The browser origins whose scripts may call the token, revocation,
    /// userinfo, JWKS and discovery endpoints (CORS, see `crate::cors`).
    /// Only a public client has any: a confidential client's server calls
    /// the token endpoint, never a script in a browser.
    pub web_origins: Vec<WebOrigin>,
}

impl Client {
    /// RFC 6749 §2.1: a public client cannot keep a secret.
    pub fn is_public(&self) -> bool {
        self.auth_methods == [ClientAuthMethod::None]
    }

    pub fn allows_grant(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }
}

/// A client entry as written in the file, before checking.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientEntry {
    pub id: String,
    pub secret: Option<String>,
    pub name: Option<String>,
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    #[serde(default)]
    pub first_party: bool,
    pub grant_types: Vec<String>,
    pub response_types: Option<Vec<String>>,
    pub response_modes: Option<Vec<String>>,
    pub auth_methods: Option<Vec<String>>,
    #[serde(default)]
    pub scopes: Vec<String>,
    pub require_pkce: Option<bool>,
    #[serde(default)]
    pub may_introspect: bool,
    /// Public clients only; defaults to the origins of `redirect_uris`.
    pub web_origins: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientsFile {
    #[serde(default)]
    client: Vec<ClientEntry>,
}

/// A client entry after checking, with its secret still in clear (it is
/// hashed before it is stored).
pub struct CheckedClient {
    pub client: Client,
    pub secret: Option<shared::Secret>,
}

/// A clients-file problem, naming the client and the field.
#[derive(Debug, thiserror::Error)]
pub enum ClientsFileError {
    #[error("{source_name}: not a valid clients file: {message}")]
    Syntax { source_name: String, message: String },
    #[error("{source_name}: client {client:?}, field `{field}`: {problem}")]
    Field { source_name: String, client: String, field: &'static str, problem: String },
}

/// The registered clients, by `client_id` (RFC 6749 §2.2): loaded once at
/// start, since the clients file is read only then. Cheap to clone.
#[derive(Clone, Default)]
pub struct Clients(Arc<HashMap<String, Client>>);

impl Clients {
    pub fn new(clients: HashMap<String, Client>) -> Self {
        Self(Arc::new(clients))
    }

    /// The client registered as `id`, if any.
    pub fn find(&self, id: &str) -> Option<Client> {
        self.0.get(id).cloned()
    }

    pub fn all(&self) -> impl Iterator<Item = &Client> {
        self.0.values()
    }
}

/// Parses and checks the whole file.
pub fn parse_clients_file(text: &str, source_name: &str) -> Result<Vec<CheckedClient>, ClientsFileError> {
    let file: ClientsFile = toml::from_str(text)
        .map_err(|e| ClientsFileError::Syntax { source_name: source_name.to_owned(), message: e.to_string() })?;
    let mut seen = std::collections::HashSet::new();
    let mut clients = Vec::with_capacity(file.client.len());
    for entry in file.client {
        let fail = |field: &'static str, problem: String| ClientsFileError::Field {
            source_name: source_name.to_owned(),
            client: entry.id.clone(),
            field,
            problem,
        };
        if !seen.insert(entry.id.clone()) {
            return Err(fail("id", "registered twice".into()));
        }
        clients.push(check_entry(&entry).map_err(|(field, problem)| fail(field, problem))?);
    }
    Ok(clients)
}

fn check_entry(entry: &ClientEntry) -> Result<CheckedClient, (&'static str, String)> {
    // RFC 6749 Appendix A.1: `client-id = *VSCHAR`, VSCHAR = %x20-7E.
    if entry.id.is_empty() || !entry.id.bytes().all(|b| (0x20..=0x7E).contains(&b)) {
        return Err(("id", "must be non-empty printable ASCII (RFC 6749 Appendix A.1)".into()));
    }
    let grant_types =
        parse_list(&entry.grant_types, "grant_types", GrantType::parse, GrantType::ALL, GrantType::as_str)?;
    let response_types = match &entry.response_types {
        Some(list) => parse_list(list, "response_types", ResponseType::parse, ResponseType::ALL, ResponseType::as_str)?,
        None if grant_types.contains(&GrantType::AuthorizationCode) => vec![ResponseType::Code],
        None => vec![],
    };
    let response_modes = match &entry.response_modes {
        Some(list) => parse_list(list, "response_modes", ResponseMode::parse, ResponseMode::ALL, ResponseMode::as_str)?,
        None => vec![ResponseMode::Query],
    };
    let auth_methods = match &entry.auth_methods {
        Some(list) => {
            parse_list(list, "auth_methods", ClientAuthMethod::parse, ClientAuthMethod::ALL, ClientAuthMethod::as_str)?
        }
        None => vec![ClientAuthMethod::ClientSecretBasic],
    };
    if auth_methods.is_empty() {
        return Err(("auth_methods", "must list at least one method".into()));
    }
    let is_public = auth_methods.contains(&ClientAuthMethod::None);
    if is_public && auth_methods.len() > 1 {
        return Err(("auth_methods", "\"none\" (a public client) cannot be combined with secret-based methods".into()));
    }
    let secret = match (&entry.secret, is_public) {
        (Some(_), true) => {
            return Err((
                "secret",
                "a public client (auth_methods = [\"none\"]) must not have a secret (RFC 6749 §2.1)".into(),
            ));
        }
        (None, false) => return Err(("secret", "a confidential client needs a secret".into())),
        (Some(s), false) if s.len() < 8 => {
            return Err(("secret", "must be at least 8 characters".into()));
        }
        (Some(s), false) => Some(shared::Secret::new(s.clone())),
        (None, true) => None,
    };
    let require_pkce = entry.require_pkce.unwrap_or(true);
    if is_public && !require_pkce {
        return Err(("require_pkce", "cannot be false for a public client (RFC 9700 §2.1.1)".into()));
    }
    if entry.may_introspect && is_public {
        return Err((
            "may_introspect",
            "a public client cannot introspect: its client_id proves nothing (RFC 7662 §2.1)".into(),
        ));
    }
    if grant_types.contains(&GrantType::ClientCredentials) && is_public {
        return Err(("grant_types", "client_credentials needs a confidential client (RFC 6749 §4.4)".into()));
    }
    let uses_redirects = grant_types.contains(&GrantType::AuthorizationCode);
    if uses_redirects && entry.redirect_uris.is_empty() {
        return Err(("redirect_uris", "the authorization_code grant needs at least one redirect URI".into()));
    }
    let redirect_uris = parse_uris(&entry.redirect_uris).map_err(|e| ("redirect_uris", e.to_string()))?;
    let post_logout_redirect_uris =
        parse_uris(&entry.post_logout_redirect_uris).map_err(|e| ("post_logout_redirect_uris", e.to_string()))?;
    let web_origins = check_web_origins(entry, is_public, &redirect_uris)?;
    let scopes = Scopes::parse(&entry.scopes.join(" ")).map_err(|e| ("scopes", e.to_string()))?;
    if let Some(unknown) = scopes.iter().find(|s| !KNOWN_SCOPES.iter().any(|k| k.name == *s)) {
        let known: Vec<_> = KNOWN_SCOPES.iter().map(|k| k.name).collect();
        return Err(("scopes", format!("unknown scope {unknown:?}; known scopes: {}", known.join(", "))));
    }
    Ok(CheckedClient {
        client: Client {
            id: ClientId::new(entry.id.clone()),
            name: entry.name.clone().unwrap_or_else(|| entry.id.clone()),
            secret_hash: None,
            redirect_uris,
            post_logout_redirect_uris,
            first_party: entry.first_party,
            grant_types,
            response_types,
            response_modes,
            auth_methods,
            scopes,
            require_pkce,
            may_introspect: entry.may_introspect,
            web_origins,
        },
        secret,
    })
}

/// The web origins a browser-based public client calls the provider from
/// (as Keycloak's "Web origins"): those listed, or by default the origins
/// of its redirect URIs, since that is where its page runs.
fn check_web_origins(
    entry: &ClientEntry,
    is_public: bool,
    redirect_uris: &[RedirectUri],
) -> Result<Vec<WebOrigin>, (&'static str, String)> {
    match (&entry.web_origins, is_public) {
        (Some(_), false) => Err((
            "web_origins",
            "only a public client (auth_methods = [\"none\"]) runs in a browser; a confidential client's server \
             calls the token endpoint without CORS"
                .into(),
        )),
        (Some(list), true) => {
            list.iter().map(|o| WebOrigin::parse(o).map_err(|e| ("web_origins", e.to_string()))).collect()
        }
        (None, true) => Ok(default_web_origins(redirect_uris)),
        (None, false) => Ok(Vec::new()),
    }
}

/// The distinct origins of `redirect_uris` (none for a native app's
/// private-use scheme).
pub fn default_web_origins(redirect_uris: &[RedirectUri]) -> Vec<WebOrigin> {
    let mut origins: Vec<WebOrigin> = Vec::new();
    for origin in redirect_uris.iter().filter_map(WebOrigin::of) {
        if !origins.contains(&origin) {
            origins.push(origin);
        }
    }
    origins
}

fn parse_list<T: Copy + PartialEq>(
    values: &[String],
    field: &'static str,
    parse: fn(&str) -> Option<T>,
    all: &[T],
    as_str: fn(T) -> &'static str,
) -> Result<Vec<T>, (&'static str, String)> {
    let mut out = Vec::with_capacity(values.len());
    for value in values {
        let parsed = parse(value).ok_or_else(|| {
            let allowed: Vec<_> = all.iter().map(|v| as_str(*v)).collect();
            (field, format!("unknown value {value:?}; allowed: {}", allowed.join(", ")))
        })?;
        if !out.contains(&parsed) {
            out.push(parsed);
        }
    }
    Ok(out)
}

fn parse_uris(values: &[String]) -> Result<Vec<RedirectUri>, RedirectUriError> {
    values.iter().map(|v| RedirectUri::parse(v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The confidential client `a` without its grant types; with the
    /// authorization code grant; and the public client `p`.
    const A: &str = "[[client]]\nid='a'\nsecret='12345678'\n";
    const CODE: &str = "[[client]]\nid='a'\nsecret='12345678'\ngrant_types=['authorization_code']\n";
    const PUBLIC: &str = "[[client]]\nid='p'\nauth_methods=['none']\ngrant_types=['authorization_code']\n";

    fn error_of(toml: &str) -> String {
        let Err(e) = parse_clients_file(toml, "test.toml") else { panic!("expected an error") };
        e.to_string()
    }

    #[test]
    fn shipped_clients_file_is_valid() {
        let clients = parse_clients_file(crate::config::DEFAULT_CLIENTS_TOML, "clients.toml").unwrap();
        assert!(clients.iter().any(|c| c.client.id.as_str() == "todo-app"));
        assert!(clients.iter().any(|c| c.client.is_public()));
    }

    /// Each mistake in a clients file is refused, the error naming the
    /// client and the field and saying what is wrong.
    #[test]
    fn mistakes_are_refused_naming_the_client_and_the_field() {
        let cases: [(&str, String, &[&str]); 7] = [
            (
                "an unknown grant type",
                format!("{A}grant_types=['password']\n"),
                &["client \"a\", field `grant_types`", "password"],
            ),
            (
                "a fragment",
                format!("{CODE}redirect_uris=['https://a.example/cb#frag']\n"),
                &["field `redirect_uris`", "fragment"],
            ),
            (
                "plain http",
                format!("{CODE}redirect_uris=['http://a.example/cb']\n"),
                &["field `redirect_uris`", "https"],
            ),
            (
                "a public client with a secret",
                format!("{PUBLIC}secret='12345678'\nredirect_uris=['http://localhost/cb']\n"),
                &["client \"p\", field `secret`"],
            ),
            (
                "an unknown scope",
                format!("{A}grant_types=['client_credentials']\nscopes=['admin']\n"),
                &["field `scopes`", "admin"],
            ),
            (
                "a web origin with a path, told its spelling",
                format!(
                    "{PUBLIC}redirect_uris=['http://localhost:5173/callback']\nweb_origins=['https://spa.example/']\n"
                ),
                &["field `web_origins`", "\"https://spa.example\""],
            ),
            (
                "web origins for a confidential client",
                format!("{CODE}redirect_uris=['https://a.example/cb']\nweb_origins=['https://a.example']\n"),
                &["client \"a\", field `web_origins`", "public client"],
            ),
        ];

        for (case, toml, needles) in cases {
            let e = error_of(&toml);
            for needle in needles {
                assert!(e.contains(needle), "{case}: {e} should mention {needle:?}");
            }
        }
    }

    #[test]
    fn web_origins_default_to_the_origins_of_a_public_clients_redirect_uris() {
        let toml = format!(
            "{PUBLIC}redirect_uris=['http://localhost:5173/callback', 'http://localhost:5173/other', 'com.example.app:/cb']\n"
        );
        let clients = parse_clients_file(&toml, "t").unwrap();
        let origins: Vec<_> = clients[0].client.web_origins.iter().map(WebOrigin::as_str).collect();
        assert_eq!(origins, ["http://localhost:5173"]);
    }

    #[test]
    fn listed_web_origins_replace_the_default() {
        let toml =
            format!("{PUBLIC}redirect_uris=['http://localhost:5173/callback']\nweb_origins=['https://spa.example']\n");
        let clients = parse_clients_file(&toml, "t").unwrap();
        let origins: Vec<_> = clients[0].client.web_origins.iter().map(WebOrigin::as_str).collect();
        assert_eq!(origins, ["https://spa.example"]);
    }

    #[test]
    fn defaults_follow_design_md() {
        let clients = parse_clients_file(&format!("{CODE}redirect_uris=['https://a.example/cb']\n"), "t").unwrap();
        let c = &clients[0].client;
        assert_eq!(c.response_types, vec![ResponseType::Code]);
        assert_eq!(c.response_modes, vec![ResponseMode::Query]);
        assert_eq!(c.auth_methods, vec![ClientAuthMethod::ClientSecretBasic]);
        assert!(c.require_pkce);
        assert!(!c.first_party);
        assert!(c.web_origins.is_empty(), "a confidential client has no web origins");
    }
}
