//! The user guide in `docs/` is an opsbook site, and nothing in it may rot:
//! it builds without a warning ([`guide_builds_without_warnings`]), its
//! reference matches the parsers in both directions ([`reference`]), and
//! every example in it is parsed, built or run ([`examples`]).
//!
//! Code blocks say what they are in their info string, after the language:
//!
//! | Info string | Tested by |
//! | --- | --- |
//! | `toml config` | `Config::parse` |
//! | `toml page` | front matter parser, wrapped in `+++` |
//! | `toml metric` | metric parser |
//! | `toml chart` / `kpi` / `table` | equal to the live block right after it |
//! | `chart` / `kpi` / `table` | drawn by the guide's own build |
//! | `markdown [path]` | built in a site of examples (path in `content/`) |
//! | `html templates/<name>` | a template of that site of examples |
//! | `sh` | every `opsbook` line parsed by the real CLI |
//! | `yaml ci` | parsed as YAML; its `opsbook` lines parsed by the CLI |
//! | `json check` | same keys as `opsbook check --format json` |
//! | `… invalid …` | fails with the ` ```text ` block that follows |
//! | `text`, `sql` | shown only; messages in them must exist in the code |
//!
//! `OPSBOOK_BLESS_DOCS=1 cargo test --test it docs` rewrites the expected
//! output after each invalid example from what opsbook really prints.

mod examples;
mod reference;

use std::ops::Range;
use std::path::PathBuf;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Parser, Tag, TagEnd};

use crate::harness::{opsbook, repo};

/// A page of the guide.
pub struct Page {
    /// Path inside `docs/content/`.
    pub rel: String,
    pub src: String,
}

/// A fenced code block of a page.
#[derive(Clone)]
pub struct Block {
    pub page: String,
    pub line: usize,
    /// The info string: language, then tags.
    pub info: String,
    pub body: String,
    /// Byte range of the body in the page (for blessing).
    pub body_range: Range<usize>,
    /// Indentation of the fence (blocks inside list items).
    pub indent: usize,
}

impl Block {
    pub fn words(&self) -> Vec<&str> {
        self.info.split_whitespace().collect()
    }

    pub fn lang(&self) -> &str {
        self.words().first().copied().unwrap_or("")
    }

    pub fn has(&self, tag: &str) -> bool {
        self.words().iter().skip(1).any(|w| *w == tag)
    }

    pub fn at(&self) -> String {
        format!("docs/content/{}:{}", self.page, self.line)
    }
}

/// A heading with the text under it, up to the next heading.
pub struct Section {
    pub level: usize,
    pub title: String,
    pub text: String,
}

pub fn docs_dir() -> PathBuf {
    repo().join("docs")
}

/// Every Markdown page of the guide, sorted by path.
pub fn pages() -> Vec<Page> {
    let content = docs_dir().join("content");
    let mut pages: Vec<Page> = walkdir::WalkDir::new(&content)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| Page {
            rel: e.path().strip_prefix(&content).expect("prefix").to_string_lossy().replace('\\', "/"),
            src: std::fs::read_to_string(e.path()).expect("read a page of the guide"),
        })
        .collect();
    pages.sort_by(|a, b| a.rel.cmp(&b.rel));
    assert!(pages.len() > 20, "the guide is missing: {}", content.display());
    pages
}

pub fn page(rel: &str) -> Page {
    pages().into_iter().find(|p| p.rel == rel).unwrap_or_else(|| panic!("no page {rel} in the guide"))
}

