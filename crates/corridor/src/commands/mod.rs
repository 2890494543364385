//! One module per command group, each holding its arguments and its run, as `main.rs`
//! dispatches to them. Each `run` returns how the run ended ([`crate::exit::Exit`]); errors
//! go back to `main`, which says them and picks the exit code.

pub mod audit;
pub mod chain;
pub mod company;
pub mod credential;
pub mod document;
pub mod init;
pub mod key;
pub mod records;
pub mod serve;
pub mod share;
pub mod sign;
pub mod status_list;
pub mod store;
pub mod title;
pub mod token;
pub mod trace;
pub mod verify;
pub mod wrap;
