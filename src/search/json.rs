//! JSON strings for the index files: the page chunks hold all of a site's
//! text, so they are written eight bytes at a time while none needs
//! escaping, and escaped exactly as `serde_json` would.

/// Appends `s` as a JSON string, escaped exactly as `serde_json` does
/// (`"`, `\\` and control characters; nothing else), copying the runs
/// between escapes at once: the page chunks hold all of a site's text.
pub fn push_json(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Eight bytes at a time while none needs escaping.
        if let Some(word) = bytes.get(i..i + 8) {
            let w = u64::from_le_bytes([word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7]]);
            if !needs_escape(w) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        i += 1;
        if b >= 0x20 && b != b'"' && b != b'\\' {
            continue;
        }
        out.push_str(&s[start..i - 1]);
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 0xf)] as char);
            }
        }
        start = i;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Whether any of the eight bytes of `w` is below 0x20, `"` or `\\` (the
/// bit tricks for "has a byte less than n" and "has a zero byte", exact as
/// a yes or no).
fn needs_escape(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    (below_space | zero(w ^ (ONES * u64::from(b'"'))) | zero(w ^ (ONES * u64::from(b'\\')))) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Strings are written as serde_json writes them.
        #[test]
        fn json_strings_match_serde_json(s in "[a-z\"\\\\/\u{0}-\u{1f}\u{7f}\u{2028}中文é😀 ]{0,40}") {
            let mut ours = String::new();
            push_json(&mut ours, &s);
            proptest::prop_assert_eq!(ours, serde_json::to_string(&s).expect("a string"));
        }
    }
}
