//! A page of a peer's status feed from untrusted bytes. Reading never panics; a page that
//! reads writes back to JSON that reads as the same page; and checking it, from the start
//! or from any entry it holds, never panics and accepts only entries that are whole and in
//! order.
#![no_main]

use corridor_feed::{Node, Page, check_next, check_page};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Ok(page) = Page::from_json(&value) else {
        return;
    };
    assert_eq!(Page::from_json(&page.to_json()).as_ref(), Ok(&page));
    let node: Node = page.head.head.node.clone();
    let starts = std::iter::once(None).chain(page.entries.iter().map(|e| Some((e.seq, e.hash))));
    for start in starts {
        if check_page(&node, start, &page).is_ok() {
            let mut last = start;
            for entry in page.entries.iter().filter(|e| start.is_none_or(|(seq, _)| e.seq > seq)) {
                assert!(check_next(last, entry).is_ok());
                assert!(entry.is_whole());
                last = Some((entry.seq, entry.hash));
            }
        }
    }
});
