//! `opsbook build` on fixture sites: what readers get, what authors are told.

use std::path::Path;
use std::process::Output;
use std::time::SystemTime;

use crate::harness::{Site, opsbook, repo, snapshot_tree};

#[test]
fn basic_site_pages_and_urls() {
    let site = Site::fixture("core/basic");
    let run = site.build(&[]);
    run.ok();
    for page in [
        "index.html",
        "guide/index.html",
        "guide/goals/index.html",
        "guide/links/index.html",
        "guide/nested/index.html",
        "guide/nested/deep/index.html",
        "guide/with space/index.html",
        "guide/diagram.svg",
        "robots.txt",
        "404.html",
        "old/goals/index.html",
        "legacy-goals.html",
        "sitemap.xml",
        "tags/index.html",
        "assets/opsbook.css",
    ] {
        assert!(run.exists(page), "missing {page}");
    }
    assert!(!run.exists("guide/draft/index.html"), "drafts are left out");
    insta::assert_snapshot!("basic_goals_main", run.main("guide/goals/index.html"));
    insta::assert_snapshot!("basic_links_main", run.main("guide/links/index.html"));
    insta::assert_snapshot!("basic_build_warnings", run.stderr());
}

#[test]
fn titles_fall_back_to_h1_then_file_name() {
    let run = Site::fixture("core/basic").build(&[]);
    run.ok();
    assert!(run.read("guide/links/index.html").contains("<title>Links everywhere"));
    assert!(run.read("guide/nested/deep/index.html").contains("<title>deep"));
    // YAML synonyms: `description` is the summary.
    assert!(run.read("guide/index.html").contains("Everything about the guide"));
}

#[test]
fn drafts_flag_includes_drafts() {
    let run = Site::fixture("core/basic").build(&["--drafts"]);
    run.ok();
    assert!(run.exists("guide/draft/index.html"));
}

#[test]
fn every_internal_url_is_relative() {
    let run = Site::fixture("core/basic").build(&[]);
    for (rel, bytes) in snapshot_tree(&run.out_dir) {
        if !rel.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(&bytes);
        for attr in ["href=\"/", "src=\"/"] {
            let bad = html.match_indices(attr).any(|(i, _)| !html[i + attr.len()..].starts_with('/'));
            assert!(!bad, "{rel} has a root-absolute URL ({attr})");
        }
        // From `file://` a link to a folder opens a file listing: every
        // link to a page names its `index.html` (the 404 page, only ever
        // served, links to the root it finds).
        if rel != "404.html" {
            for (i, _) in html.match_indices("href=\"") {
                let url = &html[i + 6..i + 6 + html[i + 6..].find('"').unwrap_or(0)];
                let folder = url.split(['#', '?']).next().unwrap_or("").ends_with('/');
                assert!(!folder || url.contains("://"), "{rel} links to the folder `{url}`");
            }
        }
    }
}

#[test]
fn anchors_that_work_on_a_forge_are_fixed_not_reported() {
    let run = Site::fixture("core/basic").build(&[]);
    let html = run.read("guide/links/index.html");
    assert!(html.contains("href=\"../goals/index.html#smart-%E5%8E%9F%E5%88%99\">forge-style case"), "{html}");
    assert!(html.contains("href=\"../goals/index.html#my-id\">doubled hash"), "{html}");
    assert!(!run.stderr().contains("SMART-原则"), "{}", run.stderr());
}

#[test]
fn aliases_redirect_relatively() {
    let run = Site::fixture("core/basic").build(&[]);
    let html = run.read("old/goals/index.html");
    assert!(html.contains("../../guide/goals/index.html"), "{html}");
    assert!(run.read("legacy-goals.html").contains("guide/goals/index.html"));
}

#[test]
fn sitemap_uses_base_url() {
    let run = Site::fixture("core/basic").build(&[]);
    let xml = run.read("sitemap.xml");
    assert!(xml.contains("<loc>https://handbook.example.com/ops/guide/goals/</loc>"), "{xml}");
    assert!(xml.contains("with%20space"), "{xml}");
}

#[test]
fn overdue_review_shows_a_banner() {
    let run = Site::fixture("core/basic").build(&[]);
    let main = run.main("guide/goals/index.html");
    assert!(main.contains("Lin"), "{main}");
    let html = run.read("guide/goals/index.html");
    assert!(html.contains("2026-04-10"), "due date shown");
}

