//! Skipping a build when nothing changed: `opsbook build` run twice in a row
//! does the work once.
//!
//! After a successful build a manifest is written beside the output folder,
//! hidden like the staging folder (`.<out>.opsbook-manifest`, never inside the
//! site). It holds a fingerprint of everything the build read — opsbook
//! itself (version and the executable's metadata, so a rebuilt opsbook
//! trusts no old manifest), the options (site and output folders, drafts,
//! strict, the build date), `opsbook.toml`, every file under the content,
//! static, `templates/` and theme folders (and version snapshots), and the
//! git refs the site reads (HEAD, and the tags and branches `[versions]`
//! picks) — plus the state of the output it wrote, the page counts and the
//! warnings. The next build takes the fingerprint first; when it matches and
//! the output is as the build left it, nothing is built or written, and the
//! same warnings are printed again.
//!
//! A file is fingerprinted by its metadata, as git's index does: path, size,
//! modification and change times in nanoseconds, inode. A file modified less
//! than [`RACY`] before the fingerprint was taken could change again within
//! the same timestamp tick without its metadata showing it ("racy git"), so
//! its content is hashed too and compared on the next run. The fingerprint
//! is taken *before* the build reads anything, so an edit made while a build
//! runs is never recorded as built. The output is compared by metadata only
//! (paths, sizes, modification times, inodes): any later edit, deletion or
//! addition there makes the next build a full one.
//!
//! **Invariant:** a manifest exists only for inputs that built successfully
//! into the output it describes: it is removed before a build starts and
//! written, atomically, only after the new output was swapped in.

use std::collections::HashMap;
use std::hash::Hasher as _;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, Severity, Span};
use crate::output::FileStamp;
use crate::{BuildOptions, SiteDir};
use state::{output_state, staged_state};

mod state;

/// Files modified this close to when the fingerprint is taken (or later) are
/// also compared by content. Two seconds covers the coarsest timestamps in
/// use (FAT's).
pub const RACY: Duration = Duration::from_secs(2);

/// Bumped whenever the manifest's shape or meaning changes.
const FORMAT: u32 = 2;

/// The fingerprint of a build's inputs, taken before the build.
pub struct Inputs {
    entries: Vec<Entry>,
    /// When it was taken, in nanoseconds since the epoch.
    taken: i128,
    /// False when opsbook cannot tell its own executable apart from another
    /// build of it: then no manifest is trusted or written.
    trusted: bool,
}

/// One thing a build depends on.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    /// What it is: `option drafts`, `git HEAD`, `content:guide/a.md`, …
    key: String,
    /// Its state: a value, or a file's size, times and inode.
    value: String,
    /// A hash of a racy file's bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hash: Option<u64>,
    /// The file on disk and its modification time (ns), for hashing.
    #[serde(skip)]
    file: Option<(PathBuf, i128)>,
}

#[derive(Serialize, Deserialize)]
struct Manifest {
    format: u32,
    inputs: Vec<Entry>,
    /// The output folder as the build left it.
    output: String,
    pages: usize,
    files: usize,
    diagnostics: Vec<Saved>,
}

/// A diagnostic as the manifest keeps it (with the source line, which the
/// JSON report leaves out).
#[derive(Serialize, Deserialize)]
struct Saved {
    error: bool,
    message: String,
    /// File, line, column, length, source line.
    span: Option<(String, usize, usize, usize, String)>,
    hints: Vec<String>,
}

/// What the last build reported, when nothing changed since.
#[derive(Debug)]
pub struct Previous {
    pub pages: usize,
    pub files: usize,
    pub diagnostics: Vec<Diagnostic>,
}

/// Where the manifest of the site built into `output` lives: beside it,
/// hidden, like the staging folder.
pub fn manifest_path(output: &Path) -> PathBuf {
    let out = crate::output::absolute(output);
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into());
    out.parent().unwrap_or(&out).join(format!(".{name}.opsbook-manifest"))
}

