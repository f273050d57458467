//! Finds `href` and `src` attribute values in raw HTML so links written as
//! HTML are rewritten and checked like Markdown links.

/// Byte ranges of every `href="…"` / `src="…"` value in `html` (quoted with
/// `"` or `'`, or unquoted).
pub fn url_attributes(html: &str) -> Vec<(usize, usize)> {
    let bytes = html.as_bytes();
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    for name in ["href", "src"] {
        let mut from = 0;
        while let Some(i) = lower[from..].find(name) {
            let at = from + i;
            from = at + name.len();
            // The attribute name must stand alone: preceded by whitespace.
            if at == 0 || !bytes[at - 1].is_ascii_whitespace() {
                continue;
            }
            let mut j = at + name.len();
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            if j >= bytes.len() || bytes[j] != b'=' {
                continue;
            }
            j += 1;
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            if j >= bytes.len() {
                continue;
            }
            let (start, end) = match bytes[j] {
                q @ (b'"' | b'\'') => match html[j + 1..].find(q as char) {
                    Some(len) => (j + 1, j + 1 + len),
                    None => continue,
                },
                _ => {
                    let len = html[j..].find(|c: char| c.is_ascii_whitespace() || c == '>').unwrap_or(html.len() - j);
                    (j, j + len)
                }
            };
            found.push((start, end));
        }
    }
    found.sort_unstable();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_values() {
        let html = r#"<a href="a.md#x">a</a><img src='b.png'> <a data-href="no" HREF=c.md>"#;
        let got: Vec<&str> = url_attributes(html).iter().map(|&(s, e)| &html[s..e]).collect();
        assert_eq!(got, ["a.md#x", "b.png", "c.md"]);
    }
}
