//! The JWKS cache against a fake provider whose key set and caching
//! headers each test changes: keys age out after the response's
//! `Cache-Control: max-age` (RFC 9111 §5.2.2.1), an unknown `kid` is looked
//! up again, and both refetches are rate-limited.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use shared::jwks::{JwksCache, KeyLookupError};

/// What the fake JWKS endpoint answers, and how often it was asked.
struct FakeJwks {
    kids: Mutex<Vec<&'static str>>,
    cache_control: Mutex<&'static str>,
    status: Mutex<StatusCode>,
    fetches: AtomicUsize,
}

impl FakeJwks {
    fn publish(&self, kids: &[&'static str]) {
        *self.kids.lock().unwrap() = kids.to_vec();
    }
    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

/// An Ed25519 public key (RFC 8037 §2) under `kid`; any 32 bytes will do,
/// since no signature is checked here.
fn jwk(kid: &str) -> Value {
    json!({"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "kid": kid, "alg": "EdDSA", "use": "sig"})
}

async fn serve(kids: &[&'static str], cache_control: &'static str) -> (Arc<FakeJwks>, String) {
    async fn jwks(State(fake): State<Arc<FakeJwks>>) -> impl IntoResponse {
        fake.fetches.fetch_add(1, Ordering::SeqCst);
        let keys: Vec<Value> = fake.kids.lock().unwrap().iter().map(|kid| jwk(kid)).collect();
        let cache_control = *fake.cache_control.lock().unwrap();
        (*fake.status.lock().unwrap(), [(header::CACHE_CONTROL, cache_control)], Json(json!({ "keys": keys })))
    }
    let fake = Arc::new(FakeJwks {
        kids: Mutex::new(kids.to_vec()),
        cache_control: Mutex::new(cache_control),
        status: Mutex::new(StatusCode::OK),
        fetches: AtomicUsize::new(0),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/.well-known/jwks.json", listener.local_addr().unwrap());
    let router = Router::new().route("/.well-known/jwks.json", get(jwks)).with_state(fake.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (fake, url)
}

fn cache(url: &str, min_refresh_interval: Duration) -> JwksCache {
    JwksCache::new(url, reqwest::Client::new(), min_refresh_interval)
}

const HOUR: Duration = Duration::from_secs(3600);

#[tokio::test]
async fn a_key_the_provider_withdrew_stops_being_trusted_once_the_set_is_stale() {
    // max-age=0: the set is stale as soon as it arrives.
    let (fake, url) = serve(&["old", "new"], "public, max-age=0").await;
    let jwks = cache(&url, Duration::ZERO);
    assert!(jwks.key(Some("old")).await.is_ok());

    fake.publish(&["new"]);

    assert!(matches!(jwks.key(Some("old")).await, Err(KeyLookupError::UnknownKid(kid)) if kid == "old"));
    assert!(jwks.key(Some("new")).await.is_ok());
}

#[tokio::test]
async fn within_its_max_age_the_set_is_not_fetched_again_for_a_known_key() {
    let (fake, url) = serve(&["old"], "public, max-age=3600").await;
    let jwks = cache(&url, Duration::ZERO);
    assert!(jwks.key(Some("old")).await.is_ok());

    fake.publish(&["new"]);

    assert!(jwks.key(Some("old")).await.is_ok(), "still fresh: the cached set is used");
    assert_eq!(fake.fetches(), 1);
}

#[tokio::test]
async fn an_unknown_kid_is_looked_up_again_even_while_the_set_is_fresh() {
    let (fake, url) = serve(&["old"], "public, max-age=3600").await;
    let jwks = cache(&url, Duration::ZERO);
    assert!(jwks.key(Some("old")).await.is_ok());

    fake.publish(&["old", "rotated-in"]);

    assert!(jwks.key(Some("rotated-in")).await.is_ok());
    assert_eq!(fake.fetches(), 2);
}

#[tokio::test]
async fn a_stale_set_is_fetched_again_at_most_once_per_minimum_interval() {
    let (fake, url) = serve(&["old"], "no-cache").await;
    let jwks = cache(&url, HOUR);
    assert!(jwks.key(Some("old")).await.is_ok());

    fake.publish(&["new"]);

    // Stale, but the last fetch was just now: no new request, and the known
    // key is used until the provider may be asked again.
    assert!(jwks.key(Some("old")).await.is_ok());
    assert!(matches!(jwks.key(Some("new")).await, Err(KeyLookupError::UnknownKid(_))));
    assert!(matches!(jwks.key(Some("forged-1")).await, Err(KeyLookupError::UnknownKid(_))));
    assert_eq!(fake.fetches(), 1, "forged or new kids do not make the cache hammer the provider");
}

#[tokio::test]
async fn when_the_provider_is_down_the_keys_it_last_published_stay_in_use() {
    let (fake, url) = serve(&["old"], "max-age=0").await;
    let jwks = cache(&url, Duration::ZERO);
    assert!(jwks.key(Some("old")).await.is_ok());

    *fake.status.lock().unwrap() = StatusCode::SERVICE_UNAVAILABLE;

    assert!(jwks.key(Some("old")).await.is_ok());
    assert_eq!(fake.fetches(), 2, "the stale set was asked for again");
    assert!(matches!(jwks.key(Some("other")).await, Err(KeyLookupError::Unavailable { .. })));
}

#[tokio::test]
async fn a_token_without_kid_needs_no_fetch() {
    let (fake, url) = serve(&["old"], "max-age=0").await;
    let jwks = cache(&url, Duration::ZERO);

    assert!(matches!(jwks.key(None).await, Err(KeyLookupError::MissingKid)));
    assert_eq!(fake.fetches(), 0);
}
