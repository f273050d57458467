//! Build-time syntax highlighting of fenced code with syntect.
//!
//! Output uses classes (`hl-keyword`, `hl-string`, …) rather than inline
//! colours, so the theme styles light and dark mode from CSS. The syntax set
//! loads once per process. Unknown languages fall back to escaped text.

use std::sync::OnceLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// Returns `<pre class="code" data-lang=…><code>…</code></pre>`.
pub fn code_block(lang: &str, code: &str) -> String {
    let lang = lang.split(|c: char| c.is_whitespace() || c == ',' || c == '{').next().unwrap_or("");
    let mut out = String::with_capacity(code.len() * 2 + 64);
    if lang.is_empty() {
        out.push_str("<pre class=\"code\"><code>");
    } else {
        out.push_str("<pre class=\"code\" data-lang=\"");
        escape_into(&mut out, lang);
        out.push_str("\"><code class=\"language-");
        escape_into(&mut out, lang);
        out.push_str("\">");
    }
    match highlighted(lang, code) {
        Some(html) => out.push_str(&html),
        None => escape_into(&mut out, code),
    }
    out.push_str("</code></pre>\n");
    out
}

fn highlighted(lang: &str, code: &str) -> Option<String> {
    if lang.is_empty() || code.len() > 256 * 1024 {
        return None;
    }
    let set = syntaxes();
    let syntax = set.find_syntax_by_token(lang)?;
    let mut generator =
        ClassedHTMLGenerator::new_with_class_style(syntax, set, ClassStyle::SpacedPrefixed { prefix: "hl-" });
    for line in LinesWithEndings::from(code) {
        generator.parse_html_for_line_which_includes_newline(line).ok()?;
    }
    Some(generator.finalize())
}

pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

pub fn escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    escape_into(&mut s, text);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_known_languages_with_classes() {
        let html = code_block("sql", "SELECT 1;\n");
        assert!(html.starts_with("<pre class=\"code\" data-lang=\"sql\"><code class=\"language-sql\">"), "{html}");
        assert!(html.contains("hl-keyword"), "{html}");
    }

    #[test]
    fn unknown_language_is_escaped_text() {
        assert_eq!(
            code_block("nosuchlang", "<b>&</b>\n"),
            "<pre class=\"code\" data-lang=\"nosuchlang\"><code class=\"language-nosuchlang\">&lt;b&gt;&amp;&lt;/b&gt;\n</code></pre>\n"
        );
    }
}
