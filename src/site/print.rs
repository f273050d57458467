//! The print page: the whole handbook on one page (`print/`), every page in
//! reading order after a table of contents, for printing or saving as a PDF.
//!
//! Each page's rendered Markdown is copied in as a chapter with its ids
//! prefixed (`p<n>-`, so two pages' `#目标` stay apart) and its links
//! rewritten for where the print page lives: a link to a printed page (and
//! any heading in it) becomes a link to its chapter, anything else — an
//! image, a file, a page left out — is made relative to `print/` again.
//!
//! Made for the version at the output root only, and only for a handbook of
//! at most `[print] max_pages` pages: a print page of ten thousand pages
//! helps nobody, and each older version would add another copy of all of it.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use crate::content::Page;
use crate::diagnostics::{Diagnostic, Span};
use crate::links;
use crate::markdown::Rendered;
use crate::markdown::highlight::{escape, escape_into};
use crate::nav::Nav;

/// Where the print page lives.
pub const URL: &str = "print/";

/// The pages printed, in reading order: every page the navigation reaches,
/// but the upkeep reports (lists of pages about the pages) and the
/// versions' "what changed". `None` when there is to be no print page: it
/// is turned off, too many pages, or a page of the site has its address
/// (a warning says so).
pub(super) fn chapters(
    pages: &[Page],
    nav: &Nav,
    max_pages: usize,
    wanted: bool,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<usize>> {
    if !wanted || max_pages == 0 {
        return None;
    }
    let skipped = [crate::hygiene::SECTION_URL, crate::versions::changes::URL, crate::versions::changes::FALLBACK_URL];
    let order: Vec<usize> =
        nav.order.iter().copied().filter(|&i| !skipped.iter().any(|s| pages[i].url.starts_with(s))).collect();
    if order.len() > max_pages {
        return None;
    }
    if let Some(taken) = pages.iter().find(|p| p.url == URL) {
        diags.push(
            Diagnostic::warning(format!("no print page: `{}` already has its address `{URL}`", taken.file))
                .at(Span::file(&taken.file))
                .hint("rename the page, or turn the print page off with `[print] max_pages = 0`"),
        );
        return None;
    }
    Some(order)
}

/// The print page's table of contents and chapters, as HTML.
pub(super) struct Book {
    pub toc: String,
    /// One `<section>` a page: written into the page after its template
    /// (see [`CHAPTERS`]), never copied whole.
    pub chapters: Vec<String>,
}

/// What the template gets as `print.chapters`: the chapters, megabytes for
/// a big handbook, replace it in the rendered page instead of going through
/// the template engine (which would copy them twice).
pub const CHAPTERS: &str = "<!--opsbook:print-chapters-->";

pub(super) fn book(pages: &[Page], rendered: &[Arc<Rendered>], titles: &[String], nav: &Nav, order: &[usize]) -> Book {
    // Chapter number of each printed page, by its address.
    let number: HashMap<&str, usize> = order.iter().enumerate().map(|(k, &i)| (pages[i].url.as_str(), k + 1)).collect();
    let mut toc = String::from("<ol class=\"print-toc-list\">");
    for (k, &i) in order.iter().enumerate() {
        let depth = nav.ancestors(i).len().min(6);
        toc.push_str(&format!("<li class=\"print-toc-d{depth}\"><a href=\"#p{}\">", k + 1));
        escape_into(&mut toc, &titles[i]);
        toc.push_str("</a></li>");
    }
    toc.push_str("</ol>");
    let chapters = order
        .par_iter()
        .enumerate()
        .map(|(k, &i)| chapter(&pages[i], &rendered[i], &titles[i], k + 1, &number))
        .collect();
    Book { toc, chapters }
}

/// Page `page` as chapter `k`.
fn chapter(page: &Page, rendered: &Rendered, title: &str, k: usize, number: &HashMap<&str, usize>) -> String {
    let mut out = String::with_capacity(rendered.html.len() + rendered.html.len() / 8 + 256);
    out.push_str(&format!("<section class=\"print-chapter\" id=\"p{k}\">\n<h1 class=\"print-chapter-title\""));
    // The title stands for the page's leading `# H1`: it takes its id.
    if let Some(id) = &rendered.h1_id {
        out.push_str(&format!(" id=\"p{k}-"));
        escape_into(&mut out, id);
        out.push('"');
    }
    out.push('>');
    escape_into(&mut out, title);
    out.push_str("</h1>\n");
    if let Some(summary) = page.front.summary.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        out.push_str("<p class=\"print-summary\">");
        escape_into(&mut out, summary);
        out.push_str("</p>\n");
    }
    out.push_str("<div class=\"content\">\n");
    rebase(&rendered.html, &page.url, k, number, &mut out);
    out.push_str("</div>\n</section>\n");
    out
}

