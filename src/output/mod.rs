//! Writing the site atomically.
//!
//! Everything is written to a staging folder beside the output folder and
//! swapped in with two renames only when the build succeeded, so a failed or
//! killed build leaves the last good site untouched. The output folder is
//! never the site or content folder, nor one of their parents: opsbook
//! refuses rather than deletes.
//!
//! The replaced site is not deleted by the build that replaced it: it is
//! renamed aside (`.<out>.opsbook-trash-…`) and deleted by the next build,
//! on a thread of its own while that build renders. Deleting a tree of
//! thousands of files is mostly waiting on the file system (~0.9 s for a
//! 10,000-page site on ext4), and an edit-and-rebuild used to wait for it.

use std::borrow::Cow;
use std::io::{self, Write as _};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use crate::diagnostics::Diagnostic;
use crate::fasthash::FastMap;

mod known;
use known::{Hash, Known};

pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    /// Whether a previous site exists to hard-link unchanged files from.
    previous: bool,
    /// What the last build wrote there, so unchanged files are linked
    /// without being read back.
    known: Known,
    /// Every file staged, by its path inside the site, as `fresh` records
    /// the output — so the output is not listed again after the build —
    /// with the hash of its bytes when it was written from memory.
    staged: Mutex<FastMap<String, (FileStamp, Option<Hash>)>>,
    /// Deleting the sites earlier builds replaced (joined before the
    /// build returns, so no deletion outlives it).
    sweeper: Option<std::thread::JoinHandle<()>>,
}

/// A file as the output fingerprint sees it: size, modification time (ns)
/// and inode. Not the change time, which linking and unlinking other names
/// of the same file move (the previous output is deleted after the swap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    pub len: u64,
    pub mtime: i128,
    pub inode: u64,
}

impl FileStamp {
    pub fn of(m: &std::fs::Metadata) -> FileStamp {
        let mtime = match m.modified().map(|t| t.duration_since(std::time::UNIX_EPOCH)) {
            Ok(Ok(d)) => d.as_nanos() as i128,
            Ok(Err(e)) => -(e.duration().as_nanos() as i128),
            Err(_) => 0,
        };
        FileStamp { len: m.len(), mtime, inode: inode(m) }
    }
}

#[cfg(unix)]
fn inode(m: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(m)
}

#[cfg(not(unix))]
fn inode(_: &std::fs::Metadata) -> u64 {
    0
}

/// Refuses output folders that would delete or pollute the sources.
pub fn check_target(root: &Path, content: &Path, output: &Path) -> Result<(), Diagnostic> {
    let root = absolute(root);
    let content = absolute(content);
    let out = absolute(output);
    let shown = output.display();
    let refuse = |why: &str| {
        Err(Diagnostic::error(format!("refusing to write the site to `{shown}`: {why}"))
            .hint("choose another folder with `--output`, such as `public`"))
    };
    if out == root || root.starts_with(&out) {
        return refuse("it is the site folder or contains it, and building would delete it");
    }
    if out == content || content.starts_with(&out) {
        return refuse("it is the content folder or contains it");
    }
    if out.starts_with(&content) {
        return refuse("it is inside the content folder");
    }
    Ok(())
}

/// An absolute, normalised path without touching the disk for parts that do
/// not exist yet; existing prefixes are canonicalised (symlinks resolved).
pub(crate) fn absolute(path: &Path) -> PathBuf {
    let joined =
        if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(path) };
    let mut normal = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    // Canonicalise the longest existing prefix.
    let mut existing = normal.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(name) => rest.push(name.to_owned()),
            None => break,
        }
        existing.pop();
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    out
}

