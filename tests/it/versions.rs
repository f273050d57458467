//! Versions from git: test repositories made with the git CLI (tags,
//! branches, renames, deleted pages, merge commits, a shallow clone), built
//! with the real binary; snapshots of the switcher, the older-version banner,
//! a page's history and the "what changed" page; and a real browser moving
//! between versions.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::browser::{Browser, serve};
use crate::harness::{Site, opsbook, repo, snapshot_tree};

fn have_git() -> bool {
    let ok = Command::new("git").arg("--version").output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "CI must install git (see .ci/run)");
        eprintln!("skipped: git not installed");
    }
    ok
}

/// Runs git in `dir` with a fixed identity and no user or system config, so
/// commit ids are the same on every machine.
fn git(dir: &Path, args: &[&str], date: &str, author: &str) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", author)
        .env("GIT_AUTHOR_EMAIL", "author@example.com")
        .env("GIT_COMMITTER_NAME", "Ops Bot")
        .env("GIT_COMMITTER_EMAIL", "bot@example.com")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A site in a fresh repository.
struct Repo {
    site: Site,
}

impl Repo {
    fn new(config: &str) -> Repo {
        let site = Site::new().file("opsbook.toml", config);
        git(site.root(), &["init", "-q", "-b", "main"], "2026-01-01T09:00:00+08:00", "x");
        Repo { site }
    }

    fn root(&self) -> &Path {
        self.site.root()
    }

    fn write(self, rel: &str, text: &str) -> Repo {
        Repo { site: self.site.file(rel, text) }
    }

    fn remove(self, rel: &str) -> Repo {
        std::fs::remove_file(self.root().join(rel)).expect("remove");
        self
    }

    fn commit(self, date: &str, author: &str, message: &str) -> Repo {
        git(self.root(), &["add", "-A"], date, author);
        git(self.root(), &["commit", "-q", "-m", message], date, author);
        self
    }

    fn run(self, args: &[&str]) -> Repo {
        git(self.root(), args, "2026-03-01T09:00:00+08:00", "Ann");
        self
    }
}

const CONFIG: &str = "title = \"Ops\"\nlanguage = \"en\"\nedit_url = \"https://git.example.com/ops/-/edit/main/{path}\"\n\n[versions]\ntags = \"v*\"\nbranches = [\"next\"]\nlabels = { \"v1.0\" = \"2026 Q1\" }\n";

/// v1.0 (lightweight tag): goals, plan, old. Then plan is renamed to
/// planning (and edited), old deleted, goals edited on main while a
/// feature branch adds a page; the merge is tagged v2.0 (annotated). A
/// branch `next` adds a page after that; `release-x` does not match `v*`.
fn handbook() -> Repo {
    Repo::new(CONFIG)
        .write("content/_index.md", "# Ops\n\nWelcome.\n")
        .write("content/guide/goals.md", "# Goals\n\nSet goals every week.\n\nSee the [plan](plan.md).\n")
        .write("content/guide/plan.md", "# Plan\n\nPlan the quarter.\n\n- one\n- two\n- three\n")
        .write("content/guide/old.md", "# Old page\n\nSoon gone.\n")
        .write("content/metrics/dau.toml", "title = \"DAU\"\nunit = \"人\"\n\n[[series]]\nname = \"DAU\"\ninterval = \"month\"\nstart = 2026-01-01\nvalues = [100, 120]\n")
        .commit("2026-01-05T10:00:00+08:00", "Ann", "First edition")
        .run(&["tag", "v1.0"])
        .run(&["tag", "release-x"])
        .run(&["mv", "content/guide/plan.md", "content/guide/planning.md"])
        .write("content/guide/planning.md", "# Plan\n\nPlan the quarter, then the month.\n\n- one\n- two\n- three\n")
        .write("content/guide/goals.md", "# Goals\n\nSet goals every week.\n\nSee the [plan](planning.md).\n")
        .remove("content/guide/old.md")
        .commit("2026-02-01T10:00:00+08:00", "Ann", "Rename the plan, drop the old page")
        .run(&["checkout", "-q", "-b", "feature"])
        .write("content/guide/new.md", "# New page\n\nFresh.\n")
        .commit("2026-02-10T10:00:00+08:00", "Bob", "Add a new page")
        .run(&["checkout", "-q", "main"])
        .write("content/guide/goals.md", "# Goals\n\nSet goals every month.\n\nSee the [plan](planning.md).\n")
        .write("content/metrics/dau.toml", "title = \"DAU\"\nunit = \"人\"\n\n[[series]]\nname = \"DAU\"\ninterval = \"month\"\nstart = 2026-01-01\nvalues = [100, 125, 140]\n")
        .commit("2026-02-15T10:00:00+08:00", "Cai", "Goals every month; March DAU")
        .run(&["merge", "-q", "--no-ff", "feature", "-m", "Merge the new page"])
        .run(&["tag", "-a", "v2.0", "-m", "Second edition"])
        .run(&["checkout", "-q", "-b", "next"])
        .write("content/guide/next.md", "# Next\n\nComing soon.\n")
        .commit("2026-03-05T10:00:00+08:00", "Ann", "Next up")
        .run(&["checkout", "-q", "main"])
        .write("content/guide/goals.md", "# Goals\n\nSet goals every month, review every week.\n\nSee the [plan](planning.md).\n")
        .commit("2026-03-10T10:00:00+08:00", "Ann", "Weekly reviews")
}

/// The element starting at `start` up to the end of its first `end`.
fn fragment(html: &str, start: &str, end: &str) -> String {
    let from = html.find(start).unwrap_or_else(|| panic!("no `{start}` in:\n{html}"));
    let to = html[from..].find(end).map_or(html.len(), |i| from + i + end.len());
    html[from..to].to_string()
}

