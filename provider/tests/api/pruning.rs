//! Background pruning (`provider::housekeeping::prune`): expired rows go in
//! bounded batches, live ones stay, and what reuse detection needs stays.

use provider::housekeeping::{KEEP_EXPIRED_SECONDS, Pacing, Pruned, prune};
use reqwest::StatusCode;
use sqlx::AnyPool;

use crate::helpers::*;

const DAY: i64 = 24 * 3600;

/// Small batches, no real pause: several statements per table.
const TWO_AT_A_TIME: Pacing = Pacing { batch: 2, pause_factor: 0, min_pause: std::time::Duration::ZERO };

/// Inserts a row whose first parameter is its key and whose second is its
/// expiry: the shape of codes, access tokens and sessions alike.
async fn insert_expiring(db: &AnyPool, sql: &'static str, key: &str, expires_at: i64) {
    sqlx::query(sql).bind(key).bind(expires_at).execute(db).await.unwrap();
}

/// A code and the grant it carries, one row (its id is the code's hash).
async fn insert_code(db: &AnyPool, hash: &str, expires_at: i64) {
    let sql = "INSERT INTO grants (id, client_id, user_id, scope, created_at, code_hash, code_redirect_uri, \
               code_expires_at) VALUES ($1, 'todo-app', 'u', 'openid', 0, $1, '', $2)";
    insert_expiring(db, sql, hash, expires_at).await;
}

async fn insert_access_token(db: &AnyPool, jti: &str, expires_at: i64) {
    let sql = "INSERT INTO access_tokens (jti, grant_id, client_id, expires_at) VALUES ($1, 'g', 'todo-app', $2)";
    insert_expiring(db, sql, jti, expires_at).await;
}

async fn insert_refresh_token(db: &AnyPool, hash: &str, expires_at: i64, family_expires_at: i64, rotated: bool) {
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, grant_id, client_id, user_id, scope, created_at, \
         family_expires_at, expires_at, rotated_at) VALUES ($1, 'g', 'todo-app', 'u', 'openid', 0, $2, $3, $4)",
    )
    .bind(hash)
    .bind(family_expires_at)
    .bind(expires_at)
    .bind(rotated.then_some(0_i64))
    .execute(db)
    .await
    .unwrap();
}

async fn insert_session(db: &AnyPool, id: &str, expires_at: i64) {
    insert_expiring(db, "INSERT INTO sessions (id, data, expires_at) VALUES ($1, '{}', $2)", id, expires_at).await;
}

#[tokio::test]
async fn expired_rows_go_in_batches_and_live_ones_stay() {
    let app = spawn_app().await;
    let db = shared::db::connect(&app.database_url).await.unwrap();
    let now = shared::now_unix();
    let long_ago = now - KEEP_EXPIRED_SECONDS - 60;
    // Clear what the app's own start-up round may have left, so the counts
    // below are this test's rows only.
    prune(&shared::db::Kept::passing_through(db.clone()), now, TWO_AT_A_TIME).await.unwrap();

    for i in 0..5 {
        insert_code(&db, &format!("old-code-{i}"), long_ago).await;
        if i == 0 {
            // Redeemed: its grant has tokens to keep.
            sqlx::query("UPDATE grants SET code_redeemed_at = 0 WHERE id = 'old-code-0'").execute(&db).await.unwrap();
        }
        insert_access_token(&db, &format!("old-jti-{i}"), long_ago).await;
        insert_session(&db, &format!("old-session-{i}"), now - 1).await;
    }
    insert_code(&db, "live-code", now + 60).await;
    insert_code(&db, "just-expired-code", now - 60).await;
    insert_access_token(&db, "live-jti", now + 600).await;
    insert_access_token(&db, "just-expired-jti", now - 60).await;
    insert_session(&db, "live-session", now + 3600).await;
    // Refresh tokens: a family that ended, a token that idled out without
    // ever being rotated, a rotated token of a living family (reuse
    // detection needs it), and a live one.
    insert_refresh_token(&db, "ended-family", long_ago, long_ago, true).await;
    insert_refresh_token(&db, "idled-out", long_ago, now + 30 * DAY, false).await;
    insert_refresh_token(&db, "rotated-in-live-family", long_ago, now + 30 * DAY, true).await;
    insert_refresh_token(&db, "live", now + 7 * DAY, now + 30 * DAY, false).await;

    let pruned = prune(&shared::db::Kept::passing_through(db.clone()), now, TWO_AT_A_TIME).await.unwrap();

    assert_eq!(
        pruned,
        Pruned { codes: 5, access_tokens: 5, refresh_tokens: 2, sessions: 5, throttle_counters: 0 },
        "five rows at two a statement: three statements per table"
    );
    let codes = count(&db, "SELECT COUNT(*) FROM grants WHERE code_hash LIKE 'old-%'").await;
    assert_eq!(codes, 0);
    let codes = "SELECT COUNT(*) FROM grants WHERE code_hash IS NOT NULL AND id NOT LIKE 'old-%'";
    assert_eq!(count(&db, codes).await, 2, "the live and the just-expired code");
    let grants = count(&db, "SELECT COUNT(*) FROM grants WHERE id LIKE 'old-%'").await;
    assert_eq!(grants, 1, "only the redeemed code's grant stays, without its code");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM access_tokens WHERE jti LIKE 'old-%'").await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM access_tokens").await, 2);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM sessions").await, 1);
    let left = "SELECT COUNT(*) FROM refresh_tokens WHERE token_hash IN ('rotated-in-live-family', 'live')";
    assert_eq!(count(&db, left).await, 2);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM refresh_tokens").await, 2);
    assert_eq!(
        prune(&shared::db::Kept::passing_through(db.clone()), now, TWO_AT_A_TIME).await.unwrap(),
        Pruned::default(),
        "nothing left to prune"
    );
}

#[tokio::test]
async fn a_rotated_refresh_token_long_expired_still_reveals_reuse_after_pruning() {
    let app = spawn_app().await;
    let tokens = app.tokens_for_todo_app(ALL_SCOPES).await;
    let first = tokens["refresh_token"].as_str().unwrap().to_owned();
    let refreshed = app.refresh_as_todo_app(&first).await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let db = shared::db::connect(&app.database_url).await.unwrap();
    // The rotated token idled out long ago; its family lives on.
    sqlx::query("UPDATE refresh_tokens SET expires_at = $1 WHERE rotated_at IS NOT NULL")
        .bind(shared::now_unix() - KEEP_EXPIRED_SECONDS - 60)
        .execute(&db)
        .await
        .unwrap();

    let pruned =
        prune(&shared::db::Kept::passing_through(db.clone()), shared::now_unix(), TWO_AT_A_TIME).await.unwrap();

    assert_eq!(pruned.refresh_tokens, 0);
    let reuse = app.refresh_as_todo_app(&first).await;
    let description = assert_token_error(reuse, StatusCode::BAD_REQUEST, "invalid_grant").await;
    assert!(description.contains("RFC 9700 §4.14.2"), "reuse is still detected: {description}");
}
