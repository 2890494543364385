//! Node's `Buffer` conversions.

/// Node's `Buffer.from(text, "base64")`: either alphabet (`+/` or `-_`), every other
/// character skipped, the text ending at its first `=`, and bits that make no whole byte
/// dropped. Never fails: what Node accepts, it decodes as Node does.
///
/// ```
/// use corridor_js::buffer_from_base64;
/// assert_eq!(buffer_from_base64("YWJj"), b"abc");
/// assert_eq!(buffer_from_base64("YW\nJj-_"), [0x61, 0x62, 0x63, 0xfb]);
/// assert_eq!(buffer_from_base64("YQ==YQ=="), b"a");
/// assert_eq!(buffer_from_base64("Y!Q"), b"a");
/// ```
pub fn buffer_from_base64(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut bits, mut held) = (0u32, 0u32);
    for byte in text.bytes() {
        let sextet = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => continue,
        };
        bits = (bits << 6) | u32::from(sextet);
        held += 6;
        if held >= 8 {
            held -= 8;
            out.push((bits >> held) as u8);
            bits &= (1 << held) - 1;
        }
    }
    out
}
