//! `opsbook build` on fixture sites: what readers get, what authors are told.

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
    site.build(&[]).ok();
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
