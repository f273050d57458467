//! Bad and foreign input: nothing panics, every problem is named with its
//! place, and nothing is lost.

use crate::harness::Site;

#[test]
fn foreign_syntax_passes_through_with_one_warning_per_kind() {
    let run = Site::fixture("robust/foreign").build(&[]);
    run.ok();
    insta::assert_snapshot!("foreign_warnings", run.stderr());
    let hugo = run.main("hugo/index.html");
    assert!(hugo.contains("{{&lt; figure src=\"a.png\""), "shortcode is visible: {hugo}");
    assert!(run.exists("old-jekyll/index.html"), "redirect_from becomes an alias");
    let jsx = run.main("docusaurus/index.html");
    assert!(jsx.contains("Markdown inside a component."));
}

#[test]
fn markdown_inside_html_elements_is_read_as_kramdown_and_mkdocs_do() {
    let page = "# Quotes\n\n\
        <aside markdown=\"1\" class=\"pquote\">\n\
        Working in the open taught me **more** than any course.\n\
        <p markdown=\"1\" class=\"credit\">\n\
        — Lin, [blog](missing.md)\n\
        </p>\n\
        </aside>\n\n\
        <div class=\"grid\" markdown>\n\
        - one\n\
        - two\n\
        </div>\n\n\
        ```html\n<div markdown=\"1\">\n*code*\n</div>\n```\n\n\
        <div markdown=\"1\">No closing tag on its own line: raw *HTML*.</div>\n";
    let run =
        Site::new().file("opsbook.toml", "title = \"Q\"\nlanguage = \"en\"\n").file("content/q.md", page).build(&[]);
    run.ok();
    let html = run.main("q/index.html");
    assert!(
        html.contains("<aside class=\"pquote\">\n<p>Working in the open taught me <strong>more</strong>"),
        "{html}"
    );
    // A paragraph element holds its text itself (span mode).
    assert!(html.contains("<p class=\"credit\">\n— Lin, <a href="), "{html}");
    assert!(html.contains("<div class=\"grid\">\n<ul>\n<li>one</li>"), "{html}");
    assert!(html.contains("\n*code*\n"), "fenced code stays code: {html}");
    assert!(html.contains("raw *HTML*"), "an unclear case stays raw: {html}");
    // Lines and columns are the file's own: the broken link inside is at
    // 6:15, and the warning points at the element left as HTML.
    let err = run.stderr();
    assert!(err.contains("content/q.md:6:15"), "{err}");
    assert!(err.contains("content/q.md:21:6"), "{err}");
    assert!(err.contains("kramdown's Markdown inside HTML (`<div markdown=\"1\">`): 1 use in 1 file"), "{err}");
}

#[test]
fn empty_files_and_whitespace_pages_build() {
    let run = Site::new()
        .file("content/empty.md", "")
        .file("content/blank.md", "\n\n   \n")
        .file("content/only-front.md", "+++\ntitle = \"只有标题\"\n+++\n")
        .file("content/yaml-empty.md", "---\n---\n")
        .build(&[]);
    run.ok();
    assert!(run.read("empty/index.html").contains("<title>empty"));
    assert!(run.read("only-front/index.html").contains("只有标题"));
}

#[test]
fn huge_long_and_deep_input_does_not_panic() {
    let long_line = "很长的一行，".repeat(200_000);
    let deep_list: String = (0..2_000).map(|i| format!("{}- item {i}\n", "  ".repeat(i))).collect();
    let deep_quote = format!("{} deep\n", ">".repeat(5_000));
    let brackets = "[".repeat(50_000);
    let run = Site::new()
        .file("content/long.md", &format!("# Long\n\n{long_line}\n"))
        .file("content/deep-list.md", &deep_list)
        .file("content/deep-quote.md", &deep_quote)
        .file("content/brackets.md", &brackets)
        .build(&[]);
    run.ok();
    assert!(run.exists("deep-quote/index.html"));
}

#[test]
fn a_file_over_the_size_limit_is_an_error_not_a_crash() {
    let site = Site::new().file("content/ok.md", "# ok\n");
    let big = vec![b'a'; 17 * 1024 * 1024];
    std::fs::write(site.root().join("content/big.md"), big).expect("write");
    let run = site.build(&[]);
    run.fails(1);
    assert!(run.stderr().contains("error: file is too large (17 MiB)"), "{}", run.stderr());
    assert!(run.stderr().contains("--> content/big.md"), "{}", run.stderr());
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_reported() {
    let site = Site::new().file("content/a/page.md", "# a\n");
    std::os::unix::fs::symlink("..", site.root().join("content/a/loop")).expect("symlink");
    let run = site.build(&[]);
    run.fails(1);
    assert!(run.stderr().contains("symbolic link loop"), "{}", run.stderr());
    assert!(run.stderr().contains("content/a/loop"), "{}", run.stderr());
}

#[test]
fn binary_files_in_content_are_assets() {
    let site = Site::new().file("content/a.md", "![x](pic.png)\n");
    std::fs::write(site.root().join("content/pic.png"), [0x89, b'P', b'N', b'G', 0, 0, 0xff]).expect("write");
    let run = site.build(&[]);
    run.ok();
    assert_eq!(std::fs::read(run.out_dir.join("pic.png")).expect("copied").len(), 7);
    assert!(run.read("a/index.html").contains("src=\"../pic.png\""));
}

#[test]
fn non_ascii_and_spaces_in_paths() {
    let run = Site::new()
        .file("content/运营 手册/第一 章.md", "# 第一章\n\n[下一章](第二章.md)\n")
        .file("content/运营 手册/第二章.md", "# 第二章\n")
        .build(&[]);
    run.ok();
    let html = run.read("运营 手册/第一 章/index.html");
    assert!(html.contains("href=\"../第二章/index.html\""), "{html}");
}

#[test]
fn config_pointing_outside_the_site_is_refused() {
    let run = Site::new().file("opsbook.toml", "content_dir = \"/etc\"\n").file("content/a.md", "# a\n").build(&[]);
    run.fails(1);
    assert!(run.stderr().contains("points outside the site"), "{}", run.stderr());
}

#[cfg(unix)]
#[test]
fn a_build_killed_midway_leaves_the_previous_output() {
    use crate::harness::{opsbook, snapshot_tree};
    let mut site = Site::new();
    let body = "正文 body text, 足够长的一段。".repeat(200);
    for i in 0..1500 {
        site = site.file(&format!("content/s{:02}/p{i:04}.md", i / 50), &format!("# Page {i}\n\n{body}\n"));
    }
    site.build(&[]).ok();
    let out = site.root().join("public");
    let before = snapshot_tree(&out);
    let mut killed_while_running = 0;
    for delay in [20u64, 50, 100, 200, 400, 800] {
        let mut child = opsbook()
            // `--force`: an up-to-date check would finish before the kill.
            .args(["build", "--quiet", "--force", "--root"])
            .arg(site.root())
            .arg("--output")
            .arg(&out)
            .spawn()
            .expect("spawn");
        std::thread::sleep(std::time::Duration::from_millis(delay));
        if child.try_wait().expect("poll").is_none() {
            killed_while_running += 1;
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        assert!(before == snapshot_tree(&out), "output changed after a kill at {delay} ms");
    }
    assert!(killed_while_running > 0, "no build was killed while it ran");
    // The next build cleans up what the killed ones left and succeeds.
    site.build(&["--force"]).ok();
    assert!(before == snapshot_tree(&out));
}
