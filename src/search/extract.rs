//! A page's rendered HTML cut into sections at each heading with an id, as
//! plain text. Working on the HTML rather than the Markdown means pages made
//! by other stages (metrics, reports) are searchable like any other.
//!
//! Not a general HTML parser: it relies on what our renderer emits (quoted
//! attributes, `<hN id="…">` headings, a `heading-anchor` link inside each)
//! and stays harmless on anything else in raw HTML.

/// One stretch of a page: the text before the first heading (`id` and
/// `heading` empty), or a heading and the text up to the next one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Section {
    pub id: String,
    pub heading: String,
    pub text: String,
}

/// Elements whose content is not text a reader searches for.
const SKIPPED: &[&str] = &["script", "style", "svg", "template", "noscript", "button", "math"];

/// Elements that separate words; inline ones (`strong`, `code`, `a`) do not.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "td"
            | "th"
            | "tr"
            | "table"
            | "thead"
            | "tbody"
            | "br"
            | "hr"
            | "pre"
            | "blockquote"
            | "section"
            | "article"
            | "aside"
            | "header"
            | "footer"
            | "nav"
            | "figure"
            | "figcaption"
            | "details"
            | "summary"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "img"
            | "caption"
            | "input"
            | "sup"
    )
}

pub fn sections(html: &str) -> Vec<Section> {
    // The last section is the one being read; its text is in `body`.
    let mut out = vec![Section::default()];
    let mut body = Text::default();
    // The heading being read: its level, id and text so far.
    let mut heading: Option<(char, String, Text)> = None;
    // The element whose content is skipped, with its nesting depth.
    let mut skip: Option<(String, usize)> = None;
    // True right after a closing tag with no text since: `</a><span>` are
    // siblings that CSS sets apart, so their words must not run together.
    let mut after_close = false;
    let mut rest = html;
    while !rest.is_empty() {
        let lt = memchr::memchr(b'<', rest.as_bytes()).unwrap_or(rest.len());
        if skip.is_none() && lt > 0 {
            heading.as_mut().map_or(&mut body, |h| &mut h.2).push_html(&rest[..lt]);
        }
        after_close &= lt == 0;
        rest = &rest[lt..];
        if rest.is_empty() {
            break;
        }
        if rest.starts_with("<!--") {
            rest = rest.find("-->").map_or("", |e| &rest[e + 3..]);
            continue;
        }
        let (inner, end) = match tag_end(rest) {
            Some(end) => (&rest[1..end - 1], end),
            None => (&rest[1..], rest.len()),
        };
        let tag = Tag::parse(inner);
        rest = &rest[end..];
        let Some(tag) = tag else {
            continue;
        };
        if let Some((name, depth)) = skip.as_mut() {
            if tag.name == *name && !tag.self_closing {
                if tag.closing {
                    *depth -= 1;
                } else {
                    *depth += 1;
                }
                if *depth == 0 {
                    skip = None;
                }
            }
            continue;
        }
        let skipped = SKIPPED.contains(&&*tag.name) || (tag.name == "a" && tag.has_class("heading-anchor"));
        if skipped && !tag.closing && !tag.self_closing {
            skip = Some((tag.name.into_owned(), 1));
            continue;
        }
        if let Some(level) = heading_level(&tag.name) {
            if !tag.closing && heading.is_none() {
                if let Some(id) = tag.id().filter(|id| !id.is_empty()) {
                    finish(&mut out, &mut body);
                    heading = Some((level, id, Text::default()));
                    continue;
                }
            } else if tag.closing && heading.as_ref().is_some_and(|h| h.0 == level) {
                if let Some((_, id, title)) = heading.take() {
                    out.push(Section { id, heading: title.text, text: String::new() });
                }
                continue;
            }
        }
        let sibling = after_close && !tag.closing;
        after_close = tag.closing;
        if sibling || is_block(&tag.name) {
            heading.as_mut().map_or(&mut body, |h| &mut h.2).space = true;
        }
    }
    if let Some((_, id, title)) = heading.take() {
        finish(&mut out, &mut body);
        out.push(Section { id, heading: title.text, text: String::new() });
    }
    finish(&mut out, &mut body);
    out
}

/// Text as it is read, whitespace collapsed on the way in: runs of it are
/// one space, none at either end.
#[derive(Default)]
struct Text {
    text: String,
    /// Whitespace came after the last word: a space goes before the next.
    space: bool,
}

impl Text {
    /// Appends text from between tags: character references decoded,
    /// whitespace collapsed.
    fn push_html(&mut self, raw: &str) {
        decode(raw, |part| self.push(part));
    }

