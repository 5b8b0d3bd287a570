//! The provider's keys: fetched once, cached, refreshed on an unknown `kid`
//! (at most once per interval), and still used while the provider is down.

use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::{KEYS, assert_invalid_token, spawn_app, spawn_app_with};

#[tokio::test]
async fn keys_are_fetched_once_and_then_served_from_the_cache() {
    let app = spawn_app().await;

    for _ in 0..3 {
        let response = app.get_todos(&app.token().sign()).await;
        assert_eq!(response.status(), StatusCode::OK);
    }

    assert_eq!(app.provider.jwks_hits(), 1);
}

#[tokio::test]
async fn tokens_keep_validating_from_the_cache_while_the_provider_is_down() {
    let mut app = spawn_app().await;
    let first = app.get_todos(&app.token().sign()).await;
    assert_eq!(first.status(), StatusCode::OK);

    app.provider.stop().await;
    let response = app.get_todos(&app.token().es256().sign()).await;

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn unknown_key_id_while_the_provider_is_down_is_a_401_not_a_500() {
    // No refresh interval, so the unknown kid really makes the API try to
    // refetch the JWKS from the stopped provider.
    let mut app = spawn_app_with(|c| c.jwks_min_refresh = Duration::ZERO).await;
    let first = app.get_todos(&app.token().sign()).await;
    assert_eq!(first.status(), StatusCode::OK);

    app.provider.stop().await;
    let token = app.token().rotated_key().sign();
    let response = app.get_todos(&token).await;

    assert_invalid_token(response, "cannot be fetched right now").await;
}

#[tokio::test]
async fn unknown_key_id_before_any_fetch_with_the_provider_down_is_a_401() {
    let mut app = spawn_app().await;
    app.provider.stop().await;

    let response = app.get_todos(&app.token().sign()).await;

    assert_invalid_token(response, "unknown key id").await;
}

#[tokio::test]
async fn a_key_published_after_start_is_picked_up_on_its_first_token() {
    let app = spawn_app_with(|c| c.jwks_min_refresh = Duration::ZERO).await;
    let first = app.get_todos(&app.token().sign()).await;
    assert_eq!(first.status(), StatusCode::OK);

    app.provider.publish(KEYS.rotated.jwk.clone());
    let response = app.get_todos(&app.token().rotated_key().sign()).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(app.provider.jwks_hits(), 2);
}

#[tokio::test]
async fn unknown_key_ids_do_not_refetch_the_jwks_more_than_once_per_interval() {
    let app = spawn_app_with(|c| c.jwks_min_refresh = Duration::from_secs(3600)).await;
    let first = app.get_todos(&app.token().sign()).await;
    assert_eq!(first.status(), StatusCode::OK);

    for n in 0..3 {
        let token = app.token().attacker_key().kid(Some(&format!("forged-{n}"))).sign();
        assert_invalid_token(app.get_todos(&token).await, "unknown key id").await;
    }

    assert_eq!(app.provider.jwks_hits(), 1);
}
