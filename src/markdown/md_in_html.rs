//! Markdown inside HTML elements, as kramdown (Jekyll) and Python-Markdown's
//! `md_in_html` (MkDocs) read it: `<div markdown="1">` (or `"block"`,
//! `"span"`, or the bare attribute) says the element's content is Markdown.
//! CommonMark reads an HTML block as raw HTML up to the next blank line, so
//! without help the Markdown inside shows as written.
//!
//! The help: the element's opening and closing tag lines become blank lines
//! of the same length (so every byte offset, and every diagnostic's line and
//! column, stays true) and the renderer writes the tags back at those
//! offsets ([`Mark`]). CommonMark then reads the lines between as Markdown.
//! In span mode (`"span"`, or `"1"` on an element that holds text, such as
//! `<p>`) the content's paragraph is unwrapped.
//!
//! Only the clear case is handled: a tag alone on its line, at most three
//! spaces in, outside fenced code, with its closing tag alone on a later
//! line. Anything else stays raw HTML, and the build's foreign-syntax
//! warning counts it.

/// The body as the parser should read it, and the tags to write back.
pub struct Plan {
    pub body: String,
    /// By offset, ascending.
    pub marks: Vec<Mark>,
}

/// A tag line that was blanked: written back before the first event at or
/// after `at`.
pub struct Mark {
    pub at: usize,
    pub html: String,
    /// `Some` for an opening tag (and how its content is read), `None` for a
    /// closing one.
    pub open: Option<Mode>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Block,
    Span,
}

/// Elements whose content is text: `markdown="1"` on them means span mode.
const SPAN_ELEMENTS: &[&str] = &[
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "span", "a", "em", "strong", "td", "th", "dt", "summary", "caption",
    "label",
];

/// `None` when `body` has no element to help (the common case, found fast).
pub fn plan(body: &str) -> Option<Plan> {
    if !body.contains("markdown") {
        return None;
    }
    let lines = lines_of(body);
    let outside = outside_fences(&lines);
    let mut blank: Vec<usize> = Vec::new();
    let mut marks = Vec::new();
    for (i, &(at, line)) in lines.iter().enumerate() {
        if !outside[i] || blank.contains(&i) {
            continue;
        }
        let Some(tag) = open_tag(line) else { continue };
        let Some(close) = closing_line(&lines[i + 1..], &outside[i + 1..], &tag.name).map(|j| i + 1 + j) else {
            continue;
        };
        let mode = match tag.mode {
            Some(m) => m,
            None if SPAN_ELEMENTS.contains(&tag.name.as_str()) => Mode::Span,
            None => Mode::Block,
        };
        marks.push(Mark { at, html: format!("{}\n", tag.html), open: Some(mode) });
        marks.push(Mark { at: lines[close].0, html: format!("</{}>\n", tag.name), open: None });
        blank.extend([i, close]);
    }
    if marks.is_empty() {
        return None;
    }
    marks.sort_by_key(|m| m.at);
    let mut out = body.as_bytes().to_vec();
    for i in blank {
        let (at, line) = lines[i];
        let end = at + line.trim_end_matches(['\n', '\r']).len();
        out[at..end].fill(b' ');
    }
    // Whole lines of bytes became spaces: still UTF-8.
    let body = String::from_utf8(out).ok()?;
    Some(Plan { body, marks })
}

/// Where the first `markdown` attribute that [`plan`] leaves as raw HTML
/// sits in `body` (outside fenced code), for pointing a warning at it.
pub fn first_unread(body: &str) -> Option<usize> {
    let planned = plan(body);
    let text = planned.as_ref().map_or(body, |p| p.body.as_str());
    let lines = lines_of(text);
    let outside = outside_fences(&lines);
    lines.iter().zip(outside).filter(|(_, out)| *out).find_map(|(&(at, line), _)| {
        let i = line.find('<')?;
        markdown_attribute(&line[i..]).map(|(range, _)| at + i + range.start + 1)
    })
}

