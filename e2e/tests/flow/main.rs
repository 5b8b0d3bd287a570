//! End-to-end tests: the provider, the client app and the todo API together,
//! started fresh for each test (`e2e::System`), driven by a scripted browser
//! (`e2e::Browser`) or a real one (`chromium`).
//!
//! Run with `cargo test --workspace` (or `-p e2e`); set `TEST_DATABASE_URL`
//! to run them on PostgreSQL. `binaries` needs the three binaries built
//! first: `cargo build --workspace --bins`.

mod article_flow;
mod attacks;
mod binaries;
mod chromium;
mod chromium_bff;
mod lab;
mod launcher;
mod processes;
mod replicas;
mod restarts;
mod seed_clients;
mod spa;
mod support;
mod two_tabs;
