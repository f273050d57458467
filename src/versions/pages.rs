//! Finished pages shared across versions: a page whose template would read
//! the same values in two versions (its rendered Markdown, front matter and
//! title, the navigation it shows, its git facts and switcher) is the same
//! HTML in both, so it goes through its template once.
//!
//! `site::build` computes the key of each page from everything its template
//! reads (`site::page_key`); this stage adds what it gives the page itself
//! ([`super::extras`]). A debug build renders every reused page again and
//! checks the bytes, so the tests catch a key that misses an input.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};

use crate::diagnostics::Diagnostic;
use crate::fasthash::FastMap;
use crate::markdown::Rendered;
use crate::site::Bytes;

/// Pages kept per URL, newest last: one per version being built at once
/// (latest's are not kept: no other version's page equals one of them).
/// Versions are built newest first (older ones a few at a time, each thread
/// taking the next newest), so a page that changed in a version is not made
/// again by the ones built after it; keeping only the newest keeps memory
/// to a few pages per URL.
pub fn keep() -> usize {
    rayon::current_num_threads().max(1)
}

/// A page's key and its HTML.
type Kept = (u64, Bytes);

#[derive(Default)]
pub struct PageCache {
    /// URL → the pages kept.
    entries: Mutex<FastMap<String, Vec<Kept>>>,
    pub rendered: AtomicUsize,
    pub reused: AtomicUsize,
}

impl PageCache {
    /// The HTML of the page at `url` whose template inputs hash to `key`:
    /// what a version already made of it, else `render`. Failures are not
    /// kept.
    pub fn page(
        &self,
        key: u64,
        url: &str,
        render: &dyn Fn() -> Result<Vec<u8>, Diagnostic>,
    ) -> Result<Bytes, Diagnostic> {
        let found = self.entries.lock().ok().and_then(|m| {
            m.get(url).and_then(|list| list.iter().find(|(k, _)| *k == key)).map(|(_, html)| Arc::clone(html))
        });
        if let Some(html) = found {
            if cfg!(debug_assertions) {
                let fresh = render()?;
                assert!(
                    fresh[..] == html[..],
                    "page `{url}` reused from another version differs from its own rendering: \
                     an input of its template is missing from its key"
                );
            }
            self.reused.fetch_add(1, Ordering::Relaxed);
            return Ok(html);
        }
        let html = Arc::new(render()?);
        self.rendered.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut m) = self.entries.lock() {
            let list = m.entry(url.to_string()).or_default();
            if !list.iter().any(|(k, _)| *k == key) {
                list.push((key, Arc::clone(&html)));
            }
            if list.len() > keep() {
                list.remove(0);
            }
        }
        Ok(html)
    }
}

/// The rendered Markdown's share of page keys (`site::content_key`), with
/// the HTML hashed once per text instead of once per page and version: the
/// versions share renderings, and a rendering renumbered for another
/// version's pages shares its HTML.
///
/// Keyed by the address of the HTML, held by a `Weak`: while it lives, the
/// address is not reused and the text cannot change in place (a stage that
/// changes it, `Arc::make_mut`, moves it to a new address first), yet the
/// text is freed with its last page.
#[derive(Default)]
pub struct Digests {
    seen: Mutex<FastMap<usize, (Weak<String>, u64)>>,
}

impl Digests {
    pub fn hash(&self, r: &Rendered, h: &mut std::hash::DefaultHasher) {
        use std::hash::{Hash, Hasher};
        let at = Arc::as_ptr(&r.html) as usize;
        let known = self.seen.lock().ok().and_then(|m| m.get(&at).map(|&(_, d)| d));
        let digest = known.unwrap_or_else(|| {
            let mut text = std::hash::DefaultHasher::new();
            r.html.hash(&mut text);
            let d = text.finish();
            if let Ok(mut m) = self.seen.lock() {
                m.insert(at, (Arc::downgrade(&r.html), d));
            }
            d
        });
        h.write_u64(digest);
        crate::site::toc_key(r, h);
    }
}

/// Whether the templates may read `versions.current`, the name of the
/// version a page belongs to. The default theme does not (its script names
/// the version from the page address), so a page unchanged between versions
/// is the same HTML in each; a theme that shows it gets a page per version.
///
/// Conservative, from the text of every tag (`{{ }}`, `{% %}`; comments
/// skipped): a tag that mentions `current` or `__tera_context` may read it,
/// and so does one that uses `versions` other than as `versions.<field>` or
/// as a truth value in an `if` (`if versions`, `if versions and …`), such as
/// `versions | json_encode`, `set v = versions`, `for k in versions` or
/// `versions[name]`.
pub fn may_read_current<'a>(templates: impl IntoIterator<Item = &'a str>) -> bool {
    templates.into_iter().any(|src| tags(src).any(tag_may_read_current))
}