impl Staging {
    pub fn new(target: &Path) -> io::Result<Staging> {
        let target = absolute(target);
        let parent = target.parent().map(Path::to_path_buf).unwrap_or_default();
        std::fs::create_dir_all(&parent)?;
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into());
        let dir = parent.join(format!(".{name}.opsbook-staging"));
        let old = old_path(&dir);
        if !target.exists() && old.is_dir() {
            // A build was killed between the two renames of `commit`: the
            // previous site is still whole under the old name; put it back.
            std::fs::rename(&old, &target)?;
        } else if old.is_dir() {
            // Killed after them: the old name holds a replaced site.
            std::fs::rename(&old, trash_path(&target))?;
        }
        if dir.exists() {
            // Left behind by a build that was killed: never part of the site.
            remove_tree(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        let previous = target.is_dir();
        let known = if previous { Known::load(&target) } else { Known::default() };
        let sweeper = sweep(&target);
        Ok(Staging { dir, target, previous, known, staged: Mutex::default(), sweeper })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Writes `bytes` to `rel` (a `/`-separated path inside the site).
    ///
    /// A file whose bytes are the same as in the previous output is hard-linked
    /// from there instead of written: on a rebuild most files are unchanged,
    /// and a link costs no new inode or data block (the old tree is removed
    /// after the swap, leaving the linked files in place).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        let path = self.file_path(rel)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let hash = known::hash(bytes);
        if self.link_unchanged(rel, &path, bytes.len() as u64, Some(hash), || Ok(Cow::Borrowed(bytes)))? {
            return Ok(());
        }
        let mut file = std::fs::File::create(path)?;
        file.write_all(bytes)?;
        self.staged(rel, &file.metadata()?, Some(hash));
        Ok(())
    }

    pub fn copy(&self, rel: &str, from: &Path) -> io::Result<()> {
        let path = self.file_path(rel)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let len = std::fs::metadata(from)?.len();
        if self.link_unchanged(rel, &path, len, None, || std::fs::read(from).map(Cow::Owned))? {
            return Ok(());
        }
        std::fs::copy(from, &path)?;
        self.staged(rel, &std::fs::symlink_metadata(&path)?, None);
        Ok(())
    }

    fn staged(&self, rel: &str, meta: &std::fs::Metadata, hash: Option<Hash>) {
        let stamp = FileStamp::of(meta);
        if let Ok(mut m) = self.staged.lock() {
            m.insert(normal(rel), (stamp, hash));
        }
    }

    /// Every file staged so far, by its path inside the site.
    pub fn staged_files(&self) -> std::collections::HashMap<String, FileStamp> {
        self.staged.lock().map(|m| m.iter().map(|(k, (s, _))| (k.clone(), *s)).collect()).unwrap_or_default()
    }

    /// Links `path` to the previous output's `rel` when that file holds the
    /// same bytes; `Ok(false)` when it does not (or cannot be linked). The
    /// last build's record of the file (its stamp unchanged since) answers
    /// by `hash`; without one the old file is read and compared.
    fn link_unchanged<'b>(
        &self,
        rel: &str,
        path: &Path,
        len: u64,
        hash: Option<Hash>,
        bytes: impl FnOnce() -> io::Result<Cow<'b, [u8]>>,
    ) -> io::Result<bool> {
        if !self.previous {
            return Ok(false);
        }
        let mut previous = self.target.clone();
        for seg in rel.split('/').filter(|s| !s.is_empty() && *s != ".") {
            previous.push(seg);
        }
        let meta = match std::fs::symlink_metadata(&previous) {
            Ok(meta) if meta.is_file() && meta.len() == len => meta,
            _ => return Ok(false),
        };
        let same = match (hash, self.known.hash(&normal(rel), &FileStamp::of(&meta))) {
            (Some(new), Some(old)) => new == old,
            _ => std::fs::read(&previous)? == *bytes()?,
        };
        if !same || std::fs::hard_link(&previous, path).is_err() {
            return Ok(false);
        }
        self.staged(rel, &meta, hash);
        Ok(true)
    }

    /// Makes `rel` a hard link to the staged file `existing`: the same bytes
    /// stored once. Copies where the file system has no hard links.
    pub fn link(&self, rel: &str, existing: &str) -> io::Result<()> {
        let path = self.file_path(rel)?;
        let from = self.file_path(existing)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let linked = std::fs::hard_link(&from, &path).is_ok();
        if !linked {
            std::fs::copy(&from, &path)?;
        }
        // A link is the same file as the one it names.
        let known = linked.then(|| self.staged.lock().ok()?.get(&normal(existing)).copied()).flatten();
        let staged = match known {
            Some(s) => s,
            None => (FileStamp::of(&std::fs::symlink_metadata(&path)?), None),
        };
        if let Ok(mut m) = self.staged.lock() {
            m.insert(normal(rel), staged);
        }
        Ok(())
    }

