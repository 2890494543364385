//! Untrusted N-Quads: reading never panics; what is read is written and read back the same;
//! canonicalizing it ends, with a form or the work bound's refusal, and is idempotent.
#![no_main]

use corridor_rdfc::{canonicalize, parse_nquads};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(quads) = parse_nquads(text) else {
        return;
    };
    let written: String = quads.iter().map(|q| q.to_nquad()).collect();
    assert_eq!(parse_nquads(&written).as_ref(), Ok(&quads));
    if let Ok(canonical) = canonicalize(&quads) {
        let again = parse_nquads(&canonical.document()).expect("canonical N-Quads read back");
        let twice = canonicalize(&again).expect("a canonical dataset canonicalizes");
        assert_eq!(twice.document(), canonical.document());
    }
});