/// Whether the templates use `sidebar` only by printing it as it is
/// (`{{ sidebar | safe }}`; `block sidebar` names a block, not the value).
/// Then a page can go through its template with a marker in place of its
/// sidebar, and the sidebar be put in after: a page whose sidebar alone
/// differs between versions (its section gained or lost a page) needs no
/// template again. Conservative, like [`may_read_current`]: any other use
/// (`if sidebar`, `sidebar | length`, `set s = sidebar`,
/// `__tera_context`) says no.
pub fn sidebar_printed_raw<'a>(templates: impl IntoIterator<Item = &'a str>) -> bool {
    templates.into_iter().all(|src| tags(src).all(tag_prints_sidebar_raw))
}

fn tag_prints_sidebar_raw(tag: &str) -> bool {
    if tag.contains("__tera_context") {
        return false;
    }
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mentions = tag.match_indices("sidebar").any(|(at, _)| {
        let before = tag[..at].chars().next_back();
        let after = tag[at + "sidebar".len()..].chars().next();
        !before.is_some_and(|c| ident(c) || c == '.') && !after.is_some_and(ident)
    });
    if !mentions {
        return true;
    }
    let inner = tag.trim_matches(|c: char| c == '-' || c == '+' || c == '~' || c.is_whitespace());
    let words: Vec<&str> = inner.split(|c: char| c.is_whitespace() || c == '|').filter(|w| !w.is_empty()).collect();
    matches!(words.as_slice(), ["sidebar", "safe"] | ["block", "sidebar"] | ["endblock", "sidebar"])
        && (words[0] != "sidebar" || inner.matches('|').count() == 1)
}

/// The inside of every `{{ }}` and `{% %}` tag, string literals kept whole.
fn tags(src: &str) -> impl Iterator<Item = &str> {
    let mut rest = src;
    std::iter::from_fn(move || {
        loop {
            let start = rest.find('{')?;
            let after = &rest[start + 1..];
            let close = match after.as_bytes().first() {
                Some(b'{') => "}}",
                Some(b'%') => "%}",
                Some(b'#') => "#}",
                _ => {
                    rest = after;
                    continue;
                }
            };
            let body = &after[1..];
            let end = end_of_tag(body, close);
            rest = body.get(end + close.len()..).unwrap_or("");
            if close != "#}" {
                return Some(&body[..end]);
            }
        }
    })
}

/// Where `close` ends a tag body, outside string literals.
fn end_of_tag(body: &str, close: &str) -> usize {
    let bytes = body.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if matches!(b, b'"' | b'\'' | b'`') && close != "#}" => quote = Some(b),
            None if bytes[i..].starts_with(close.as_bytes()) => return i,
            None => {}
        }
        i += 1;
    }
    body.len()
}