#[test]
fn versions_from_tags_and_branches_with_renames_merges_and_deletions() {
    if !have_git() {
        return;
    }
    let repo = handbook();
    let run = repo.site.build(&[]);
    run.ok();
    for page in [
        "index.html",
        "guide/planning/index.html",
        "guide/new/index.html",
        "changes/index.html",
        "v/v2.0/guide/planning/index.html",
        "v/v2.0/changes/index.html",
        "v/v1.0/guide/plan/index.html",
        "v/v1.0/guide/old/index.html",
        "v/v1.0/assets/opsbook.css",
        "v/next/guide/next/index.html",
        "versions.json",
        "changes.xml",
    ] {
        assert!(run.exists(page), "missing {page}");
    }
    assert!(!run.exists("v/release-x"), "tags that do not match the pattern are not versions");
    // The oldest version has nothing to compare with, and says so: its
    // pages link to "what changed" as every other version's do.
    let first = run.read("v/v1.0/changes/index.html");
    assert!(first.contains("This is the first edition"), "{first}");
    assert!(!first.contains("changes-section"), "{first}");
    assert!(run.read("v/v1.0/guide/plan/index.html").contains("class=\"version-changes\""));

    insta::assert_snapshot!("versions_json", run.read("versions.json"));
    let old_plan = run.read("v/v1.0/guide/plan/index.html");
    insta::assert_snapshot!(
        "switcher_on_renamed_page",
        fragment(&old_plan, "<details class=\"version-switcher\"", "</details>")
    );
    insta::assert_snapshot!(
        "older_version_banner",
        fragment(&old_plan, "<div class=\"banner banner-older-version\"", "</div>")
    );
    assert!(old_plan.contains("<meta name=\"robots\" content=\"noindex\">"));
    assert!(old_plan.contains("<link rel=\"canonical\" href=\"../../../../guide/planning/index.html\">"));
    let latest = run.read("guide/planning/index.html");
    assert!(!latest.contains("noindex") && !latest.contains("rel=\"canonical\""));
    insta::assert_snapshot!(
        "page_history_follows_rename",
        fragment(&latest, "<details class=\"page-history\"", "</details>")
    );
    let goals = run.read("guide/goals/index.html");
    assert!(goals.contains("<dt>Last updated</dt><dd><time datetime=\"2026-03-10\">2026-03-10</time>"), "{goals}");
    // The merge commit changed nothing itself: the new page is Bob's.
    let new = run.read("guide/new/index.html");
    assert!(new.contains("2026-02-10") && new.contains("Bob") && !new.contains("Merge the new page"), "{new}");
    // Each version knows its own dates.
    let old_goals = run.read("v/v1.0/guide/goals/index.html");
    assert!(old_goals.contains("datetime=\"2026-01-05\"") && !old_goals.contains("2026-02-15"), "{old_goals}");
    insta::assert_snapshot!("what_changed_in_v2", run.main("v/v2.0/changes/index.html"));
    insta::assert_snapshot!("changes_feed", run.read("changes.xml"));
}

#[test]
fn switcher_falls_back_to_the_home_page_of_a_version_without_the_page() {
    if !have_git() {
        return;
    }
    let run = handbook().site.build(&[]);
    run.ok();
    let old = run.read("v/v1.0/guide/old/index.html");
    let switcher = fragment(&old, "<details class=\"version-switcher\"", "</details>");
    assert!(
        switcher.contains(
            "<a class=\"version-link version-fallback\" href=\"../../../../index.html\" data-version=\"latest\">"
        ),
        "{switcher}"
    );
    let banner = fragment(&old, "<div class=\"banner banner-older-version\"", "</div>");
    assert!(banner.contains("no longer exists") && banner.contains("../../../../index.html"), "{banner}");
    let new = run.read("guide/new/index.html");
    assert!(new.contains("href=\"../../v/v1.0/index.html\" data-version=\"v1.0\""), "v1.0 has no new page");
    // Generated metric pages are matched too.
    let metric = run.read("v/v1.0/metrics/dau/index.html");
    assert!(metric.contains("href=\"../../../../metrics/dau/index.html\" data-version=\"latest\""), "{metric}");
}

#[test]
fn a_site_in_a_subfolder_of_the_repository_with_latest_from_a_branch() {
    if !have_git() {
        return;
    }
    let repo = Repo::new("")
        .write("handbook/opsbook.toml", "language = \"en\"\n[versions]\ntags = \"v*\"\ndefault = \"main\"\n")
        .write("handbook/content/a.md", "# A\n\nOne.\n")
        .write("README.md", "not part of the site\n")
        .commit("2026-01-05T10:00:00+08:00", "Ann", "One")
        .run(&["tag", "v1"])
        .write("handbook/content/a.md", "# A\n\nTwo.\n")
        .commit("2026-01-06T10:00:00+08:00", "Ann", "Two")
        // Not committed: latest comes from the `main` branch, not the work tree.
        .write("handbook/content/a.md", "# A\n\nUncommitted.\n");
    let out = repo.root().join("public");
    let output = opsbook()
        .args(["build", "--root"])
        .arg(repo.root().join("handbook"))
        .arg("--output")
        .arg(&out)
        .output()
        .expect("run opsbook");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let read = |rel: &str| std::fs::read_to_string(out.join(rel)).expect("read page");
    let latest = read("a/index.html");
    assert!(latest.contains("Two.") && !latest.contains("Uncommitted"), "{latest}");
    assert!(latest.contains("datetime=\"2026-01-06\""), "{latest}");
    let v1 = read("v/v1/a/index.html");
    assert!(v1.contains("One.") && v1.contains("datetime=\"2026-01-05\""), "{v1}");
    assert!(!out.join("README").exists() && !out.join("v/v1/README").exists());
}

#[test]
fn versions_build_is_deterministic() {
    if !have_git() {
        return;
    }
    let repo = handbook();
    let first = repo.site.build(&[]);
    first.ok();
    let a = snapshot_tree(&first.out_dir);
    // `--force`: a real second build, not the up-to-date check.
    let second = repo.site.build(&["--force"]);
    assert!(!second.ok().stderr().contains("up to date"), "{}", second.stderr());
    assert_eq!(a, snapshot_tree(&second.out_dir));
}

