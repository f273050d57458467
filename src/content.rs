//! Loading: walks the content folder and turns files into pages, data files
//! and assets, each with its output URL.
//!
//! `a/b.md` becomes `a/b/`, `a/_index.md` (or `a/index.md`) becomes the
//! section page `a/`; a folder without one gets a generated section page so
//! every folder URL works. Hidden files are skipped. Problems — unreadable or
//! non-UTF-8 files, huge files, symlink loops, two files with one URL, names
//! that differ only in case — become diagnostics.
//!
//! The same per-file logic serves files on disk ([`load`]) and files read
//! from a git tree or any other source ([`from_files`]).
//!
//! **Invariant:** this and `output` are the only stages that read the disk
//! for content.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    pub src: std::sync::Arc<str>,
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
    /// A page at `rel` holding `src` with no front matter, for unit tests.
    #[cfg(test)]
    pub fn sample(rel: &str, src: &str) -> Page {
        let (url, kind) = url_of(rel);
        Page {
            rel: rel.into(),
            file: format!("content/{rel}"),
            url,
            kind,
            src: src.into(),
            body_start: 0,
            front: Default::default(),
            generated: false,
            prebuilt: None,
        }
    }

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
    /// The bytes, when the asset was not read from disk (a git blob); `path`
    /// is then only its name.
    pub bytes: Option<Arc<[u8]>>,
}

/// Where a content file's bytes come from.
#[derive(Debug, Clone)]
pub enum Origin {
    Disk(PathBuf),
    /// Already in memory, such as a blob read from a git tree.
    Memory(Arc<[u8]>),
}

/// One file of a content folder: its path inside the folder, with `/`.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub rel: String,
    pub origin: Origin,
}

/// A TOML data file (metrics); loaded here, interpreted by `metrics`.
#[derive(Debug, Clone)]
pub struct DataFile {
    pub rel: String,
    pub file: String,
    pub src: std::sync::Arc<str>,
}

#[derive(Debug, Default)]
pub struct Content {
    pub pages: Vec<Page>,
    pub assets: Vec<Asset>,
    pub data: Vec<DataFile>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Clone)]
enum Loaded {
    Page(Box<Page>),
    /// A page whose front matter is broken, kept with default front matter
    /// so that links to it and from it are still checked; and its problem.
    Broken(Box<Page>, Diagnostic),
    Data(DataFile),
    Skip,
}

/// Files on disk loaded by an earlier build, reused while their size and
/// modification time stay the same (`serve`, through `cache`). Paths the
/// watcher saw change are forgotten explicitly, since a quick second save
/// can keep both.
#[derive(Default)]
pub struct Memo {
    files: std::sync::Mutex<crate::fasthash::FastMap<String, (Stamp, Loaded)>>,
    /// Files read from memory (git blobs, shared by id across versions),
    /// by path and the address of their bytes, which the entry keeps alive.
    blobs: std::sync::Mutex<crate::fasthash::FastMap<BlobKey, Blob>>,
}

/// A file's modification time and size, and whether drafts were included.
type Stamp = (Option<std::time::SystemTime>, u64, bool);

/// A file's path, the address of its bytes, and whether drafts were included.
type BlobKey = (String, usize, bool);

/// The bytes (kept so that their address stays theirs) and what they load as.
type Blob = (Arc<[u8]>, Loaded);

impl Memo {
    fn load(
        &self,
        f: &SourceFile,
        drafts: bool,
        load: impl FnOnce() -> Result<Loaded, Diagnostic>,
    ) -> Result<Loaded, Diagnostic> {
        let path = match &f.origin {
            Origin::Disk(path) => path,
            Origin::Memory(bytes) => return self.load_bytes(f, bytes, drafts, load),
        };
        let Ok(meta) = std::fs::metadata(path) else { return load() };
        let stamp = (meta.modified().ok(), meta.len(), drafts);
        if let Ok(files) = self.files.lock()
            && let Some((seen, loaded)) = files.get(&f.rel)
            && *seen == stamp
        {
            return Ok(loaded.clone());
        }
        let result = load();
        if let (Ok(loaded), Ok(mut files)) = (&result, self.files.lock()) {
            files.insert(f.rel.clone(), (stamp, loaded.clone()));
        }
        result
    }

