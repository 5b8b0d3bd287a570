//! Proof that every attack is real: each one, run against a deliberately
//! vulnerable stand-in for the endpoint it attacks, SUCCEEDS. The stand-ins
//! are a few lines each, next to the test that uses them, so the missing
//! check each attack needs is plain to see. (Against the shipped system the
//! same attacks are blocked: see e2e/tests/flow/lab.rs.)

mod browser_attacks;
mod forged_tokens;
mod front_channel;
mod registry;
mod support;
mod token_endpoint;