/// The fenced code blocks of a page, in order (nested fences stay in
/// their outer block's body).
pub fn blocks(page: &Page) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<(String, usize, usize)> = None;
    let mut body = String::new();
    for (event, range) in Parser::new_ext(&page.src, opsbook::markdown::options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let body_start = page.src[range.clone()].find('\n').map_or(range.end, |i| range.start + i + 1);
                open = Some((info.to_string(), range.start, body_start));
                body.clear();
            }
            Event::Text(t) if open.is_some() => body.push_str(&t),
            Event::End(TagEnd::CodeBlock) => {
                if let Some((info, start, body_start)) = open.take() {
                    let close_line = page.src[..range.end].trim_end_matches('\n').rfind('\n').map_or(0, |i| i + 1);
                    let fence_line_start = page.src[..start].rfind('\n').map_or(0, |i| i + 1);
                    let indent = page.src[fence_line_start..start].len();
                    out.push(Block {
                        page: page.rel.clone(),
                        line: page.src[..start].matches('\n').count() + 1,
                        info,
                        body: body.clone(),
                        body_range: body_start..close_line.max(body_start),
                        indent,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// The headings of a page with the text under each.
pub fn sections(page: &Page) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    let mut heading: Option<(usize, String)> = None;
    let mut last_end = 0;
    for (event, range) in Parser::new_ext(&page.src, opsbook::markdown::options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                if let Some(s) = out.last_mut() {
                    s.text = page.src[last_end..range.start].to_string();
                }
                heading = Some((level_number(level), String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, title)) = heading.as_mut() {
                    title.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, title)) = heading.take() {
                    out.push(Section { level, title: title.trim().to_string(), text: String::new() });
                    last_end = range.end;
                }
            }
            _ => {}
        }
    }
    if let Some(s) = out.last_mut() {
        s.text = page.src[last_end..].to_string();
    }
    out
}

fn level_number(level: HeadingLevel) -> usize {
    level as usize
}

/// The values listed on a section's `Accepted values:` line, if any
/// (`""` stands for the empty string).
pub fn accepted_values(text: &str) -> Option<Vec<String>> {
    let line = text.lines().find(|l| l.starts_with("Accepted values:"))?;
    let line = line.split_once(". ").map_or(line, |(first, _)| first);
    Some(line.split('`').skip(1).step_by(2).map(|v| if v == "\"\"" { String::new() } else { v.to_string() }).collect())
}

#[test]
fn guide_builds_without_warnings() {
    let out = tempfile::tempdir().expect("temp dir");
    let run = opsbook()
        .args(["build", "--root"])
        .arg(docs_dir())
        .arg("--output")
        .arg(out.path().join("guide"))
        .output()
        .expect("run opsbook");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "the guide does not build:\n{stderr}");
    // A shallow clone of this repository is a property of the checkout, not of the guide.
    let problems: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning") || l.starts_with("error"))
        .filter(|l| !l.contains("shallow clone"))
        .collect();
    assert!(problems.is_empty(), "the guide builds with warnings:\n{stderr}");
    let charts = std::fs::read_to_string(out.path().join("guide/data/charts/index.html")).expect("charts page");
    assert!(charts.matches("<svg").count() >= 12, "every chart example is drawn");
    assert!(!charts.contains("data-error"), "no block failed to draw");
    let zh = std::fs::read_to_string(out.path().join("guide/zh-CN/index.html")).expect("Chinese page");
    assert!(zh.contains("lang=\"zh-CN\""), "Chinese pages say so");
}

#[test]
fn every_code_block_is_tested() {
    const KINDS: &[&str] = &[
        "toml config",
        "toml page",
        "toml metric",
        "toml chart",
        "toml kpi",
        "toml table",
        "toml invalid config",
        "toml invalid page",
        "toml invalid metric",
        "markdown",
        "markdown invalid",
        "sh",
        "sh invalid",
        "yaml ci",
        "json check",
        "html",
        "chart",
        "kpi",
        "table",
        "text",
        "sql",
    ];
    let mut unknown = Vec::new();
    for page in pages() {
        for b in blocks(&page) {
            // `markdown <path>` and `html templates/<name>` carry a path as their last word.
            let words: Vec<&str> = b.words().into_iter().filter(|w| !w.contains('/') && !w.ends_with(".md")).collect();
            if !KINDS.contains(&words.join(" ").as_str()) {
                unknown.push(format!("{}: ```{}", b.at(), b.info));
            }
        }
    }
    assert!(unknown.is_empty(), "code blocks no test knows what to do with:\n{}", unknown.join("\n"));
}
