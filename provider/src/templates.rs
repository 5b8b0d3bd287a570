//! HTML pages, rendered with minijinja from templates embedded in the binary.
//!
//! Every template name ends in `.html`, which turns minijinja's
//! auto-escaping on: a client name or a `state` value can never inject
//! markup.

use std::sync::Arc;

use axum::response::Html;
use minijinja::Environment;
use serde::Serialize;

use crate::error::AppError;

#[derive(Clone)]
pub struct Templates(Arc<Environment<'static>>);

impl Templates {
    pub fn new() -> Result<Self, minijinja::Error> {
        let mut env = Environment::new();
        env.add_template("base.html", include_str!("../templates/base.html"))?;
        env.add_template("login.html", include_str!("../templates/login.html"))?;
        env.add_template("consent.html", include_str!("../templates/consent.html"))?;
        env.add_template("error.html", include_str!("../templates/error.html"))?;
        env.add_template("form_post.html", include_str!("../templates/form_post.html"))?;
        env.add_template("home.html", include_str!("../templates/home.html"))?;
        env.add_template("logout.html", include_str!("../templates/logout.html"))?;
        Ok(Self(Arc::new(env)))
    }

    pub fn render(&self, name: &str, context: impl Serialize) -> Result<Html<String>, AppError> {
        Ok(Html(self.0.get_template(name)?.render(minijinja::value::Serde(context))?))
    }
}
