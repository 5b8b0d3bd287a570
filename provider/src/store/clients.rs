//! Registered clients.

use shared::ids::RedirectUri;
use shared::{ClientAuthMethod, ClientId, GrantType, ResponseMode, ResponseType, Scopes};
use sqlx::{AnyConnection, FromRow};

use super::{corrupt, parse_list};
use crate::clients::Client;

#[derive(FromRow)]
struct ClientRow {
    id: String,
    secret_hash: Option<String>,
    name: String,
    redirect_uris: String,
    post_logout_redirect_uris: String,
    first_party: i32,
    grant_types: String,
    response_types: String,
    response_modes: String,
    auth_methods: String,
    scopes: String,
    require_pkce: i32,
    may_introspect: i32,
}

impl ClientRow {
    /// Values were checked when the clients file was loaded; one that no
    /// longer reads back is a corrupt row, not something to drop quietly.
    fn into_client(self) -> sqlx::Result<Client> {
        let uris = |column, text: &str| parse_list(column, text, |u| RedirectUri::parse(u).ok());
        let redirect_uris = uris("clients.redirect_uris", &self.redirect_uris)?;
        let auth_methods = parse_list("clients.auth_methods", &self.auth_methods, ClientAuthMethod::parse)?;
        let is_public = auth_methods == [ClientAuthMethod::None];
        Ok(Client {
            id: ClientId::new(self.id),
            name: self.name,
            secret_hash: self.secret_hash,
            // Not stored: a public client's listed web origins are read from
            // the clients file at start; the default is what is derived here.
            web_origins: if is_public { crate::clients::default_web_origins(&redirect_uris) } else { Vec::new() },
            redirect_uris,
            post_logout_redirect_uris: uris("clients.post_logout_redirect_uris", &self.post_logout_redirect_uris)?,
            first_party: self.first_party != 0,
            grant_types: parse_list("clients.grant_types", &self.grant_types, GrantType::parse)?,
            response_types: parse_list("clients.response_types", &self.response_types, ResponseType::parse)?,
            response_modes: parse_list("clients.response_modes", &self.response_modes, ResponseMode::parse)?,
            auth_methods,
            scopes: Scopes::parse(&self.scopes).map_err(|e| corrupt("clients.scopes", e))?,
            require_pkce: self.require_pkce != 0,
            may_introspect: self.may_introspect != 0,
        })
    }
}

pub async fn all(conn: &mut AnyConnection) -> sqlx::Result<Vec<Client>> {
    let rows: Vec<ClientRow> = sqlx::query_as(
        "SELECT id, secret_hash, name, redirect_uris, post_logout_redirect_uris, first_party, grant_types, \
         response_types, response_modes, auth_methods, scopes, require_pkce, may_introspect FROM clients",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(ClientRow::into_client).collect()
}

pub async fn secret_hash(conn: &mut AnyConnection, id: &ClientId) -> sqlx::Result<Option<String>> {
    let row: Option<(Option<String>,)> = sqlx::query_as("SELECT secret_hash FROM clients WHERE id = $1")
        .bind(id.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.and_then(|(hash,)| hash))
}

fn json<T: AsRef<str>>(items: impl IntoIterator<Item = T>) -> String {
    serde_json::to_string(&items.into_iter().map(|s| s.as_ref().to_owned()).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".into())
}

/// Inserts or replaces a client registration.
pub async fn upsert(conn: &mut AnyConnection, client: &Client) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO clients (id, secret_hash, name, redirect_uris, post_logout_redirect_uris, first_party, \
         grant_types, response_types, response_modes, auth_methods, scopes, require_pkce, may_introspect, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
         ON CONFLICT (id) DO UPDATE SET secret_hash = excluded.secret_hash, name = excluded.name, \
         redirect_uris = excluded.redirect_uris, post_logout_redirect_uris = excluded.post_logout_redirect_uris, \
         first_party = excluded.first_party, grant_types = excluded.grant_types, \
         response_types = excluded.response_types, response_modes = excluded.response_modes, \
         auth_methods = excluded.auth_methods, scopes = excluded.scopes, require_pkce = excluded.require_pkce, \
         may_introspect = excluded.may_introspect, \
         updated_at = excluded.updated_at",
    )
    .bind(client.id.as_str())
    .bind(client.secret_hash.clone())
    .bind(&client.name)
    .bind(json(client.redirect_uris.iter().map(|u| u.as_str())))
    .bind(json(client.post_logout_redirect_uris.iter().map(|u| u.as_str())))
    .bind(client.first_party as i32)
    .bind(json(client.grant_types.iter().map(|g| g.as_str())))
    .bind(json(client.response_types.iter().map(|g| g.as_str())))
    .bind(json(client.response_modes.iter().map(|g| g.as_str())))
    .bind(json(client.auth_methods.iter().map(|g| g.as_str())))
    .bind(client.scopes.to_string())
    .bind(client.require_pkce as i32)
    .bind(client.may_introspect as i32)
    .bind(shared::now_unix())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
