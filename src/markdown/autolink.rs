//! GFM's extended autolinks: bare `https://…`, `http://…` and `www.…` in
//! text become links. pulldown-cmark leaves them as text, so we find them.
//! Trailing punctuation and an unbalanced `)` stay outside the link, as in
//! the GFM spec.

/// Splits `text` into plain and link pieces: `(piece, Some(href))` for links.
pub fn split(text: &str) -> Vec<(&str, Option<String>)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some((start, end)) = find(rest) {
        if start > 0 {
            out.push((&rest[..start], None));
        }
        let url = &rest[start..end];
        let href = if url.starts_with("www.") { format!("http://{url}") } else { url.to_string() };
        out.push((url, Some(href)));
        rest = &rest[end..];
    }
    if !rest.is_empty() {
        out.push((rest, None));
    }
    out
}

fn find(text: &str) -> Option<(usize, usize)> {
    let mut search = 0;
    while search < text.len() {
        let hay = &text[search..];
        let start = ["https://", "http://", "www."].iter().filter_map(|p| hay.find(p)).min()? + search;
        // Must start a word: not preceded by a letter, digit or `/`.
        let preceded = text[..start].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '/' || c == '.');
        let end = link_end(text, start);
        let scheme_len = if text[start..].starts_with("https://") {
            8
        } else if text[start..].starts_with("http://") {
            7
        } else {
            4
        };
        if end <= start + scheme_len {
            search = start + scheme_len;
            continue;
        }
        let domain = &text[start + scheme_len..end];
        let domain_end = domain.find(['/', '?', '#']).unwrap_or(domain.len());
        if !preceded && valid_domain(&domain[..domain_end], scheme_len == 4) {
            return Some((start, end));
        }
        search = start + scheme_len;
    }
    None
}

fn valid_domain(domain: &str, needs_dot: bool) -> bool {
    if domain.is_empty() || domain.contains('_') && domain.rsplit('.').take(2).any(|p| p.contains('_')) {
        return false;
    }
    !needs_dot || domain.contains('.') || domain.chars().all(|c| c.is_alphanumeric() || c == '-')
}

fn link_end(text: &str, start: usize) -> usize {
    let mut end = text[start..].find(|c: char| c.is_whitespace() || c == '<').map_or(text.len(), |i| start + i);
    loop {
        let url = &text[start..end];
        let Some(last) = url.chars().next_back() else {
            return end;
        };
        if "?!.,:*_~'\"".contains(last) {
            end -= last.len_utf8();
        } else if last == ')' && url.matches(')').count() > url.matches('(').count() {
            end -= 1;
        } else if last == ';' {
            // An entity reference like `&amp;` at the end is not part of the link.
            match url.rfind('&') {
                Some(amp) if url[amp + 1..url.len() - 1].chars().all(|c| c.is_ascii_alphanumeric()) => {
                    end = start + amp
                }
                _ => return end,
            }
        } else {
            return end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &[(&str, Option<&str>)]) {
        let got = split(input);
        let got: Vec<(&str, Option<&str>)> = got.iter().map(|(t, h)| (*t, h.as_deref())).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn finds_bare_links() {
        check(
            "见 https://example.com/a。",
            &[("见 ", None), ("https://example.com/a。", Some("https://example.com/a。"))],
        );
        check(
            "visit www.example.com.",
            &[("visit ", None), ("www.example.com", Some("http://www.example.com")), (".", None)],
        );
        check(
            "(see https://x.org/a_(b))",
            &[("(see ", None), ("https://x.org/a_(b)", Some("https://x.org/a_(b)")), (")", None)],
        );
        check("no links here", &[("no links here", None)]);
        check("www. and https:// alone", &[("www. and https:// alone", None)]);
    }
}
