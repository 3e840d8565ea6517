#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Integration tests of the `verifyd` binary: one test binary (link time is paid once) that
//! starts the real server as a child process and talks HTTP to it, plus the offline
//! subcommands. Every server test runs on SQLite and, when `VERIFYD_TEST_POSTGRES_URL` is set,
//! again on a fresh PostgreSQL database (see [`support`]).
//!
//! Run: `cargo test -p verifyd --test it` (add `-- --skip sdk::` to leave out the Python SDK
//! conformance run).

#[macro_use]
mod support;

mod accounts;
mod api_keys;
mod billing;
mod cli;
mod durability;
mod e2e;
mod fixtures;
mod kyc;
mod kyc_fixtures;
mod lists;
mod questionnaires;
mod sanctions;
mod sdk;
mod sharing;
mod system;
mod users;
mod webhooks;
