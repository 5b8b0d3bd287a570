//! Health, request ids, configuration and clients-file errors, persistence.

use reqwest::StatusCode;
use serde_json::Value;
use shared::config::Env;

use crate::helpers::*;
use testkit::db::TestDatabase;
use testkit::serve::Port;

#[tokio::test]
async fn healthz_reports_ok_and_every_response_has_a_request_id() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get("x-request-id").is_some_and(|v| !v.is_empty()));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn bad_configuration_names_the_variable_and_gives_an_example() {
    let error =
        provider::Config::from_env(&Env::from_pairs([("PROVIDER_SIGNING_ALG", "HS256")])).unwrap_err().to_string();
    assert!(error.contains("PROVIDER_SIGNING_ALG") && error.contains("ES256"), "{error}");
    let error = provider::Config::from_env(&Env::from_pairs([("PROVIDER_PUBLIC_URL", "localhost:8080")]))
        .unwrap_err()
        .to_string();
    assert!(error.contains("PROVIDER_PUBLIC_URL"), "{error}");
    let error = provider::Config::from_env(&Env::from_pairs([("PROVIDER_CLIENTS_FILE", "/no/such/file.toml")]))
        .unwrap_err()
        .to_string();
    assert!(error.contains("PROVIDER_CLIENTS_FILE"), "{error}");
}

#[tokio::test]
async fn a_malformed_clients_file_names_the_variable_the_file_and_a_good_value() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clients.toml");
    std::fs::write(&path, "[[client]\nid = \"shop\"\n").unwrap();
    let path = path.to_str().unwrap();
    let error =
        provider::Config::from_env(&Env::from_pairs([("PROVIDER_CLIENTS_FILE", path)])).unwrap_err().to_string();
    assert!(error.contains("PROVIDER_CLIENTS_FILE"), "{error}");
    assert!(error.contains(path), "names the file: {error}");
    assert!(error.contains("provider/clients.toml"), "shows a good value: {error}");
    // A well-formed file with a wrong field is named the same way.
    std::fs::write(path, "[[client]]\nid = \"shop\"\nsecret = \"12345678\"\ngrant_types = [\"password\"]\n").unwrap();
    let error =
        provider::Config::from_env(&Env::from_pairs([("PROVIDER_CLIENTS_FILE", path)])).unwrap_err().to_string();
    assert!(error.contains("PROVIDER_CLIENTS_FILE") && error.contains("field `grant_types`"), "{error}");
}

#[tokio::test]
async fn a_clients_file_mistake_stops_start_up_naming_client_and_field() {
    let database = TestDatabase::fresh("provider").await;
    let database_url = database.url.clone();
    let mut config = test_config("http://127.0.0.1:1", &database_url, &[]);
    config.clients_toml = "[[client]]\nid = \"shop\"\nsecret = \"12345678\"\ngrant_types = [\"authorization_code\"]\nredirect_uris = [\"http://shop.example/cb\"]\n".into();
    let error = match provider::App::build_on(config, Port::free().await.into_listener()).await {
        Ok(_) => panic!("start-up must fail"),
        Err(e) => e.to_string(),
    };
    assert!(error.contains("client \"shop\", field `redirect_uris`"), "{error}");
}

#[tokio::test]
async fn keys_and_tokens_survive_a_restart() {
    let app = spawn_app().await;
    let tokens = app.tokens_for_todo_app("openid todos:read").await;
    let kid_before = access_token_kid(&tokens);
    let restarted = app.restart().await;
    let jwks: Value = restarted.get("/.well-known/jwks.json").await.json().await.unwrap();
    assert_eq!(jwks["keys"][0]["kid"], kid_before, "the same key after a restart");
    verify_with_jwks(&restarted, tokens["access_token"].as_str().unwrap()).await;
}
