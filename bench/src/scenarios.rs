//! The scenarios, one function each, in the order they run. Each returns a
//! [`Row`]: what was measured, on which process, and the outcome.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::json;
use shared::basic_credentials;

use crate::flows::{self, CodeFlow, FirstLogin, REPORT_SERVICE, Request, TODO_API_CLIENT};
use crate::http::{Conn, Cookies};
use crate::load::{self, Operation, Plan};
use crate::report::Row;
use crate::services::Services;
use crate::{prefill, seed};

/// The algorithms a provider can sign access tokens with, each measured
/// on `client_credentials` (RFC 9068 §2.1 requires RS256 to be supported).
pub const ALGORITHMS: [&str; 3] = ["RS256", "ES256", "EdDSA"];

/// The scope of the code flow: a token for the todo API, no ID token. With
/// `openid` the flow also signs an ID token, with RS256 by default (OIDC
/// Registration's default): 0.6 ms of CPU on its own, which caps a flow at
/// some 1,600 per CPU-second whatever else it costs — `code_flow_openid`
/// measures that.
const FLOW_SCOPE: &str = "todos:read";

/// The scope of the OpenID Connect flows: an ID token too.
const OIDC_SCOPE: &str = "openid todos:read";

/// The running system and what the set-up obtained from it.
pub struct Bench {
    pub plan: Plan,
    pub services: Services,
    /// A `client_credentials` token of the report service (`todos:read`).
    pub cc_token: String,
    /// A user's access token for the todo API (`todos:read todos:write`).
    pub user_token: String,
    /// The argon2 parameters of the stored password hashes.
    pub argon2: String,
    /// The `alg` the provider's default configuration signs access tokens with.
    pub access_token_alg: String,
}

impl Bench {
    /// Set-up, outside any measurement: tokens, a few todos, one user per
    /// first-login worker (the throttle counts attempts per username, so
    /// 32 browsers signing in as one user at once would be refused — as
    /// they should be), and the argon2 parameters the provider really stored.
    pub async fn set_up(plan: Plan, services: Services) -> anyhow::Result<Self> {
        let (cc_token, user_token) = tokens(&services).await?;
        let access_token_alg =
            jsonwebtoken::decode_header(&cc_token).map(|h| format!("{:?}", h.alg)).unwrap_or_else(|_| "unknown".into());
        let mut api = Conn::new(services.todo_api.addr);
        for title in ["write the benchmark", "read the profile", "close the gap"] {
            let body = serde_json::to_vec(&json!({ "title": title }))?;
            let bearer = format!("Bearer {user_token}");
            let headers = [("authorization", bearer.as_str()), ("content-type", "application/json")];
            let response = api.send("POST", "/todos", &headers, &body).await?;
            anyhow::ensure!(response.status == 201, "POST /todos during set-up: {}", response.describe());
        }
        let provider_db = services.provider_db();
        seed::add_login_users(&provider_db, plan.concurrency).await?;
        let argon2 = seed::argon2_parameters(&provider_db).await;
        Ok(Self { plan, services, cc_token, user_token, argon2, access_token_alg })
    }

    /// `--prefill`: stops the provider and the todo API, fills their
    /// databases (`prefill`), starts them again and takes fresh tokens
    /// (those of the set-up may expire during a long run).
    pub async fn prefill(&mut self) -> anyhow::Result<prefill::Loaded> {
        let (provider_db, todos_db) = (self.services.provider_db(), self.services.todos_db());
        let issuer = format!("http://{}", self.services.provider.addr);
        eprintln!("prefilling the databases (provider and todo API stopped)");
        let loaded =
            self.services.with_provider_and_todo_api_stopped(prefill::load(&provider_db, &todos_db, &issuer)).await?;
        (self.cc_token, self.user_token) = tokens(&self.services).await?;
        Ok(loaded)
    }

    fn workers<W>(&self, make: impl FnMut(usize) -> W) -> Vec<W> {
        (0..self.plan.concurrency).map(make).collect()
    }
}