    fn file_path(&self, rel: &str) -> io::Result<PathBuf> {
        let mut path = self.dir.clone();
        for seg in rel.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    return Err(io::Error::other(format!("path `{rel}` leaves the output folder")));
                }
                s => path.push(s),
            }
        }
        Ok(path)
    }

    /// Swaps the staged site in place of the target folder.
    pub fn commit(mut self) -> io::Result<()> {
        let old = old_path(&self.dir);
        self.finish_sweep();
        if old.exists() {
            std::fs::remove_dir_all(&old)?;
        }
        let had_old = self.target.exists();
        if had_old {
            std::fs::rename(&self.target, &old)?;
        }
        if let Err(e) = std::fs::rename(&self.dir, &self.target) {
            if had_old {
                let _ = std::fs::rename(&old, &self.target);
            }
            return Err(e);
        }
        // What the output holds now, for the next build (a failure to
        // record it only means that build reads the files back).
        if let Ok(staged) = self.staged.lock() {
            let files = staged.iter().filter_map(|(rel, (stamp, hash))| Some((rel, *stamp, (*hash)?)));
            let _ = known::save(&self.target, files);
        }
        if had_old && std::fs::rename(&old, trash_path(&self.target)).is_err() {
            // Left aside for the next build to delete beside its work (see
            // the module); deleted now when it cannot be.
            remove_tree(&old)?;
        }
        Ok(())
    }

    /// Waits for the deletion of earlier builds' replaced sites.
    fn finish_sweep(&mut self) {
        if let Some(sweeper) = self.sweeper.take() {
            let _ = sweeper.join();
        }
    }

    /// Empties the staging folder, to write the site again from scratch.
    pub fn restart(&self) -> io::Result<()> {
        if let Ok(mut m) = self.staged.lock() {
            m.clear();
        }
        std::fs::remove_dir_all(&self.dir)?;
        std::fs::create_dir_all(&self.dir)
    }

    /// Throws the staged files away, leaving the target as it was.
    pub fn discard(mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        self.finish_sweep();
    }
}

/// `rel` as a path inside the site: `/`-separated, without empty or `.`
/// segments (as [`Staging::file_path`] reads it).
fn normal(rel: &str) -> String {
    rel.split('/').filter(|s| !s.is_empty() && *s != ".").collect::<Vec<_>>().join("/")
}

/// Where `commit` moves the previous site between its two renames.
fn old_path(staging: &Path) -> PathBuf {
    let name = staging.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    staging.with_file_name(format!("{name}.old"))
}

/// The prefix of the names replaced sites wait under to be deleted.
fn trash_prefix(target: &Path) -> String {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    format!(".{name}.opsbook-trash-")
}

/// A new name for a replaced site of `target`, unlike any before it.
fn trash_path(target: &Path) -> PathBuf {
    static COUNT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    target.with_file_name(format!("{}{}-{nanos}-{n}", trash_prefix(target), std::process::id()))
}

/// Starts deleting the replaced sites of `target` that exist now (never
/// the one this build will make) on a thread of its own: one file at a
/// time, since it mostly waits on the file system and the build needs
/// the cores. `None` when there are none.
fn sweep(target: &Path) -> Option<std::thread::JoinHandle<()>> {
    let parent = target.parent()?;
    let prefix = trash_prefix(target);
    let trash: Vec<PathBuf> = std::fs::read_dir(parent)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path())
        .collect();
    if trash.is_empty() {
        return None;
    }
    std::thread::Builder::new()
        .name("opsbook-sweep".into())
        .spawn(move || {
            for dir in trash {
                // What fails to go now is tried again by the next build.
                let _ = std::fs::remove_dir_all(dir);
            }
        })
        .ok()
}