#[test]
fn older_version_with_broken_content_is_left_out_with_a_warning() {
    if !have_git() {
        return;
    }
    let repo = Repo::new("language = \"en\"\n[versions]\ntags = \"v*\"\n")
        .write("content/a.md", "+++\ntitel = \"typo\"\n+++\n# A\n")
        .commit("2026-01-05T10:00:00+08:00", "Ann", "Broken front matter")
        .run(&["tag", "v0.1"])
        .write("content/a.md", "+++\ntitle = \"A\"\n+++\nFixed.\n")
        .commit("2026-01-06T10:00:00+08:00", "Ann", "Fixed");
    let run = repo.site.build(&[]);
    run.ok();
    assert!(run.stderr().contains("warning: version `v0.1` left out"), "{}", run.stderr());
    assert!(!run.exists("v/v0.1/index.html"));
    let json: Value = serde_json::from_str(&run.read("versions.json")).expect("json");
    assert_eq!(json["versions"].as_array().map(Vec::len), Some(1));
}

#[test]
fn older_version_that_fails_to_build_is_left_out_everywhere() {
    if !have_git() {
        return;
    }
    // Front matter loads, but the metric data is broken: found only while
    // the version builds, after the versions are listed.
    let repo = Repo::new("language = \"en\"\n[versions]\ntags = \"v*\"\n")
        .write("content/a.md", "# A\n\nFirst.\n")
        .write("content/metrics/dau.toml", "unit = \"人\"\nbogus = 1\n")
        .commit("2026-01-05T10:00:00+08:00", "Ann", "Broken metric")
        .run(&["tag", "v0.1"])
        .write("content/a.md", "# A\n\nSecond.\n")
        .write(
            "content/metrics/dau.toml",
            "title = \"DAU\"\nunit = \"人\"\n[[series]]\nname = \"DAU\"\ninterval = \"day\"\nstart = 2026-01-01\nvalues = [1, 2, 3]\n",
        )
        .commit("2026-01-06T10:00:00+08:00", "Ann", "Fixed");
    let run = repo.site.build(&[]);
    run.ok();
    assert!(run.stderr().contains("version `v0.1` left out"), "{}", run.stderr());
    assert!(!run.exists("v/v0.1/index.html"));
    let json: Value = serde_json::from_str(&run.read("versions.json")).expect("json");
    assert_eq!(json["versions"].as_array().map(Vec::len), Some(1), "{json}");
    for page in crate::browser::html_pages(&run.out_dir) {
        let html = run.read(&page);
        assert!(!html.contains("v/v0.1/"), "{page} links to the version left out");
    }
}

#[test]
fn zero_matching_tags_builds_latest_alone() {
    if !have_git() {
        return;
    }
    let repo = Repo::new("language = \"en\"\n[versions]\ntags = \"v*\"\n").write("content/a.md", "# A\n").commit(
        "2026-01-05T10:00:00+08:00",
        "Ann",
        "Start",
    );
    let run = repo.site.build(&[]);
    run.ok();
    assert!(run.stderr().lines().all(|l| !l.starts_with("warning")), "{}", run.stderr());
    assert!(!run.exists("changes/index.html") && !run.exists("changes.xml"));
    let json: Value = serde_json::from_str(&run.read("versions.json")).expect("json");
    assert_eq!(json["versions"][0]["name"], "latest");
    assert!(run.read("a/index.html").contains("datetime=\"2026-01-05\""));
}

#[test]
fn files_the_working_tree_shares_with_a_version_are_that_version_s_and_edits_are_not() {
    if !have_git() {
        return;
    }
    // Older versions take the working tree's files whose bytes are their
    // blobs instead of reading git: an uncommitted edit, a file added in the
    // working tree only, and one whose bytes match another path's blob must
    // each stay out of the tagged edition.
    let page = "+++\ntitle = \"Same\"\nweight = 2\n+++\n\nThe same text in both.\n";
    let repo = Repo::new("language = \"en\"\n[versions]\ntags = \"v*\"\n")
        .write("content/same.md", page)
        .write("content/edited.md", "# Edited\n\nAs tagged.\n")
        .commit("2026-01-05T10:00:00+08:00", "Ann", "Start")
        .run(&["tag", "v1"])
        .write("content/edited.md", "# Edited\n\nChanged since, not committed.\n")
        .write("content/copy.md", page);
    let run = repo.site.build(&[]);
    run.ok();
    assert!(run.read("edited/index.html").contains("Changed since"));
    let old = run.read("v/v1/edited/index.html");
    assert!(old.contains("As tagged.") && !old.contains("Changed since"), "{old}");
    assert!(run.read("v/v1/same/index.html").contains("The same text in both."));
    assert!(run.exists("copy/index.html") && !run.exists("v/v1/copy/index.html"));
}

/// Every `<link rel="alternate" type="application/atom+xml">` in the output,
/// as the page that has it and the file its `href` names.
fn feed_links(out: &Path) -> Vec<(String, std::path::PathBuf)> {
    let mut links = Vec::new();
    for page in crate::browser::html_pages(out) {
        let html = std::fs::read_to_string(out.join(&page)).expect("read page");
        for (i, _) in html.match_indices("type=\"application/atom+xml\" href=\"") {
            let rest = &html[i + "type=\"application/atom+xml\" href=\"".len()..];
            let href = &rest[..rest.find('"').expect("closing quote")];
            let dir = Path::new(&page).parent().expect("parent").to_path_buf();
            links.push((page.clone(), out.join(dir).join(href)));
        }
    }
    links
}

