//! The site `serve` serves: every output file of the last good build, in
//! memory, swapped in whole when a rebuild succeeds.
//!
//! **Invariant:** only what a build wrote is served, and a copied file is
//! kept only when its real path (symlinks resolved) lies inside the site
//! folder, so nothing outside the site can be reached.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

use crate::site::{Deferred, Sink};

pub use crate::site::Bytes;

/// One built site: output path (`playbooks/okr/index.html`) → bytes.
#[derive(Default)]
pub struct Files {
    map: HashMap<String, Bytes>,
    /// The good build these files come from.
    pub generation: u64,
}

impl Files {
    pub fn get(&self, rel: &str) -> Option<&Bytes> {
        self.map.get(rel)
    }

    pub fn contains(&self, rel: &str) -> bool {
        self.map.contains_key(rel)
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Output paths whose bytes differ from `old` (added, changed or gone),
    /// sorted.
    pub fn changed_since(&self, old: &Files) -> Vec<String> {
        let mut out: Vec<String> = self
            .map
            .iter()
            .filter(|(k, v)| old.map.get(*k).is_none_or(|o| !Arc::ptr_eq(o, v) && o[..] != v[..]))
            .map(|(k, _)| k.clone())
            .chain(old.map.keys().filter(|k| !self.map.contains_key(*k)).cloned())
            .collect();
        out.sort();
        out
    }
}

/// The files being served; readers get a snapshot, a rebuild swaps it.
///
/// Files made by deferred work (the search index) arrive after their build
/// was swapped in ([`Store::patch`]); until a build's own arrive, it keeps
/// serving the previous build's ([`Store::carry_late`]).
#[derive(Default)]
pub struct Store {
    current: RwLock<Arc<Files>>,
    late: Mutex<Vec<String>>,
}

impl Store {
    pub fn snapshot(&self) -> Arc<Files> {
        self.current.read().map(|f| Arc::clone(&f)).unwrap_or_default()
    }

    /// Serves `files` from now on; returns the previous site.
    pub fn replace(&self, files: Files) -> Arc<Files> {
        match self.current.write() {
            Ok(mut cur) => std::mem::replace(&mut *cur, Arc::new(files)),
            Err(_) => Arc::default(),
        }
    }

    /// Copies the late files being served into `files`, to be served until
    /// `files`' own late files arrive.
    pub fn carry_late(&self, files: &mut Files) {
        let cur = self.snapshot();
        let late = self.late.lock().map(|l| l.clone()).unwrap_or_default();
        for rel in late {
            if let (Some(bytes), false) = (cur.get(&rel), files.contains(&rel)) {
                files.map.insert(rel, Arc::clone(bytes));
            }
        }
    }

    /// Puts in the late files of build `generation`, replacing the late
    /// files served so far; nothing when a newer build is served by now.
    pub fn patch(&self, generation: u64, late: Vec<(String, String)>) -> bool {
        let Ok(mut cur) = self.current.write() else { return false };
        if cur.generation != generation {
            return false;
        }
        let Ok(mut names) = self.late.lock() else { return false };
        let mut map = cur.map.clone();
        for rel in names.drain(..) {
            map.remove(&rel);
        }
        for (rel, body) in late {
            names.push(rel.clone());
            map.insert(rel, Arc::from(body.into_bytes()));
        }
        *cur = Arc::new(Files { map, generation });
        true
    }
}

/// Copied files (assets, `static/`), kept between builds and read again
/// only when their size or modification time changes.
#[derive(Default)]
pub struct CopyMemo {
    files: Mutex<HashMap<PathBuf, (SystemTime, u64, Bytes)>>,
}

/// A [`Sink`] that keeps the site in memory.
pub struct MemorySink<'a> {
    root: PathBuf,
    memo: &'a CopyMemo,
    files: Mutex<HashMap<String, Bytes>>,
    refused: Mutex<Vec<String>>,
    deferred: Mutex<Vec<Deferred>>,
}

/// What a build left in a [`MemorySink`].
pub struct Finished {
    pub files: Files,
    /// Copied files not served because they lead outside the site.
    pub refused: Vec<String>,
    /// Work whose files come later (the search index).
    pub deferred: Vec<Deferred>,
}

impl<'a> MemorySink<'a> {
    pub fn new(root: &Path, memo: &'a CopyMemo) -> MemorySink<'a> {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        MemorySink { root, memo, files: Mutex::default(), refused: Mutex::default(), deferred: Mutex::default() }
    }

    pub fn finish(self) -> Finished {
        let map = self.files.into_inner().unwrap_or_default();
        let mut refused = self.refused.into_inner().unwrap_or_default();
        refused.sort();
        let deferred = self.deferred.into_inner().unwrap_or_default();
        Finished { files: Files { map, generation: 0 }, refused, deferred }
    }

    fn put(&self, rel: &str, bytes: Bytes) {
        if let Ok(mut files) = self.files.lock() {
            files.insert(rel.trim_start_matches("./").to_string(), bytes);
        }
    }
}

impl Sink for MemorySink<'_> {
    fn write(&self, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.put(rel, Arc::new(bytes.to_vec()));
        Ok(())
    }

    fn write_shared(&self, rel: &str, bytes: Bytes) -> std::io::Result<()> {
        self.put(rel, bytes);
        Ok(())
    }

    fn restart(&self) -> std::io::Result<()> {
        let poisoned = || std::io::Error::other("a build thread panicked");
        self.files.lock().map_err(|_| poisoned())?.clear();
        self.refused.lock().map_err(|_| poisoned())?.clear();
        self.deferred.lock().map_err(|_| poisoned())?.clear();
        Ok(())
    }

    fn defer(&self, job: Deferred) -> Option<Deferred> {
        match self.deferred.lock() {
            Ok(mut jobs) => {
                jobs.push(job);
                None
            }
            Err(_) => Some(job),
        }
    }

    fn copy(&self, rel: &str, from: &Path) -> std::io::Result<()> {
        let real = from.canonicalize()?;
        if !real.starts_with(&self.root) {
            if let Ok(mut r) = self.refused.lock() {
                r.push(rel.to_string());
            }
            return Ok(());
        }
        let meta = std::fs::metadata(&real)?;
        let stamp = (meta.modified().unwrap_or(SystemTime::UNIX_EPOCH), meta.len());
        let cached = self
            .memo
            .files
            .lock()
            .ok()
            .and_then(|m| m.get(&real).filter(|(t, l, _)| (*t, *l) == stamp).map(|(_, _, b)| Arc::clone(b)));
        let bytes = match cached {
            Some(b) => b,
            None => {
                let b: Bytes = Arc::new(std::fs::read(&real)?);
                if let Ok(mut m) = self.memo.files.lock() {
                    m.insert(real, (stamp.0, stamp.1, Arc::clone(&b)));
                }
                b
            }
        };
        self.put(rel, bytes);
        Ok(())
    }
}
