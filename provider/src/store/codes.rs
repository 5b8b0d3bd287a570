//! Authorization codes, stored as SHA-256 hashes.

use sqlx::{AnyConnection, FromRow};

pub struct NewCode<'a> {
    pub code_hash: &'a str,
    pub grant_id: &'a str,
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub code_challenge: Option<&'a str>,
    pub expires_at: i64,
}

pub async fn insert(conn: &mut AnyConnection, code: NewCode<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO authorization_codes (code_hash, grant_id, client_id, redirect_uri, code_challenge, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(code.code_hash)
    .bind(code.grant_id)
    .bind(code.client_id)
    .bind(code.redirect_uri)
    .bind(code.code_challenge)
    .bind(code.expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A code as it was issued.
#[derive(Debug, FromRow)]
pub struct IssuedCode {
    pub grant_id: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub expires_at: i64,
}

/// What happened when a code was presented.
pub enum Redemption {
    /// First use: the code is now spent.
    Redeemed(IssuedCode),
    /// The code was spent before: a replay. Carries the grant to revoke.
    AlreadyRedeemed { grant_id: String },
    /// The code exists but was issued to another client: it is left as it
    /// was, neither spent nor revoked.
    OtherClient,
    /// No such code.
    Unknown,
}

/// Spends a code issued to `client_id` in one statement. Two concurrent
/// requests with the same code cannot both see `redeemed_at IS NULL`: the
/// database serialises the UPDATE, and only one gets the row back.
///
/// RFC 6749 §4.1.3: the server must "ensure that the authorization code was
/// issued to the authenticated confidential client, or if the client is
/// public, ensure that the code was issued to "client_id" in the request".
/// That check is part of the UPDATE's condition, so another client can
/// neither spend a leaked code nor, by replaying it, revoke its grant.
pub async fn redeem(conn: &mut AnyConnection, code_hash: &str, client_id: &str) -> sqlx::Result<Redemption> {
    let spent: Option<IssuedCode> = sqlx::query_as(
        "UPDATE authorization_codes SET redeemed_at = $1 \
         WHERE code_hash = $2 AND client_id = $3 AND redeemed_at IS NULL \
         RETURNING grant_id, client_id, redirect_uri, code_challenge, expires_at",
    )
    .bind(shared::now_unix())
    .bind(code_hash)
    .bind(client_id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(code) = spent {
        return Ok(Redemption::Redeemed(code));
    }
    let earlier: Option<(String, String)> =
        sqlx::query_as("SELECT grant_id, client_id FROM authorization_codes WHERE code_hash = $1")
            .bind(code_hash)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(match earlier {
        Some((_, owner)) if owner != client_id => Redemption::OtherClient,
        Some((grant_id, _)) => Redemption::AlreadyRedeemed { grant_id },
        None => Redemption::Unknown,
    })
}

/// Deletes up to `batch` codes that expired before `before`; the number
/// deleted. (A replay of a code deleted here is then just an unknown code,
/// so housekeeping keeps codes a while past their expiry.)
pub async fn delete_expired(conn: &mut AnyConnection, before: i64, batch: i64) -> sqlx::Result<u64> {
    let delete = "DELETE FROM authorization_codes WHERE code_hash IN \
                  (SELECT code_hash FROM authorization_codes WHERE expires_at < $1 LIMIT $2)";
    super::delete_batch(conn, delete, before, batch).await
}