#[test]
fn nav_file_orders_the_sidebar() {
    let run = Site::fixture("core/navfile").build(&[]);
    run.ok();
    let html = run.read("a/index.html");
    let b = html.find(">Start here<").expect("b in nav");
    let part = html.find(">Part one<").expect("group in nav");
    let a = html.find(">Alpha<").expect("a in nav");
    assert!(b < part && part < a, "nav file order");
    // Reading order follows the nav file: Alpha comes after Start here.
    assert!(html.contains("../b/index.html"), "prev link to b");
}

#[test]
fn two_builds_are_byte_identical() {
    let site = Site::fixture("core/basic");
    site.build(&[]).ok();
    let first = snapshot_tree(&site.root().join("public"));
    let again = site.build(&["--force"]);
    again.ok();
    assert!(again.stderr().contains("built "), "--force builds again: {}", again.stderr());
    let second = snapshot_tree(&site.root().join("public"));
    assert_eq!(first.len(), second.len());
    assert!(first == second, "outputs differ");
}

#[test]
fn strict_turns_broken_links_into_errors() {
    let run = Site::fixture("core/basic").build(&["--strict"]);
    run.fails(1);
    assert!(run.stderr().contains("error: broken link `missing.md`"), "{}", run.stderr());
}

#[test]
fn a_failed_build_leaves_the_old_output() {
    let site = Site::fixture("core/basic");
    site.build(&[]).ok();
    let before = snapshot_tree(&site.root().join("public"));
    let site = site.file("content/guide/goals.md", "+++\ntitle = \"Goals\nowner = 1\n+++\n");
    let run = site.build(&[]);
    run.fails(1);
    assert!(run.stderr().contains("content/guide/goals.md:2:"), "{}", run.stderr());
    assert!(before == snapshot_tree(&site.root().join("public")), "old output changed");
}

#[test]
fn invalid_sites_report_file_line_col() {
    let dir = repo().join("tests/fixtures/invalid");
    let mut cases: Vec<_> =
        std::fs::read_dir(&dir).expect("fixtures").filter_map(Result::ok).map(|e| e.file_name()).collect();
    cases.sort();
    assert!(cases.len() >= 10);
    for case in cases {
        let name = case.to_string_lossy().into_owned();
        let run = Site::fixture(&format!("invalid/{name}")).build(&[]);
        run.fails(1);
        assert!(!run.exists("index.html"), "{name}: no output on failure");
        insta::assert_snapshot!(format!("invalid_{name}"), run.stderr());
    }
}

#[test]
fn invalid_utf8_and_binary_files() {
    let site = Site::new().file("content/ok.md", "# ok\n");
    std::fs::write(site.root().join("content/bad.md"), b"# title\nabc \xff\xfe def\n").expect("write");
    let run = site.build(&[]);
    run.fails(1);
    insta::assert_snapshot!("invalid_utf8", run.stderr());
}

#[test]
fn no_config_is_a_valid_site() {
    let run = Site::new().file("content/hello.md", "# 你好\n\n正文。\n").build(&[]);
    run.ok();
    assert!(run.read("hello/index.html").contains("你好"));
    assert!(run.exists("index.html"), "a home page is generated");
}

