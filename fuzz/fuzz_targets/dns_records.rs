//! DNS TXT records come from whoever controls a domain: reading them must never panic, a
//! record read back must be one that reads the same when written again, and what the
//! reference's grammar ignores (quotes around the text, an empty token) changes nothing.
#![no_main]

use corridor_format::dns_records::{
    dns_did_record, dns_name, dns_txt_record, parse_dns_did, parse_dns_txt,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = dns_name(text);
    if let Some(record) = parse_dns_did(text) {
        // the key alone, rewritten in the canonical form, still reads as that key
        if !record.public_key.contains(' ') && !record.public_key.contains(';') {
            let again = parse_dns_did(&dns_did_record(&record.public_key)).expect("canonical DNS-DID");
            assert_eq!(again.public_key, record.public_key);
        }
    }
    if let Ok(Some(record)) = parse_dns_txt(text)
        && let Ok(chain) = record.net_id.parse::<u64>()
        && !record.addr.contains(' ')
    {
        let again = parse_dns_txt(&dns_txt_record(chain, &record.addr))
            .expect("an address holds no key")
            .expect("canonical DNS-TXT");
        assert_eq!(again.addr, record.addr);
    }
    if !text.starts_with('"') {
        let quoted = format!("\"{text}\"");
        assert_eq!(parse_dns_txt(&quoted), parse_dns_txt(text), "quoted: {text:?}");
        assert_eq!(parse_dns_did(&quoted), parse_dns_did(text), "quoted: {text:?}");
        // an empty token (two spaces where there was one) sets a field no reading asks for
        let spaced = text.replacen(' ', "  ", 1);
        assert_eq!(parse_dns_txt(&spaced), parse_dns_txt(text), "spaced: {text:?}");
        assert_eq!(parse_dns_did(&spaced), parse_dns_did(text), "spaced: {text:?}");
    }
});
