//! Link resolution: what a destination written in a page points at, and the
//! relative href that reaches it from that page's output URL.
//!
//! Authors write links the way they work on a git forge — relative paths to
//! `.md` files, with `#fragments` — or root-absolute from the content folder
//! (`/playbooks/okr.md`). Pretty URLs (`../okr/`) and extension-less paths
//! also resolve, for people migrating from other generators. Every href we
//! emit is relative and ends in a file name (`index.html`), so the site works
//! at a domain root, under a subpath and from `file://`.

use crate::content::Page;
use crate::fasthash::{FastMap, FastSet};
use crate::markdown::{Link, Target};

/// Lookup tables over the whole site, built once per build.
pub struct SiteIndex {
    by_rel: FastMap<String, usize>,
    by_url: FastMap<String, usize>,
    /// Output paths of copied files: content assets and `static/` files.
    files: FastSet<String>,
}

impl SiteIndex {
    pub fn new(pages: &[Page], files: impl IntoIterator<Item = String>) -> SiteIndex {
        let mut by_rel = FastMap::with_capacity_and_hasher(pages.len(), Default::default());
        let mut by_url = FastMap::with_capacity_and_hasher(pages.len(), Default::default());
        for (i, p) in pages.iter().enumerate() {
            // A page made from a file (a metric's TOML) is found by that
            // file too; the others opsbook makes have a folder or an
            // address there.
            if !p.generated || !(p.rel.is_empty() || p.rel.ends_with('/')) {
                by_rel.insert(p.rel.clone(), i);
            }
            by_url.entry(p.url.clone()).or_insert(i);
        }
        SiteIndex { by_rel, by_url, files: files.into_iter().collect() }
    }

    pub fn page_by_url(&self, url: &str) -> Option<usize> {
        self.by_url.get(url).copied()
    }

    pub fn page_by_rel(&self, rel: &str) -> Option<usize> {
        self.by_rel.get(rel).copied()
    }

    /// Resolves `dest`, written in the page at `from` (source folder
    /// `source_dir`, output URL `from_url`).
    pub fn resolve(&self, pages: &[Page], source_dir: &str, from_url: &str, dest: &str) -> Link {
        self.resolve_as(pages, source_dir, from_url, dest, true)
    }

    /// [`SiteIndex::resolve`] with an empty href for a link to a page (see
    /// `markdown::Host::target`).
    pub fn resolve_target(&self, pages: &[Page], source_dir: &str, from_url: &str, dest: &str) -> Link {
        self.resolve_as(pages, source_dir, from_url, dest, false)
    }

    fn resolve_as(&self, pages: &[Page], source_dir: &str, from_url: &str, dest: &str, href: bool) -> Link {
        let to_page = |to_url: &str, page: usize, fragment: Option<String>, suffix: &str| match href {
            true => page_link(from_url, to_url, page, fragment, suffix),
            false => Link { href: String::new(), target: Target::Page { page, fragment } },
        };
        let dest_trim = dest.trim();
        if dest_trim.is_empty() || has_scheme(dest_trim) || dest_trim.starts_with("//") {
            return Link { href: dest.to_string(), target: Target::External };
        }
        if let Some(fragment) = dest_trim.strip_prefix('#') {
            return Link { href: dest.to_string(), target: Target::Anchor(percent_decode(fragment)) };
        }
        let (path_query, fragment) = match dest_trim.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (dest_trim, None),
        };
        let path = path_query.split_once('?').map_or(path_query, |(p, _)| p);
        // What follows the path, as written: `?query#fragment`.
        let suffix = &dest_trim[path.len()..];
        let path = percent_decode_cow(path);
        let fragment = fragment.map(percent_decode).filter(|f| !f.is_empty());
        let root_absolute = path.starts_with('/');
        let Some(from_source) = join(if root_absolute { "" } else { source_dir }, &path) else {
            return missing(dest, "it points outside the content folder");
        };
        // 1. The file a page is made from: its Markdown, as on a git forge,
        // or a metric's TOML.
        if let Some(&i) = self.by_rel.get(&from_source) {
            return to_page(&pages[i].url, i, fragment, suffix);
        }
        if from_source.ends_with(".md") || from_source.ends_with(".markdown") {
            return missing(dest, &format!("there is no page `{from_source}`"));
        }
        // 2. A file next to the pages or in `static/`.
        if self.files.contains(&from_source) {
            return Link { href: relative(from_url, &from_source) + suffix, target: Target::Asset };
        }
        // 3. A folder or extension-less page, from the source folder.
        for candidate in
            [format!("{from_source}.md"), format!("{from_source}/_index.md"), format!("{from_source}/index.md")]
        {
            if let Some(&i) = self.by_rel.get(candidate.trim_start_matches('/')) {
                return to_page(&pages[i].url, i, fragment, suffix);
            }
        }
        // 4. A pretty URL, resolved the way a browser would from this page.
        let from_output = join(if root_absolute { "" } else { from_url.trim_end_matches('/') }, &path);
        if let Some(out) = from_output {
            let out = out.trim_end_matches("index.html").trim_end_matches('/');
            let url = if out.is_empty() { String::new() } else { format!("{out}/") };
            if let Some(&i) = self.by_url.get(&url) {
                return to_page(&pages[i].url, i, fragment, suffix);
            }
            if self.files.contains(out) {
                return Link { href: relative(from_url, out) + suffix, target: Target::Asset };
            }
        }
        missing(dest, &format!("nothing in the site is at `{from_source}`"))
    }
}

