//! Writes generated company records as JSON Lines to standard output:
//! `write_companies COUNT [SEED]`.

use std::io::{BufWriter, Write};

use rand::SeedableRng;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1000);
    let seed: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(18);
    let mut generator =
        corridor_companygen::Generator::new(rand::rngs::StdRng::seed_from_u64(seed));
    let mut out = BufWriter::new(std::io::stdout().lock());
    for index in 0..count {
        writeln!(out, "{}", generator.company(index))?;
    }
    out.flush()
}
