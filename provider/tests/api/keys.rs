//! Signing-key rotation with `provider keys rotate`.

use serde_json::Value;

use crate::helpers::*;

/// `provider keys rotate` with a publication delay of `publish_seconds`.
fn rotate_after(database_url: &str, publish_seconds: u64) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_provider"))
        .args(["keys", "rotate"])
        .env("PROVIDER_DATABASE_URL", database_url)
        .env("PROVIDER_KEY_PUBLISH_SECONDS", publish_seconds.to_string())
        .env("PROVIDER_SIGNING_ALG", "ES256")
        .env("PROVIDER_SEED_DEMO_USERS", "false")
        .output()
        .expect("provider keys rotate runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("new signing key"));
}

fn rotate(database_url: &str) {
    rotate_after(database_url, 1);
}

async fn kid_of_a_new_token(app: &TestApp) -> Value {
    let tokens = app.tokens_for_todo_app("openid todos:read").await;
    access_token_kid(&tokens)
}

#[tokio::test]
async fn a_rotated_in_key_is_published_for_one_jwks_cache_lifetime_before_it_signs() {
    let app = spawn_app_with(&[("PROVIDER_KEY_PUBLISH_SECONDS", "3600")]).await;
    let old_kid = kid_of_a_new_token(&app).await;
    let (database, port) = app.stop_keeping_database().await;

    rotate_after(&database.url, 3600);

    let app = spawn_on(database.clone(), &[("PROVIDER_KEY_PUBLISH_SECONDS", "3600")], Some(port)).await;
    let response = app.get("/.well-known/jwks.json").await;
    assert_eq!(response.headers()["cache-control"], "public, max-age=3600", "verifiers are told the lifetime");
    let jwks: Value = response.json().await.unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2, "the new key is published at once");
    assert_eq!(kid_of_a_new_token(&app).await, old_kid, "but the old key signs until the lifetime has passed");
}

#[tokio::test]
async fn rotation_publishes_a_new_signer_and_keeps_old_tokens_valid() {
    let app = spawn_app().await;
    let before = app.tokens_for_todo_app("openid todos:read").await;
    let old_kid = access_token_kid(&before);
    let (database, port) = app.stop_keeping_database().await;

    rotate(&database.url);
    let rotated_at = std::time::Instant::now();

    let app = spawn_on(database.clone(), &[], Some(port)).await;
    // The one-second publication delay passes.
    tokio::time::sleep(std::time::Duration::from_millis(1100).saturating_sub(rotated_at.elapsed())).await;
    let jwks: Value = app.get("/.well-known/jwks.json").await.json().await.unwrap();
    let kids: Vec<&Value> = jwks["keys"].as_array().unwrap().iter().map(|k| &k["kid"]).collect();
    assert_eq!(kids.len(), 2, "old and new keys are both published");
    assert!(kids.contains(&&old_kid));
    let after = app.tokens_for_todo_app("openid todos:read").await;
    let new_kid = access_token_kid(&after);
    assert_ne!(new_kid, old_kid, "the new key signs");
    verify_with_jwks(&app, before["access_token"].as_str().unwrap()).await;
    verify_with_jwks(&app, after["access_token"].as_str().unwrap()).await;
}

#[tokio::test]
async fn keys_retired_longer_than_a_token_lifetime_are_pruned() {
    let app = spawn_app().await;
    let (database, port) = app.stop_keeping_database().await;
    rotate(&database.url);
    // Pretend the old key was retired a day ago; the next rotation prunes it.
    let pool = shared::db::connect(&database.url).await.unwrap();
    sqlx::query("UPDATE signing_keys SET retired_at = retired_at - 86400 WHERE retired_at IS NOT NULL")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    rotate(&database.url);
    let app = spawn_on(database.clone(), &[], Some(port)).await;
    let jwks: Value = app.get("/.well-known/jwks.json").await.json().await.unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2, "the day-old key is gone; the last two remain");
}

#[tokio::test]
async fn a_newly_configured_algorithm_is_published_before_it_signs() {
    // A database from the days of one key for everything (RS256), started
    // with the defaults (ES256 access tokens).
    let publish = ("PROVIDER_KEY_PUBLISH_SECONDS", "3600");
    let app = spawn_app_with(&[("PROVIDER_SIGNING_ALG", "RS256"), publish]).await;
    let old_kid = kid_of_a_new_token(&app).await;
    let (database, port) = app.stop_keeping_database().await;

    let app = spawn_on(database.clone(), &[("PROVIDER_SIGNING_ALG", ""), publish], Some(port)).await;
    let jwks: Value = app.get("/.well-known/jwks.json").await.json().await.unwrap();
    let mut algs: Vec<&str> = jwks["keys"].as_array().unwrap().iter().map(|k| k["alg"].as_str().unwrap()).collect();
    algs.sort();
    assert_eq!(algs, ["ES256", "RS256"], "the ES256 key is published at once");
    let tokens = app.tokens_for_todo_app("openid todos:read").await;
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(jwt_parts(access).0["kid"], old_kid, "until verifiers may have it, the old key signs access tokens");
    verify_with_jwks(&app, access).await;
    assert_eq!(jwt_parts(tokens["id_token"].as_str().unwrap()).0["kid"], old_kid);
}
