//! `lab serve`: the attacker's site.
//!
//! ```text
//! GET  /                         the attacks, each with a "Run" button
//! POST /attacks/{id}/run         runs one attack live → its report (JSON);
//!                                a browser attack's page posts what the
//!                                browser saw: {"browser": {"succeeded", "detail"}}
//! GET  /.well-known/jwks.json    the attacker's public key (what a forged
//!                                token's `jku` points at)
//! GET  /steal                    where a stolen code would land
//! GET  /lab.js, /lab.css         the page's script and style
//! ```

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use minijinja::{Environment, context};
use serde::{Deserialize, Serialize};
use shared::server::Shutdown;
use tokio::net::TcpListener;

use crate::attack::{Attack, Context, Place};
use crate::attacks;
use crate::config::Config;
use crate::forge::AttackerKey;

/// The lab's state: its configuration, templates and key.
#[derive(Clone)]
struct AppState {
    config: Arc<Config>,
    key: Arc<AttackerKey>,
    templates: Arc<Environment<'static>>,
}

/// A bound, ready-to-serve lab.
pub struct Lab {
    listener: TcpListener,
    router: Router,
    key: Arc<AttackerKey>,
}

impl Lab {
    /// Binds `LAB_ADDR` and builds the site.
    pub async fn build(config: Config) -> anyhow::Result<Lab> {
        let listener = shared::server::bind(&config.addr, "LAB_ADDR").await?;
        Self::build_on(config, listener)
    }

    /// Builds the site on a listener the caller bound (port 0 in tests).
    pub fn build_on(config: Config, listener: TcpListener) -> anyhow::Result<Lab> {
        let key = Arc::new(AttackerKey::generate()?);
        Ok(Lab { listener, router: router(Arc::new(config), key.clone())?, key })
    }

    pub fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

    /// The key this lab signs with and publishes (tests run attacks with it).
    pub fn key(&self) -> Arc<AttackerKey> {
        self.key.clone()
    }

    pub async fn run_until_stopped(self, shutdown: impl Shutdown) -> std::io::Result<()> {
        axum::serve(self.listener, self.router).with_graceful_shutdown(shutdown).await
    }
}

fn router(config: Arc<Config>, key: Arc<AttackerKey>) -> anyhow::Result<Router> {
    let mut templates = Environment::new();
    templates.add_template("index.html", include_str!("../templates/index.html"))?;
    let state = AppState { config, key, templates: Arc::new(templates) };
    Ok(Router::new()
        .route("/", get(index))
        .route("/attacks/{id}/run", post(run_attack))
        .route("/.well-known/jwks.json", get(jwks))
        .route("/steal", get(steal))
        .route("/token-theft.js", get(injected_script))
        .route(
            "/lab.js",
            get(|| async { ([(header::CONTENT_TYPE, "text/javascript")], include_str!("../templates/lab.js")) }),
        )
        .route(
            "/lab.css",
            get(|| async { ([(header::CONTENT_TYPE, "text/css")], include_str!("../templates/lab.css")) }),
        )
        .with_state(state))
}

/// An attack as the page lists it.
#[derive(Serialize)]
struct Listed {
    id: &'static str,
    title: &'static str,
    summary: &'static str,
    rule: &'static str,
    rule_url: &'static str,
    enforced_in: &'static str,
    in_browser: bool,
}

impl From<&Attack> for Listed {
    fn from(attack: &Attack) -> Self {
        Listed {
            id: attack.id,
            title: attack.title,
            summary: attack.summary,
            rule: attack.rule.label,
            rule_url: attack.rule.url,
            enforced_in: attack.enforced_in,
            in_browser: attack.place == Place::Browser,
        }
    }
}

async fn index(State(state): State<AppState>) -> Response {
    let listed: Vec<Listed> = attacks::ALL.iter().map(|attack| Listed::from(*attack)).collect();
    let context = Context::new(state.config.clone(), state.key.clone());
    let page = state.templates.get_template("index.html").and_then(|template| {
        template.render(context! {
            attacks => minijinja::Value::from(minijinja::value::Serde(listed)),
            config => context! {
                provider => &state.config.provider_public_url,
                client => &state.config.client_public_url,
                todo_api => &state.config.todo_api_public_url,
                lab => &state.config.public_url,
            },
            frame_url => attacks::clickjacking::authorize_url(&context),
            injected_script => attacks::token_theft::INJECTED_SCRIPT,
        })
    });
    match page {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(%error, "the lab page did not render");
            (StatusCode::INTERNAL_SERVER_ERROR, "the lab page did not render").into_response()
        }
    }
}

/// What the page's script saw in the browser.
#[derive(Deserialize, Default)]
struct RunRequest {
    browser: Option<BrowserResult>,
}

#[derive(Deserialize)]
struct BrowserResult {
    succeeded: bool,
    detail: String,
}

async fn run_attack(State(state): State<AppState>, Path(id): Path<String>, body: Option<Json<RunRequest>>) -> Response {
    let Some(attack) = attacks::find(&id) else {
        return (StatusCode::NOT_FOUND, Json(serde_json::json!({ "error": format!("no attack named {id:?}") })))
            .into_response();
    };
    let mut report = attack.report(state.config.clone(), state.key.clone()).await;
    if let Some(Json(RunRequest { browser: Some(seen) })) = body {
        let verdict = if seen.succeeded { "succeeded" } else { "blocked" };
        report
            .transcript
            .insert(0, crate::transcript::Entry::Note { text: format!("In your browser: {verdict}. {}", seen.detail) });
        if seen.succeeded && report.blocked() {
            report.verdict = "succeeded";
            report.because = format!("in the browser: {}", seen.detail);
        }
    }
    Json(report).into_response()
}

async fn jwks(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(state.key.jwks())
}

/// The token-theft attack's script, to read or paste into a console.
async fn injected_script() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], attacks::token_theft::INJECTED_SCRIPT)
}

async fn steal() -> Html<&'static str> {
    Html(
        "<!doctype html><title>Attacker's endpoint</title><p>If a provider ever redirects here, the attacker \
         has the code in this URL. The redirect-uri attack checks that none does.</p>",
    )
}