#[test]
fn refuses_output_that_would_delete_sources() {
    let site = Site::new().file("content/a.md", "# a\n");
    for out in [".", "content", ".."] {
        let o = opsbook()
            .args(["build", "--root"])
            .arg(site.root())
            .arg("--output")
            .arg(site.root().join(out))
            .output()
            .expect("run");
        assert_eq!(o.status.code(), Some(2), "{out}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stderr).contains("refusing to write the site"));
    }
    assert!(site.root().join("content/a.md").exists());
}

#[test]
fn site_templates_override_the_theme() {
    let run = Site::fixture("core/basic")
        .file("templates/404.html", "<!doctype html><title>custom</title><main>custom 404 {{ site.title }}</main>")
        .build(&[]);
    run.ok();
    assert!(run.read("404.html").contains("custom 404 Fixture Handbook"));
}

#[test]
fn example_handbook_builds_without_warnings() {
    let site = crate::harness::Site::copy_of(&repo());
    let run = site.build(&[]);
    run.ok();
    assert!(!run.stderr().contains("warning"), "{}", run.stderr());
    let home = run.read("index.html");
    assert!(home.contains("青柠运动运营手册"));
    let sections = ["goals", "process", "data", "growth", "brand", "budget"];
    for s in sections {
        assert!(run.exists(&format!("playbooks/{s}/index.html")), "section {s}");
    }
}

#[test]
fn sidebar_size_does_not_grow_with_the_whole_site() {
    let mut site = Site::new();
    for s in 0..30 {
        site = site.file(&format!("content/s{s:02}/_index.md"), &format!("# Section {s}\n"));
        for p in 0..40 {
            site = site.file(&format!("content/s{s:02}/p{p:02}.md"), &format!("# Page {s}-{p}\n\nText.\n"));
        }
    }
    let run = site.build(&[]);
    run.ok();
    let html = run.read("s07/p11/index.html");
    let items = html.matches("class=\"nav-item").count();
    // The 30 top-level sections plus the 40 pages of the open section.
    assert_eq!(items, 70, "sidebar items on a leaf page");
    assert!(!html.contains("Page 3-5<"), "other sections stay closed");
}

/// Every file under `dir` with its modification time: what a build that
/// touched nothing leaves as it was.
fn stamps(dir: &Path) -> Vec<(String, SystemTime)> {
    let mut files: Vec<(String, SystemTime)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let modified = e.metadata().expect("metadata").modified().expect("mtime");
            (e.path().strip_prefix(dir).expect("prefix").to_string_lossy().into_owned(), modified)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_build_with_nothing_changed_is_up_to_date_and_touches_nothing() {
    let site = Site::fixture("core/basic");
    let first = site.build(&[]);
    first.ok();
    let (out, manifest) = (site.root().join("public"), site.root().join(".public.opsbook-manifest"));
    assert!(manifest.is_file(), "the manifest sits beside the output");
    let before = (stamps(&out), snapshot_tree(&out), std::fs::read(&manifest).expect("manifest"));
    let second = site.build(&[]);
    second.ok();
    let last = second.stderr().lines().last().unwrap_or_default().to_string();
    let pages = first.stderr().lines().last().and_then(|l| l.split(' ').nth(1)).unwrap_or_default().to_string();
    assert!(
        last.starts_with(&format!("up to date: {pages} pages in [SITE]/public (nothing changed since the last build)")),
        "{}",
        second.stderr()
    );
    assert!(before == (stamps(&out), snapshot_tree(&out), std::fs::read(&manifest).expect("manifest")), "touched");
    assert!(!stamps(&out).iter().any(|(f, _)| f.contains("manifest")), "the manifest is not part of the site");
}

#[test]
fn warnings_are_repeated_when_up_to_date() {
    let site = Site::fixture("core/basic");
    let first = String::from_utf8_lossy(&site.build(&[]).output.stderr).into_owned();
    let second = String::from_utf8_lossy(&site.build(&[]).output.stderr).into_owned();
    let warnings = |text: &str| -> (String, String) {
        let (body, last) = text.trim_end().rsplit_once('\n').unwrap_or_default();
        (body.to_string(), last.rsplit_once("; ").map(|(_, n)| n.to_string()).unwrap_or_default())
    };
    assert!(first.contains("warning: broken link"), "{first}");
    assert!(second.contains("up to date:"), "{second}");
    assert_eq!(warnings(&first), warnings(&second), "the same warnings and count");
    assert!(warnings(&second).1.ends_with("warnings"), "{second}");
}

/// `opsbook build` of `site` into `<site>/public` as of `today`.
fn build_on(site: &Site, today: &str, args: &[&str]) -> Output {
    let out = opsbook()
        .arg("build")
        .arg("--root")
        .arg(site.root())
        .arg("--output")
        .arg(site.root().join("public"))
        .args(["--today", today])
        .args(args)
        .output()
        .expect("run opsbook");
    assert!(out.status.success(), "build failed:\n{}", String::from_utf8_lossy(&out.stderr));
    out
}

/// One change to a built site, and what the next build must then write.
struct Change {
    what: &'static str,
    apply: fn(&Path),
    /// The date and flags of the next build.
    today: &'static str,
    args: &'static [&'static str],
    /// A file of the output and what it must then hold.
    file: &'static str,
    expected: &'static str,
}

/// The date of the first build.
const DAY: &str = "2026-02-01";

fn change(what: &'static str, apply: fn(&Path), file: &'static str, expected: &'static str) -> Change {
    Change { what, apply, today: DAY, args: &[], file, expected }
}

#[test]
fn every_kind_of_change_rebuilds() {
    let changes = [
        change("page edited", |r| edit(&r.join("content/a.md"), "Some text.", "Edited."), "a/index.html", "Edited."),
        change(
            "data file edited",
            |r| edit(&r.join("content/metrics/dau.toml"), "\"DAU\"", "\"Daily users\""),
            "metrics/dau/index.html",
            "Daily users",
        ),
        change("config edited", |r| edit(&r.join("opsbook.toml"), "Ops", "Renamed"), "index.html", "Renamed"),
        change("template edited", |r| edit(&r.join("templates/404.html"), "one", "two"), "404.html", "custom two"),
        change(
            "template added",
            |r| add(&r.join("templates/home.html"), "<!doctype html><title>x</title><main>our home</main>"),
            "index.html",
            "our home",
        ),
        change(
            "static file edited",
            |r| edit(&r.join("static/robots.txt"), "Allow", "Disallow"),
            "robots.txt",
            "Disallow",
        ),
        change(
            "output file deleted",
            |r| std::fs::remove_file(r.join("public/a/index.html")).expect("rm"),
            "a/index.html",
            "Some text.",
        ),
        change("output file edited", |r| add(&r.join("public/a/index.html"), "gone"), "a/index.html", "Some text."),
        Change { today: "2026-11-24", ..change("another day", |_| {}, "a/index.html", "banner-overdue") },
        Change { args: &["--force"], ..change("--force", |_| {}, "a/index.html", "Some text.") },
    ];
    for c in changes {
        let what = c.what;
        let site = Site::new()
            .file("opsbook.toml", "title = \"Ops\"\nlanguage = \"en\"\n")
            .file(
                "content/a.md",
                "+++\nowner = \"Lin\"\nreviewed = 2026-01-10\nreview_every = \"90d\"\n+++\n# A\n\nSome text.\n",
            )
            .file(
                "content/metrics/dau.toml",
                "title = \"DAU\"\nunit = \"人\"\n\n[[series]]\nname = \"DAU\"\ninterval = \"month\"\nstart = 2026-01-01\nvalues = [100, 120]\n",
            )
            .file("templates/404.html", "<!doctype html><title>x</title><main>custom one</main>")
            .file("static/robots.txt", "User-agent: *\nAllow: /\n");
        let stderr = |out: Output| String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(stderr(build_on(&site, DAY, &[])).contains("built "), "{what}: first build");
        assert!(stderr(build_on(&site, DAY, &[])).contains("up to date:"), "{what}: nothing changed yet");
        (c.apply)(site.root());
        let read = |rel: &str| std::fs::read_to_string(site.root().join("public").join(rel)).unwrap_or_default();
        // Only a rebuild puts it there (`--force` changes nothing to see).
        assert!(!c.args.is_empty() || !read(c.file).contains(c.expected), "{what}: already in {}", c.file);
        let rebuilt = stderr(build_on(&site, c.today, c.args));
        assert!(rebuilt.contains("built ") && !rebuilt.contains("up to date"), "{what}: not rebuilt:\n{rebuilt}");
        assert!(read(c.file).contains(c.expected), "{what}: {} lacks `{}`:\n{}", c.file, c.expected, read(c.file));
        assert!(stderr(build_on(&site, c.today, &[])).contains("up to date:"), "{what}: up to date after");
    }
}

#[track_caller]
fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "`{from}` not in {}", path.display());
    std::fs::write(path, text.replace(from, to)).expect("write");
}

