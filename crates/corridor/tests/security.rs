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
#[path = "security/limits.rs"]
mod limits;
#[path = "security/time.rs"]
mod time;
