//! The `spa` binary: read the configuration, serve the single-page app
//! until stopped.

use shared::config::Env;
use spa::{App, Config};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shared::server::init_tracing("info");
    let config = shared::config::or_exit("spa", Config::from_env(&Env::from_process()));
    let public_url = config.public_url.clone();
    let app = App::build(config).await?;
    tracing::info!("spa listening on http://{}, open {public_url}", app.local_addr());
    app.run_until_stopped(shared::server::shutdown_signal()).await?;
    Ok(())
}
