//! The `provider` binary: `provider` serves; `provider keys rotate` adds a
//! new signing key for each algorithm in use, published at once (the running server picks it up
//! within a minute) and signing after `PROVIDER_KEY_PUBLISH_SECONDS`; old
//! keys stay published until their tokens expire.

use provider::{App, Config};
use shared::config::Env;

#[tokio::main]
async fn main() {
    provider::password::release_large_blocks_to_the_system();
    shared::server::init_tracing("info");
    let config = shared::config::or_exit("provider", Config::from_env(&Env::from_process()));
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] | ["serve"] => serve(config).await,
        ["keys", "rotate"] => rotate(config).await,
        _ => {
            eprintln!("usage: provider [serve] | provider keys rotate");
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("provider: {e:#}");
        std::process::exit(1);
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let issuer = config.issuer.clone();
    let app = App::build(config).await?;
    tracing::info!(issuer = %issuer, addr = %app.local_addr(), "provider listening");
    app.run_until_stopped(shared::server::shutdown_signal()).await?;
    tracing::info!("provider stopped");
    Ok(())
}

/// A new key for every algorithm the configuration signs with.
async fn rotate(config: Config) -> anyhow::Result<()> {
    let db = provider::store::open(&config.database_url).await?;
    let delay = config.key_publish_delay.as_secs();
    for alg in config.signing_algs() {
        let (kid, signs_from) = provider::keys::rotate(&db, alg, config.key_publish_delay).await?;
        println!(
            "new signing key: {kid} ({}), published now, signs from unix time {signs_from} (in {delay} s, \
             PROVIDER_KEY_PUBLISH_SECONDS)",
            provider::keys::alg_name(alg)
        );
    }
    let pruned = provider::keys::prune(&db, config.access_token_ttl).await?;
    println!("pruned {pruned} expired key(s)");
    Ok(())
}
