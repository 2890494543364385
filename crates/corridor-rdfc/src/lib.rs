//! RDF datasets, their N-Quads form, and their canonical form by RDF Dataset Canonicalization
//! (RDFC-1.0), as the W3C Data Integrity cryptosuites sign them.
//!
//! The reference is the one TrustVC signs with, the JavaScript `rdf-canonize` 5: its
//! canonical N-Quads and its issued identifiers are reproduced exactly, where it departs from
//! a reading of the specification included —
//!
//! - strings are ordered as JavaScript's `sort` orders them, by UTF-16 code units, not code
//!   points (the two differ when a character beyond the BMP meets one from U+E000 to U+FFFF);
//! - blank node identifiers are permuted in the order of its Steinhaus–Johnson–Trotter
//!   permuter, which decides between paths that tie;
//! - a blank node whose identifier already starts with `c14n` keeps it in the output;
//! - the work is bounded as its default bounds it: the Hash N-Degree Quads algorithm runs at
//!   most once for each blank node whose first-degree hash is shared, then fails.
//!
//! Pure: no I/O.

mod canon;
mod nquads;

pub use canon::{Canonical, CanonicalizeError, canonicalize, canonicalize_urdna2015};
pub use nquads::{Escaping, GraphName, Literal, ParseError, Quad, Subject, Term, parse_nquads};
