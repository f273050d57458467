//! Syntax from other generators that we do not interpret: Hugo shortcodes,
//! Liquid tags, JSX components, data placeholders. It passes through as
//! visible text (or unknown HTML) and never breaks the page; the build warns
//! once per kind with a count, so a migrating author knows what to convert.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Foreign {
    HugoShortcode,
    LiquidTag,
    TemplateExpression,
    JsxComponent,
}

impl Foreign {
    /// How the warning names this kind, with an example of its syntax.
    pub fn describe(self) -> &'static str {
        match self {
            Foreign::HugoShortcode => "Hugo shortcodes (`{{< … >}}`)",
            Foreign::LiquidTag => "Liquid tags (`{% … %}`)",
            Foreign::TemplateExpression => "template placeholders (`{{ … }}`)",
            Foreign::JsxComponent => "JSX components (`<Tabs>`)",
        }
    }

    /// The text to look for when pointing at the first use in a file.
    pub fn marker(self) -> &'static str {
        match self {
            Foreign::HugoShortcode => "{{<",
            Foreign::LiquidTag => "{%",
            Foreign::TemplateExpression => "{{",
            Foreign::JsxComponent => "<",
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
    }
}