fn missing(dest: &str, reason: &str) -> Link {
    Link { href: dest.to_string(), target: Target::Missing(reason.to_string()) }
}

fn page_link(from_url: &str, to_url: &str, page: usize, fragment: Option<String>, suffix: &str) -> Link {
    let mut href = page_href(from_url, to_url);
    href.push_str(suffix);
    Link { href, target: Target::Page { page, fragment } }
}

pub(crate) fn has_scheme(dest: &str) -> bool {
    let Some(colon) = dest.find(':') else {
        return false;
    };
    let scheme = &dest[..colon];
    !scheme.is_empty()
        && scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Joins a relative `path` onto folder `base` and normalises `.` and `..`.
/// `None` when the result would climb above the root.
pub fn join(base: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> =
        if path.starts_with('/') { Vec::new() } else { base.split('/').filter(|s| !s.is_empty()).collect() };
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut joined = parts.join("/");
    if path.ends_with('/') && !joined.is_empty() {
        joined.push('/');
    }
    Some(joined)
}

/// The relative href from the page at `from_url` to the page at `to_url`,
/// ending in `index.html` so it also works from `file://`.
pub fn page_href(from_url: &str, to_url: &str) -> String {
    let mut href = relative(from_url, to_url);
    href.push_str("index.html");
    href
}

/// The relative path from the folder `from_url` (a page's output folder) to
/// the output path `to` (a folder ending in `/` or a file). Percent-encodes
/// what would break a URL.
pub fn relative(from_url: &str, to: &str) -> String {
    let (to_dirs, to_last) = to.rsplit_once('/').map_or(("", to), |(d, l)| (d, l));
    let mut from = from_url.split('/').filter(|s| !s.is_empty());
    let mut dirs = to_dirs.split('/').filter(|s| !s.is_empty()).peekable();
    // Skip the folders both paths share.
    let mut up = 0;
    for f in from.by_ref() {
        if dirs.peek() == Some(&f) {
            dirs.next();
        } else {
            up = 1;
            break;
        }
    }
    up += from.count();
    let mut out = String::with_capacity(3 * up + to.len());
    for _ in 0..up {
        out.push_str("../");
    }
    for seg in dirs {
        encode_segment_into(&mut out, seg);
        out.push('/');
    }
    encode_segment_into(&mut out, to_last);
    out
}

/// `../../` from the page at `url` back to the site root (`./` at the root).
pub fn root_prefix(url: &str) -> String {
    let depth = url.split('/').filter(|s| !s.is_empty()).count();
    if depth == 0 { "./".to_string() } else { "../".repeat(depth) }
}

pub fn encode_segment(seg: &str) -> String {
    let mut out = String::with_capacity(seg.len());
    encode_segment_into(&mut out, seg);
    out
}

fn encode_segment_into(out: &mut String, seg: &str) {
    for c in seg.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            '"' => out.push_str("%22"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            _ => out.push(c),
        }
    }
}

pub fn percent_decode(s: &str) -> String {
    percent_decode_cow(s).into_owned()
}

/// [`percent_decode`], borrowing `s` when it has nothing to decode.
fn percent_decode_cow(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('%') {
        return std::borrow::Cow::Borrowed(s);
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    std::borrow::Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::PageKind;

    fn page(rel: &str) -> Page {
        Page::sample(rel, "")
    }

    fn check(from: &str, dest: &str, href: &str) {
        let pages: Vec<Page> =
            ["_index.md", "playbooks/_index.md", "playbooks/goals/okr.md", "playbooks/goals/smart.md", "ops/a b.md"]
                .iter()
                .map(|r| page(r))
                .collect();
        let index = SiteIndex::new(&pages, ["playbooks/goals/cycle.svg".to_string(), "assets/x.png".to_string()]);
        let i = pages.iter().position(|p| p.rel == from).unwrap_or(0);
        let link = index.resolve(&pages, pages[i].source_dir(), &pages[i].url, dest);
        assert_eq!(link.href, href, "{from} → {dest}: {:?}", link.target);
        let _ = PageKind::Page;
    }

    #[test]
    fn relative_md_links() {
        check("playbooks/goals/okr.md", "smart.md#smart-原则", "../smart/index.html#smart-原则");
        check("playbooks/goals/okr.md", "../_index.md", "../../index.html");
        check("playbooks/goals/okr.md", "/playbooks/goals/smart.md", "../smart/index.html");
        check("_index.md", "playbooks/goals/okr.md", "playbooks/goals/okr/index.html");
        check("playbooks/goals/okr.md", "../../ops/a%20b.md", "../../../ops/a%20b/index.html");
    }

    #[test]
    fn assets_and_pretty_urls() {
        check("playbooks/goals/okr.md", "cycle.svg", "../cycle.svg");
        check("playbooks/goals/okr.md", "/assets/x.png", "../../../assets/x.png");
        check("playbooks/goals/okr.md", "../smart/#x", "../smart/index.html#x");
        check("playbooks/goals/okr.md", "https://example.com/a.md", "https://example.com/a.md");
        check("playbooks/goals/okr.md", "missing.md", "missing.md");
    }

    #[test]
    fn joins() {
        assert_eq!(join("a/b", "../c.md"), Some("a/c.md".into()));
        assert_eq!(join("", "../c.md"), None);
        assert_eq!(root_prefix("a/b/"), "../../");
        assert_eq!(root_prefix(""), "./");
        assert_eq!(percent_decode("a%20b"), "a b");
    }
}
