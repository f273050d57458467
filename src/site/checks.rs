//! Checks over the whole site once every page is rendered: links and
//! anchors (fixing those that work the way a git forge resolves them),
//! foreign syntax from other generators, front matter values, aliases.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::content::Page;
use crate::diagnostics::{Diagnostic, Span};
use crate::frontmatter::parse_period;
use crate::links;
use crate::markdown::{self, Rendered, Target};

/// One warning per kind of foreign syntax (Hugo shortcodes, Liquid, …)
/// across the whole site, with a count and the first place it is used.
pub(super) fn foreign_syntax_warnings(pages: &[Page], rendered: &[Arc<Rendered>]) -> Vec<Diagnostic> {
    use markdown::foreign::Foreign;
    let mut seen: BTreeMap<Foreign, (usize, usize, Option<Span>)> = BTreeMap::new();
    for (page, r) in pages.iter().zip(rendered) {
        let mut kinds: Vec<Foreign> = r.foreign.clone();
        kinds.sort();
        for (i, kind) in kinds.iter().enumerate() {
            let entry = seen.entry(*kind).or_insert((0, 0, None));
            entry.0 += 1;
            if i == 0 || kinds[i - 1] != *kind {
                entry.1 += 1;
                if entry.2.is_none() {
                    entry.2 = Some(first_use(page, *kind));
                }
            }
        }
    }
    seen.into_iter()
        .map(|(kind, (uses, files, span))| {
            let files = if files == 1 { "1 file".to_string() } else { format!("{files} files") };
            let uses = if uses == 1 { "1 use".to_string() } else { format!("{uses} uses") };
            let mut d = Diagnostic::warning(format!("{}: {uses} in {files}, shown as written", kind.describe()))
                .hint(kind.hint());
            if let Some(span) = span {
                d = d.at(span);
            }
            d
        })
        .collect()
}

fn first_use(page: &Page, kind: markdown::foreign::Foreign) -> Span {
    let body = &page.src[page.body_start..];
    let at = match kind {
        markdown::foreign::Foreign::JsxComponent => {
            body.match_indices('<').map(|(i, _)| i).find(|&i| markdown::foreign::is_component_at(body, i))
        }
        markdown::foreign::Foreign::KramdownMarkdown => markdown::md_in_html::first_unread(body),
        _ => body.find(kind.marker()),
    };
    match at {
        Some(i) => Span::from_offset(&page.file, &page.src, page.body_start + i, kind.marker().len()),
        None => Span::file(&page.file),
    }
}

