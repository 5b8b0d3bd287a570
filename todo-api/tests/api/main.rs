//! Integration tests of the todo API: one binary, one module per topic.
//!
//! Each test starts its own fake provider (JWKS + introspection) and its own
//! API with a fresh database (SQLite by default, PostgreSQL when
//! `TEST_DATABASE_URL` is set), then talks HTTP to them on 127.0.0.1.

mod cors;
mod database;
mod helpers;
mod input;
mod introspection;
mod jwks;
mod paging;
mod robustness;
mod scopes;
mod todos;
mod token_delivery;
mod token_validation;