impl Inputs {
    /// Takes the fingerprint of everything a build of `dir` into `output`
    /// with `opts` would read. Only metadata is read here.
    pub fn take(opts: &BuildOptions, dir: &SiteDir, output: &Path) -> Inputs {
        let taken = nanos(SystemTime::now());
        let mut inputs = Inputs { entries: Vec::new(), taken, trusted: true };
        match binary() {
            Some(b) => inputs.push("opsbook", b),
            None => inputs.trusted = false,
        }
        inputs.push("option root", crate::output::absolute(&dir.root).display().to_string());
        inputs.push("option output", crate::output::absolute(output).display().to_string());
        inputs.push("option drafts", opts.drafts.to_string());
        inputs.push("option strict", opts.strict.to_string());
        inputs.push("option today", dir.today.to_string());
        inputs.git(dir);
        let config = &dir.config;
        inputs.file("config", &dir.root.join(crate::config::FILE_NAME));
        inputs.walk("content", &dir.content_dir, true);
        inputs.walk("static", &dir.root.join(&config.static_dir), false);
        inputs.walk("templates", &dir.root.join("templates"), false);
        if let Some(theme) = &config.theme {
            inputs.walk("theme", &dir.root.join("themes").join(theme), false);
        }
        if let Some(v) = &config.versions {
            inputs.walk("snapshots", &dir.root.join(&v.snapshots), false);
        }
        inputs
    }

    /// The last build's report when its manifest matches these inputs and
    /// the output is as that build left it; `None` means build.
    pub fn unchanged(&mut self, output: &Path) -> Option<Previous> {
        if !self.trusted {
            return None;
        }
        let path = manifest_path(output);
        let mut manifest: Manifest = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
        if manifest.format != FORMAT || !self.same_as(&manifest.inputs) || output_state(output) != manifest.output {
            return None;
        }
        // Racy files that have settled since need no hash any more (git's
        // index refresh): later edits will show in their metadata.
        let mut settled = false;
        for (old, new) in manifest.inputs.iter_mut().zip(&self.entries) {
            if old.hash.is_some() && new.hash.is_none() {
                old.hash = None;
                settled = true;
            }
        }
        if settled {
            let _ = write_atomic(&path, &manifest);
        }
        Some(Previous {
            pages: manifest.pages,
            files: manifest.files,
            diagnostics: manifest.diagnostics.into_iter().map(Saved::into_diagnostic).collect(),
        })
    }

    /// Before a build: removes the manifest (it describes an output about
    /// to be replaced) and hashes the racy files.
    pub fn prepare(&mut self, output: &Path) {
        let _ = std::fs::remove_file(manifest_path(output));
        let taken = self.taken;
        self.entries.par_iter_mut().filter(|e| e.hash.is_none() && e.is_racy(taken)).for_each(|e| {
            e.hash = e.file.as_ref().map(|(p, _)| hash_file(p));
        });
    }

    /// After a successful build into `output` (already swapped in): writes
    /// the manifest. `staged` is every file the build wrote, by its path in
    /// the site (else the output is listed). Call [`Inputs::prepare`] before
    /// the build.
    pub fn record(
        &self,
        output: &Path,
        staged: Option<&HashMap<String, FileStamp>>,
        pages: usize,
        files: usize,
        diagnostics: &[Diagnostic],
    ) -> std::io::Result<()> {
        if !self.trusted {
            return Ok(());
        }
        let manifest = Manifest {
            format: FORMAT,
            inputs: self.entries.clone(),
            output: match staged {
                Some(files) => staged_state(output, files),
                None => output_state(output),
            },
            pages,
            files,
            diagnostics: diagnostics.iter().map(Saved::from).collect(),
        };
        write_atomic(&manifest_path(output), &manifest)
    }

    /// Same keys and values as `recorded`, and the same bytes in every file
    /// that was racy when `recorded` was taken. Hashes computed for files
    /// still racy now are kept for the next manifest.
    fn same_as(&mut self, recorded: &[Entry]) -> bool {
        if recorded.len() != self.entries.len()
            || recorded.iter().zip(&self.entries).any(|(a, b)| a.key != b.key || a.value != b.value)
        {
            return false;
        }
        let taken = self.taken;
        self.entries.par_iter_mut().zip(recorded).filter(|(_, old)| old.hash.is_some()).all(|(new, old)| {
            let Some((path, _)) = &new.file else { return false };
            let hash = hash_file(path);
            if new.is_racy(taken) {
                new.hash = Some(hash);
            }
            old.hash == Some(hash)
        })
    }

    fn push(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.entries.push(Entry { key: key.into(), value: value.into(), hash: None, file: None });
    }

    /// One file, by its metadata (`absent` when it does not exist).
    fn file(&mut self, key: &str, path: &Path) {
        self.entries.push(file_entry(key.to_string(), path.to_path_buf()));
    }

