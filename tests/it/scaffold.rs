//! `opsbook init`, `opsbook new`, completions and help: what a new user
//! runs first.

use crate::harness::{Site, opsbook, repo, snapshot_tree};

fn run(args: &[&str], dir: &std::path::Path) -> std::process::Output {
    opsbook().args(args).current_dir(dir).output().expect("run opsbook")
}

#[test]
fn init_then_build_produces_the_example_site() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let o = run(&["init", "handbook"], tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("next: cd handbook && opsbook serve"));
    let site = tmp.path().join("handbook");
    assert!(site.join("opsbook.toml").is_file() && site.join("content/playbooks/goals/okr.md").is_file());

    let built = opsbook().args(["build", "--today", "2026-11-24", "--root"]).arg(&site).output().expect("build");
    assert_eq!(built.status.code(), Some(0), "{}", String::from_utf8_lossy(&built.stderr));
    let example = Site::copy_of(&repo()).build(&[]);
    example.ok();
    let ours = snapshot_tree(&site.join("public"));
    let theirs = snapshot_tree(&example.out_dir);
    let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&ours), names(&theirs), "same files as the repository's example handbook");
    assert!(ours == theirs, "same bytes as the repository's example handbook");
}

#[test]
fn init_refuses_a_folder_with_files_unless_forced() {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::write(tmp.path().join("notes.txt"), "mine").expect("write");
    let o = run(&["init", "."], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is not empty"), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!tmp.path().join("opsbook.toml").exists(), "nothing written");

    let o = run(&["init", ".", "--force"], tmp.path());
    assert_eq!(o.status.code(), Some(0));
    assert!(tmp.path().join("opsbook.toml").exists());
    assert_eq!(std::fs::read_to_string(tmp.path().join("notes.txt")).ok().as_deref(), Some("mine"));

    let git_only = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(git_only.path().join(".git")).expect("mkdir");
    assert_eq!(run(&["init"], git_only.path()).status.code(), Some(0), "a fresh `git init` folder is fine");
}

#[test]
fn new_scaffolds_files_that_build() {
    let tmp = tempfile::tempdir().expect("temp dir");
    assert_eq!(run(&["init", "site"], tmp.path()).status.code(), Some(0));
    let site = tmp.path().join("site");
    for args in [
        ["new", "playbook", "growth/referral-program", "--owner", "林晓"],
        ["new", "metric", "retention_d30", "--owner", "周明远"],
        ["new", "competitor", "新竞品", "--owner", "王磊"],
    ] {
        let o = run(&args, &site);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    }
    let today = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date().to_string();
    let playbook = std::fs::read_to_string(site.join("content/playbooks/growth/referral-program.md")).expect("read");
    assert!(playbook.contains("title = \"Referral program\"") && playbook.contains("owner = \"林晓\""), "{playbook}");
    assert!(playbook.contains(&format!("reviewed = {today}")), "{playbook}");
    let metric = std::fs::read_to_string(site.join("content/metrics/retention_d30.toml")).expect("read");
    assert!(metric.contains(&format!("start = {today}")), "{metric}");
    let note = std::fs::read_to_string(site.join("content/competitors/新竞品.md")).expect("read");
    assert!(
        note.contains("name = \"新竞品\"") && note.contains("\"产品体验\" = 3"),
        "the site's score dimensions: {note}"
    );

    let built = opsbook().args(["build", "--root"]).arg(&site).output().expect("build");
    assert_eq!(built.status.code(), Some(0), "{}", String::from_utf8_lossy(&built.stderr));
    assert!(site.join("public/playbooks/growth/referral-program/index.html").is_file());

    let again = run(&["new", "playbook", "growth/referral-program"], &site);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let bad = run(&["new", "metric", "Bad Id"], &site);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a valid metric id"));
}

#[test]
fn help_has_examples_and_completions_work() {
    let here = std::env::temp_dir();
    let help = String::from_utf8_lossy(&run(&["--help"], &here).stdout).into_owned();
    for word in ["Examples:", "init", "serve", "check", "new", "build", "completions"] {
        assert!(help.contains(word), "{word} missing from --help:\n{help}");
    }
    for sub in ["build", "check", "serve", "init", "new", "completions"] {
        let text = String::from_utf8_lossy(&run(&[sub, "--help"], &here).stdout).into_owned();
        assert!(text.contains("Examples:"), "`{sub} --help` has examples:\n{text}");
    }
    for shell in ["bash", "zsh", "fish"] {
        let o = run(&["completions", shell], &here);
        assert_eq!(o.status.code(), Some(0));
        let script = String::from_utf8_lossy(&o.stdout);
        assert!(script.contains("opsbook") && script.contains("serve"), "{shell}");
    }
}