    /// Appends `s`, whitespace collapsed. Reads bytes, decoding only the
    /// characters outside ASCII (where Unicode has its other spaces, such
    /// as the ideographic one), and copies each run of words joined by
    /// single ASCII spaces at once: most text needs no change at all.
    fn push(&mut self, s: &str) {
        let bytes = s.as_bytes();
        let mut i = 0;
        loop {
            while i < bytes.len()
                && let (true, w) = char_at(s, i)
            {
                self.space = true;
                i += w;
            }
            if i == bytes.len() {
                return;
            }
            let start = i;
            loop {
                while i < bytes.len()
                    && let (false, w) = char_at(s, i)
                {
                    i += w;
                }
                if i + 1 < bytes.len() && bytes[i] == b' ' && !char_at(s, i + 1).0 {
                    i += 1;
                } else {
                    break;
                }
            }
            if self.space && !self.text.is_empty() {
                self.text.push(' ');
            }
            self.space = false;
            self.text.push_str(&s[start..i]);
        }
    }
}

struct Tag<'a> {
    /// Lower-cased; borrowed from the HTML unless it had capitals.
    name: std::borrow::Cow<'a, str>,
    closing: bool,
    self_closing: bool,
    /// Everything after the name, read only for the few tags that need it.
    attrs: &'a str,
}

impl Tag<'_> {
    /// Parses the inside of `<…>`; `None` for doctypes and the like.
    fn parse(inner: &str) -> Option<Tag<'_>> {
        let (closing, inner) = match inner.strip_prefix('/') {
            Some(i) => (true, i),
            None => (false, inner),
        };
        let name_end = inner.find(|c: char| c.is_whitespace() || c == '/' || c == '>').unwrap_or(inner.len());
        let raw = &inner[..name_end];
        let name: std::borrow::Cow<'_, str> =
            if raw.bytes().any(|b| b.is_ascii_uppercase()) { raw.to_ascii_lowercase().into() } else { raw.into() };
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return None;
        }
        let attrs = &inner[name_end..];
        Some(Tag { name, closing, self_closing: attrs.trim_end().ends_with('/'), attrs })
    }

    fn id(&self) -> Option<String> {
        attribute(self.attrs, "id")
    }

    fn has_class(&self, class: &str) -> bool {
        attribute(self.attrs, "class").is_some_and(|c| c.split_whitespace().any(|c| c == class))
    }
}

/// The value of a quoted attribute, entities decoded.
fn attribute(attrs: &str, name: &str) -> Option<String> {
    let mut rest = attrs;
    while let Some(i) = rest.find(name) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + name.len()..].trim_start();
        rest = &rest[i + name.len()..];
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let Some(value) = after.strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let quote = value.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        let end = value[1..].find(quote)?;
        let mut out = String::new();
        decode(&value[1..1 + end], |part| out.push_str(part));
        return Some(out);
    }
    None
}

/// Index just past the `>` closing the tag at the start of `s`, quotes
/// respected.
pub(crate) fn tag_end(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 1;
    loop {
        // The next `>` or quote, then past the quoted value when it is one.
        i += memchr::memchr3(b'>', b'"', b'\'', bytes.get(i..)?)?;
        if bytes[i] == b'>' {
            return Some(i + 1);
        }
        let q = bytes[i];
        i += 1 + memchr::memchr(q, &bytes[i + 1..])? + 1;
    }
}

fn heading_level(name: &str) -> Option<char> {
    match name.as_bytes() {
        [b'h', l @ b'1'..=b'6'] => Some(*l as char),
        _ => None,
    }
}

/// Ends the current section: the text read since it began is its text.
fn finish(out: &mut [Section], body: &mut Text) {
    if let Some(last) = out.last_mut() {
        if last.text.is_empty() {
            // A copy of its exact size: the index keeps every section's
            // text, and `body` keeps its buffer for the next section.
            last.text = body.text.as_str().into();
        } else if !body.text.is_empty() {
            last.text.push(' ');
            last.text.push_str(&body.text);
        }
    }
    body.text.clear();
    body.space = false;
}

/// Whether the character at byte `i` of `s` is whitespace, and its width.
/// Reads bytes, decoding only where Unicode's other spaces start (U+0085,
/// U+00A0, U+1680, U+2000–U+205F, U+3000).
fn char_at(s: &str, i: usize) -> (bool, usize) {
    match s.as_bytes()[i] {
        b @ 0..0x80 => (b.is_ascii_whitespace() || b == 0x0b, 1),
        0xC2 | 0xE1 | 0xE2 | 0xE3 => s[i..].chars().next().map_or((false, 1), |c| (c.is_whitespace(), c.len_utf8())),
        0xF0.. => (false, 4),
        0xE0.. => (false, 3),
        _ => (false, 2),
    }
}