#[test]
fn versions_with_nothing_changed_still_have_the_feed_their_pages_link_to() {
    if !have_git() {
        return;
    }
    // v1 and latest have the same content: a "what changed" page saying
    // nothing changed, and no feed entry.
    let repo = Repo::new("title = \"Ops\"\nlanguage = \"en\"\n[versions]\ntags = \"v*\"\n")
        .write("content/a.md", "# A\n\nSame.\n")
        .commit("2026-01-05T10:00:00+08:00", "Ann", "One")
        .run(&["tag", "v1"])
        .write("README.md", "outside the content folder\n")
        .commit("2026-01-06T10:00:00+08:00", "Ann", "Readme");
    let run = repo.site.build(&[]);
    run.ok();
    assert!(run.main("changes/index.html").contains("No page and no metric changed."));
    let links = feed_links(&run.out_dir);
    assert!(!links.is_empty(), "latest's pages link to the feed");
    for (page, target) in &links {
        assert!(target.is_file(), "{page} links to {}, which was not written", target.display());
    }
    // A valid Atom feed without entries, dated by latest's commit.
    let feed = run.read("changes.xml");
    assert!(feed.starts_with("<?xml") && feed.trim_end().ends_with("</feed>"), "{feed}");
    for element in ["<title>Ops · What changed</title>", "<id>", "<author><name>Ops</name></author>"] {
        assert!(feed.contains(element), "no {element} in:\n{feed}");
    }
    assert!(feed.contains("<updated>2026-01-06T10:00:00+08:00</updated>"), "{feed}");
    assert!(!feed.contains("<entry>"), "{feed}");
}

#[test]
fn shallow_clone_is_reported_and_unknown_dates_are_left_out() {
    if !have_git() {
        return;
    }
    let origin = Repo::new("language = \"en\"\n")
        .write("content/a.md", "# A\n\nOld page.\n")
        .write("content/b.md", "# B\n\nFirst.\n")
        .commit("2026-01-05T10:00:00+08:00", "Ann", "One")
        .write("content/c.md", "# C\n")
        .commit("2026-01-06T10:00:00+08:00", "Ann", "Two")
        .write("content/b.md", "# B\n\nSecond.\n")
        .commit("2026-01-07T10:00:00+08:00", "Bob", "Three");
    let clone = tempfile::tempdir().expect("temp dir");
    let url = format!("file://{}", origin.root().display());
    git(clone.path(), &["clone", "-q", "--depth", "2", &url, "site"], "2026-01-08T10:00:00+08:00", "x");
    let root = clone.path().join("site");
    let out = clone.path().join("public");
    let output =
        opsbook().args(["build", "--root"]).arg(&root).arg("--output").arg(&out).output().expect("run opsbook");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("warning: the git repository is a shallow clone"), "{stderr}");
    let read = |rel: &str| std::fs::read_to_string(out.join(rel)).expect("read page");
    // Changed after the boundary: its last update is known, its first publication is not.
    let b = read("b/index.html");
    assert!(b.contains("datetime=\"2026-01-07\"") && !b.contains("First published"), "{b}");
    assert!(b.contains("shallow clone"), "{b}");
    // Last changed at or before the boundary: no date at all, rather than a wrong one.
    let a = read("a/index.html");
    assert!(!a.contains("Last updated") && !a.contains("page-history"), "{a}");
    assert!(!a.contains("2026-01-06"), "the boundary commit's date is not a's date");
}

#[test]
fn snapshot_folders_are_versions_for_sites_outside_git() {
    let run = Site::new()
        .file("opsbook.toml", "language = \"en\"\n[versions]\n")
        .file("content/_index.md", "# Now\n")
        .file("content/guide.md", "# Guide\n\nNew text.\n")
        .file("versions/2025/content/_index.md", "# Then\n")
        .file("versions/2025/content/guide.md", "# Guide\n\nOld text.\n")
        .build(&[]);
    run.ok();
    assert!(run.exists("v/2025/guide/index.html"));
    let page = run.read("v/2025/guide/index.html");
    assert!(page.contains("href=\"../../../guide/index.html\" data-version=\"latest\""), "{page}");
    let changes = run.main("changes/index.html");
    assert!(changes.contains("Old <del>") || changes.contains("<ins>New</ins>"), "{changes}");
    assert!(!page.contains("page-history"), "no git, no dates");
    // The print page is latest's alone, and only latest's pages link to it.
    assert!(run.exists("print/index.html") && !run.exists("v/2025/print/index.html"));
    assert!(run.read("guide/index.html").contains("print/index.html"));
    assert!(!page.contains("print/index.html"), "{page}");
}

#[test]
fn the_project_repository_builds_with_its_tags_as_versions() {
    let root = repo();
    if !root.join(".git").exists() || !have_git() {
        eprintln!("skipped: not a git checkout");
        return;
    }
    let out = tempfile::tempdir().expect("temp dir");
    let output = opsbook()
        .args(["build", "--root"])
        .arg(&root)
        .arg("--output")
        .arg(out.path().join("site"))
        .args(["--today", "2026-11-24"])
        .output()
        .expect("run opsbook");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let json = std::fs::read_to_string(out.path().join("site/versions.json")).expect("versions.json");
    let json: Value = serde_json::from_str(&json).expect("json");
    assert_eq!(json["versions"][0]["name"], "latest");
}

