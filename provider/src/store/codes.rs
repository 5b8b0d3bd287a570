//! Authorization codes (RFC 6749 §4.1.2), kept in the row of the grant
//! each one carries to the client: issuing a code creates its grant, and
//! spending it marks that row. Only the SHA-256 of a code is stored.

use std::sync::Arc;

use shared::db::Kept;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, FromRow, Row};

use super::batch::{Batcher, numbered_rows};
use super::families::Family;
use super::users::User;

/// A code to issue, with the approval it carries.
#[derive(Debug)]
pub struct NewCode {
    pub code_hash: String,
    pub client_id: String,
    pub user_id: String,
    pub scope: String,
    pub auth_time: i64,
    pub nonce: Option<String>,
    /// Empty when the request sent no `redirect_uri`.
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub expires_at: i64,
}

/// The codes, written in batches: codes issued at the same moment are
/// written in one statement, and codes redeemed at the same moment are
/// spent in one (see `store::batch`).
#[derive(Clone)]
pub struct Codes {
    issuing: Batcher<NewCode, String>,
    redeeming: Batcher<Presented, Option<IssuedCode>>,
    writer: Kept,
}

/// At most this many codes a statement (11 parameters each).
const MOST_AT_ONCE: usize = 32;

impl Codes {
    /// Starts the batches' writers on `writer`.
    pub fn start(writer: Kept) -> Self {
        Self {
            issuing: Batcher::start(
                writer.clone(),
                MOST_AT_ONCE,
                Arc::new(|conn, codes| Box::pin(insert(conn, codes))),
            ),
            redeeming: Batcher::start(
                writer.clone(),
                MOST_AT_ONCE,
                Arc::new(|conn, codes| Box::pin(spend(conn, codes))),
            ),
            writer,
        }
    }

    /// Creates a grant with its code; the grant's id.
    pub async fn issue(&self, code: NewCode) -> sqlx::Result<String> {
        self.issuing.write(code).await
    }

    /// Spends a code issued to `client_id`, which also returns the grant and
    /// its user. Two concurrent requests with the same code cannot both see
    /// it unspent: the database serialises the UPDATE, and only one gets the
    /// row back (in one batch, only the first that presented it).
    ///
    /// RFC 6749 §4.1.3: the server must "ensure that the authorization code
    /// was issued to the authenticated confidential client, or if the client
    /// is public, ensure that the code was issued to "client_id" in the
    /// request". That check is part of the UPDATE's condition, so another
    /// client can neither spend a leaked code nor, by replaying it, revoke its
    /// grant.
    pub async fn redeem(&self, code_hash: &str, client_id: &str) -> sqlx::Result<Redemption> {
        let presented = Presented { code_hash: code_hash.to_owned(), client_id: client_id.to_owned() };
        if let Some(issued) = self.redeeming.write(presented).await? {
            return Ok(Redemption::Redeemed(Box::new(issued)));
        }
        let earlier: Option<(String, String)> = sqlx::query_as("SELECT id, client_id FROM grants WHERE code_hash = $1")
            .bind(code_hash)
            .fetch_optional(&mut *self.writer.acquire().await?)
            .await?;
        Ok(match earlier {
            Some((_, owner)) if owner != client_id => Redemption::OtherClient,
            Some((grant_id, _)) => Redemption::AlreadyRedeemed { grant_id },
            None => Redemption::Unknown,
        })
    }
}

/// Creates each code's grant, with the code, in one INSERT; their ids.
async fn insert(conn: &mut AnyConnection, codes: &[NewCode]) -> sqlx::Result<Vec<String>> {
    let sql = format!(
        "INSERT INTO grants (id, client_id, user_id, scope, auth_time, nonce, created_at, \
         code_hash, code_redirect_uri, code_challenge, code_expires_at) VALUES {}",
        numbered_rows(codes.len(), 11, 1)
    );
    let ids: Vec<String> = codes.iter().map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let now = shared::now_unix();
    // Only placeholders are formatted into the text; every value is bound.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (id, code) in ids.iter().zip(codes) {
        query = query
            .bind(id)
            .bind(&code.client_id)
            .bind(&code.user_id)
            .bind(&code.scope)
            .bind(code.auth_time)
            .bind(&code.nonce)
            .bind(now)
            .bind(&code.code_hash)
            .bind(&code.redirect_uri)
            .bind(&code.code_challenge)
            .bind(code.expires_at);
    }
    query.execute(&mut *conn).await?;
    Ok(ids)
}

/// A code as it was issued, with the grant it carries and the user who
/// approved it (`None` if the user no longer exists).
#[derive(Debug)]
pub struct IssuedCode {
    pub grant: Family,
    pub user: Option<User>,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub expires_at: i64,
}

