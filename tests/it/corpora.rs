//! The real handbooks in `../shared/corpora`, content nobody here wrote:
//! they must build, every broken link must be reported with file:line, and
//! every other internal link must reach a file in the output. Skipped when
//! `../shared` is absent.

use std::collections::HashSet;
use std::path::Path;

use crate::harness::{Run, Site, copy_dir, shared};

/// Every relative `href`/`src` in the output that does not reach a file,
/// as (page, url).
fn dangling(run: &Run) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(&run.out_dir).into_iter().filter_map(Result::ok) {
        let path = entry.path();
        // The print page carries every page's links, broken ones rebased
        // from where it lives (tests/it/print.rs checks its links).
        if path.extension().and_then(|e| e.to_str()) != Some("html") || path.ends_with("print/index.html") {
            continue;
        }
        let html = std::fs::read_to_string(path).unwrap_or_default();
        for attr in ["href=\"", "src=\""] {
            for (i, _) in html.match_indices(attr) {
                let rest = &html[i + attr.len()..];
                let url = &rest[..rest.find('"').unwrap_or(0)];
                let url = url.replace("&amp;", "&");
                if url.is_empty() || url.starts_with('#') || url.contains(':') || url.starts_with("//") {
                    continue;
                }
                let file = url.split(['#', '?']).next().unwrap_or("");
                if file.is_empty() {
                    continue;
                }
                let decoded = opsbook::links::percent_decode(file);
                let target = path.parent().unwrap_or(Path::new("")).join(&decoded);
                if !target.exists() {
                    out.push((path.strip_prefix(&run.out_dir).unwrap_or(path).display().to_string(), url.clone()));
                }
            }
        }
    }
    out
}

/// The destinations the build warned about: `broken link `x``.
fn reported(stderr: &str) -> HashSet<String> {
    stderr
        .lines()
        .filter_map(|l| {
            l.strip_prefix("warning: broken link `").or_else(|| l.strip_prefix("warning: broken anchor in link `"))
        })
        .filter_map(|l| l.strip_suffix('`'))
        .map(str::to_string)
        .collect()
}

#[test]
fn sourcegraph_handbook() {
    let Some(shared) = shared() else { return eprintln!("skipped: ../shared absent") };
    let site = Site::new();
    copy_dir(&shared.join("corpora/sourcegraph-handbook/content"), &site.root().join("content"));
    let run = site.build(&[]);
    run.ok();
    let stderr = run.stderr();
    // The ten links broken upstream, and links into the removed `team/` pages.
    let broken = reported(&stderr);
    assert!(broken.contains("../#-wellness.md"), "{stderr}");
    assert!(broken.len() >= 10, "{} broken links reported", broken.len());
    for line in stderr.lines().filter(|l| l.starts_with("warning: broken link")) {
        assert!(!line.is_empty());
    }
    assert!(stderr.contains("--> content/"), "diagnostics name files");
    // Every link that was not reported resolves in the output.
    let bad: Vec<_> = dangling(&run).into_iter().filter(|(_, url)| !broken.contains(url)).collect();
    assert!(bad.is_empty(), "{} unreported dangling links, e.g. {:?}", bad.len(), &bad[..bad.len().min(10)]);
    // A file name with a space, raw HTML links to `.md` files, and alerts.
    assert!(run.exists("departments/marketing/comms/field marketing/index.html"));
    let home = run.read("index.html");
    assert!(
        home.contains("<a href=\"company-info-and-process/about-sourcegraph/index.html\" class=\"block\">"),
        "raw HTML hrefs to .md are rewritten"
    );
}

