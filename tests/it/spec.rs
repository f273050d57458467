//! The CommonMark 0.31.2 and GFM 0.29 spec examples through our Markdown
//! stage. Our additions (heading ids and anchors, code classes, scrolling
//! table wrappers, footnotes gathered at the end) are normalised away, and
//! the pass count must not fall below what bare pulldown-cmark achieves.

use opsbook::markdown;

use crate::harness::{BareHost, shared};

fn ours(md: &str) -> String {
    let input = markdown::Input { file: "spec.md", src: md, body_start: 0, title: Some("\u{0}") };
    markdown::render(&input, &BareHost { md_missing: false }).html.to_string()
}

fn bare(md: &str, gfm: bool) -> String {
    let opts = if gfm { markdown::options() } else { pulldown_cmark::Options::empty() };
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new_ext(md, opts));
    html
}

/// Removes what our stage adds on top of plain CommonMark HTML.
fn undecorate(html: &str) -> String {
    let mut s = html.to_string();
    // Heading anchors and ids.
    while let Some(i) = s.find(" <a class=\"heading-anchor\"") {
        let end = s[i..].find("</a>").map_or(s.len(), |e| i + e + 4);
        s.replace_range(i..end, "");
    }
    for level in 1..=6 {
        let open = format!("<h{level} id=\"");
        while let Some(i) = s.find(&open) {
            let start = i + 3;
            let end = s[start + 5..].find('"').map_or(s.len(), |e| start + 5 + e + 1);
            s.replace_range(start..end, "");
        }
    }
    s = s.replace("<div class=\"table-wrap\">", "");
    s = s.replace("</table>\n</div>\n", "</table>\n");
    // Highlighted code back to plain.
    while let Some(i) = s.find("<pre class=\"code\"") {
        let close = s[i..].find('>').map_or(s.len(), |e| i + e + 1);
        s.replace_range(i..close, "<pre>");
        let end = s[i..].find("</pre>").map_or(s.len(), |e| i + e);
        let inner = s[i..end].to_string();
        let mut plain = String::new();
        let mut rest = inner.as_str();
        while let Some(a) = rest.find("<span") {
            plain.push_str(&rest[..a]);
            rest = &rest[a..];
            rest = &rest[rest.find('>').map_or(rest.len(), |e| e + 1)..];
        }
        plain.push_str(rest);
        let plain = plain.replace("</span>", "");
        s.replace_range(i..end, &plain);
    }
    s
}

fn normalize(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    for line in html.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.replace(">\n<", "><").trim().to_string()
}

struct Tally {
    ours: usize,
    bare: usize,
    total: usize,
}

fn run(file: &str, gfm: bool) -> Option<Tally> {
    let path = shared()?.join("corpora/commonmark-gfm-spec/derived").join(file);
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    let mut t = Tally { ours: 0, bare: 0, total: 0 };
    for ex in json.as_array()? {
        let md = ex["markdown"].as_str()?;
        let expected = normalize(ex["html"].as_str()?);
        t.total += 1;
        if normalize(&undecorate(&ours(md))) == expected {
            t.ours += 1;
        }
        if normalize(&bare(md, gfm)) == expected {
            t.bare += 1;
        }
    }
    Some(t)
}

#[test]
fn commonmark_spec() {
    let Some(t) = run("commonmark-0.31.2.spec.json", false) else { return eprintln!("skipped: ../shared absent") };
    eprintln!("commonmark 0.31.2: ours {}/{}, bare pulldown-cmark {}", t.ours, t.total, t.bare);
    assert_eq!(t.total, 652);
    // GFM's extended autolinks are on for every page, so a few CommonMark
    // examples with bare URLs in text differ on purpose.
    assert!(t.ours + 4 >= t.bare, "ours {} vs pulldown-cmark {}", t.ours, t.bare);
    assert!(t.ours >= 627, "ours {}", t.ours);
}

#[test]
fn gfm_spec() {
    let Some(t) = run("gfm-0.29.spec.json", true) else { return eprintln!("skipped: ../shared absent") };
    eprintln!("gfm 0.29: ours {}/{}, bare pulldown-cmark {}", t.ours, t.total, t.bare);
    assert_eq!(t.total, 673);
    assert!(t.ours >= t.bare, "ours {} vs pulldown-cmark {}", t.ours, t.bare);
    assert!(t.ours >= 637, "ours {}", t.ours);
}

#[test]
fn gfm_extensions() {
    let Some(t) = run("gfm-0.29.extensions.json", true) else { return eprintln!("skipped: ../shared absent") };
    eprintln!("gfm extensions: ours {}/{}, bare pulldown-cmark {}", t.ours, t.total, t.bare);
    assert!(t.ours >= t.bare, "ours {} vs pulldown-cmark {}", t.ours, t.bare);
    assert!(t.ours >= 18, "ours {}", t.ours);
}
