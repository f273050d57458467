//! Loading: walks the content folder and turns files into pages, data files
//! and assets, each with its output URL.
//!
//! `a/b.md` becomes `a/b/`, `a/_index.md` (or `a/index.md`) becomes the
//! section page `a/`; a folder without one gets a generated section page so
//! every folder URL works. Hidden files are skipped. Problems — unreadable or
//! non-UTF-8 files, huge files, symlink loops, two files with one URL, names
//! that differ only in case — become diagnostics.
//!
//! **Invariant:** this and `output` are the only stages that read the disk
//! for content.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Span};
use crate::frontmatter::{self, FrontMatter};

/// Markdown files above this size are refused: no handbook page is 16 MiB.
const MAX_PAGE_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    Home,
    Section,
    Page,
}

#[derive(Debug, Clone)]
pub struct Page {
    /// Path inside the content folder, with `/`: `playbooks/okr.md`. For a
    /// generated section page, the folder with a trailing `/`.
    pub rel: String,
    /// Path shown in diagnostics, from the site root: `content/playbooks/okr.md`.
    pub file: String,
    /// Output URL relative to the site root: `playbooks/okr/`, `""` for home.
    pub url: String,
    pub kind: PageKind,
    /// The whole file.
    pub src: String,
    pub body_start: usize,
    pub front: FrontMatter,
    /// True for pages opsbook made up: section pages for folders without
    /// `_index.md`, metric pages, reports.
    pub generated: bool,
    /// HTML made by another stage (a metric page, a report); such a page
    /// skips Markdown rendering.
    pub prebuilt: Option<String>,
}

impl Page {
    /// The folder this page's relative links are resolved from.
    pub fn source_dir(&self) -> &str {
        if self.generated {
            return self.rel.trim_end_matches('/');
        }
        self.rel.rsplit_once('/').map_or("", |(dir, _)| dir)
    }

    /// The section folder a page belongs to (for sections: their parent).
    pub fn parent_url(&self) -> Option<String> {
        if self.kind == PageKind::Home {
            return None;
        }
        let trimmed = self.url.trim_end_matches('/');
        Some(trimmed.rsplit_once('/').map_or(String::new(), |(p, _)| format!("{p}/")))
    }
}

/// A non-Markdown file next to the pages, copied to the same place.
#[derive(Debug, Clone)]
pub struct Asset {
    pub rel: String,
    pub path: PathBuf,
}

/// A TOML data file (metrics); loaded here, interpreted by `metrics`.
#[derive(Debug, Clone)]
pub struct DataFile {
    pub rel: String,
    pub file: String,
    pub src: String,
}

#[derive(Debug, Default)]
pub struct Content {
    pub pages: Vec<Page>,
    pub assets: Vec<Asset>,
    pub data: Vec<DataFile>,
    pub diagnostics: Vec<Diagnostic>,
}

enum Loaded {
    Page(Box<Page>),
    Data(DataFile),
    Skip,
}

/// Reads every file under `content_dir`. `shown_prefix` is how the folder is
/// named in diagnostics (`content`).
pub fn load(content_dir: &Path, shown_prefix: &str, drafts: bool) -> Content {
    let mut content = Content::default();
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(content_dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => files.push(e.into_path()),
            Ok(_) => {}
            Err(err) => {
                let at =
                    err.path().map(|p| shown(content_dir, shown_prefix, p)).unwrap_or_else(|| shown_prefix.to_string());
                let message = if err.loop_ancestor().is_some() {
                    "symbolic link loop in the content folder".to_string()
                } else {
                    format!("cannot read the content folder: {err}")
                };
                content.diagnostics.push(
                    Diagnostic::error(message).at(Span::file(&at)).hint("remove the link or point it at a real folder"),
                );
            }
        }
    }
    let results: Vec<Result<Loaded, Diagnostic>> =
        files.par_iter().map(|path| load_file(content_dir, shown_prefix, path, drafts)).collect();
    for (path, result) in files.into_iter().zip(results) {
        match result {
            Ok(Loaded::Page(p)) => content.pages.push(*p),
            Ok(Loaded::Data(d)) => content.data.push(d),
            Ok(Loaded::Skip) => {}
            Err(d) => content.diagnostics.push(d),
        }
        if !is_markdown(&path) && !is_data(content_dir, &path) {
            content.assets.push(Asset { rel: rel_path(content_dir, &path), path });
        }
    }
    add_generated_sections(&mut content.pages, shown_prefix);
    check_urls(&mut content);
    content.pages.sort_by(|a, b| a.url.cmp(&b.url));
    content
}

fn is_markdown(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("md" | "markdown"))
}

/// TOML files under `metrics/` are data, not assets.
fn is_data(content_dir: &Path, path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()) == Some("toml") && rel_path(content_dir, path).starts_with("metrics/")
}