/// What happened when a code was presented.
pub enum Redemption {
    /// First use: the code is now spent.
    Redeemed(Box<IssuedCode>),
    /// The code was spent before: a replay. Carries the grant to revoke.
    AlreadyRedeemed { grant_id: String },
    /// The code exists but was issued to another client: it is left as it
    /// was, neither spent nor revoked.
    OtherClient,
    /// No such code.
    Unknown,
}

/// A code presented at the token endpoint, by the client that presents it
/// (authenticated by then).
#[derive(Debug)]
pub struct Presented {
    pub code_hash: String,
    pub client_id: String,
}

/// Spends each presented code that was issued to the client presenting it
/// and is not spent yet, in one UPDATE ... RETURNING; for each, the code as
/// issued if this presentation spent it.
async fn spend(conn: &mut AnyConnection, presented: &[Presented]) -> sqlx::Result<Vec<Option<IssuedCode>>> {
    let sql = format!(
        "UPDATE grants SET code_redeemed_at = $1 \
         WHERE code_redeemed_at IS NULL AND (code_hash, client_id) IN (VALUES {}) \
         RETURNING code_hash, id, client_id, user_id, scope, auth_time, nonce, revoked_at, \
         code_redirect_uri, code_challenge, code_expires_at, {USER_OF_GRANT}",
        numbered_rows(presented.len(), 2, 2)
    );
    // Only placeholders are formatted into the text; every value is bound.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(shared::now_unix());
    for code in presented {
        query = query.bind(&code.code_hash).bind(&code.client_id);
    }
    let mut spent: Vec<Option<IssuedCode>> = presented.iter().map(|_| None).collect();
    for row in query.fetch_all(&mut *conn).await? {
        let code_hash: String = row.try_get("code_hash")?;
        let issued = issued_code(&row)?;
        // The first presentation of the code in this batch spent it; any
        // other is a replay.
        let first = (0..presented.len()).find(|&i| {
            spent[i].is_none()
                && presented[i].code_hash == code_hash
                && presented[i].client_id == issued.grant.client_id
        });
        if let Some(i) = first {
            spent[i] = Some(issued);
        }
    }
    Ok(spent)
}

/// The user a grant names, in a statement that returns the grant: one
/// subquery per column (RETURNING names only the updated table's row).
const USER_OF_GRANT: &str = "(SELECT username FROM users WHERE users.id = grants.user_id) AS username, \
     (SELECT password_hash FROM users WHERE users.id = grants.user_id) AS password_hash, \
     (SELECT name FROM users WHERE users.id = grants.user_id) AS name, \
     (SELECT email FROM users WHERE users.id = grants.user_id) AS email, \
     (SELECT CAST(email_verified AS INTEGER) FROM users WHERE users.id = grants.user_id) AS email_verified";

fn issued_code(row: &AnyRow) -> sqlx::Result<IssuedCode> {
    let grant = Family::from_row(row)?;
    let user = match (&grant.user_id, row.try_get::<Option<String>, _>("username")?) {
        (Some(user_id), Some(username)) => Some(User {
            id: user_id.clone(),
            username,
            password_hash: row.try_get("password_hash")?,
            name: row.try_get("name")?,
            email: row.try_get("email")?,
            email_verified: row.try_get("email_verified")?,
        }),
        _ => None,
    };
    let expires_at: Option<i64> = row.try_get("code_expires_at")?;
    Ok(IssuedCode {
        grant,
        user,
        redirect_uri: row.try_get::<Option<String>, _>("code_redirect_uri")?.unwrap_or_default(),
        code_challenge: row.try_get("code_challenge")?,
        expires_at: expires_at.ok_or_else(|| super::corrupt("grants.code_expires_at", "a code without an expiry"))?,
    })
}

/// Deletes up to `batch` grants whose code expired before `before` without
/// ever being redeemed: no token came of them. The number deleted.
pub async fn delete_unredeemed(conn: &mut AnyConnection, before: i64, batch: i64) -> sqlx::Result<u64> {
    let delete = "DELETE FROM grants WHERE id IN \
                  (SELECT id FROM grants WHERE code_expires_at < $1 AND code_redeemed_at IS NULL LIMIT $2)";
    super::prune_batch(conn, delete, before, batch).await
}

/// Forgets up to `batch` redeemed codes that expired before `before`: the
/// grant stays, with its tokens, and a replay of the code is then just an
/// unknown code. (So housekeeping keeps codes a while past their expiry,
/// for RFC 6749 §4.1.2's replay detection.) The number forgotten.
pub async fn forget_redeemed(conn: &mut AnyConnection, before: i64, batch: i64) -> sqlx::Result<u64> {
    let forget = "UPDATE grants SET code_hash = NULL, code_expires_at = NULL WHERE id IN \
                  (SELECT id FROM grants WHERE code_expires_at < $1 LIMIT $2)";
    super::prune_batch(conn, forget, before, batch).await
}