/// A `client_credentials` token of the report service and a `demo` user's
/// token for the todo API.
async fn tokens(services: &Services) -> anyhow::Result<(String, String)> {
    let mut conn = Conn::new(services.provider.addr);
    let cc = flows::client_credentials(&mut conn, REPORT_SERVICE, "todos:read").await.map_err(anyhow::Error::msg)?;
    let mut cookies = Cookies::default();
    let (code, verifier) =
        flows::sign_in(&mut conn, &mut cookies, "demo", "demo", "openid todos:read todos:write", false)
            .await
            .map_err(anyhow::Error::msg)?;
    let tokens = flows::exchange(&mut conn, &code, &verifier).await.map_err(anyhow::Error::msg)?;
    let token = |json: &serde_json::Value| json["access_token"].as_str().unwrap_or_default().to_owned();
    Ok((token(&cc), token(&tokens)))
}

/// Runs `workers` against the process named `service` and records a row.
async fn measure<W: Operation>(bench: &Bench, name: &str, what: String, service: &str, workers: Vec<W>) -> Row {
    eprintln!("running {name}: {what}");
    let outcome = load::run(bench.plan, workers, &[bench.services.pid_of(service)]).await;
    let rss_after = bench.services.rss();
    // Let the last responses drain before the next scenario starts.
    tokio::time::sleep(Duration::from_millis(300)).await;
    Row { name: name.to_owned(), what, service: service.to_owned(), unit: unit_of(name), outcome, rss_after }
}

fn unit_of(name: &str) -> &'static str {
    if name.starts_with("code_flow") || name.starts_with("first_login") { "flow" } else { "req" }
}

/// The floor: bare axum, `GET /` → a fixed JSON. Every ratio divides by it.
pub async fn floor(bench: &Bench) -> Row {
    let addr = bench.services.floor.addr;
    let workers = bench.workers(|_| Request::get(addr, "/", &[]));
    measure(bench, "floor", "bare axum: GET / → fixed JSON".into(), "floor", workers).await
}

/// The floor plus one query: bare axum reading one row by primary key from
/// SQLite through sqlx, the way the todo API reads. No endpoint that reads
/// the database can do better; its ratio is the ceiling of `todo_get`'s and
/// introspection's.
pub async fn floor_sqlite(bench: &Bench) -> Row {
    let addr = bench.services.floor.addr;
    let workers = bench.workers(|_| Request::get(addr, "/sqlite", &[]));
    let what = "bare axum + one SQLite row by primary key (sqlx Any, 4 kept connections)".into();
    measure(bench, "floor_sqlite", what, "floor", workers).await
}

/// The floor plus one row written by each request on its own, through one
/// kept writer: what a write costs when nothing shares it. The provider
/// writes its codes in batches instead (`provider::store::batch`), one
/// statement for every request waiting, which is how a code flow that
/// writes twice — a code issued, then spent (RFC 6749 §4.1.2) — costs less
/// than two of these.
pub async fn floor_sqlite_write(bench: &Bench) -> Row {
    let addr = bench.services.floor.addr;
    let workers = bench.workers(|_| Request::post_form(addr, "/sqlite", &[], &[]));
    let what = "bare axum + one SQLite row inserted (sqlx Any, 1 kept writer)".into();
    measure(bench, "floor_sqlite_write", what, "floor", workers).await
}

/// Target 1: the todo API with a JWT (signature, iss, aud, exp, nbf, typ,
/// scope) and a database read.
pub async fn todo_get(bench: &Bench) -> Row {
    let addr = bench.services.todo_api.addr;
    let bearer = format!("Bearer {}", bench.user_token);
    let workers = bench.workers(|_| Request::get(addr, "/todos", &[("authorization", &bearer)]));
    let what = format!("todo-api GET /todos, {} JWT, 3 rows", bench.access_token_alg);
    measure(bench, "todo_get", what, "todo-api", workers).await
}

/// Target 2: `client_credentials` with the provider's default
/// configuration: client authentication, signing, recording the `jti`.
pub async fn client_credentials(bench: &Bench) -> Row {
    let addr = bench.services.provider.addr;
    let workers = bench.workers(|_| cc_request(addr));
    let what = format!("provider client_credentials token, default configuration ({})", bench.access_token_alg);
    measure(bench, "client_credentials", what, "provider", workers).await
}

