//! Integration tests of the provider over HTTP. Each test starts its own
//! provider on 127.0.0.1:0 with a fresh database (PostgreSQL when
//! `TEST_DATABASE_URL` is set, else SQLite).

mod account;
mod authorize;
mod client_auth;
mod client_credentials;
mod clients_file;
mod consent;
mod cors;
mod discovery;
mod helpers;
mod introspection;
mod keys;
mod login;
mod logout;
mod operability;
mod pruning;
mod refresh;
mod revocation;
mod robustness;
mod shipped_binary;
mod text_inputs;
mod token;
mod userinfo;
