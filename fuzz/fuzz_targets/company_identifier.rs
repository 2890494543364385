//! Company and person identifiers from untrusted text: checking, guessing and normalising
//! never panic, and an identifier valid as written is already in its normal form.
#![no_main]

use corridor_company::{Date, IdKind, check, guess_kind, normalise};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let today = Date::new(2026, 11, 27).expect("a day");
    let normal = normalise(text);
    for kind in IdKind::ALL {
        if check(kind, text, today).is_ok() {
            assert_eq!(normal, text, "valid as {kind} but not in normal form");
        }
        let _ = check(kind, &normal, today);
    }
    let _ = guess_kind(text, today);
});
