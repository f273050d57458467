//! Property tests: arbitrary and mutated input to front matter, config and
//! Markdown handling never panics and always finishes. (Metric files and data
//! blocks have their own properties next to their parsers' tests.)

use opsbook::markdown;
use proptest::prelude::*;

use crate::harness::{BareHost, repo};

/// Runs a page through the front matter and Markdown stages, as a build does.
fn page(src: &str) {
    let diags = |d: &[opsbook::diagnostics::Diagnostic]| d.iter().map(|d| d.render(false)).collect::<String>();
    match opsbook::frontmatter::parse("p.md", src) {
        Ok(parsed) => {
            let input = markdown::Input {
                file: "p.md",
                src,
                body_start: parsed.body_start,
                title: parsed.front.title.as_deref(),
            };
            let r = markdown::render(&input, &BareHost { md_missing: true });
            let _ = diags(&r.diagnostics);
        }
        Err(d) => {
            let _ = diags(&d);
        }
    }
}

/// The example handbook's pages: realistic seeds for mutation.
fn seeds() -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(repo().join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().and_then(|x| x.to_str()) == Some("md"))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    out.sort();
    out.truncate(12);
    out
}

/// Markdown-ish text: the characters that drive the parser's decisions.
fn markdownish() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("+++\n"),
            Just("---\n"),
            Just("# "),
            Just("## 明确目标"),
            Just("{#id}"),
            Just("> [!NOTE]\n"),
            Just("> "),
            Just("- [ ] "),
            Just("| a | b |\n|---|---|\n"),
            Just("[^1]"),
            Just("[^1]: x\n"),
            Just("```chart\n"),
            Just("```\n"),
            Just("<a href=\"x.md\">"),
            Just("</a>"),
            Just("https://example.com/a_(b)"),
            Just("www."),
            Just("[l](../a.md#b)"),
            Just("![i](p.png)"),
            Just("{{< x >}}"),
            Just("{% y %}"),
            Just("<Tabs>"),
            Just("\n"),
            Just("  "),
            Just("中文"),
            Just("*"),
            Just("_"),
            Just("~~"),
            Just("`"),
            Just("\\"),
            Just("&amp;"),
            Just("\t"),
            Just("title = \"x\"\n"),
            Just("reviewed = 2026-13-45\n"),
            Just("tags = [1, \n"),
            Just("\u{feff}"),
        ],
        0..60,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,400}") {
        page(&s);
        let _ = opsbook::config::Config::parse(&s);
    }

    #[test]
    fn markdown_shaped_text_never_panics(s in markdownish()) {
        page(&s);
        page(&format!("+++\ntitle = \"t\"\n+++\n{s}"));
        page(&format!("---\n{s}\n---\n{s}"));
    }

    #[test]
    fn diagnostics_render_any_span(src in "\\PC{0,200}", offset in 0usize..400, len in 0usize..400) {
        let span = opsbook::diagnostics::Span::from_offset("f.md", &src, offset, len);
        let text = opsbook::diagnostics::Diagnostic::error("x").at(span).hint("h").render(false);
        prop_assert!(text.starts_with("error: x"));
    }

    #[test]
    fn mutated_pages_never_panic(seed in 0usize..12, edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let seeds = seeds();
        let mut bytes = seeds[seed % seeds.len()].clone().into_bytes();
        for (at, b) in edits {
            if bytes.is_empty() { break; }
            let i = at % bytes.len();
            bytes[i] = b;
        }
        // Files that stop being UTF-8 are rejected before these stages.
        if let Ok(s) = String::from_utf8(bytes) {
            page(&s);
        }
    }
}
