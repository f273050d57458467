//! The print page: the whole handbook on one page (`print/`).

use std::collections::HashSet;

use crate::harness::*;

/// Every value of `attr="…"` in `html`, entities decoded as far as ids use them.
fn values(html: &str, attr: &str) -> Vec<String> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            rest.find('"').map(|e| rest[..e].replace("&quot;", "\"").replace("&amp;", "&"))
        })
        .collect()
}

#[test]
fn the_print_page_holds_every_page_in_reading_order() {
    let run = Site::fixture("core/basic").build(&[]);
    run.ok();
    let print = run.read("print/index.html");
    // The chapters follow the sidebar's reading order: home, the guide's
    // section page, then its pages by weight and title.
    let chapters: Vec<String> = print
        .match_indices("<h1 class=\"print-chapter-title\"")
        .map(|(i, _)| {
            let rest = &print[i..];
            let start = rest.find('>').expect("tag end") + 1;
            rest[start..start + rest[start..].find('<').expect("title end")].to_string()
        })
        .collect();
    let sidebar_order: Vec<String> = {
        let toc = &print[print.find("print-toc-list").expect("toc")..];
        let toc = &toc[..toc.find("</ol>").expect("toc end")];
        toc.split("<a href=\"#p")
            .skip(1)
            .map(|s| s[s.find('>').expect(">") + 1..s.find('<').expect("<")].to_string())
            .collect()
    };
    assert_eq!(chapters, sidebar_order);
    // Drafts are left out, as from the sidebar.
    assert_eq!(chapters, ["Home", "The guide", "Goals", "Links everywhere", "Spaces in names", "nested", "deep"]);

    // Ids are unique, and every in-page link finds its id but the one the
    // fixture breaks on purpose (`goals.md#nope`, reported by the build).
    let ids = values(&print, "id");
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate ids");
    let missing: Vec<String> = values(&print, "href")
        .into_iter()
        .filter_map(|href| href.strip_prefix('#').map(str::to_string))
        .filter(|fragment| !unique.contains(fragment))
        .collect();
    assert_eq!(missing, ["p3-nope"]);
    // Links between pages lead to chapters; files and images are found from print/.
    let article = &print[print.find("<article class=\"print-book\"").expect("book")..];
    let article = &article[..article.find("</article>").expect("book end")];
    for attr in ["href", "src"] {
        for url in values(article, attr) {
            if url.starts_with('#') || url.contains("://") || url.starts_with("mailto:") {
                continue;
            }
            let path = url.split(['#', '?']).next().unwrap_or("").replace("%20", " ");
            assert!(!path.ends_with("index.html"), "{url}: a link to a page that is printed leads to its chapter");
            // `missing.md` is broken on purpose (the build reports it): it
            // stays broken, found from where it was written.
            let found = run.out_dir.join("print").join(&path).exists();
            assert!(found || url == "../guide/links/missing.md", "{attr}={url} is not found from print/");
        }
    }
    // Every page links to it; it is not itself for search engines.
    assert!(run.read("guide/goals/index.html").contains("href=\"../../print/index.html\""));
    assert!(print.contains("<meta name=\"robots\" content=\"noindex\">"));
}

#[test]
fn no_print_page_when_turned_off_or_too_big() {
    for config in ["[print]\nmax_pages = 0\n", "[print]\nmax_pages = 2\n"] {
        let site = Site::new()
            .file("opsbook.toml", &format!("title = \"T\"\nlanguage = \"en\"\n{config}"))
            .file("content/_index.md", "# T\n")
            .file("content/a.md", "# A\n")
            .file("content/b.md", "# B\n");
        let run = site.build(&[]);
        run.ok();
        assert!(!run.exists("print/index.html"), "{config}");
        assert!(
            !run.read("a/index.html").contains("print/index.html"),
            "{config}: no link to a page that is not there"
        );
    }
}

#[test]
fn a_page_at_the_print_address_keeps_it() {
    let site = Site::new()
        .file("opsbook.toml", "title = \"T\"\nlanguage = \"en\"\n")
        .file("content/_index.md", "# T\n")
        .file("content/print.md", "# Printing guide\n\nHow we print posters.\n");
    let run = site.build(&[]);
    run.ok();
    assert!(run.read("print/index.html").contains("How we print posters."));
    let err = run.stderr();
    assert!(err.contains("no print page") && err.contains("print.md"), "{err}");
}