/// Appends `html`, the content of the page at `url` (chapter `k`), to
/// `out` with its ids prefixed and its links rewritten for the print page.
fn rebase(html: &str, url: &str, k: usize, number: &HashMap<&str, usize>, out: &mut String) {
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        if rest.starts_with("<!--") {
            let end = rest.find("-->").map_or(rest.len(), |e| e + 3);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        if !rest[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/') {
            // Not a tag: a `<` in text.
            out.push('<');
            rest = &rest[1..];
            continue;
        }
        let end = crate::search::extract::tag_end(rest).unwrap_or(rest.len());
        let tag = &rest[..end];
        rest = &rest[end..];
        if !tag.contains('=') {
            // No attributes with values: most tags (`<p>`, `</td>`, `<br>`).
            out.push_str(tag);
            continue;
        }
        let mut written = 0;
        for (name, (start, stop)) in attributes(tag) {
            let value = &tag[start..stop];
            let is = |n: &str| name.eq_ignore_ascii_case(n);
            let new = if is("id") {
                format!("p{k}-{value}")
            } else if is("aria-labelledby") || is("aria-describedby") {
                value.split_whitespace().map(|id| format!("p{k}-{id}")).collect::<Vec<_>>().join(" ")
            } else if is("href") || is("xlink:href") {
                link(value, url, k, number, true)
            } else if is("src") || is("poster") {
                link(value, url, k, number, false)
            } else {
                continue;
            };
            out.push_str(&tag[written..start]);
            out.push_str(&new);
            written = stop;
        }
        out.push_str(&tag[written..]);
    }
    out.push_str(rest);
}

/// A URL of the page at `url` (chapter `k`) as the print page must write
/// it. With `to_chapters`, a link to a printed page leads to its chapter.
fn link(value: &str, url: &str, k: usize, number: &HashMap<&str, usize>, to_chapters: bool) -> String {
    if let Some(fragment) = value.strip_prefix('#') {
        return if fragment.is_empty() { format!("#p{k}") } else { format!("#p{k}-{fragment}") };
    }
    if value.is_empty() || value.starts_with('/') || links::has_scheme(value) {
        return value.to_string();
    }
    let split = value.find(['?', '#']).unwrap_or(value.len());
    let (path, suffix) = value.split_at(split);
    let Some(target) = links::join(url, &links::percent_decode(path)) else {
        return value.to_string();
    };
    if to_chapters {
        let folder = target.strip_suffix("index.html").unwrap_or(&target);
        if let Some(m) = number.get(folder).filter(|_| folder.is_empty() || folder.ends_with('/')) {
            // A link from another page carries the id percent-encoded;
            // the chapter's ids are written as they are.
            return match suffix.strip_prefix('#').filter(|f| !f.is_empty()) {
                Some(fragment) => format!("#p{m}-{}", escape(&links::percent_decode(fragment))),
                None => format!("#p{m}"),
            };
        }
    }
    let mut href = links::relative(URL, &target);
    if href.is_empty() {
        href.push_str("./");
    }
    href.push_str(suffix);
    href
}

