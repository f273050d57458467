//! Syntax from other generators that we do not interpret: Hugo shortcodes,
//! Liquid tags, JSX components, data placeholders, and kramdown's Markdown
//! inside HTML (`markdown="1"`) where [`super::md_in_html`] cannot read it
//! (tags not alone on their lines). It passes through as visible
//! text (or unknown HTML) and never breaks the page; the build warns once
//! per kind with a count, so a migrating author knows what to convert.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Foreign {
    HugoShortcode,
    LiquidTag,
    TemplateExpression,
    JsxComponent,
    KramdownMarkdown,
}

impl Foreign {
    /// How the warning names this kind, with an example of its syntax.
    pub fn describe(self) -> &'static str {
        match self {
            Foreign::HugoShortcode => "Hugo shortcodes (`{{< … >}}`)",
            Foreign::LiquidTag => "Liquid tags (`{% … %}`)",
            Foreign::TemplateExpression => "template placeholders (`{{ … }}`)",
            Foreign::JsxComponent => "JSX components (`<Tabs>`)",
            Foreign::KramdownMarkdown => "kramdown's Markdown inside HTML (`<div markdown=\"1\">`)",
        }
    }

    /// What to do about it.
    pub fn hint(self) -> &'static str {
        match self {
            Foreign::KramdownMarkdown => {
                "the content is read as Markdown when the opening and the closing tag each stand alone on a \
                 line; put them on lines of their own, or write the content in HTML"
            }
            _ => {
                "opsbook does not run other generators' templates; convert them to Markdown, or to \
                 `chart`/`kpi`/`table` blocks for data"
            }
        }
    }

    /// The text to look for when pointing at the first use in a file.
    pub fn marker(self) -> &'static str {
        match self {
            Foreign::HugoShortcode => "{{<",
            Foreign::LiquidTag => "{%",
            Foreign::TemplateExpression => "{{",
            Foreign::JsxComponent => "<",
            Foreign::KramdownMarkdown => "markdown=",
        }
    }
}

/// Kinds found in a run of text, with how often each occurs.
pub fn in_text(text: &str, found: &mut Vec<Foreign>) {
    if !text.contains('{') {
        return;
    }
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        let tail = &rest[i..];
        let kind = if tail.starts_with("{{<") || tail.starts_with("{{%") {
            closes(tail, &[">}}", "%}}"]).then_some(Foreign::HugoShortcode)
        } else if tail.starts_with("{%") {
            closes(tail, &["%}"]).then_some(Foreign::LiquidTag)
        } else if tail.starts_with("{{") {
            closes(tail, &["}}"]).then_some(Foreign::TemplateExpression)
        } else {
            None
        };
        match kind {
            Some(k) => {
                found.push(k);
                let end = tail.find("}}").or_else(|| tail.find("%}")).map_or(2, |e| e + 2);
                rest = &tail[end..];
            }
            None => rest = &tail[1..],
        }
    }
}

fn closes(tail: &str, ends: &[&str]) -> bool {
    let line = tail.split('\n').next().unwrap_or(tail);
    ends.iter().any(|e| line[2..].contains(e))
}

/// A JSX-style component: a tag whose name starts with a capital and is not
/// an HTML element written in upper case (`<BR>` is HTML, `<Tabs>` is not).
pub fn in_html(html: &str, found: &mut Vec<Foreign>) {
    for (i, _) in html.match_indices('<') {
        if is_component_at(html, i) {
            found.push(Foreign::JsxComponent);
        }
    }
    found.extend(std::iter::repeat_n(Foreign::KramdownMarkdown, kramdown_attributes(html)));
}

/// How many `markdown="1"` (or `"block"`, `"span"`) attributes `html` has:
/// kramdown parses the content of such an element as Markdown.
fn kramdown_attributes(html: &str) -> usize {
    html.match_indices("markdown=")
        .filter(|&(i, m)| {
            let before = html[..i].chars().next_back();
            let value = html[i + m.len()..].trim_start_matches(['"', '\'']);
            before.is_some_and(char::is_whitespace)
                && ["1", "block", "span"]
                    .iter()
                    .any(|v| value.strip_prefix(v).is_some_and(|rest| rest.starts_with(['"', '\'', ' ', '>', '/'])))
        })
        .count()
}

/// True when the `<` at byte `i` opens a JSX-style component.
pub fn is_component_at(html: &str, i: usize) -> bool {
    let name: String = html[i + 1..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '.').collect();
    let Some(first) = name.chars().next() else { return false };
    first.is_ascii_uppercase()
        && !(name.chars().all(|c| !c.is_ascii_lowercase())
            && HTML_ELEMENTS.contains(&name.to_ascii_lowercase().as_str()))
}

const HTML_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "article",
    "aside",
    "audio",
    "b",
    "big",
    "blockquote",
    "br",
    "button",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "font",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "i",
    "iframe",
    "img",
    "input",
    "ins",
    "kbd",
    "label",
    "li",
    "main",
    "mark",
    "nav",
    "ol",
    "option",
    "p",
    "picture",
    "pre",
    "q",
    "s",
    "section",
    "select",
    "small",
    "source",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "tr",
    "tt",
    "u",
    "ul",
    "video",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: &[Foreign]) {
        let mut found = Vec::new();
        in_text(text, &mut found);
        in_html(text, &mut found);
        assert_eq!(found, expected, "{text}");
    }

    #[test]
    fn kinds() {
        check("{{< figure src=\"x\" >}}", &[Foreign::HugoShortcode]);
        check("{{% notice %}} and {% include x.html %}", &[Foreign::HugoShortcode, Foreign::LiquidTag]);
        check("{{generator:product_team.batch}}", &[Foreign::TemplateExpression]);
        check("<Tabs><TabItem>", &[Foreign::JsxComponent, Foreign::JsxComponent]);
        check("a {b} c, <div>, <BR>, <TD>", &[]);
        let k = Foreign::KramdownMarkdown;
        check("<aside markdown=\"1\" class=\"q\">\n<p markdown='span'>", &[k, k]);
        check("<div markdown=1>", &[k]);
        check("<div data-markdown=\"1\"> markdown=\"0\" <div markdown=\"10\">", &[]);
    }
}