fn rel_path(base: &Path, path: &Path) -> String {
    path.strip_prefix(base).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

fn shown(base: &Path, prefix: &str, path: &Path) -> String {
    let rel = rel_path(base, path);
    if prefix.is_empty() { rel } else { format!("{prefix}/{rel}") }
}

fn load_file(content_dir: &Path, prefix: &str, path: &Path, drafts: bool) -> Result<Loaded, Diagnostic> {
    let markdown = is_markdown(path);
    if !markdown && !is_data(content_dir, path) {
        return Ok(Loaded::Skip);
    }
    let rel = rel_path(content_dir, path);
    let file = shown(content_dir, prefix, path);
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > MAX_PAGE_BYTES {
        return Err(Diagnostic::error(format!("file is too large ({} MiB)", size / (1024 * 1024)))
            .at(Span::file(&file))
            .hint("split it into several pages; opsbook reads Markdown and TOML files up to 16 MiB"));
    }
    let bytes =
        std::fs::read(path).map_err(|e| Diagnostic::error(format!("cannot read file: {e}")).at(Span::file(&file)))?;
    let src = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let prefix = String::from_utf8_lossy(&bytes[..valid]);
        let line_end = bytes[valid..].iter().position(|b| *b == b'\n').map_or(bytes.len(), |i| valid + i);
        let line_text = String::from_utf8_lossy(&bytes[..line_end]);
        let span = Span::from_offset(&file, &line_text, prefix.len(), 1);
        Diagnostic::error("file is not valid UTF-8")
            .at(span)
            .hint("save the file as UTF-8; binary files do not belong in a `.md` file")
    })?;
    if !markdown {
        return Ok(Loaded::Data(DataFile { rel, file, src }));
    }
    let parsed = frontmatter::parse(&file, &src).map_err(|mut d| d.remove(0))?;
    if parsed.front.draft && !drafts {
        return Ok(Loaded::Skip);
    }
    let (url, kind) = url_of(&rel);
    Ok(Loaded::Page(Box::new(Page {
        rel,
        file,
        url,
        kind,
        src,
        body_start: parsed.body_start,
        front: parsed.front,
        generated: false,
        prebuilt: None,
    })))
}

/// `a/b.md` → `a/b/`; `a/_index.md`, `a/index.md` → `a/`; `_index.md` → ``.
pub fn url_of(rel: &str) -> (String, PageKind) {
    let stem = rel.strip_suffix(".md").or_else(|| rel.strip_suffix(".markdown")).unwrap_or(rel);
    let (dir, name) = stem.rsplit_once('/').map_or(("", stem), |(d, n)| (d, n));
    if name == "_index" || name == "index" {
        if dir.is_empty() { (String::new(), PageKind::Home) } else { (format!("{dir}/"), PageKind::Section) }
    } else if dir.is_empty() {
        (format!("{name}/"), PageKind::Page)
    } else {
        (format!("{dir}/{name}/"), PageKind::Page)
    }
}

/// Gives every folder that holds pages a section page, and the site a home.
fn add_generated_sections(pages: &mut Vec<Page>, prefix: &str) {
    let existing: std::collections::HashSet<String> = pages.iter().map(|p| p.url.clone()).collect();
    let mut needed: BTreeMap<String, ()> = BTreeMap::new();
    needed.insert(String::new(), ());
    for p in pages.iter() {
        let mut url = p.url.trim_end_matches('/').to_string();
        while let Some((parent, _)) = url.rsplit_once('/') {
            needed.insert(format!("{parent}/"), ());
            url = parent.to_string();
        }
        if p.kind != PageKind::Home {
            needed.insert(String::new(), ());
        }
    }
    for url in needed.into_keys() {
        if existing.contains(&url) {
            continue;
        }
        let name = url.trim_end_matches('/').rsplit('/').next().unwrap_or("").to_string();
        let kind = if url.is_empty() { PageKind::Home } else { PageKind::Section };
        pages.push(Page {
            rel: url.clone(),
            file: if prefix.is_empty() { url.clone() } else { format!("{prefix}/{url}") },
            url,
            kind,
            src: String::new(),
            body_start: 0,
            front: FrontMatter { title: (!name.is_empty()).then_some(name), ..FrontMatter::default() },
            generated: true,
            prebuilt: None,
        });
    }
}

/// Two files that would write the same URL, or URLs that differ only in
/// case (they collide on macOS and Windows disks), are errors.
fn check_urls(content: &mut Content) {
    let mut by_url: HashMap<&str, &Page> = HashMap::new();
    let mut by_lower: HashMap<String, &Page> = HashMap::new();
    for page in &content.pages {
        if let Some(first) = by_url.insert(&page.url, page) {
            content.diagnostics.push(
                Diagnostic::error(format!(
                    "`{}` and `{}` would both be written to `{}`",
                    first.file, page.file, page.url
                ))
                .at(Span::file(&page.file))
                .hint("rename or remove one of them"),
            );
        } else if let Some(first) = by_lower.insert(page.url.to_lowercase(), page) {
            content.diagnostics.push(
                Diagnostic::error(format!("`{}` and `{}` differ only in letter case", first.file, page.file))
                    .at(Span::file(&page.file))
                    .hint("they would overwrite each other on macOS and Windows; rename one"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(rel: &str, url: &str, kind: PageKind) {
        assert_eq!(url_of(rel), (url.to_string(), kind), "{rel}");
    }

    #[test]
    fn urls() {
        check("_index.md", "", PageKind::Home);
        check("index.md", "", PageKind::Home);
        check("playbooks/_index.md", "playbooks/", PageKind::Section);
        check("playbooks/goals/okr.md", "playbooks/goals/okr/", PageKind::Page);
        check("a b/明确 目标.md", "a b/明确 目标/", PageKind::Page);
        check("readme.md", "readme/", PageKind::Page);
    }
}