/// Four tags. v0 is only there so that v1 to v3 all have a "what changed"
/// page. Then each change below alters one input of an unchanged page's
/// template: `guide/a` changes in every version; `guide/d` is added in v2
/// (the unchanged `b` shows another sidebar); `other/r` is edited and
/// reverted on the day it was written (same text and date in v1 and v2,
/// longer history in v2); in v3 `guide/c` is retitled (`b`'s sidebar and
/// next link) and so is `guide/zz/q` (only the previous link of the
/// section page `other/`); `other/x` never changes.
fn four_editions(config: &str) -> Repo {
    Repo::new(config)
        .write("content/_index.md", "# Ops\n")
        .write("content/guide/a.md", "# A\n\nZeroth text.\n")
        .write("content/guide/b.md", "# B\n\nStays the same.\n")
        .write("content/guide/c.md", "# C\n\nStays too.\n")
        .write("content/guide/zz/q.md", "# Q\n\nDeep down.\n")
        .write("content/other/r.md", "# R\n\nBack and forth.\n")
        .write("content/other/x.md", "# X\n\nNever changes.\n")
        .commit("2026-01-04T10:00:00+08:00", "Ann", "Zero")
        .run(&["tag", "v0"])
        .write("content/guide/a.md", "# A\n\nFirst text.\n")
        .commit("2026-01-05T10:00:00+08:00", "Ann", "One")
        .run(&["tag", "v1"])
        .write("content/other/r.md", "# R\n\nForth.\n")
        .commit("2026-01-04T11:00:00+08:00", "Bob", "Edit r")
        .write("content/other/r.md", "# R\n\nBack and forth.\n")
        .commit("2026-01-04T12:00:00+08:00", "Cai", "Revert r")
        .write("content/guide/a.md", "# A\n\nSecond text.\n")
        .write("content/guide/d.md", "# D\n\nNew in v2.\n")
        .commit("2026-02-05T10:00:00+08:00", "Ann", "Two")
        .run(&["tag", "v2"])
        .write("content/guide/a.md", "# A\n\nThird text.\n")
        .write("content/guide/c.md", "# Charlie\n\nStays too.\n")
        .write("content/guide/zz/q.md", "# Quebec\n\nDeep down.\n")
        .commit("2026-03-05T10:00:00+08:00", "Ann", "Three")
        .run(&["tag", "v3"])
}

