//! The `todo-api` binary: read the configuration, serve until stopped.

use shared::config::Env;
use todo_api::{App, Config};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shared::server::init_tracing("info");
    let config = shared::config::or_exit("todo-api", Config::from_env(&Env::from_process()));
    let public_url = config.public_url.clone();
    let mode = config.token_validation;
    let app = App::build(config).await?;
    tracing::info!(
        "todo-api listening on http://{} (public URL {public_url}, token validation: {mode})",
        app.local_addr()
    );
    app.run_until_stopped(shared::server::shutdown_signal()).await?;
    Ok(())
}
