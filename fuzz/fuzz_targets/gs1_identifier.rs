//! GS1 identifiers from untrusted text: reading never panics, and what is read is written
//! back — as the canonical Digital Link and as an EPC URN with each company prefix length —
//! into text that reads as the same thing.
#![no_main]

use corridor_gs1::Identifier;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(read) = Identifier::parse(text) else {
        return;
    };
    assert_eq!(Identifier::parse(&read.digital_link()).as_ref(), Ok(&read));
    for prefix in 6..=12 {
        let urn = read.epc_urn(prefix).expect("every prefix length from 6 to 12 fits");
        assert_eq!(Identifier::parse_urn(&urn), Ok((read.clone(), prefix)), "{urn}");
    }
});