#[test]
fn pages_shared_across_versions_keep_what_differs_per_version() {
    if !have_git() {
        return;
    }
    let run = four_editions("language = \"en\"\n[versions]\ntags = \"v*\"\n").site.build(&[]);
    run.ok();
    let read = |dir: &str, page: &str| run.read(&format!("{dir}{page}index.html"));
    // A page that changed shows each version's text.
    for (dir, text) in [("v/v0/", "Zeroth"), ("v/v1/", "First"), ("v/v2/", "Second"), ("v/v3/", "Third"), ("", "Third")]
    {
        assert!(read(dir, "guide/a/").contains(&format!("<p>{text} text.</p>")), "{dir}: {}", read(dir, "guide/a/"));
    }
    // An unchanged page shows each version's navigation.
    let sidebar = |dir: &str, page: &str| fragment(&read(dir, page), "<nav id=\"ob-sidebar\"", "</nav>");
    assert!(!sidebar("v/v1/", "guide/b/").contains("d/index.html"), "{}", sidebar("v/v1/", "guide/b/"));
    assert!(
        sidebar("v/v2/", "guide/b/").contains("href=\"../d/index.html\">D</a>"),
        "{}",
        sidebar("v/v2/", "guide/b/")
    );
    assert!(sidebar("v/v2/", "guide/b/").contains(">C</a>") && !read("v/v2/", "guide/b/").contains("Charlie"));
    assert!(sidebar("v/v3/", "guide/b/").contains(">Charlie</a>") && !sidebar("v/v3/", "guide/b/").contains(">C</a>"));
    let prev = |dir: &str| fragment(&read(dir, "other/"), "<a class=\"pager-link pager-prev\"", "</a>");
    assert!(prev("v/v2/").contains("<span class=\"pager-title\">Q</span>"), "{}", prev("v/v2/"));
    assert!(prev("v/v3/").contains("<span class=\"pager-title\">Quebec</span>"), "{}", prev("v/v3/"));
    assert!(!sidebar("v/v3/", "other/").contains("Quebec"), "the sidebar alone does not tell the versions apart");
    // The same text and date with a longer history: each version's own.
    let history = |dir: &str| fragment(&read(dir, "other/r/"), "<details class=\"page-history\"", "</details>");
    assert!(!history("v/v1/").contains("Revert r"), "{}", history("v/v1/"));
    assert!(history("v/v2/").contains("Revert r") && history("v/v2/").contains("Edit r"), "{}", history("v/v2/"));
    // Latest is not an older version, whatever it shares with v3.
    assert!(read("v/v3/", "guide/b/").contains("noindex") && !read("", "guide/b/").contains("noindex"));
    // A page the same in older versions is the same file, the oldest's too
    // (its "what changed" page says there is nothing to compare with).
    for dir in ["v/v0/", "v/v1/"] {
        assert_eq!(read(dir, "other/x/"), read("v/v3/", "other/x/"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let inode =
                |d: &str| std::fs::metadata(run.out_dir.join(d).join("other/x/index.html")).map(|m| m.ino()).ok();
            assert_eq!(inode(dir), inode("v/v3/"), "{dir}other/x/ is a link to the file v3 wrote");
        }
    }
}

#[test]
fn a_page_quoting_what_once_marked_the_sidebar_keeps_its_text() {
    if !have_git() {
        return;
    }
    // Pages of older versions go through their template with a mark where
    // the sidebar goes; a page whose text holds that mark must keep it.
    let quote = "\u{E000}opsbook-sidebar\u{E000}";
    let run = Repo::new("language = \"en\"\n[versions]\ntags = \"v*\"\n")
        .write("content/_index.md", "# Ops\n")
        .write("content/guide/a.md", &format!("# A\n\nQuoted: {quote}.\n"))
        .write("content/guide/b.md", "# B\n\nFirst.\n")
        .commit("2026-01-04T10:00:00+08:00", "Ann", "Zero")
        .run(&["tag", "v0"])
        .write("content/guide/b.md", "# B\n\nSecond.\n")
        .commit("2026-01-05T10:00:00+08:00", "Ann", "One")
        .run(&["tag", "v1"])
        .site
        .build(&[]);
    run.ok();
    for dir in ["", "v/v1/", "v/v0/"] {
        let page = run.read(&format!("{dir}guide/a/index.html"));
        assert!(page.contains(&format!("<p>Quoted: {quote}.</p>")), "{dir}: {page}");
        assert_eq!(page.matches("id=\"ob-sidebar\"").count(), 1, "{dir}");
    }
}

#[test]
fn tag_lists_are_shared_across_versions_until_what_they_list_changes() {
    if !have_git() {
        return;
    }
    let page = |title: &str| format!("+++\ntitle = \"{title}\"\nowner = \"Ann\"\ntags = [\"growth\"]\n+++\n\nText.\n");
    let run = Repo::new("language = \"en\"\n[versions]\ntags = \"v*\"\n")
        .write("content/_index.md", "# Ops\n")
        .write("content/a.md", &page("Alpha"))
        .write("content/b.md", &page("Beta"))
        .commit("2026-01-04T10:00:00+08:00", "Ann", "Zero")
        .run(&["tag", "v0"])
        .write("content/b.md", &page("Bravo"))
        .commit("2026-01-05T10:00:00+08:00", "Ann", "One")
        .run(&["tag", "v1"])
        .write("content/a.md", &page("Alpha").replace("Text.", "Other text."))
        .commit("2026-01-06T10:00:00+08:00", "Ann", "Two")
        .run(&["tag", "v2"])
        .site
        .build(&[]);
    run.ok();
    let list = |dir: &str| run.read(&format!("{dir}tags/growth/index.html"));
    assert!(list("v/v0/").contains(">Beta<") && !list("v/v0/").contains("Bravo"), "{}", list("v/v0/"));
    assert!(list("v/v1/").contains(">Bravo<"), "{}", list("v/v1/"));
    // The switcher keeps a reader on a tag's list, a page the build makes,
    // as on any other page.
    for page in ["tags/growth/", "tags/"] {
        let html = run.read(&format!("v/v0/{page}index.html"));
        let to_v1 = format!(
            "<a class=\"version-link\" href=\"{}v/v1/{page}index.html\"",
            "../".repeat(page.matches('/').count() + 2)
        );
        assert!(html.contains(&to_v1), "{page}: {}", fragment(&html, "<ul class=\"version-list\">", "</ul>"));
    }
    // The upkeep reports measure review dates against today: latest's
    // alone, and the switcher knows the older versions have none.
    assert!(run.exists("maintenance/owners/index.html") && !run.exists("v/v0/maintenance/index.html"));
    let owners = run.read("maintenance/owners/index.html");
    assert!(owners.contains("version-fallback\" href=\"../../v/v1/index.html\""), "{owners}");
    // What v1's list shows is v2's too: the same file. (A debug build
    // renders every shared list again and compares.)
    assert!(list("v/v2/").contains(">Bravo<") && list("v/v2/").contains("noindex"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let inode =
            |d: &str| std::fs::metadata(run.out_dir.join(d).join("tags/growth/index.html")).map(|m| m.ino()).ok();
        assert_eq!(inode("v/v1/"), inode("v/v2/"));
        assert_ne!(inode("v/v0/"), inode("v/v1/"));
    }
}

#[test]
fn switcher_links_encode_what_would_break_a_url() {
    if !have_git() {
        return;
    }
    let run = Repo::new("language = \"en\"\n[versions]\ntags = \"v*\"\n")
        .write("content/_index.md", "# Ops\n")
        .write("content/q&a #1/a b.md", "# A B\n\nFirst.\n")
        .commit("2026-01-04T10:00:00+08:00", "Ann", "Zero")
        .run(&["tag", "v0"])
        .write("content/q&a #1/a b.md", "# A B\n\nSecond.\n")
        .commit("2026-01-05T10:00:00+08:00", "Ann", "One")
        .run(&["tag", "v1"])
        .site
        .build(&[]);
    run.ok();
    let html = run.read("v/v0/q&a #1/a b/index.html");
    for (version, href) in [
        ("v1", "../../../../v/v1/q&amp;a%20%231/a%20b/index.html"),
        ("latest", "../../../../q&amp;a%20%231/a%20b/index.html"),
    ] {
        let link = format!("href=\"{href}\" data-version=\"{version}\"");
        assert!(html.contains(&link), "{link} in {}", fragment(&html, "<ul class=\"version-list\">", "</ul>"));
    }
}

#[test]
fn a_theme_that_names_the_version_gets_its_own_name_on_every_page() {
    if !have_git() {
        return;
    }
    for template in [
        "<p id=\"edition\">{{ versions.current }}</p>",
        "{% for key, value in versions %}{% if key == \"cur\" ~ \"rent\" %}<p id=\"edition\">{{ value }}</p>{% endif %}{% endfor %}",
    ] {
        let run = four_editions("language = \"en\"\n[versions]\ntags = \"v*\"\n")
            .write("templates/version_switcher.html", template)
            .site
            .build(&[]);
        run.ok();
        for (dir, name) in [("v/v1/", "v1"), ("v/v2/", "v2"), ("v/v3/", "v3")] {
            let x = run.read(&format!("{dir}other/x/index.html"));
            assert!(x.contains(&format!("<p id=\"edition\">{name}</p>")), "{template}\n{dir}: {x}");
        }
    }
}

#[test]
fn serve_writes_the_search_index_of_every_version_under_its_prefix() {
    if !have_git() {
        return;
    }
    let repo = four_editions("language = \"en\"\n[versions]\ntags = \"v*\"\n");
    let server = crate::serve::Server::start(&repo.site);
    // The index is built after the pages are served (`Sink::defer`).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    for prefix in ["", "v/v3/", "v/v0/"] {
        let target = format!("/{prefix}assets/search/index.js");
        loop {
            let (status, body) = server.get(&target);
            if status == 200 {
                assert!(body.starts_with("opsbookIndex(\"index\""), "{target}: {body}");
                break;
            }
            assert!(std::time::Instant::now() < deadline, "no {target}");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
    assert_eq!(server.get("/v/v3/v/v3/assets/search/index.js").0, 404);
}

fn file_url(path: &Path) -> String {
    let s = path.display().to_string();
    format!("file://{}", s.split('/').map(opsbook::links::encode_segment).collect::<Vec<_>>().join("/"))
}

#[test]
fn switching_version_in_a_browser_keeps_the_reader_on_the_page() {
    if !have_git() {
        return;
    }
    let Some(mut browser) = Browser::launch() else { return };
    let run = handbook().site.build(&[]);
    run.ok();
    let base = serve(&run.out_dir, "/handbook/");
    for start in [file_url(&run.out_dir.join("v/v1.0/guide/plan/index.html")), format!("{base}v/v1.0/guide/plan/")] {
        browser.goto(&start);
        browser.settle();
        let current = browser.eval("document.querySelector('[data-version-current]').textContent");
        assert_eq!(current, "2026 Q1", "versions.js names the version being read");
        let marked = browser.eval("document.querySelector('a[aria-current]').dataset.version");
        assert_eq!(marked, "v1.0");
        // Open the switcher and follow the link to latest: the renamed page.
        browser.eval("document.querySelector('.version-summary').click()");
        let visible = browser.eval("getComputedStyle(document.querySelector('.version-list')).display !== 'none'");
        assert_eq!(visible, Value::Bool(true));
        browser.eval("document.querySelector('a[data-version=latest]').click()");
        browser.wait_load();
        let url = browser.eval("location.href");
        assert!(url.as_str().unwrap_or("").ends_with("/guide/planning/index.html"), "{url}");
        assert!(!url.as_str().unwrap_or("").contains("/v/"), "{url}");
        assert_eq!(browser.eval("document.querySelector('a[aria-current]').dataset.version"), "latest");
    }
    // A page latest does not have: the switcher lands on latest's home.
    browser.goto(&file_url(&run.out_dir.join("v/v1.0/guide/old/index.html")));
    browser.eval("document.querySelector('a[data-version=latest]').click()");
    browser.wait_load();
    let url = browser.eval("location.href");
    assert_eq!(url.as_str().unwrap_or(""), file_url(&run.out_dir.join("index.html")));
    browser.viewport(1200, 800, false);
    browser.goto(&file_url(&run.out_dir.join("v/v1.0/guide/plan/index.html")));
    browser.eval("document.querySelector('.version-summary').click()");
    browser.screenshot("versions-switcher-open");
    browser.goto(&file_url(&run.out_dir.join("v/v2.0/changes/index.html")));
    browser.eval("document.querySelectorAll('details.changes-diff').forEach(d => d.open = true)");
    browser.screenshot("versions-what-changed");
    let problems = browser.take_problems();
    assert!(problems.is_empty(), "{problems:?}");
}

/// Every added and removed row of the "what changed" diffs: its class,
/// whether it is an even row (which tables stripe), its background, and the
/// lowest contrast of its text (line numbers and marked characters
/// included) against what is painted behind it; plus the colours the rows
/// should have and the stripe colour.
const DIFF_COLOURS: &str = r#"(() => {
  document.querySelectorAll('details.changes-diff').forEach(d => d.open = true);
  const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
  const rgba = c => {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = c;
    ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255];
  };
  const over = (top, under) => top.slice(0, 3).map((v, i) => v * top[3] + under[i] * (1 - top[3]));
  const behind = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      layers.push(c);
      if (c[3] === 1) break;
    }
    return layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255]);
  };
  const lum = c => {
    const [r, g, b] = c.map(v => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = el => {
    const bg = behind(el);
    const fg = over(rgba(getComputedStyle(el).color), bg);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  };
  const colour = v => {
    const p = document.createElement('div');
    p.style.background = `var(${v})`;
    document.body.append(p);
    const c = getComputedStyle(p).backgroundColor;
    p.remove();
    return c;
  };
  const rows = [...document.querySelectorAll('table.diff tr.diff-ins, table.diff tr.diff-del')].map(tr => ({
    class: tr.className,
    even: ([...tr.parentElement.children].indexOf(tr) + 1) % 2 === 0,
    background: getComputedStyle(tr).backgroundColor,
    contrast: Math.min(...[...tr.querySelectorAll('td.diff-ln, td.diff-text, ins, del')]
      .filter(e => e.textContent.trim()).map(contrast)),
  }));
  return { stripe: colour('--zebra'), ins: colour('--green-soft'), del: colour('--red-soft'), rows };
})()"#;