/// An href the way pulldown-cmark writes it: non-ASCII bytes and spaces
/// percent-encoded, `&` as an entity.
pub(super) fn percent_encode_href(href: &str) -> String {
    let mut out = String::with_capacity(href.len());
    for b in href.bytes() {
        match b {
            b'&' => out.push_str("&amp;"),
            b'\'' => out.push_str("&#x27;"),
            b if b.is_ascii_graphic() && b != b'"' && b != b'<' && b != b'>' => out.push(b as char),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub(super) enum LinkCheck {
    Ok,
    /// The fragment only matches the way a git forge matches it (any case,
    /// stray `#`, heading text instead of id): rewrite the href to the real id.
    Fix(String),
    Broken(String, String),
}

/// Checks every link of every page (reporting the page's own diagnostics
/// too) and rewrites the links that only work the forge way to the real id.
pub(super) fn check_links(pages: &[Page], rendered: &mut [Arc<Rendered>], strict: bool, diags: &mut Vec<Diagnostic>) {
    let mut fixes: Vec<(usize, String, String)> = Vec::new();
    for (i, (page, r)) in pages.iter().zip(rendered.iter()).enumerate() {
        diags.extend(r.diagnostics.iter().cloned());
        for link in &r.links {
            match check_link(link, r, rendered) {
                LinkCheck::Ok => {}
                LinkCheck::Fix(href) => fixes.push((i, link.href.clone(), href)),
                LinkCheck::Broken(message, hint) => {
                    let d = if strict { Diagnostic::error(message) } else { Diagnostic::warning(message) };
                    diags.push(d.at(link.span(&page.file, &page.src)).hint(hint));
                }
            }
        }
        check_front(page, diags);
    }
    for (i, from, to) in fixes {
        // Markdown links reach the HTML percent-encoded, raw HTML ones as written.
        let esc = markdown::highlight::escape;
        for (f, t) in [(esc(&from), esc(&to)), (percent_encode_href(&from), percent_encode_href(&to))] {
            let r = Arc::make_mut(&mut rendered[i]);
            r.html = Arc::new(r.html.replace(&format!("href=\"{f}\""), &format!("href=\"{t}\"")));
        }
    }
}

fn check_link(link: &markdown::FoundLink, here: &Rendered, all: &[Arc<Rendered>]) -> LinkCheck {
    let (fragment, target) = match &link.target {
        Target::Missing(reason) => return LinkCheck::Broken(format!("broken link `{}`", link.dest), reason.clone()),
        Target::Anchor(f) if !f.is_empty() => (f, here),
        Target::Page { page, fragment: Some(f) } => (f, &*all[*page]),
        _ => return LinkCheck::Ok,
    };
    if has_anchor(target, fragment) {
        return LinkCheck::Ok;
    }
    if let Some(id) = forge_anchor(target, fragment) {
        let base = link.href.split_once('#').map_or(link.href.as_str(), |(b, _)| b);
        return LinkCheck::Fix(format!("{base}#{id}"));
    }
    let (message, fallback) = match &link.target {
        Target::Anchor(f) => (format!("broken anchor `#{f}`"), "no heading on this page has that id".to_string()),
        _ => (
            format!("broken anchor in link `{}`", link.dest),
            format!("the target page has no heading with id `{fragment}`"),
        ),
    };
    LinkCheck::Broken(message, suggest_anchor(fragment, target).unwrap_or(fallback))
}

fn has_anchor(r: &Rendered, f: &str) -> bool {
    r.anchors.iter().any(|a| a == f) || f == "top"
}

/// The id a git forge would scroll to for `fragment`: GitHub matches
/// headings case-insensitively and tolerates a doubled `#`.
fn forge_anchor<'r>(r: &'r Rendered, fragment: &str) -> Option<&'r str> {
    let wanted = fragment.trim_start_matches('#');
    let slug = markdown::slug::slugify(wanted);
    r.anchors.iter().map(String::as_str).find(|a| a.eq_ignore_ascii_case(wanted) || *a == slug)
}

fn suggest_anchor(f: &str, r: &Rendered) -> Option<String> {
    crate::diagnostics::did_you_mean(f, r.anchors.iter().map(String::as_str)).map(|b| format!("did you mean `#{b}`?"))
}

pub(super) fn check_front(page: &Page, diags: &mut Vec<Diagnostic>) {
    if let Some(every) = &page.front.review_every
        && parse_period(every).is_none()
    {
        diags.push(
            Diagnostic::error(format!("`review_every` must be a period such as `90d`, found `{every}`"))
                .at(Span::find(&page.file, &page.src[..page.body_start], every))
                .hint("use a number followed by d (days), w (weeks), m (months) or y (years)"),
        );
    }
}

/// Output path of each alias redirect and the page it points at.
pub(super) fn collect_aliases(pages: &[Page], diags: &mut Vec<Diagnostic>) -> Vec<(String, usize)> {
    let page_files: std::collections::HashSet<String> = pages.iter().map(|p| format!("{}index.html", p.url)).collect();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, p) in pages.iter().enumerate() {
        for alias in &p.front.aliases {
            let at = Span::find(&p.file, &p.src[..p.body_start], alias);
            let Some(clean) = links::join("", alias.trim_start_matches('/')) else {
                diags.push(Diagnostic::error(format!("alias `{alias}` leaves the site")).at(at));
                continue;
            };
            let path = if clean.ends_with(".html") || clean.ends_with(".htm") {
                clean
            } else if clean.is_empty() {
                "index.html".to_string()
            } else {
                format!("{}/index.html", clean.trim_end_matches('/'))
            };
            if page_files.contains(&path) {
                diags.push(
                    Diagnostic::error(format!("alias `{alias}` is the URL of an existing page"))
                        .at(at)
                        .hint("remove the alias; the page already lives there"),
                );
            } else if let Some(&other) = seen.get(&path) {
                diags.push(
                    Diagnostic::error(format!("alias `{alias}` is also claimed by `{}`", pages[other].file))
                        .at(at)
                        .hint("an old URL can redirect to one page only"),
                );
            } else {
                seen.insert(path, i);
            }
        }
    }
    seen.into_iter().collect()
}