/// Hands `push` the pieces of `raw` with character references decoded.
fn decode(raw: &str, mut push: impl FnMut(&str)) {
    let mut rest = raw;
    while let Some(amp) = memchr::memchr(b'&', rest.as_bytes()) {
        push(&rest[..amp]);
        rest = &rest[amp..];
        // A reference is at most ten bytes long: look no further.
        let end = memchr::memchr(b';', &rest.as_bytes()[..rest.len().min(11)]);
        match end.and_then(|e| entity(&rest[1..e]).map(|c| (e, c))) {
            Some((e, c)) => {
                push(c.encode_utf8(&mut [0; 4]));
                rest = &rest[e + 1..];
            }
            None => {
                push("&");
                rest = &rest[1..];
            }
        }
    }
    push(rest);
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => num.parse().ok(),
        };
        return code.and_then(char::from_u32);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "middot" => '·',
        "copy" => '©',
        "times" => '×',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(html: &str, expected: &[(&str, &str, &str)]) {
        let got = sections(html);
        let got: Vec<(&str, &str, &str)> =
            got.iter().map(|s| (s.id.as_str(), s.heading.as_str(), s.text.as_str())).collect();
        assert_eq!(got, expected, "{html}");
    }

    #[test]
    fn cut_at_headings() {
        check(
            "<p>导语 <strong>重点</strong></p>\n<h2 id=\"次日留存\">次日留存 <a class=\"heading-anchor\" href=\"#次日留存\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h2>\n<p>第二天<em>还</em>回来</p><ul><li>一</li><li>二</li></ul><p><a>Spend review</a><span>A review</span></p>",
            &[("", "", "导语 重点"), ("次日留存", "次日留存", "第二天还回来 一 二 Spend review A review")],
        );
    }

    #[test]
    fn empty_page_has_an_intro_only() {
        check("", &[("", "", "")]);
        check("<h2 id=\"a\">A</h2>", &[("", "", ""), ("a", "A", "")]);
    }

    #[test]
    fn headings_without_ids_are_text() {
        check("<h3>Plain</h3><p>x</p>", &[("", "", "Plain x")]);
    }

    #[test]
    fn scripts_svg_and_comments_are_skipped() {
        check(
            "<p>a</p><!-- hidden --><script>var x = '<p>';</script><svg><text>axis</text><svg></svg></svg><p>b</p>",
            &[("", "", "a b")],
        );
    }

    #[test]
    fn entities_are_decoded() {
        check("<p>A &amp; B &lt;3 &#x4e2d;&#25991; &unknown; a&b</p>", &[("", "", "A & B <3 中文 &unknown; a&b")]);
        check("<h2 id=\"q&amp;a\" class=\"x\">Q&amp;A</h2>", &[("", "", ""), ("q&a", "Q&A", "")]);
    }

    #[test]
    fn broken_html_does_not_panic() {
        for html in ["<", "<p", "<h2 id=\"x\">open", "</h2>", "<a href='>'>x</a>", "&#99999999;", "<svg>", "<h2 id=>"] {
            let _ = sections(html);
        }
        check("<h2 id=\"x\">open", &[("", "", ""), ("x", "open", "")]);
    }

    proptest::proptest! {
        /// The byte-wise collapse agrees with Unicode's whitespace, and the
        /// tag scanner with a quote-aware walk.
        #[test]
        fn collapse_and_tag_end_agree_with_plain_versions(s in "[a-z \t\n\u{3000}\u{a0}\u{b}\u{85}中文>'\"=]{0,40}") {
            let plain = s.split_whitespace().collect::<Vec<_>>().join(" ");
            let mut whole = Text::default();
            whole.push(&s);
            proptest::prop_assert_eq!(&whole.text, &plain);
            // Text read in pieces (between tags) collapses as one.
            let mut pieces = Text::default();
            for piece in s.split_inclusive(['a', ' ', '中']) {
                pieces.push(piece);
            }
            proptest::prop_assert_eq!(&pieces.text, &plain);
            let tag = format!("<{s}");
            let mut quote = None;
            let mut want = None;
            for (i, b) in tag.bytes().enumerate().skip(1) {
                match (quote, b) {
                    (Some(q), _) if b == q => quote = None,
                    (Some(_), _) => {}
                    (None, b'"' | b'\'') => quote = Some(b),
                    (None, b'>') => { want = Some(i + 1); break; }
                    _ => {}
                }
            }
            proptest::prop_assert_eq!(tag_end(&tag), want);
        }
    }
}
