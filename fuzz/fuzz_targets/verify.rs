//! Parsing plus verification on arbitrary bytes: never a panic, a hang or unbounded memory;
//! always one fragment per check, with a reason when not valid; and the one-pass reader agrees
//! with the reading through serde_json::Value on every input both accept, and with the reading
//! of many documents at once.
#![no_main]

use corridor_format::{HeadMemo, WrappedDocument, read_wrapped, read_wrapped_many};
use corridor_verify::{Status, Verifier};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let verdict = Verifier::default().verify_bytes(bytes);
    assert_eq!(verdict.fragments.len(), 6);
    assert_eq!(verdict.fragments[0].name, "OpenAttestationHash");
    for f in &verdict.fragments {
        assert_eq!(f.status == Status::Valid, f.reason.is_none(), "{f:?}");
    }

    // Read among others, its digests hashed side by side with theirs: the same document.
    let reading = |d: WrappedDocument| (d.digest().ok(), d.check_integrity().ok(), d.check_schema().is_ok());
    let alone = read_wrapped(bytes).map(reading).map_err(|e| e.to_string());
    for together in read_wrapped_many(&[bytes, b"{}", bytes], &mut HeadMemo::default()).into_iter().step_by(2) {
        assert_eq!(together.map(reading).map_err(|e| e.to_string()), alone);
    }

    let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else { return };
    let as_value = WrappedDocument::from_value(value).map(reading);
    match (alone, as_value) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(_), Err(_)) => {}
        (a, b) => panic!("the readings disagree: {:?} / {:?}", a.is_ok(), b.is_ok()),
    }
});
