//! Discovery (RFC 8414, OIDC Discovery) and the JWKS.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn both_well_known_paths_serve_the_same_document_advertising_what_is_enforced() {
    let app = spawn_app().await;
    let oidc: Value = app.get("/.well-known/openid-configuration").await.json().await.unwrap();
    let oauth: Value = app.get("/.well-known/oauth-authorization-server").await.json().await.unwrap();
    assert_eq!(oidc, oauth);
    assert_eq!(oidc["issuer"], app.base);
    assert_eq!(oidc["authorization_endpoint"], app.url("/oauth2/authorize"));
    assert_eq!(oidc["token_endpoint"], app.url("/oauth2/token"));
    assert_eq!(oidc["jwks_uri"], app.url("/.well-known/jwks.json"));
    for endpoint in ["userinfo_endpoint", "introspection_endpoint", "revocation_endpoint", "end_session_endpoint"] {
        assert!(oidc[endpoint].as_str().unwrap().starts_with(&app.base), "{endpoint}");
    }
    assert_eq!(oidc["code_challenge_methods_supported"], serde_json::json!(["S256"]));
    assert_eq!(oidc["response_types_supported"], serde_json::json!(["code"]));
    assert_eq!(oidc["response_modes_supported"], serde_json::json!(["query", "fragment", "form_post"]));
    assert_eq!(
        oidc["grant_types_supported"],
        serde_json::json!(["authorization_code", "refresh_token", "client_credentials"])
    );
    assert_eq!(oidc["authorization_response_iss_parameter_supported"], true);
    assert_eq!(oidc["id_token_signing_alg_values_supported"], serde_json::json!(["ES256"]));
    assert!(oidc["scopes_supported"].as_array().unwrap().iter().any(|s| s == "offline_access"));
}

#[tokio::test]
async fn discovery_urls_come_from_the_configured_issuer_never_the_host_header() {
    let app = spawn_app().await;
    let response =
        app.http.get(app.url("/.well-known/openid-configuration")).header("Host", "evil.example").send().await.unwrap();
    let doc: Value = response.json().await.unwrap();
    assert_eq!(doc["issuer"], app.base);
    assert!(!doc.to_string().contains("evil.example"));
}

#[tokio::test]
async fn jwks_publishes_public_keys_with_kid_alg_and_use() {
    let app = spawn_app().await;
    let response = app.get("/.well-known/jwks.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["cache-control"].to_str().unwrap().contains("max-age"));
    let jwks: Value = response.json().await.unwrap();
    let key = &jwks["keys"][0];
    assert!(key["kid"].as_str().is_some_and(|k| !k.is_empty()));
    assert_eq!(key["alg"], "ES256");
    assert_eq!(key["use"], "sig");
    assert!(key.get("d").is_none(), "no private part is ever published");
}

#[tokio::test]
async fn by_default_access_tokens_are_es256_and_id_tokens_rs256_each_with_a_published_key() {
    // The test configuration sets PROVIDER_SIGNING_ALG; empty, it is unset.
    let app = spawn_app_with(&[("PROVIDER_SIGNING_ALG", "")]).await;
    let jwks: Value = app.get("/.well-known/jwks.json").await.json().await.unwrap();
    let mut published: Vec<(String, String, String)> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (k["alg"].as_str().unwrap().into(), k["kty"].as_str().unwrap().into(), k["use"].as_str().unwrap().into())
        })
        .collect();
    published.sort();
    let expected = [("ES256", "EC", "sig"), ("RS256", "RSA", "sig")].map(|(a, k, u)| (a.into(), k.into(), u.into()));
    assert_eq!(published, expected, "one key per algorithm in use, each with its alg and use");

    let tokens = app.tokens_for_todo_app("openid todos:read").await;
    let access = tokens["access_token"].as_str().unwrap();
    let id_token = tokens["id_token"].as_str().unwrap();
    assert_eq!(jwt_parts(access).0["alg"], "ES256", "RFC 9068 §2.1: RS256 is supported, not required");
    assert_eq!(jwt_parts(id_token).0["alg"], "RS256", "OIDC Registration: id_token_signed_response_alg's default");
    assert_ne!(jwt_parts(access).0["kid"], jwt_parts(id_token).0["kid"]);
    verify_with_jwks(&app, access).await;
    verify_with_jwks(&app, id_token).await;
    let oidc: Value = app.get("/.well-known/openid-configuration").await.json().await.unwrap();
    assert_eq!(oidc["id_token_signing_alg_values_supported"], serde_json::json!(["RS256"]));
}