    /// Every file and folder under `dir`, sorted, links followed as the
    /// content loader follows them; hidden ones left out when the loader
    /// leaves them out (`skip_hidden`).
    fn walk(&mut self, label: &str, dir: &Path, skip_hidden: bool) {
        if !dir.is_dir() {
            self.push(label, "absent");
            return;
        }
        let walker = walkdir::WalkDir::new(dir)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| !skip_hidden || e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        // The walk lists (a file as its path, anything else as its value);
        // the files' metadata is then read on every core: a big handbook
        // has tens of thousands, and every build starts here.
        let listed: Vec<(String, Result<PathBuf, String>)> = walker
            .map(|entry| match entry {
                Ok(e) => {
                    let key = format!("{label}:{}", crate::diagnostics::display_path(e.path(), dir));
                    let t = e.file_type();
                    let what = if t.is_file() {
                        Ok(e.into_path())
                    } else {
                        Err(if t.is_dir() { "dir" } else { "other" }.to_string())
                    };
                    (key, what)
                }
                Err(err) => {
                    let at = err.path().map(|p| crate::diagnostics::display_path(p, dir)).unwrap_or_default();
                    (format!("{label}:{at}"), Err(format!("error {err}")))
                }
            })
            .collect();
        let entries: Vec<Entry> = listed
            .into_par_iter()
            .map(|(key, what)| match what {
                Ok(path) => file_entry(key, path),
                Err(value) => Entry { key, value, hash: None, file: None },
            })
            .collect();
        self.entries.extend(entries);
    }

    /// The commits the build reads: HEAD (page dates) and, with
    /// `[versions]`, every matching tag and named branch.
    fn git(&mut self, dir: &SiteDir) {
        let repo = match crate::git::Repo::discover(&dir.root) {
            Ok(Some(repo)) => repo,
            Ok(None) => return self.push("git", "none"),
            Err(e) => return self.push("git", format!("error {e}")),
        };
        self.push("git HEAD", repo.head().map_or("none".to_string(), |id| id.to_string()));
        self.push("git shallow", repo.is_shallow().to_string());
        let Some(v) = &dir.config.versions else { return };
        if let Some(pattern) = &v.tags {
            match repo.tags() {
                Ok(tags) => {
                    for t in tags.into_iter().filter(|t| crate::versions::glob(pattern, &t.name)) {
                        self.push(format!("git tag {}", t.name), t.commit.to_string());
                    }
                }
                Err(e) => self.push("git tags", format!("error {e}")),
            }
        }
        for b in v.branches.iter().chain(&v.default) {
            self.push(format!("git branch {b}"), repo.branch(b).map_or("absent".to_string(), |id| id.to_string()));
        }
    }
}

impl Entry {
    /// Modified too close to `taken` (or after it) for its metadata to be
    /// trusted alone.
    fn is_racy(&self, taken: i128) -> bool {
        self.file.as_ref().is_some_and(|(_, mtime)| *mtime > taken - RACY.as_nanos() as i128)
    }
}

/// This executable: the version, and the metadata of the file, which
/// changes whenever opsbook is rebuilt.
fn binary() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(exe).ok()?;
    Some(format!("{} {}", env!("CARGO_PKG_VERSION"), stat(&meta)))
}

/// A file's entry, by its metadata (`absent` when it does not exist).
fn file_entry(key: String, path: PathBuf) -> Entry {
    match std::fs::metadata(&path) {
        Ok(m) => {
            let modified = m.modified().map(nanos).unwrap_or(i128::MAX);
            Entry { key, value: stat(&m), hash: None, file: Some((path, modified)) }
        }
        Err(_) => Entry { key, value: "absent".to_string(), hash: None, file: None },
    }
}

/// Size, modification and change times (ns) and inode.
fn stat(m: &std::fs::Metadata) -> String {
    let mtime = m.modified().map(nanos).unwrap_or_default();
    let (ctime, inode) = ids(m);
    format!("{} {mtime} {ctime} {inode}", m.len())
}

#[cfg(unix)]
fn ids(m: &std::fs::Metadata) -> (i128, u64) {
    use std::os::unix::fs::MetadataExt as _;
    (i128::from(m.ctime()) * 1_000_000_000 + i128::from(m.ctime_nsec()), m.ino())
}

#[cfg(not(unix))]
fn ids(_: &std::fs::Metadata) -> (i128, u64) {
    (0, 0)
}

fn nanos(t: SystemTime) -> i128 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