#[test]
fn opensource_guide_in_29_languages() {
    let Some(shared) = shared() else { return eprintln!("skipped: ../shared absent") };
    let corpus = shared.join("corpora/opensource-guide");
    let site = Site::new();
    copy_dir(&corpus.join("_articles"), &site.root().join("content"));
    copy_dir(&corpus.join("assets"), &site.root().join("static/assets"));
    let run = site.build(&[]);
    run.ok();
    let broken = reported(&run.stderr());
    let bad: Vec<_> = dangling(&run).into_iter().filter(|(_, url)| !broken.contains(url)).collect();
    assert!(bad.is_empty(), "{} unreported dangling links, e.g. {:?}", bad.len(), &bad[..bad.len().min(10)]);
    let ar = run.read("ar/how-to-contribute/index.html");
    assert!(ar.contains("lang=\"ar\"") && ar.contains("dir=\"rtl\""), "Arabic is right to left");
    let fa = run.read("fa/how-to-contribute/index.html");
    assert!(fa.contains("dir=\"rtl\""));
    // Its quotes are kramdown blocks (`<aside markdown="1">`): read as
    // Markdown; the few inline ones (`<span markdown="1">`) said once.
    let stderr = run.stderr();
    assert_eq!(stderr.matches("kramdown's Markdown inside HTML").count(), 1, "{stderr}");
    assert!(stderr.contains("put them on lines of their own"));
    let quote = run.read("how-to-contribute/index.html");
    assert!(!quote.contains("markdown=\"1\""), "block quotes lose the attribute once read");
    let zh = run.read("zh-hans/how-to-contribute/index.html");
    assert!(zh.contains("lang=\"zh-hans\"") && zh.contains("dir=\"ltr\""));
    // Root-absolute image paths resolve under the output root.
    assert!(run.read("how-to-contribute/index.html").contains("../assets/images/"));
}

/// Every fenced code block of the real handbooks, our example handbook and
/// the guide comes back whole from the highlighter: the tags taken out,
/// the text is the code, byte for byte, whatever the language.
#[test]
fn every_code_block_comes_back_whole_from_the_highlighter() {
    use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
    let mut roots = vec![crate::harness::repo().join("content"), crate::harness::repo().join("docs/content")];
    if let Some(shared) = shared() {
        roots.push(shared.join("corpora"));
    }
    let mut blocks = 0;
    let mut highlighted = 0;
    for root in roots {
        for entry in walkdir::WalkDir::new(&root).into_iter().filter_map(Result::ok) {
            if entry.path().extension().and_then(|e| e.to_str()) != Some("md") {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            let mut code: Option<(String, String)> = None;
            for event in Parser::new(&text) {
                match event {
                    Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) => {
                        code = Some((lang.to_string(), String::new()));
                    }
                    Event::Text(t) => {
                        if let Some((_, body)) = code.as_mut() {
                            body.push_str(&t);
                        }
                    }
                    Event::End(TagEnd::CodeBlock) => {
                        let Some((lang, body)) = code.take() else { continue };
                        let html = opsbook::markdown::highlight::code_block(&lang, &body);
                        highlighted += usize::from(html.contains("<span class=\"hl-"));
                        let inner =
                            &html[html.find("<code").and_then(|i| html[i..].find('>').map(|e| i + e + 1)).unwrap_or(0)
                                ..html.rfind("</code>").unwrap_or(html.len())];
                        let mut plain = String::new();
                        let mut rest = inner;
                        while let Some(i) = rest.find('<') {
                            plain.push_str(&rest[..i]);
                            rest = rest[i..].find('>').map_or("", |e| &rest[i + e + 1..]);
                        }
                        plain.push_str(rest);
                        let plain = plain
                            .replace("&lt;", "<")
                            .replace("&gt;", ">")
                            .replace("&quot;", "\"")
                            .replace("&#39;", "'")
                            .replace("&amp;", "&");
                        assert_eq!(plain, body, "{} ```{lang}", entry.path().display());
                        blocks += 1;
                    }
                    _ => {}
                }
            }
        }
    }
    assert!(blocks > 100 && highlighted > 50, "{blocks} blocks, {highlighted} highlighted");
}