/// The widths of the diff's columns on the row of the long line.
const DIFF_LAYOUT: &str = r#"(() => {
  document.querySelectorAll('details.changes-diff').forEach(d => d.open = true);
  const row = [...document.querySelectorAll('table.diff tr')].find(r => r.textContent.includes('A long line'));
  row.scrollIntoView({ block: 'center' });
  const table = row.closest('table');
  const width = e => e.getBoundingClientRect().width;
  const text = row.cells[3];
  // Words of the prose that were split across two lines.
  const node = [...text.childNodes].find(n => n.nodeType === 3 && n.textContent.includes('A long line'));
  const prose = node.textContent.slice(0, node.textContent.indexOf(' with a link'));
  const split = [];
  for (const m of prose.matchAll(/\S+/g)) {
    const range = document.createRange();
    range.setStart(node, m.index);
    range.setEnd(node, m.index + m[0].length);
    if (range.getClientRects().length > 1) split.push(m[0]);
  }
  return {
    box: table.parentElement.clientWidth,
    table: width(table),
    numbers: [width(row.cells[0]), width(row.cells[1])],
    text: width(text),
    number_font: parseFloat(getComputedStyle(row.cells[0]).fontSize),
    text_font: parseFloat(getComputedStyle(text).fontSize),
    split,
  };
})()"#;

