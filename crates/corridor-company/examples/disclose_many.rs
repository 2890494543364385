//! Times disclosure, for `scripts/bench-company`: each profile credential read (JSON Lines on
//! standard input) judged under a policy and derived, on every core and on one. Writes, for
//! TrustVC's derive of the same work, each credential with the pointers it disclosed.
//!
//!   disclose_many POLICY.toml [KIND:REFERENCE] < signed.jsonl > for-trustvc.jsonl

use std::io::{BufRead, Write};
use std::time::Instant;

use corridor_company::credential::credential_pointer;
use corridor_company::policy::{Basis, Policy};
use corridor_jsonld::{BundledContexts, Processor};
use rayon::prelude::*;
use serde_json::{Value, json};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let policy = Policy::from_toml(&std::fs::read_to_string(
        args.next()
            .ok_or("usage: disclose_many POLICY.toml [KIND:REFERENCE]")?,
    )?)?;
    let basis = args.next().and_then(|b| {
        b.split_once(':').map(|(kind, reference)| Basis {
            kind: kind.to_owned(),
            reference: reference.to_owned(),
        })
    });
    let credentials: Vec<Value> = std::io::stdin()
        .lock()
        .lines()
        .map(|line| Ok(serde_json::from_str(&line?)?))
        .collect::<Result<_, Box<dyn std::error::Error>>>()?;
    let processor = Processor::new(BundledContexts);
    let disclose = |credential: &Value| {
        corridor_company::disclose(&processor, credential, &policy, basis.as_ref())
    };
    // Once untimed, so that both timings start warm.
    disclose(&credentials[0])?;
    let started = Instant::now();
    let all: Vec<_> = credentials
        .par_iter()
        .map(disclose)
        .collect::<Result<_, _>>()?;
    let every_core = started.elapsed().as_secs_f64();
    let started = Instant::now();
    for credential in &credentials {
        disclose(credential)?;
    }
    let one_core = started.elapsed().as_secs_f64();
    let n = credentials.len() as f64;
    eprintln!(
        "{} disclosures: {:.0}/s on {} cores ({:.2} ms each), {:.0}/s on one ({:.2} ms each)",
        credentials.len(),
        n / every_core,
        rayon::current_num_threads(),
        every_core * 1000.0 / n,
        n / one_core,
        one_core * 1000.0 / n,
    );
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (credential, disclosure) in credentials.iter().zip(&all) {
        let pointers: Vec<String> = disclosure
            .classification
            .disclose_pointers
            .iter()
            .map(|p| credential_pointer(p))
            .collect();
        writeln!(
            out,
            "{}",
            json!({"credential": credential, "pointers": pointers})
        )?;
    }
    Ok(())
}