/// Target 3: introspection of an active access token.
pub async fn introspection(bench: &Bench) -> Row {
    let addr = bench.services.provider.addr;
    let auth = basic_credentials::encode(TODO_API_CLIENT.0, TODO_API_CLIENT.1);
    let token = bench.cc_token.as_str();
    let workers = bench
        .workers(|_| Request::post_form(addr, "/oauth2/introspect", &[("authorization", &auth)], &[("token", token)]));
    measure(bench, "introspection", "provider introspection of an active token".into(), "provider", workers).await
}

/// Target 4: the code flow of a signed-in user whose consent is remembered.
pub async fn code_flow(bench: &Bench) -> anyhow::Result<Row> {
    code_flow_with(bench, "code_flow", FLOW_SCOPE).await
}

/// The same with `openid`: the access token and an RS256 ID token.
pub async fn code_flow_openid(bench: &Bench) -> anyhow::Result<Row> {
    code_flow_with(bench, "code_flow_openid", OIDC_SCOPE).await
}

async fn code_flow_with(bench: &Bench, name: &str, scope: &str) -> anyhow::Result<Row> {
    let addr = bench.services.provider.addr;
    let mut workers = Vec::new();
    for _ in 0..bench.plan.concurrency {
        let mut conn = Conn::new(addr);
        let mut cookies = Cookies::default();
        let (code, verifier) =
            flows::sign_in(&mut conn, &mut cookies, "demo", "demo", scope, false).await.map_err(anyhow::Error::msg)?;
        flows::exchange(&mut conn, &code, &verifier).await.map_err(anyhow::Error::msg)?;
        workers.push(CodeFlow { conn, cookies, scope: scope.to_owned() });
    }
    let what = format!("code flow, session + consent remembered: authorize → token (PKCE, scope \"{scope}\")");
    Ok(measure(bench, name, what, "provider", workers).await)
}

/// Target 5: the first login, where argon2id is the point. Each worker is
/// its own user, asked for consent every time (`prompt=consent`).
pub async fn first_login(bench: &Bench) -> anyhow::Result<Row> {
    let addr = bench.services.provider.addr;
    let workers = bench.workers(|i| FirstLogin {
        conn: Conn::new(addr),
        username: seed::login_user(i),
        password: "demo".into(),
        scope: OIDC_SCOPE.to_owned(),
    });
    let what = format!("first login: authorize → login ({}) → consent → code → token", bench.argon2);
    Ok(measure(bench, "first_login", what, "provider", workers).await)
}

/// The name of the per-algorithm `client_credentials` scenario.
pub fn per_algorithm_name(alg: &str) -> String {
    format!("client_credentials_{}", alg.to_ascii_lowercase())
}

/// `client_credentials` against a provider of its own that signs access
/// tokens with `alg`.
pub async fn client_credentials_signed_with(bench: &Bench, alg: &str) -> anyhow::Result<Row> {
    let name = per_algorithm_name(alg);
    let provider = bench.services.extra_provider(&name, &[("PROVIDER_ACCESS_TOKEN_ALG", alg.to_owned())]).await?;
    let addr = provider.addr;
    let workers = bench.workers(|_| cc_request(addr));
    let what = format!("provider client_credentials token, {alg} (PROVIDER_ACCESS_TOKEN_ALG={alg})");
    eprintln!("running {name}: {what}");
    let outcome = load::run(bench.plan, workers, &[provider.pid()]).await;
    let rss_after = vec![("provider", provider.rss_mb())];
    provider.stop().await;
    Ok(Row { name, what, service: "provider".into(), unit: "req", outcome, rss_after })
}

fn cc_request(addr: SocketAddr) -> Request {
    let auth = basic_credentials::encode(REPORT_SERVICE.0, REPORT_SERVICE.1);
    Request::post_form(
        addr,
        "/oauth2/token",
        &[("authorization", &auth)],
        &[("grant_type", "client_credentials"), ("scope", "todos:read")],
    )
}
