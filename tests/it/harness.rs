//! A chainable helper: make a site in a temp dir (from a fixture or from
//! inline files), run the real binary on it, and look at what it produced.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

pub struct Site {
    dir: Arc<tempfile::TempDir>,
}

/// The result of one run; it keeps the site's temp dir alive.
pub struct Run {
    pub output: Output,
    pub out_dir: PathBuf,
    root: PathBuf,
    _site: Arc<tempfile::TempDir>,
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared`, where the corpora live; `None` when absent (tests skip).
pub fn shared() -> Option<PathBuf> {
    let p = repo().join("..").join("shared");
    p.join("corpora").is_dir().then_some(p)
}

impl Site {
    pub fn new() -> Site {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("content")).expect("content dir");
        Site { dir: Arc::new(dir) }
    }

    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> Site {
        let site = Site { dir: Arc::new(tempfile::tempdir().expect("temp dir")) };
        copy_dir(&repo().join("tests/fixtures").join(name), site.dir.path());
        site
    }

    /// A copy of any folder (the example handbook, a corpus).
    pub fn copy_of(path: &Path) -> Site {
        let site = Site { dir: Arc::new(tempfile::tempdir().expect("temp dir")) };
        copy_dir(path, site.dir.path());
        site
    }

    pub fn file(self, rel: &str, text: &str) -> Site {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
        self
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `opsbook build --root <site> --output <site>/public` plus `args`.
    pub fn build(&self, args: &[&str]) -> Run {
        let out_dir = self.root().join("public");
        let output = opsbook()
            .arg("build")
            .arg("--root")
            .arg(self.root())
            .arg("--output")
            .arg(&out_dir)
            .args(["--today", "2026-11-24"])
            .args(args)
            .output()
            .expect("run opsbook");
        Run { output, out_dir, root: self.root().to_path_buf(), _site: Arc::clone(&self.dir) }
    }
}

pub fn opsbook() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_opsbook"));
    c.env("NO_COLOR", "1");
    c
}

impl Run {
    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }

    #[track_caller]
    pub fn ok(&self) -> &Run {
        assert_eq!(self.code(), 0, "build failed:\n{}", self.stderr());
        self
    }

    #[track_caller]
    pub fn fails(&self, code: i32) -> &Run {
        assert_eq!(self.code(), code, "unexpected exit code; stderr:\n{}", self.stderr());
        self
    }

    /// stderr with the temp dir and timings redacted, for snapshots.
    pub fn stderr(&self) -> String {
        let text = String::from_utf8_lossy(&self.output.stderr).into_owned();
        let text = text.replace(&self.root.display().to_string(), "[SITE]");
        text.lines()
            .map(|l| match l.find(" (").filter(|_| l.starts_with("built ")) {
                // Page counts stay; file counts and timings vary with the theme and machine.
                Some(i) => format!("{} ([FILES]) into [OUT]", &l[..i]),
                None => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.out_dir.join(rel).exists()
    }

    #[track_caller]
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.out_dir.join(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    }

    /// The `<main>` element of an output page: what a snapshot should hold.
    #[track_caller]
    pub fn main(&self, rel: &str) -> String {
        let html = self.read(rel);
        let start = html.find("<main").unwrap_or_else(|| panic!("{rel} has no <main>"));
        let end = html.rfind("</main>").map_or(html.len(), |e| e + "</main>".len());
        html[start..end].to_string()
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().filter_map(Result::ok) {
        let rel = entry.path().strip_prefix(from).expect("prefix");
        let first = rel.components().next().map(|c| c.as_os_str().to_string_lossy().into_owned());
        if matches!(first.as_deref(), Some("target" | "public" | ".git")) {
            continue;
        }
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}

/// Every file under `dir` with its bytes, for comparing two builds.
pub fn snapshot_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("prefix").to_string_lossy().into_owned();
            (rel, std::fs::read(e.path()).expect("read"))
        })
        .collect();
    files.sort();
    files
}

/// A Markdown host with no site around it: every link is external (or, with
/// `md_missing`, a `.md` link is a missing page), no data blocks.
pub struct BareHost {
    pub md_missing: bool,
}

impl opsbook::markdown::Host for BareHost {
    fn link(&self, dest: &str) -> opsbook::markdown::Link {
        use opsbook::markdown::Target;
        let target =
            if self.md_missing && dest.ends_with(".md") { Target::Missing("test".into()) } else { Target::External };
        opsbook::markdown::Link { href: dest.to_string(), target }
    }
    fn data_block(
        &self,
        _: &str,
        _: &str,
        _: &opsbook::markdown::BlockSource,
    ) -> Option<Result<String, Vec<opsbook::diagnostics::Diagnostic>>> {
        None
    }
    fn alert_title(&self, kind: &str) -> String {
        kind.to_string()
    }
}
