//! `oauth-demo`: the provider, the client app and the todo API together.
//!
//! `cargo run` from the repository root starts this. Configuration comes
//! from the environment and `.env`, exactly as for the three binaries.

use std::process::ExitCode;

use e2e::ServiceEnvs;
use shared::config::Env;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    // The provider's argon2 buffers go back to the system after each login,
    // as in the `provider` binary (see the function's documentation).
    provider::password::release_large_blocks_to_the_system();
    e2e::launcher::init_logging();
    let envs = ServiceEnvs::shared(Env::from_process());
    match e2e::launcher::run(envs, shared::server::shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("oauth-demo: {e}");
            ExitCode::FAILURE
        }
    }
}