/// A hash of a file's bytes (with a marker for an unreadable file). The
/// standard hasher is stable within one executable, and a manifest is only
/// read by the executable that wrote it.
fn hash_file(path: &Path) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    let Ok(mut f) = std::fs::File::open(path) else { return 0 };
    let mut buf = vec![0; 64 * 1024];
    loop {
        match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => h.write(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return 0,
        }
    }
    h.write_u8(0xff);
    h.finish()
}

/// Writes the manifest to a temporary file and renames it into place.
fn write_atomic(path: &Path, manifest: &Manifest) -> std::io::Result<()> {
    let tmp = path.with_extension("opsbook-manifest.tmp");
    std::fs::write(&tmp, serde_json::to_vec(manifest).map_err(std::io::Error::other)?)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

impl From<&Diagnostic> for Saved {
    fn from(d: &Diagnostic) -> Saved {
        Saved {
            error: d.is_error(),
            message: d.message.clone(),
            span: d.span.as_ref().map(|s| (s.file.clone(), s.line, s.column, s.length, s.source_line.clone())),
            hints: d.hints.clone(),
        }
    }
}

impl Saved {
    fn into_diagnostic(self) -> Diagnostic {
        Diagnostic {
            severity: if self.error { Severity::Error } else { Severity::Warning },
            message: self.message,
            span: self.span.map(|(file, line, column, length, source_line)| Span {
                file,
                line,
                column,
                length,
                source_line,
            }),
            hints: self.hints,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A site in a temp dir with one page, one data file and an output
    /// folder holding one file; its build options and opened folder.
    fn site() -> (tempfile::TempDir, BuildOptions, SiteDir, PathBuf) {
        let tmp = tempfile::tempdir().expect("temp dir");
        let root = tmp.path().join("site");
        std::fs::create_dir_all(root.join("content/metrics")).expect("mkdir");
        std::fs::write(root.join("content/a.md"), "# A\n").expect("write");
        std::fs::write(root.join("content/metrics/m.toml"), "title = \"M\"\n").expect("write");
        let out = root.join("public");
        std::fs::create_dir_all(&out).expect("mkdir");
        std::fs::write(out.join("index.html"), "<p>A</p>").expect("write");
        let opts = BuildOptions { root: root.clone(), ..Default::default() };
        let dir = crate::open(&opts, false).expect("open");
        (tmp, opts, dir, out)
    }

    fn warning() -> Diagnostic {
        Diagnostic::warning("broken link `x.md`")
            .at(Span::from_offset("content/a.md", "# A\n[x](x.md)\n", 4, 9))
            .hint("check the path")
    }

    /// Takes a fingerprint and records it as a build of `out` with one warning.
    fn record(opts: &BuildOptions, dir: &SiteDir, out: &Path) {
        let mut inputs = Inputs::take(opts, dir, out);
        inputs.prepare(out);
        inputs.record(out, None, 1, 2, &[warning()]).expect("record");
    }

    fn unchanged(opts: &BuildOptions, dir: &SiteDir, out: &Path) -> bool {
        Inputs::take(opts, dir, out).unchanged(out).is_some()
    }

    /// Sets a file's modification time `secs` seconds back.
    fn age(path: &Path, secs: u64) {
        let f = std::fs::File::options().write(true).open(path).expect("open");
        f.set_modified(SystemTime::now() - Duration::from_secs(secs)).expect("set mtime");
    }

    #[test]
    fn manifest_sits_beside_the_output() {
        let check = |out: &str, expected: &str| assert_eq!(manifest_path(Path::new(out)), Path::new(expected), "{out}");
        check("/srv/site/public", "/srv/site/.public.opsbook-manifest");
        check("/srv/site/public/", "/srv/site/.public.opsbook-manifest");
        check("/srv/site/./www/../public", "/srv/site/.public.opsbook-manifest");
        check("/", "/.public.opsbook-manifest");
    }

    #[test]
    fn nothing_changed_gives_back_counts_and_warnings() {
        let (_tmp, opts, dir, out) = site();
        assert!(!unchanged(&opts, &dir, &out), "no manifest yet");
        record(&opts, &dir, &out);
        assert!(!out.join(".public.opsbook-manifest").exists(), "never inside the site");
        let last = Inputs::take(&opts, &dir, &out).unchanged(&out).expect("up to date");
        assert_eq!((last.pages, last.files), (1, 2));
        assert_eq!(last.diagnostics, [warning()], "the same warning, source line and all");
    }

    #[test]
    fn every_input_and_the_output_count() {
        type Change = fn(&Path, &Path, &mut BuildOptions, &mut SiteDir);
        let changes: [(&str, Change); 11] = [
            ("page edited", |root, _, _, _| std::fs::write(root.join("content/a.md"), "# B\n").expect("write")),
            ("page added", |root, _, _, _| std::fs::write(root.join("content/b.md"), "# B\n").expect("write")),
            ("page removed", |root, _, _, _| std::fs::remove_file(root.join("content/a.md")).expect("rm")),
            ("data edited", |root, _, _, _| {
                std::fs::write(root.join("content/metrics/m.toml"), "title = \"N\"\n").expect("write")
            }),
            ("config added", |root, _, _, _| std::fs::write(root.join("opsbook.toml"), "").expect("write")),
            ("template added", |root, _, _, _| {
                std::fs::create_dir_all(root.join("templates")).expect("mkdir");
                std::fs::write(root.join("templates/page.html"), "x").expect("write");
            }),
            ("static folder added", |root, _, _, _| std::fs::create_dir_all(root.join("static")).expect("mkdir")),
            ("drafts", |_, _, opts, _| opts.drafts = true),
            ("another day", |_, _, _, dir| dir.today = dir.today.tomorrow().expect("date")),
            ("output edited", |_, out, _, _| std::fs::write(out.join("index.html"), "<p>B</p>").expect("write")),
            ("output removed", |_, out, _, _| std::fs::remove_dir_all(out).expect("rm")),
        ];
        for (what, change) in changes {
            let (_tmp, mut opts, mut dir, out) = site();
            record(&opts, &dir, &out);
            assert!(unchanged(&opts, &dir, &out), "{what}: up to date before the change");
            change(&dir.root.clone(), &out, &mut opts, &mut dir);
            assert!(!unchanged(&opts, &dir, &out), "{what}: not noticed");
        }
    }

    #[test]
    fn hidden_content_files_are_not_inputs() {
        let (_tmp, opts, dir, out) = site();
        record(&opts, &dir, &out);
        std::fs::write(dir.content_dir.join(".a.md.swp"), "x").expect("write");
        assert!(unchanged(&opts, &dir, &out));
    }

    #[test]
    fn racy_files_are_hashed_and_settled_ones_are_not() {
        let (_tmp, opts, dir, out) = site();
        age(&dir.content_dir.join("a.md"), 3600);
        let mut inputs = Inputs::take(&opts, &dir, &out);
        inputs.prepare(&out);
        let hashed: Vec<&str> = inputs.entries.iter().filter(|e| e.hash.is_some()).map(|e| e.key.as_str()).collect();
        assert_eq!(hashed, ["content:metrics/m.toml"]);
    }

    #[test]
    fn a_racy_file_is_compared_by_content() {
        // Same metadata as recorded (an edit within one timestamp tick):
        // only the bytes can tell.
        let (_tmp, opts, dir, out) = site();
        let page = dir.content_dir.join("a.md");
        let mut inputs = Inputs::take(&opts, &dir, &out);
        inputs.prepare(&out);
        let recorded = inputs.entries.clone();
        assert!(inputs.same_as(&recorded), "same bytes");
        std::fs::write(&page, "# B\n").expect("write");
        let mut now = Inputs::take(&opts, &dir, &out);
        // Pretend the metadata did not move.
        for (n, r) in now.entries.iter_mut().zip(&recorded) {
            n.value = r.value.clone();
        }
        assert!(!now.same_as(&recorded), "different bytes, same metadata");
    }

    #[test]
    fn settled_files_lose_their_hash_in_the_manifest() {
        let (_tmp, opts, dir, out) = site();
        record(&opts, &dir, &out);
        let read = || -> Manifest {
            serde_json::from_slice(&std::fs::read(manifest_path(&out)).expect("read")).expect("parse")
        };
        assert!(read().inputs.iter().any(|e| e.hash.is_some()), "just written files are racy");
        let mut later = Inputs::take(&opts, &dir, &out);
        later.taken += 10 * RACY.as_nanos() as i128;
        assert!(later.unchanged(&out).is_some());
        assert!(read().inputs.iter().all(|e| e.hash.is_none()), "settled");
        assert!(unchanged(&opts, &dir, &out), "still up to date");
    }

    #[test]
    fn prepare_removes_the_manifest() {
        let (_tmp, opts, dir, out) = site();
        record(&opts, &dir, &out);
        Inputs::take(&opts, &dir, &out).prepare(&out);
        assert!(!manifest_path(&out).exists());
        assert!(!unchanged(&opts, &dir, &out));
    }
}