/// The attributes of `tag` (`<name a="x" b='y' c=z d>`): each name and the
/// byte range of its value within `tag`; attributes without a value are
/// left out.
fn attributes(tag: &str) -> Vec<(&str, (usize, usize))> {
    let bytes = tag.as_bytes();
    let mut out = Vec::new();
    // Past `<` and the element's name.
    let mut i = 1 + tag[1..].find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/').unwrap_or(tag.len() - 1);
    while i < bytes.len() {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && !matches!(bytes[i], b'=' | b'>' | b'/') && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let name = &tag[start..i];
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] != b'=' {
            if name.is_empty() {
                i += 1;
            }
            continue;
        }
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let Some(&first) = bytes.get(i) else { break };
        let range = if first == b'"' || first == b'\'' {
            let end = tag[i + 1..].find(first as char).map_or(tag.len(), |e| i + 1 + e);
            (i + 1, end)
        } else {
            let end = tag[i..].find(|c: char| c.is_ascii_whitespace() || c == '>').map_or(tag.len(), |e| i + e);
            (i, end)
        };
        i = range.1 + 1;
        out.push((name, range));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rebased(html: &str, url: &str) -> String {
        let number: HashMap<&str, usize> = [("", 1), ("goals/", 2), ("goals/okr/", 3)].into_iter().collect();
        let mut out = String::new();
        rebase(html, url, 3, &number, &mut out);
        out
    }

    #[test]
    fn ids_and_their_links_stay_within_the_chapter() {
        assert_eq!(
            rebased(
                "<h2 id=\"目标\">目标 <a class=\"heading-anchor\" href=\"#目标\">#</a></h2><div aria-labelledby=\"a b\">x</div>",
                "goals/okr/"
            ),
            "<h2 id=\"p3-目标\">目标 <a class=\"heading-anchor\" href=\"#p3-目标\">#</a></h2><div aria-labelledby=\"p3-a p3-b\">x</div>"
        );
    }

    #[test]
    fn links_to_printed_pages_lead_to_their_chapters() {
        assert_eq!(
            rebased(
                "<a href=\"../index.html#q1\">a</a> <a href=\"../../index.html\">b</a> <a href=\"../index.html#%E7%9B%AE%22\">c</a>",
                "goals/okr/"
            ),
            "<a href=\"#p2-q1\">a</a> <a href=\"#p1\">b</a> <a href=\"#p2-目&quot;\">c</a>"
        );
    }

    #[test]
    fn other_links_and_images_are_made_relative_to_the_print_page() {
        assert_eq!(
            rebased(
                "<img src=\"chart.png\" alt=\"a > b\"><a href='../../metrics/dau/index.html?x=1#y'>m</a><a href=\"https://example.com/\">e</a><a href=\"mailto:a@b.c\">m</a>",
                "goals/okr/"
            ),
            "<img src=\"../goals/okr/chart.png\" alt=\"a > b\"><a href='../metrics/dau/index.html?x=1#y'>m</a><a href=\"https://example.com/\">e</a><a href=\"mailto:a@b.c\">m</a>"
        );
        // Percent-encoded paths are found, and written as the site writes them.
        assert_eq!(rebased("<img src=\"%E5%9B%BE%20a.png\">", "goals/"), "<img src=\"../goals/图%20a.png\">");
    }

    #[test]
    fn text_comments_and_odd_markup_pass_through() {
        for html in ["a < b and c > d", "<!-- <a href=\"x\"> -->", "<p>x</p>", "<br/>", "<", "<a href=", "<a href=\"x"]
        {
            let _ = rebased(html, "goals/");
        }
        assert_eq!(
            rebased("a < b <!-- <a href=\"x\"> --> <p class=x>y</p>", "goals/"),
            "a < b <!-- <a href=\"x\"> --> <p class=x>y</p>"
        );
    }
}