#[tokio::test]
async fn each_kind_of_token_can_be_signed_with_each_algorithm() {
    for (access_alg, id_alg, kty) in [("RS256", "EdDSA", "RSA"), ("EdDSA", "ES256", "OKP"), ("ES256", "ES256", "EC")] {
        let app = spawn_app_with(&[("PROVIDER_ACCESS_TOKEN_ALG", access_alg), ("PROVIDER_ID_TOKEN_ALG", id_alg)]).await;
        let jwks: Value = app.get("/.well-known/jwks.json").await.json().await.unwrap();
        let keys = jwks["keys"].as_array().unwrap();
        assert_eq!(keys.len(), if access_alg == id_alg { 1 } else { 2 }, "one key per algorithm");
        let tokens = app.tokens_for_todo_app("openid todos:read").await;
        let access = tokens["access_token"].as_str().unwrap();
        let id_token = tokens["id_token"].as_str().unwrap();
        let (header, _) = jwt_parts(access);
        assert_eq!(header["alg"], access_alg);
        let key = keys.iter().find(|k| k["kid"] == header["kid"]).expect("the access token's key is published");
        assert_eq!((&key["alg"], &key["kty"]), (&serde_json::json!(access_alg), &serde_json::json!(kty)));
        assert_eq!(jwt_parts(id_token).0["alg"], id_alg);
        verify_with_jwks(&app, access).await;
        verify_with_jwks(&app, id_token).await;
    }
}

#[tokio::test]
async fn provider_signing_alg_sets_both_and_the_specific_settings_override_it() {
    let config = |pairs: &[(&str, &str)]| {
        let config = provider::Config::from_env(&shared::config::Env::from_pairs(pairs.iter().copied())).unwrap();
        (config.access_token_alg, config.id_token_alg)
    };
    use jsonwebtoken::Algorithm::{ES256, EdDSA, RS256};
    assert_eq!(config(&[]), (ES256, RS256));
    assert_eq!(config(&[("PROVIDER_SIGNING_ALG", "EdDSA")]), (EdDSA, EdDSA));
    assert_eq!(config(&[("PROVIDER_SIGNING_ALG", "EdDSA"), ("PROVIDER_ID_TOKEN_ALG", "RS256")]), (EdDSA, RS256));
    assert_eq!(config(&[("PROVIDER_SIGNING_ALG", "RS256"), ("PROVIDER_ACCESS_TOKEN_ALG", "ES256")]), (ES256, RS256));
    for name in ["PROVIDER_ACCESS_TOKEN_ALG", "PROVIDER_ID_TOKEN_ALG"] {
        let error = provider::Config::from_env(&shared::config::Env::from_pairs([(name, "HS256")])).unwrap_err();
        assert!(error.to_string().contains(name), "{error}");
    }
}

#[tokio::test]
async fn forwarded_headers_never_change_the_issuer() {
    let app = spawn_app().await;
    let response = app
        .http
        .get(app.url("/.well-known/oauth-authorization-server"))
        .header("X-Forwarded-Proto", "http")
        .header("X-Forwarded-Host", "attacker.example")
        .header("Forwarded", "host=attacker.example;proto=http")
        .send()
        .await
        .unwrap();
    let doc: Value = response.json().await.unwrap();
    assert_eq!(doc["issuer"], app.base);
    assert!(!doc.to_string().contains("attacker.example"));
}
