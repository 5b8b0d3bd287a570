//! Signing-key rotation with `provider keys rotate`.

use serde_json::Value;

use crate::helpers::*;

fn rotate(database_url: &str) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_provider"))
        .args(["keys", "rotate"])
        .env("PROVIDER_DATABASE_URL", database_url)
        .env("PROVIDER_SIGNING_ALG", "ES256")
        .env("PROVIDER_SEED_DEMO_USERS", "false")
        .output()
        .expect("provider keys rotate runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("new active signing key"));
}

#[tokio::test]
async fn rotation_publishes_a_new_signer_and_keeps_old_tokens_valid() {
    let app = spawn_app().await;
    let before = app.tokens_for_todo_app("openid todos:read").await;
    let old_kid = jwt_parts(before["access_token"].as_str().unwrap()).0["kid"].clone();
    let (database_url, port) = (app.database_url.clone(), app.port());
    app.stop().await;

    rotate(&database_url);

    let app = spawn_on(&database_url, &[], Some(port)).await;
    let jwks: Value = app.get("/.well-known/jwks.json").await.json().await.unwrap();
    let kids: Vec<&Value> = jwks["keys"].as_array().unwrap().iter().map(|k| &k["kid"]).collect();
    assert_eq!(kids.len(), 2, "old and new keys are both published");
    assert!(kids.contains(&&old_kid));
    let after = app.tokens_for_todo_app("openid todos:read").await;
    let new_kid = jwt_parts(after["access_token"].as_str().unwrap()).0["kid"].clone();
    assert_ne!(new_kid, old_kid, "the new key signs");
    verify_with_jwks(&app, before["access_token"].as_str().unwrap()).await;
    verify_with_jwks(&app, after["access_token"].as_str().unwrap()).await;
}

#[tokio::test]
async fn keys_retired_longer_than_a_token_lifetime_are_pruned() {
    let app = spawn_app().await;
    let (database_url, port) = (app.database_url.clone(), app.port());
    app.stop().await;
    rotate(&database_url);
    // Pretend the old key was retired a day ago; the next rotation prunes it.
    let pool = shared::db::connect(&database_url).await.unwrap();
    sqlx::query("UPDATE signing_keys SET retired_at = retired_at - 86400 WHERE retired_at IS NOT NULL")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    rotate(&database_url);
    let app = spawn_on(&database_url, &[], Some(port)).await;
    let jwks: Value = app.get("/.well-known/jwks.json").await.json().await.unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2, "the day-old key is gone; the last two remain");
}