    /// The same bytes at the same path load the same: each version of a site
    /// in git parses only the files that changed.
    fn load_bytes(
        &self,
        f: &SourceFile,
        bytes: &Arc<[u8]>,
        drafts: bool,
        load: impl FnOnce() -> Result<Loaded, Diagnostic>,
    ) -> Result<Loaded, Diagnostic> {
        let key = (f.rel.clone(), Arc::as_ptr(bytes).cast::<u8>() as usize, drafts);
        if let Ok(blobs) = self.blobs.lock()
            && let Some((kept, loaded)) = blobs.get(&key)
            && Arc::ptr_eq(kept, bytes)
        {
            return Ok(loaded.clone());
        }
        let result = load();
        if let (Ok(loaded), Ok(mut blobs)) = (&result, self.blobs.lock()) {
            blobs.insert(key, (Arc::clone(bytes), loaded.clone()));
        }
        result
    }

    /// Remembers the pages and data files of `content`, loaded from disk,
    /// as loaded from the bytes they hold, and returns those bytes by path:
    /// a version whose file has the same bytes (a git blob with the same id)
    /// then shares the page, text and all, instead of parsing it again.
    /// Nothing is remembered from content with errors (a page with broken
    /// front matter would lose its error).
    pub fn remember(&self, content: &Content, drafts: bool) -> Vec<(String, Arc<[u8]>)> {
        if content.diagnostics.iter().any(Diagnostic::is_error) {
            return Vec::new();
        }
        let pages = content.pages.iter().filter(|p| !p.generated).map(|p| (p, &p.rel, &p.src));
        let data = content.data.iter().map(|d| (d, &d.rel, &d.src));
        let mut out = Vec::with_capacity(content.pages.len() + content.data.len());
        let Ok(mut blobs) = self.blobs.lock() else { return out };
        let mut keep = |rel: &String, src: &Arc<str>, loaded: Loaded| {
            let bytes: Arc<[u8]> = Arc::from(Arc::clone(src));
            let key = (rel.clone(), Arc::as_ptr(&bytes).cast::<u8>() as usize, drafts);
            blobs.insert(key, (Arc::clone(&bytes), loaded));
            out.push((rel.clone(), bytes));
        };
        for (p, rel, src) in pages {
            keep(rel, src, Loaded::Page(Box::new(p.clone())));
        }
        for (d, rel, src) in data {
            keep(rel, src, Loaded::Data(d.clone()));
        }
        drop(blobs);
        out
    }

    /// Forgets `rel` (a path inside the content folder) and everything
    /// under it.
    pub fn forget(&self, rel: &str) {
        if let Ok(mut files) = self.files.lock() {
            let dir = format!("{}/", rel.trim_end_matches('/'));
            files.retain(|k, _| k != rel && !k.starts_with(&dir));
        }
    }
}

/// Reads every file under `content_dir`. `shown_prefix` is how the folder is
/// named in diagnostics (`content`).
pub fn load(content_dir: &Path, shown_prefix: &str, drafts: bool) -> Content {
    load_with(content_dir, shown_prefix, drafts, None)
}

/// [`load`], reusing unchanged files from `memo`.
pub fn load_with(content_dir: &Path, shown_prefix: &str, drafts: bool, memo: Option<&Memo>) -> Content {
    let mut walk_problems = Vec::new();
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(content_dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                let path = e.into_path();
                files.push(SourceFile { rel: rel_path(content_dir, &path), origin: Origin::Disk(path) });
            }
            Ok(_) => {}
            Err(err) => {
                let at = err
                    .path()
                    .map(|p| shown(shown_prefix, &rel_path(content_dir, p)))
                    .unwrap_or_else(|| shown_prefix.to_string());
                let message = if err.loop_ancestor().is_some() {
                    "symbolic link loop in the content folder".to_string()
                } else {
                    format!("cannot read the content folder: {err}")
                };
                walk_problems.push(
                    Diagnostic::error(message).at(Span::file(&at)).hint("remove the link or point it at a real folder"),
                );
            }
        }
    }
    crate::trace("content: walked");
    let mut content = from_files_with(files, shown_prefix, drafts, memo);
    walk_problems.append(&mut content.diagnostics);
    content.diagnostics = walk_problems;
    content
}

