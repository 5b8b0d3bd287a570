//! HTML pages, rendered with minijinja from templates embedded in the binary.
//!
//! Every template name ends in `.html`, which turns minijinja's
//! auto-escaping on: a client name or a `state` value can never inject
//! markup. The templates are part of the binary, so they are loaded once
//! for the whole process; `check` at start-up makes a broken one stop the
//! provider instead of failing its first request.

use std::sync::LazyLock;

use axum::response::Html;
use minijinja::Environment;
use serde::Serialize;

use crate::error::AppError;

static TEMPLATES: LazyLock<Result<Environment<'static>, String>> = LazyLock::new(|| load().map_err(|e| e.to_string()));

fn load() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    env.add_template("base.html", include_str!("../templates/base.html"))?;
    env.add_template("login.html", include_str!("../templates/login.html"))?;
    env.add_template("consent.html", include_str!("../templates/consent.html"))?;
    env.add_template("error.html", include_str!("../templates/error.html"))?;
    env.add_template("form_post.html", include_str!("../templates/form_post.html"))?;
    env.add_template("home.html", include_str!("../templates/home.html"))?;
    env.add_template("logout.html", include_str!("../templates/logout.html"))?;
    Ok(env)
}

/// Whether every template parses (called once at start-up).
pub fn check() -> anyhow::Result<()> {
    TEMPLATES.as_ref().map(|_| ()).map_err(|e| anyhow::anyhow!("the provider's templates do not load: {e}"))
}

/// Renders the template `name` with `context`.
pub fn render(name: &str, context: impl Serialize) -> Result<Html<String>, AppError> {
    let env = TEMPLATES.as_ref().map_err(|e| AppError::Other(anyhow::anyhow!("templates: {e}")))?;
    Ok(Html(env.get_template(name)?.render(minijinja::value::Serde(context))?))
}