fn add(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

#[test]
fn a_failed_build_is_never_up_to_date() {
    let site = Site::fixture("core/basic");
    site.build(&[]).ok();
    let site = site.file("content/guide/goals.md", "+++\ntitle = \"Goals\nowner = 1\n+++\n");
    site.build(&[]).fails(1);
    assert!(!site.root().join(".public.opsbook-manifest").exists(), "a manifest outlived a failed build");
    let again = site.build(&[]);
    again.fails(1);
    assert!(again.stderr().contains("content/guide/goals.md:2:"), "{}", again.stderr());
}

/// Runs git in `dir` with a fixed identity and no user or system config;
/// `false` when git is not installed.
fn git(dir: &Path, args: &[&str]) -> bool {
    let Ok(out) = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Ann")
        .env("GIT_AUTHOR_EMAIL", "ann@example.com")
        .env("GIT_COMMITTER_NAME", "Ann")
        .env("GIT_COMMITTER_EMAIL", "ann@example.com")
        .output()
    else {
        assert!(std::env::var_os("CI").is_none(), "CI must install git (see .ci/run)");
        return false;
    };
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    true
}

#[test]
fn new_commits_and_tags_rebuild_a_site_with_versions() {
    let site = Site::new()
        .file("opsbook.toml", "language = \"en\"\n[versions]\ntags = \"v*\"\n")
        .file("content/a.md", "# A\n\nOne.\n");
    if !git(site.root(), &["init", "-q", "-b", "main"]) {
        return;
    }
    git(site.root(), &["add", "-A"]);
    git(site.root(), &["commit", "-q", "-m", "First"]);
    git(site.root(), &["tag", "v1"]);
    site.build(&[]).ok();
    assert!(site.build(&[]).ok().stderr().contains("up to date:"));
    // A commit that changes no file moves HEAD, and with it the page dates.
    git(site.root(), &["commit", "-q", "--allow-empty", "-m", "Second"]);
    assert!(site.build(&[]).ok().stderr().contains("built "), "a new HEAD rebuilds");
    git(site.root(), &["tag", "v2"]);
    let run = site.build(&[]);
    assert!(run.ok().stderr().contains("built "), "a new tag rebuilds");
    assert!(run.exists("v/v2/a/index.html"), "the new version is built");
    git(site.root(), &["tag", "other"]);
    assert!(site.build(&[]).ok().stderr().contains("up to date:"), "a tag that is not a version changes nothing");
}

#[test]
fn a_long_tag_list_is_cut_into_pages_that_link_each_other() {
    let mut site = Site::new().file("opsbook.toml", "title = \"T\"\nlanguage = \"en\"\n[tags]\nper_page = 3\n");
    for i in 1..=7 {
        site = site.file(
            &format!("content/p{i}.md"),
            &format!("+++\ntitle = \"Review {i}\"\ntags = [\"growth\", \"okr\"]\n+++\n\nText.\n"),
        );
    }
    site = site.file("content/solo.md", "+++\ntitle = \"Solo\"\ntags = [\"brand\"]\n+++\n\nText.\n");
    let run = site.build(&[]);
    run.ok();
    let cards = |rel: &str| run.read(rel).matches("class=\"card\"").count();
    // 7 pages, 3 a page: 3 + 3 + 1, each naming its place and the total.
    assert_eq!(cards("tags/growth/index.html"), 3);
    assert_eq!(cards("tags/growth/page/2/index.html"), 3);
    assert_eq!(cards("tags/growth/page/3/index.html"), 1);
    assert!(!run.exists("tags/growth/page/4/index.html"));
    let one = run.read("tags/growth/page/1/index.html");
    assert!(one.contains("url=../../index.html"), "page 1 leads to the list's first page: {one}");
    assert!(!run.exists("tags/brand/page/1/index.html"), "a list on one page has no pages to number");
    let middle = run.read("tags/growth/page/2/index.html");
    assert!(middle.contains("Page 2 of 3"), "{}", run.main("tags/growth/page/2/index.html"));
    assert!(middle.contains("<title>growth · Page 2 of 3 · T</title>"), "tabs and history tell the pages apart");
    assert!(run.read("tags/growth/index.html").contains("<title>growth · T</title>"));
    assert!(middle.contains("<span class=\"count\">7</span>"), "the count is the tag's, not the page's");
    assert!(middle.contains("Pages with this tag <span"), "titled as a tag's list: {middle}");
    assert!(run.read("tags/index.html").contains("All tags <span class=\"count\">3</span>"));
    assert!(middle.contains("href=\"../../index.html\" rel=\"prev\""), "{middle}");
    assert!(middle.contains("href=\"../3/index.html\" rel=\"next\""), "{middle}");
    let first = run.read("tags/growth/index.html");
    assert!(!first.contains("rel=\"prev\"") && first.contains("href=\"page/2/index.html\" rel=\"next\""));
    let last = run.read("tags/growth/page/3/index.html");
    assert!(last.contains("href=\"../2/index.html\" rel=\"prev\"") && !last.contains("rel=\"next\""));
    // The cards link from where they are; a short list has no pager at all.
    assert!(last.contains("href=\"../../../../p7/index.html\""), "{last}");
    let solo = run.read("tags/brand/index.html");
    assert!(!solo.contains("class=\"pager\"") && !solo.contains("Page 1 of"), "{solo}");

    // `per_page = 0`: every page on one.
    let site = site.file("opsbook.toml", "title = \"T\"\n[tags]\nper_page = 0\n");
    let run = site.build(&[]);
    run.ok();
    assert_eq!(run.read("tags/growth/index.html").matches("class=\"card\"").count(), 7);
    assert!(!run.exists("tags/growth/page/2/index.html"), "the pages of the longer list are gone");
}