/// Each line of `body` with its offset, line ends kept.
fn lines_of(body: &str) -> Vec<(usize, &str)> {
    body.split_inclusive('\n')
        .scan(0, |at, line| {
            let start = *at;
            *at += line.len();
            Some((start, line))
        })
        .collect()
}

/// For each line, whether it is outside fenced code (fence lines included
/// in the code).
fn outside_fences(lines: &[(usize, &str)]) -> Vec<bool> {
    let mut fence: Option<(char, usize)> = None;
    lines
        .iter()
        .map(|&(_, line)| match (fence, fence_of(line)) {
            (None, Some(f)) => {
                fence = Some(f);
                false
            }
            (Some((c, n)), Some(f)) if f.0 == c && f.1 >= n && line.trim().trim_start_matches(c).is_empty() => {
                fence = None;
                false
            }
            (open, _) => open.is_none(),
        })
        .collect()
}

/// An opening tag with the attribute, alone on its line.
struct OpenTag {
    name: String,
    /// The tag without the `markdown` attribute.
    html: String,
    /// `None` for `"1"` or the bare attribute: the element decides.
    mode: Option<Mode>,
}

fn open_tag(line: &str) -> Option<OpenTag> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let t = line.trim();
    if indent > 3 || !t.starts_with('<') || !t.ends_with('>') || t.ends_with("/>") || t[1..].contains('<') {
        return None;
    }
    let inner = &t[1..t.len() - 1];
    let name_len = inner.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).unwrap_or(inner.len());
    let name = inner[..name_len].to_ascii_lowercase();
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let attrs = &inner[name_len..];
    let (range, value) = markdown_attribute(attrs)?;
    let mode = match value {
        "1" | "" => None,
        "block" => Some(Mode::Block),
        "span" => Some(Mode::Span),
        _ => return None,
    };
    let rest = format!("{}{}", &attrs[..range.start], &attrs[range.end..]);
    let rest = rest.trim_end();
    let html = if rest.trim().is_empty() {
        format!("<{}>", &inner[..name_len])
    } else {
        format!("<{}{rest}>", &inner[..name_len])
    };
    Some(OpenTag { name, html, mode })
}

/// Where the `markdown` attribute sits in `attrs` (with the space before
/// it), and its value (`""` when bare).
fn markdown_attribute(attrs: &str) -> Option<(std::ops::Range<usize>, &str)> {
    let mut from = 0;
    while let Some(found) = attrs[from..].find("markdown") {
        let start = from + found;
        let end = start + "markdown".len();
        from = end;
        if !attrs[..start].ends_with([' ', '\t']) {
            continue;
        }
        let after = &attrs[end..];
        let space_before = attrs[..start].len() - attrs[..start].trim_end().len();
        if after.is_empty() || after.starts_with([' ', '\t']) {
            return Some((start - space_before..end, ""));
        }
        let Some(value) = after.strip_prefix('=') else { continue };
        let (value, len) = match value.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let close = value[1..].find(q)?;
                (&value[1..1 + close], close + 2)
            }
            _ => {
                let v = value.split([' ', '\t']).next().unwrap_or("");
                (v, v.len())
            }
        };
        return Some((start - space_before..end + 1 + len, value));
    }
    None
}

/// The index (in `rest`) of the line that closes an element `name` opened
/// just before it: `</name>` alone on a line outside fenced code
/// (`outside`, line by line), past any nested `name` opened and closed
/// alone on their lines.
fn closing_line(rest: &[(usize, &str)], outside: &[bool], name: &str) -> Option<usize> {
    let close = format!("</{name}>");
    let mut depth = 0usize;
    for (j, &(_, line)) in rest.iter().enumerate() {
        if !outside[j] {
            continue;
        }
        let t = line.trim();
        if t.eq_ignore_ascii_case(&close) {
            if depth == 0 {
                return Some(j);
            }
            depth -= 1;
        } else if t.starts_with('<')
            && t.ends_with('>')
            && !t.ends_with("/>")
            && t[1..].to_ascii_lowercase().starts_with(name)
            && t[1 + name.len()..].starts_with([' ', '>', '\t'])
        {
            depth += 1;
        }
    }
    None
}

