//! `corridor serve` and its files as an outsider and other local users meet them: each test is
//! one of issue 15's reproductions, automated.

mod common;

// One file per part of the attack surface, under security/.

#[path = "security/answers.rs"]
mod answers;
#[path = "security/fetches.rs"]
mod fetches;
#[path = "security/files.rs"]
mod files;
#[path = "security/issuing.rs"]
mod issuing;
#[path = "security/limits.rs"]
mod limits;
#[path = "security/replay.rs"]
mod replay;
#[path = "security/shares.rs"]
mod shares;
#[path = "security/store.rs"]
mod store;
#[path = "security/time.rs"]
mod time;
#[path = "security/tokens.rs"]
mod tokens;
#[path = "security/work.rs"]
mod work;