#[test]
fn what_changed_diff_keeps_its_colours_and_fits_a_phone() {
    let Some(mut browser) = Browser::launch() else { return };
    let run = Site::new()
        .file("opsbook.toml", "language = \"en\"\n[versions]\n")
        .file("content/_index.md", "# Now\n")
        .file(
            "content/guide.md",
            "# Guide\n\nKeep this line.\nNew line one, rewritten.\nNew line two.\nNew line three.\n\
             A long line of ordinary words that a phone has to wrap somewhere, to see whether it wraps at word \
             boundaries rather than every few characters, with a link \
             https://example.com/a/very/long/path/without/any/spaces/at/all/in/it and 中文的一行也要能好好地换行，\
             而不是每两三个字就换一行。\nKeep this too.\n",
        )
        .file("versions/2025/content/_index.md", "# Then\n")
        .file(
            "versions/2025/content/guide.md",
            "# Guide\n\nKeep this line.\nOld line one.\nOld line two.\nKeep this too.\n",
        )
        .build(&[]);
    run.ok();
    let page = file_url(&run.out_dir.join("changes/index.html"));
    browser.viewport(1200, 900, false);
    for dark in [false, true] {
        browser.dark(dark);
        browser.goto(&page);
        let seen = browser.eval(DIFF_COLOURS);
        let rows = seen["rows"].as_array().expect("rows");
        for class in ["diff-ins", "diff-del"] {
            assert!(rows.iter().any(|r| r["class"] == class && r["even"] == true), "no even {class} row: {seen}");
        }
        for row in rows {
            let want = if row["class"] == "diff-ins" { &seen["ins"] } else { &seen["del"] };
            assert_eq!(&row["background"], want, "dark: {dark}, a row lost its colour: {seen}");
            assert_ne!(row["background"], seen["stripe"], "dark: {dark}: {seen}");
        }
        for row in rows {
            assert!(row["contrast"].as_f64().is_some_and(|c| c >= 4.5), "dark: {dark}, contrast below AA: {seen}");
        }
        // Hovering does not take the colour away either.
        let at = browser.eval(
            "(() => { const r = [...document.querySelectorAll('table.diff tr.diff-ins')].find(r => \
             [...r.parentElement.children].indexOf(r) % 2 === 1); r.id = 'hovered'; r.scrollIntoView({ block: 'center' }); \
             const b = r.getBoundingClientRect(); return { x: b.left + b.width / 2, y: b.top + b.height / 2 }; })()",
        );
        browser
            .call("Input.dispatchMouseEvent", serde_json::json!({ "type": "mouseMoved", "x": at["x"], "y": at["y"] }));
        let hovered = browser.eval(
            "(() => { const r = document.getElementById('hovered'); \
             return r.matches(':hover') && getComputedStyle(r).backgroundColor; })()",
        );
        assert_eq!(hovered, seen["ins"], "dark: {dark}, hovered row");
        browser.screenshot(if dark { "versions-diff-dark" } else { "versions-diff-light" });
    }
    browser.dark(false);
    browser.viewport(390, 844, true);
    browser.goto(&page);
    let layout = browser.eval(DIFF_LAYOUT);
    browser.screenshot("versions-diff-phone");
    let num = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let table = num(&layout["table"]);
    assert!(table <= num(&layout["box"]) + 1.0, "the table fits its box and wraps its text: {layout}");
    assert!(num(&layout["text"]) >= 0.7 * table, "the text takes most of the width: {layout}");
    for n in layout["numbers"].as_array().expect("numbers") {
        assert!(num(n) <= 0.12 * table, "line numbers stay narrow: {layout}");
    }
    assert!(num(&layout["number_font"]) < num(&layout["text_font"]), "{layout}");
    assert_eq!(layout["split"], serde_json::json!([]), "words wrap whole: {layout}");
    let problems = browser.take_problems();
    assert!(problems.is_empty(), "{problems:?}");
}

/// The home page of each version lists its pages changed last, newest
/// first, by the commit that last changed each (a rename keeps the page's
/// history; a metric's page is its TOML file's); outside git, none.
#[test]
fn the_home_page_lists_the_pages_changed_last() {
    if !have_git() {
        return;
    }
    let run = handbook().site.build(&[]);
    run.ok();
    let recent = |rel: &str| {
        let html = run.read(rel);
        let list = fragment(&html, "<ol class=\"recent-list\">", "</ol>");
        list.split("<li class=\"recent-item\">")
            .skip(1)
            .map(|item| {
                // The text between `start` (and the end of its tag) and the next `<`.
                let text = |start: &str| {
                    let at = &item[item.find(start).map_or(item.len(), |i| i + start.len())..];
                    let at = &at[at.find('>').map_or(at.len(), |i| i + 1)..];
                    at[..at.find('<').unwrap_or(at.len())].to_string()
                };
                (text("<time"), text("class=\"recent-title\""), text("class=\"recent-summary\""))
            })
            .collect::<Vec<_>>()
    };
    let row = |d: &str, t: &str, s: &str| (d.to_string(), t.to_string(), s.to_string());
    assert_eq!(
        recent("index.html"),
        [
            row("2026-03-10", "Goals", "Weekly reviews"),
            row("2026-02-15", "DAU", "Goals every month; March DAU"),
            row("2026-02-10", "New page", "Add a new page"),
            row("2026-02-01", "Plan", "Rename the plan, drop the old page"),
            row("2026-01-05", "Ops", "First edition"),
        ]
    );
    // A metric's page has its file's dates and history, in each version.
    let history = |rel: &str| fragment(&run.read(rel), "<details class=\"page-history\"", "</details>");
    let dau = history("metrics/dau/index.html");
    assert!(dau.contains("March DAU") && dau.contains("First edition"), "{dau}");
    assert!(dau.contains("<p class=\"history-created\">"), "{dau}");
    let dau = history("v/v1.0/metrics/dau/index.html");
    assert!(dau.contains("First edition") && !dau.contains("March DAU"), "{dau}");
    assert!(run.read("index.html").contains("<a class=\"recent-title\" href=\"guide/goals/index.html\">Goals</a>"));
    // An older version lists its own pages as they were then.
    let v1 = recent("v/v1.0/index.html");
    assert_eq!(
        v1.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
        ["Ops", "Goals", "Old page", "Plan", "DAU"],
        "{v1:?}"
    );
    assert!(v1.iter().all(|r| r.0 == "2026-01-05" && r.2 == "First edition"), "{v1:?}");

    // Outside git there is no history to list.
    let plain =
        Site::new().file("opsbook.toml", "language = \"en\"\n").file("content/_index.md", "# Home\n").build(&[]);
    plain.ok();
    assert!(!plain.read("index.html").contains("recent-list"));
}
