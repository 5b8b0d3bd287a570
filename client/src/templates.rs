//! HTML templates, embedded in the binary.
//!
//! Every template is registered under a name ending in `.html`, which turns
//! minijinja's autoescaping on: a `name` claim of `<script>` is shown, not run.
//!
//! The environment holds nothing but these compile-time constants, so one
//! process-wide instance is enough and error pages can render without a
//! handle to the app's state.

use std::sync::LazyLock;

use axum::response::Html;
use minijinja::Environment;
use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Serde, Value};
use serde::Serialize;

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    // Block tags leave no blank lines behind in the HTML.
    if let Ok(syntax) = SyntaxConfig::builder().trim_blocks(true).lstrip_blocks(true).build() {
        env.set_syntax(syntax);
    }
    for (name, source) in [
        ("base.html", include_str!("../templates/base.html")),
        ("home.html", include_str!("../templates/home.html")),
        ("error.html", include_str!("../templates/error.html")),
        ("flow.html", include_str!("../templates/flow.html")),
        ("logout.html", include_str!("../templates/logout.html")),
        ("end_session.html", include_str!("../templates/end_session.html")),
    ] {
        // A syntax error here is a bug in the binary; the test suite renders
        // every template, so it never reaches a user. Report it at render time.
        if let Err(e) = env.add_template(name, source) {
            tracing::error!(template = name, error = %e, "template does not compile");
        }
    }
    env
});

/// Renders the template `name` with `context`.
pub fn render(name: &str, context: impl Serialize) -> Result<Html<String>, minijinja::Error> {
    let template = TEMPLATES.get_template(name)?;
    Ok(Html(template.render(Value::from(Serde(context)))?))
}