fn tag_may_read_current(tag: &str) -> bool {
    if tag.contains("current") || tag.contains("__tera_context") {
        return true;
    }
    let inner = tag.trim_matches(|c: char| c == '-' || c == '+' || c == '~' || c.is_whitespace());
    let in_if = inner.starts_with("if ") || inner.starts_with("elif ");
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut from = 0;
    while let Some(at) = inner[from..].find("versions").map(|i| from + i) {
        from = at + "versions".len();
        let before = inner[..at].chars().next_back();
        let after = inner[from..].chars().next();
        if before.is_some_and(|c| ident(c) || c == '.') || after.is_some_and(ident) {
            continue; // another name (`t.versions`, `my_versions`)
        }
        if after == Some('.') && inner[from + 1..].starts_with(|c: char| c.is_alphabetic() || c == '_') {
            continue; // a field: `versions.items`
        }
        let prev_word = inner[..at].trim_end();
        let next_word = inner[from..].trim_start();
        let word_before = prev_word.ends_with('(')
            || [" if", " elif", " not", " and", " or", "(not", "(if"]
                .iter()
                .any(|w| format!(" {prev_word}").ends_with(w));
        let word_after = next_word.is_empty() || next_word.starts_with("and ") || next_word.starts_with("or ");
        if !(in_if && word_before && word_after) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reused_by_key_and_url_only() {
        let cache = PageCache::default();
        let get = |key, url: &str, html: &str| {
            let html = html.to_string();
            cache.page(key, url, &|| Ok(html.clone().into_bytes())).map(|b| String::from_utf8_lossy(&b).into_owned())
        };
        assert_eq!(get(1, "a/", "A").ok().as_deref(), Some("A"));
        assert_eq!(get(1, "a/", "A").ok().as_deref(), Some("A"));
        assert_eq!(get(1, "b/", "B").ok().as_deref(), Some("B"), "another page under the same key");
        assert_eq!(get(2, "a/", "A2").ok().as_deref(), Some("A2"));
        assert_eq!(cache.reused.load(Ordering::Relaxed), 1);
        assert_eq!(cache.rendered.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn keeps_the_newest_pages_of_each_url() {
        let cache = PageCache::default();
        let get = |key, html: &str| {
            let html = html.to_string();
            cache.page(key, "a/", &|| Ok(html.clone().into_bytes())).map(|b| String::from_utf8_lossy(&b).into_owned())
        };
        let keys = keep() as u64 + 1;
        for key in 1..=keys {
            assert_eq!(get(key, &key.to_string()).ok(), Some(key.to_string()));
        }
        assert_eq!(get(2, "2").ok().as_deref(), Some("2"));
        assert_eq!(get(1, "1 again").ok().as_deref(), Some("1 again"));
        assert_eq!(cache.reused.load(Ordering::Relaxed), 1, "2 was kept, 1 was not");
    }

    #[test]
    fn the_default_theme_does_not_read_current() {
        let theme = crate::theme::Theme::load(std::path::Path::new("/nonexistent"), None, "en").expect("theme");
        assert!(!may_read_current(theme.templates.values().map(String::as_str)));
    }

    #[test]
    fn templates_that_may_read_current() {
        for (src, reads) in [
            ("{% if versions %}{{ versions.canonical }}{% endif %}", false),
            ("{%- if versions and versions.older %}x{% endif %}", false),
            ("{% if page.edit_url and not (versions and versions.older) %}x{% endif %}", false),
            ("<span class=\"version-current\">{{ t.versions }}</span>{# the current version #}", false),
            ("{% for v in versions.items %}{{ v.label }}{% endfor %}", false),
            ("{{ versions.current }}", true),
            ("{{ versions[\"cur\" ~ \"rent\"] }}", true),
            ("{{ versions | json_encode }}", true),
            ("{% set v = versions %}{{ v[name] }}", true),
            ("{% for k, v in versions %}{{ v }}{% endfor %}", true),
            ("{{ versions }}", true),
            ("{% if (x and versions) | length %}y{% endif %}", true),
            ("{% set v = x or versions %}", true),
            ("{{ __tera_context }}", true),
            ("{% if \"%}\" and versions | length %}y{% endif %}", true),
        ] {
            assert_eq!(may_read_current([src]), reads, "{src}");
        }
    }

    #[test]
    fn the_default_theme_prints_the_sidebar_as_it_is() {
        let theme = crate::theme::Theme::load(std::path::Path::new("/nonexistent"), None, "en").expect("theme");
        assert!(sidebar_printed_raw(theme.templates.values().map(String::as_str)));
    }

    #[test]
    fn templates_that_use_the_sidebar_otherwise() {
        for (src, raw) in [
            ("{% block sidebar %}<nav>{{ sidebar | safe }}</nav>{% endblock sidebar %}", true),
            ("{{- sidebar|safe -}}", true),
            ("{{ t.sidebar_label }} {{ page.sidebar_note }} {{ my_sidebar }}", true),
            ("{# {{ sidebar }} #}", true),
            ("{{ sidebar }}", false),
            ("{{ sidebar | safe | upper }}", false),
            ("{% if sidebar %}x{% endif %}", false),
            ("{{ sidebar | length }}", false),
            ("{% set s = sidebar %}{{ s | safe }}", false),
            ("{{ __tera_context }}", false),
        ] {
            assert_eq!(sidebar_printed_raw([src]), raw, "{src}");
        }
    }

    #[test]
    fn failures_are_not_kept() {
        let cache = PageCache::default();
        assert!(cache.page(1, "a/", &|| Err(Diagnostic::error("bad template"))).is_err());
        assert!(cache.page(1, "a/", &|| Ok(b"A".to_vec())).is_ok());
        assert_eq!(cache.rendered.load(Ordering::Relaxed), 1);
    }
}
