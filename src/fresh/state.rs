//! The output's state in the manifest: its entries' paths, sizes,
//! modification times and inodes, summarised as files, bytes and a hash —
//! from a listing of the folder (before a build, to compare) or from what
//! the build staged (after it, so the output is not listed again). The two
//! must agree for an unchanged output.

use std::collections::HashMap;
use std::hash::Hasher as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::output::FileStamp;

/// The output folder as a summary of its entries' paths, sizes,
/// modification times and inodes: files, bytes and a hash.
pub(super) fn output_state(output: &Path) -> String {
    if !output.is_dir() {
        return "absent".to_string();
    }
    // The entries in the order of one sorted walk, listed a top-level folder
    // per task; then files are stat'ed on every core: this runs before every
    // up-to-date answer.
    let Ok(top) = std::fs::read_dir(output) else { return "unreadable".to_string() };
    let mut top: Vec<PathBuf> = top.filter_map(Result::ok).map(|e| e.path()).collect();
    top.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    let listed: Vec<Option<Vec<(PathBuf, u8)>>> = top
        .par_iter()
        .map(|dir| {
            let mut out = Vec::new();
            for entry in walkdir::WalkDir::new(dir).follow_root_links(false).sort_by_file_name() {
                let e = entry.ok()?;
                let kind = if e.file_type().is_file() {
                    0
                } else if e.file_type().is_dir() {
                    1
                } else {
                    2
                };
                out.push((e.into_path(), kind));
            }
            Some(out)
        })
        .collect();
    let mut entries = vec![(output.to_path_buf(), 1u8)];
    for list in listed {
        let Some(list) = list else { return "unreadable".to_string() };
        entries.extend(list);
    }
    let stats: Vec<Option<Option<FileStamp>>> = entries
        .par_iter()
        .map(|(path, kind)| match kind {
            0 => std::fs::symlink_metadata(path).ok().map(|m| Some(FileStamp::of(&m))),
            _ => Some(None),
        })
        .collect();
    let mut summary = Summary::default();
    for ((path, kind), stamp) in entries.iter().zip(stats) {
        let Some(stamp) = stamp else { return "unreadable".to_string() };
        summary.add(path, *kind, stamp);
    }
    summary.finish()
}

/// [`output_state`] of an output that holds exactly `files` (paths inside
/// the site, as staged), without listing it: the same summary, from what
/// the build wrote.
pub(super) fn staged_state(output: &Path, files: &HashMap<String, FileStamp>) -> String {
    let mut entries: Vec<(&str, Option<FileStamp>)> = Vec::with_capacity(files.len() * 2);
    let mut dirs = std::collections::HashSet::new();
    for (rel, stamp) in files {
        let mut dir = rel.as_str();
        while let Some((parent, _)) = dir.rsplit_once('/') {
            if !dirs.insert(parent) {
                break;
            }
            dir = parent;
        }
        entries.push((rel, Some(*stamp)));
    }
    entries.extend(dirs.into_iter().map(|d| (d, None)));
    entries.par_sort_unstable_by(|a, b| walk_order(a.0, b.0));
    let mut summary = Summary::default();
    summary.add(output, 1, None);
    let root = output.as_os_str().as_encoded_bytes();
    for (rel, stamp) in &entries {
        // The path as a walk of the output names it, hashed piece by piece.
        let sep = std::path::MAIN_SEPARATOR_STR.as_bytes();
        summary.hash.write(root);
        for (i, seg) in rel.split('/').enumerate() {
            if i > 0 || !root.ends_with(sep) {
                summary.hash.write(sep);
            }
            summary.hash.write(seg.as_bytes());
        }
        summary.entry(if stamp.is_some() { 0 } else { 1 }, *stamp);
    }
    summary.finish()
}

/// The order of `Path`'s comparison, component by component, for paths of
/// `/`-separated names: a separator sorts before any other byte.
fn walk_order(a: &str, b: &str) -> std::cmp::Ordering {
    let key = |c: u8| if c == b'/' { 0 } else { c };
    a.bytes().map(key).cmp(b.bytes().map(key))
}

/// Files, bytes and a hash of the entries given in walk order.
#[derive(Default)]
struct Summary {
    hash: std::hash::DefaultHasher,
    files: u64,
    bytes: u64,
}

/// Feeds formatted text to a hasher, in the pieces it is written in (the
/// hash streams: pieces hash as their concatenation would).
struct HashText<'a>(&'a mut std::hash::DefaultHasher);

impl std::fmt::Write for HashText<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.write(s.as_bytes());
        Ok(())
    }
}

impl Summary {
    /// An entry: `kind` 0 for a file (with its stamp), 1 a folder, 2 other.
    fn add(&mut self, path: &Path, kind: u8, stamp: Option<FileStamp>) {
        self.hash.write(path.as_os_str().as_encoded_bytes());
        self.entry(kind, stamp);
    }

    /// The rest of an entry, after its path.
    fn entry(&mut self, kind: u8, stamp: Option<FileStamp>) {
        use std::fmt::Write as _;
        self.hash.write_u8(0);
        if let Some(s) = stamp {
            self.files += 1;
            self.bytes += s.len;
            let _ = write!(HashText(&mut self.hash), "{} {} {}", s.len, s.mtime, s.inode);
        }
        self.hash.write_u8(if kind == 1 { 1 } else { 2 });
    }

    fn finish(&self) -> String {
        format!("{} files {} bytes {:016x}", self.files, self.bytes, self.hash.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_build_staged_summarises_like_a_listing_of_the_output() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let out = tmp.path().join("public");
        let asset = tmp.path().join("logo.svg");
        std::fs::write(&asset, "<svg/>").expect("asset");
        // A first build, then one over it that keeps a file (hard-linked
        // from the previous output, which is then deleted), changes one,
        // links one to another and drops one.
        for (round, page) in [(0, "first"), (1, "second")] {
            let staging = crate::output::Staging::new(&out).expect("staging");
            staging.write("index.html", b"home").expect("write");
            staging.write("a/b/index.html", page.as_bytes()).expect("write");
            staging.link("a/c/index.html", "a/b/index.html").expect("link");
            staging.copy("assets/logo.svg", &asset).expect("copy");
            if round == 0 {
                staging.write("gone/index.html", b"old").expect("write");
            }
            let staged = staging.staged_files();
            staging.commit().expect("commit");
            assert_eq!(staged.len(), if round == 0 { 5 } else { 4 });
            assert_eq!(staged_state(&out, &staged), output_state(&out), "round {round}");
        }
    }
}