/// Turns the files of a content folder, sorted by `rel`, into pages, data
/// files and assets. `shown_prefix` is how the folder is named in diagnostics.
pub fn from_files(files: Vec<SourceFile>, shown_prefix: &str, drafts: bool) -> Content {
    from_files_with(files, shown_prefix, drafts, None)
}

/// [`from_files`], reusing what `memo` loaded from the same bytes.
pub fn from_files_reusing(files: Vec<SourceFile>, shown_prefix: &str, drafts: bool, memo: &Memo) -> Content {
    from_files_with(files, shown_prefix, drafts, Some(memo))
}

fn from_files_with(files: Vec<SourceFile>, shown_prefix: &str, drafts: bool, memo: Option<&Memo>) -> Content {
    let mut content = Content::default();
    let results: Vec<Result<Loaded, Diagnostic>> = files
        .par_iter()
        .map(|f| match memo {
            Some(m) => m.load(f, drafts, || load_file(shown_prefix, f, drafts)),
            None => load_file(shown_prefix, f, drafts),
        })
        .collect();
    crate::trace("content: files loaded");
    for (f, result) in files.into_iter().zip(results) {
        match result {
            Ok(Loaded::Page(p)) => content.pages.push(*p),
            Ok(Loaded::Broken(p, d)) => {
                content.pages.push(*p);
                content.diagnostics.push(d);
            }
            Ok(Loaded::Data(d)) => content.data.push(d),
            Ok(Loaded::Skip) => {}
            Err(d) => content.diagnostics.push(d),
        }
        if !is_markdown(&f.rel) && !is_data(&f.rel) {
            let (path, bytes) = match f.origin {
                Origin::Disk(path) => (path, None),
                Origin::Memory(bytes) => (PathBuf::from(shown(shown_prefix, &f.rel)), Some(bytes)),
            };
            content.assets.push(Asset { rel: f.rel, path, bytes });
        }
    }
    add_generated_sections(&mut content.pages, shown_prefix);
    check_urls(&mut content);
    content.pages.sort_by(|a, b| a.url.cmp(&b.url));
    content
}

fn is_markdown(rel: &str) -> bool {
    rel.ends_with(".md") || rel.ends_with(".markdown")
}

/// TOML files under `metrics/` are data, not assets.
fn is_data(rel: &str) -> bool {
    rel.ends_with(".toml") && rel.starts_with("metrics/")
}