/// A fence's character and length when `line` opens or closes fenced code.
fn fence_of(line: &str) -> Option<(char, usize)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let t = line.trim_start();
    let c = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = t.chars().take_while(|x| *x == c).count();
    (indent <= 3 && n >= 3).then_some((c, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blanked(body: &str) -> (String, Vec<(usize, String, Option<Mode>)>) {
        let p = plan(body).expect("a plan");
        assert_eq!(p.body.len(), body.len(), "same length");
        (p.body, p.marks.into_iter().map(|m| (m.at, m.html, m.open)).collect())
    }

    #[test]
    fn tag_lines_become_blank_and_come_back_as_marks() {
        let body = "Intro\n<div class=\"a\" markdown=\"1\">\n**bold**\n</div>\nOutro\n";
        let (text, marks) = blanked(body);
        assert_eq!(text.lines().collect::<Vec<_>>(), ["Intro", &" ".repeat(28), "**bold**", "      ", "Outro"]);
        assert_eq!(
            marks,
            [(6, "<div class=\"a\">\n".to_string(), Some(Mode::Block)), (44, "</div>\n".to_string(), None)]
        );
    }

    #[test]
    fn modes_and_forms_of_the_attribute() {
        let (_, marks) =
            blanked("<p markdown='1'>\nx\n</p>\n<aside markdown>\ny\n</aside>\n<div markdown=span>\nz\n</div>\n");
        let opens: Vec<_> = marks.iter().filter_map(|m| m.2.map(|mode| (m.1.clone(), mode))).collect();
        assert_eq!(
            opens,
            [
                ("<p>\n".to_string(), Mode::Span),
                ("<aside>\n".to_string(), Mode::Block),
                ("<div>\n".to_string(), Mode::Span)
            ]
        );
    }

    #[test]
    fn a_closing_tag_in_fenced_code_does_not_close_the_element() {
        let body = "<div markdown=\"1\">\n```html\n</div>\n```\n</div>\n";
        let (_, marks) = blanked(body);
        assert_eq!(marks.last().map(|m| m.0), Some(body.rfind("</div>").unwrap_or(0)));
    }

    #[test]
    fn nested_elements_close_at_their_own_tag() {
        let body = "<div markdown=\"1\">\n<div>\ninner\n</div>\n*x*\n</div>\n";
        let (_, marks) = blanked(body);
        assert_eq!(marks.last().map(|m| m.0), Some(body.rfind("</div>").unwrap_or(0)));
    }

    #[test]
    fn the_first_attribute_left_as_html_is_found_past_code_and_handled_ones() {
        let body = "<div markdown=\"1\">\nx\n</div>\n```\n<p markdown=\"1\">\n```\n<div markdown=\"1\">y</div>\n";
        let at = first_unread(body).expect("found");
        assert!(body[at..].starts_with("markdown=\"1\">y"), "{}", &body[at..]);
        assert_eq!(first_unread("<div markdown=\"1\">\nx\n</div>\n"), None);
    }

    #[test]
    fn unclear_cases_are_left_alone() {
        for body in [
            "<div markdown=\"1\">no closing tag\n",
            "<div markdown=\"1\">\ntext\n",
            "```\n<div markdown=\"1\">\n</div>\n```\n",
            "    <div markdown=\"1\">\n</div>\n",
            "<div markdown=\"0\">\n</div>\n",
            "<div data-markdown=\"1\">\n</div>\n",
            "text <div markdown=\"1\">\n</div>\n",
        ] {
            assert!(plan(body).is_none(), "{body}");
        }
    }
}
