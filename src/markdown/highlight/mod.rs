//! Build-time syntax highlighting of fenced code.
//!
//! The languages handbooks use most go through our own [`lexer`] (tables
//! in [`langs`]); every other language syntect knows goes through its
//! grammar, loaded once per process on first use. Output uses classes
//! (`hl-keyword`, `hl-string`, …) rather than inline colours, so the theme
//! styles light and dark mode from CSS. Unknown languages are escaped text.

mod langs;
mod lexer;

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
    if let Some(known) = langs::find(lang) {
        lexer::highlight(known, code, &mut out);
    } else {
        match with_grammar(lang, code) {
            Some(html) => out.push_str(&html),
            None => escape_into(&mut out, code),
        }
    }
    out.push_str("</code></pre>\n");
    out
}

/// `code` through syntect's grammar for `lang`, when it has one (the spans
/// only, without `<pre>`).
pub fn with_grammar(lang: &str, code: &str) -> Option<String> {
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
    let mut last = 0;
    for (i, b) in text.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => continue,
        };
        out.push_str(&text[last..i]);
        out.push_str(entity);
        last = i + 1;
    }
    out.push_str(&text[last..]);
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