fn rel_path(base: &Path, path: &Path) -> String {
    path.strip_prefix(base).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

fn shown(prefix: &str, rel: &str) -> String {
    if prefix.is_empty() { rel.to_string() } else { format!("{prefix}/{rel}") }
}

fn load_file(prefix: &str, f: &SourceFile, drafts: bool) -> Result<Loaded, Diagnostic> {
    let markdown = is_markdown(&f.rel);
    if !markdown && !is_data(&f.rel) {
        return Ok(Loaded::Skip);
    }
    let rel = f.rel.clone();
    let file = shown(prefix, &rel);
    let too_large = |size: u64| {
        Diagnostic::error(format!("file is too large ({} MiB)", size / (1024 * 1024)))
            .at(Span::file(&file))
            .hint("split it into several pages; opsbook reads Markdown and TOML files up to 16 MiB")
    };
    let bytes: Cow<'_, [u8]> = match &f.origin {
        Origin::Disk(path) => {
            // The size from the open file (one lookup of the path, not two):
            // a big handbook reads tens of thousands of files.
            use std::io::Read as _;
            let cannot = |e: std::io::Error| Diagnostic::error(format!("cannot read file: {e}")).at(Span::file(&file));
            let mut handle = std::fs::File::open(path).map_err(cannot)?;
            let size = handle.metadata().map_or(0, |m| m.len());
            if size > MAX_PAGE_BYTES {
                return Err(too_large(size));
            }
            let mut bytes = Vec::with_capacity(size as usize + 1);
            handle.read_to_end(&mut bytes).map_err(cannot)?;
            Cow::Owned(bytes)
        }
        Origin::Memory(bytes) if bytes.len() as u64 > MAX_PAGE_BYTES => return Err(too_large(bytes.len() as u64)),
        Origin::Memory(bytes) => Cow::Borrowed(bytes),
    };
    // Checked by SIMD (already in the tree through encoding_rs): std's
    // check takes a branch per character of Chinese text, ~8 instructions
    // a byte, 3 % of a build. Copying the checked text costs a fraction.
    let src = simdutf8::compat::from_utf8(&bytes).map(str::to_owned).map_err(|e| {
        let valid = e.valid_up_to();
        let prefix = String::from_utf8_lossy(&bytes[..valid]);
        let line_end = bytes[valid..].iter().position(|b| *b == b'\n').map_or(bytes.len(), |i| valid + i);
        let line_text = String::from_utf8_lossy(&bytes[..line_end]);
        let span = Span::from_offset(&file, &line_text, prefix.len(), 1);
        Diagnostic::error("file is not valid UTF-8")
            .at(span)
            .hint("save the file as UTF-8; binary files do not belong in a `.md` file")
    })?;
    if !markdown {
        return Ok(Loaded::Data(DataFile { rel, file, src: src.into() }));
    }
    let parsed = match frontmatter::parse(&file, &src) {
        Ok(parsed) => parsed,
        Err(d) => {
            let problem = d.into_iter().next().unwrap_or_else(|| Diagnostic::error("invalid front matter"));
            let (url, kind) = url_of(&rel);
            let body_start = body_after_front_matter(&src);
            let front = FrontMatter::default();
            let page =
                Page { rel, file, url, kind, src: src.into(), body_start, front, generated: false, prebuilt: None };
            return Ok(Loaded::Broken(Box::new(page), problem));
        }
    };
    if parsed.front.draft && !drafts {
        return Ok(Loaded::Skip);
    }
    let (url, kind) = url_of(&rel);
    Ok(Loaded::Page(Box::new(Page {
        rel,
        file,
        url,
        kind,
        src: src.into(),
        body_start: parsed.body_start,
        front: parsed.front,
        generated: false,
        prebuilt: None,
    })))
}

/// Where the body starts when the front matter did not parse: after the
/// closing fence, or at the end of the file when there is none.
fn body_after_front_matter(src: &str) -> usize {
    let fence = if src.trim_start_matches('\u{feff}').starts_with("---") { "---" } else { "+++" };
    let mut pos = src.find('\n').map_or(src.len(), |i| i + 1);
    for line in src[pos..].split_inclusive('\n') {
        pos += line.len();
        if line.trim_end() == fence {
            return pos;
        }
    }
    src.len()
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
    let existing: HashSet<&str> = pages.iter().map(|p| p.url.as_str()).collect();
    let mut needed: BTreeSet<String> = BTreeSet::new();
    needed.insert(String::new());
    for p in pages.iter() {
        let mut url = p.url.trim_end_matches('/');
        while let Some((parent, _)) = url.rsplit_once('/') {
            // `parent/`, as a slice of the page's own URL.
            let folder = &p.url[..parent.len() + 1];
            if needed.contains(folder) {
                // Its own parents are listed already.
                break;
            }
            needed.insert(folder.to_string());
            url = parent;
        }
    }
    let needed: Vec<String> = needed.into_iter().filter(|url| !existing.contains(url.as_str())).collect();
    for url in needed {
        let name = url.trim_end_matches('/').rsplit('/').next().unwrap_or("").to_string();
        let kind = if url.is_empty() { PageKind::Home } else { PageKind::Section };
        pages.push(Page {
            rel: url.clone(),
            file: if prefix.is_empty() { url.clone() } else { format!("{prefix}/{url}") },
            url,
            kind,
            src: "".into(),
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