/// Deletes the folder `dir` and everything in it, a top-level entry per
/// task: deleting the previous site is part of every rebuild.
fn remove_tree(dir: &Path) -> io::Result<()> {
    use rayon::prelude::*;
    let entries: Vec<std::fs::DirEntry> = std::fs::read_dir(dir)?.collect::<io::Result<_>>()?;
    entries.par_iter().try_for_each(|e| match e.file_type()?.is_dir() {
        true => std::fs::remove_dir_all(e.path()),
        false => std::fs::remove_file(e.path()),
    })?;
    std::fs::remove_dir(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn inode_of(path: &Path) -> u64 {
        std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(path).expect("metadata"))
    }

    fn build(target: &Path, files: &[(&str, &str)]) {
        let staging = Staging::new(target).expect("staging");
        for (rel, text) in files {
            staging.write(rel, text.as_bytes()).expect("write");
        }
        staging.commit().expect("commit");
    }

    /// The replaced sites waiting to be deleted beside `out`.
    fn trash(out: &Path) -> Vec<PathBuf> {
        let prefix = trash_prefix(out);
        let parent = out.parent().expect("parent");
        let mut found: Vec<PathBuf> = std::fs::read_dir(parent)
            .expect("list")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
            .map(|e| e.path())
            .collect();
        found.sort();
        found
    }

    #[test]
    fn a_replaced_site_waits_aside_and_goes_with_the_next_build() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("public");
        build(&out, &[("index.html", "one")]);
        assert!(trash(&out).is_empty(), "nothing replaced yet");
        build(&out, &[("index.html", "two")]);
        let first = trash(&out);
        assert_eq!(first.len(), 1);
        assert_eq!(std::fs::read_to_string(first[0].join("index.html")).expect("old site"), "one");
        build(&out, &[("index.html", "three")]);
        let second = trash(&out);
        assert_eq!(second.len(), 1, "the older one was deleted");
        assert_ne!(second, first);
        assert_eq!(std::fs::read_to_string(second[0].join("index.html")).expect("old site"), "two");
        assert_eq!(std::fs::read_to_string(out.join("index.html")).expect("site"), "three");

        // Killed after both renames of a commit: the old name holds a
        // replaced site, deleted like the others; the site stays.
        let old = old_path(&dir.path().join(".public.opsbook-staging"));
        std::fs::create_dir_all(old.join("x")).expect("old");
        let failed = Staging::new(&out).expect("staging");
        assert!(!old.exists());
        failed.discard();
        assert!(trash(&out).len() <= 1, "the sweep ran: {:?}", trash(&out));
        build(&out, &[("index.html", "four")]);
        assert_eq!(trash(&out).len(), 1);
        assert_eq!(std::fs::read_to_string(out.join("index.html")).expect("site"), "four");
    }

    #[cfg(unix)]
    #[test]
    fn a_rebuild_links_unchanged_files_by_their_recorded_hash_and_rereads_moved_ones() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("public");
        build(&out, &[("a/index.html", "same"), ("b/index.html", "old"), ("c.txt", "mine")]);
        let a = inode_of(&out.join("a/index.html"));
        // Another program rewrites c.txt with the same bytes: its stamp
        // moves, so the record is not trusted and the bytes are compared.
        std::fs::remove_file(out.join("c.txt")).expect("remove");
        std::fs::write(out.join("c.txt"), "mine").expect("rewrite");
        let c = inode_of(&out.join("c.txt"));
        build(&out, &[("a/index.html", "same"), ("b/index.html", "new"), ("c.txt", "mine")]);
        assert_eq!(inode_of(&out.join("a/index.html")), a, "unchanged: linked");
        assert_eq!(std::fs::read_to_string(out.join("b/index.html")).expect("b"), "new");
        assert_eq!(inode_of(&out.join("c.txt")), c, "same bytes after a compare: linked");

        // The proof that the record answered: a file whose bytes changed
        // while its stamp was put back is taken for unchanged (the
        // documented limit, as for `fresh`), so it was not read.
        let path = out.join("a/index.html");
        let stamp = std::fs::metadata(&path).expect("meta").modified().expect("mtime");
        std::fs::write(&path, "SAME").expect("tamper");
        std::fs::File::options().write(true).open(&path).expect("open").set_modified(stamp).expect("mtime");
        build(&out, &[("a/index.html", "same")]);
        assert_eq!(std::fs::read_to_string(&path).expect("a"), "SAME");
        // Without the list, the same build reads the file and writes it anew.
        std::fs::remove_file(dir.path().join(".public.opsbook-files")).expect("list");
        build(&out, &[("a/index.html", "same")]);
        assert_eq!(std::fs::read_to_string(&path).expect("a"), "same");
    }
}
