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
async fn rs256_is_the_default_and_eddsa_is_selectable() {
    for (alg, kty) in [("RS256", "RSA"), ("EdDSA", "OKP")] {
        let app = spawn_app_with(&[("PROVIDER_SIGNING_ALG", alg)]).await;
        let jwks: Value = app.get("/.well-known/jwks.json").await.json().await.unwrap();
        assert_eq!(jwks["keys"][0]["alg"], alg);
        assert_eq!(jwks["keys"][0]["kty"], kty);
        let tokens = app.tokens_for_todo_app("openid todos:read").await;
        let access = tokens["access_token"].as_str().unwrap();
        let (header, _) = jwt_parts(access);
        assert_eq!(header["alg"], alg);
        verify_with_jwks(&app, access).await;
        verify_with_jwks(&app, tokens["id_token"].as_str().unwrap()).await;
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
