//! `client`: the token exchange component, on http://localhost:3000 by default.

use client::{App, Config};
use shared::config::Env;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shared::server::init_tracing("info");
    let config = shared::config::or_exit("client", Config::from_env(&Env::from_process()));
    let public_url = config.public_url.clone();
    let app = App::build(config).await?;
    tracing::info!(listening = %app.local_addr(), "client ready at {public_url}");
    app.run_until_stopped(shared::server::shutdown_signal()).await?;
    Ok(())
}
