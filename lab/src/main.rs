//! The `lab` binary: `lab serve`, or `lab run [ATTACK…|all] [--json]`.

use std::sync::Arc;

use lab::{Config, Lab, cli};
use shared::config::Env;

const USAGE: &str = "usage: lab serve | lab run [ATTACK…|all] [--json]";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = shared::config::or_exit("lab", Config::from_env(&Env::from_process()));
    match args.first().map(String::as_str) {
        Some("serve") => {
            shared::server::init_tracing("info");
            let config_url = config.public_url.clone();
            let lab = Lab::build(config).await?;
            let public_url = &config_url;
            tracing::info!("lab (the attacker's site) listening on http://{}, open {public_url}", lab.local_addr()?);
            lab.run_until_stopped(shared::server::shutdown_signal()).await?;
            Ok(())
        }
        Some("run") => {
            let json = args.iter().any(|a| a == "--json");
            let ids: Vec<String> = args[1..].iter().filter(|a| !a.starts_with("--")).cloned().collect();
            let selected = cli::select(&ids).unwrap_or_else(|message| {
                eprintln!("lab: {message}");
                std::process::exit(2)
            });
            let key = Arc::new(lab::forge::AttackerKey::generate()?);
            let reports = cli::run(Arc::new(config), key, &selected).await;
            println!("{}", if json { cli::json(&reports) } else { cli::table(&reports) });
            std::process::exit(cli::exit_code(&reports))
        }
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2)
        }
    }
}
