//! Writing every version into one output: each under its prefix, and a file
//! that is byte for byte what the same path holds in a version written
//! before it (a page unchanged between older versions, the theme's assets)
//! becomes a hard link to that file instead of a second copy. Most of an
//! older version costs a directory entry per file, to write and to delete.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::fasthash::FastMap;
use crate::site::{Bytes, Deferred, Sink};

/// A file as written: its full path and bytes.
type Written = (String, Bytes);

/// What the versions written so far hold, shared by their sinks.
pub struct Shared<'a> {
    inner: &'a dyn Sink,
    /// Path inside a version → the files last written there, newest last:
    /// as many as versions are built at once (`pages::keep`), so a version
    /// built beside another still finds the one built before it.
    last: Mutex<FastMap<String, Vec<Written>>>,
    /// Source file → the first copy of it (full path).
    copies: Mutex<FastMap<PathBuf, String>>,
}

impl<'a> Shared<'a> {
    pub fn new(inner: &'a dyn Sink) -> Shared<'a> {
        Shared { inner, last: Mutex::default(), copies: Mutex::default() }
    }
}

/// The sink of one version.
pub struct Prefixed<'a> {
    pub prefix: &'a str,
    pub shared: &'a Shared<'a>,
}

impl Sink for Prefixed<'_> {
    fn write(&self, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.write_shared(rel, Arc::new(bytes.to_vec()))
    }

    fn write_shared(&self, rel: &str, bytes: Bytes) -> std::io::Result<()> {
        let full = format!("{}{rel}", self.prefix);
        // A page another version made (`pages`) is the very same bytes, from
        // any version kept; other bytes are compared with the newest only.
        let found = self.shared.last.lock().ok().and_then(|m| {
            let kept = m.get(rel)?;
            let made = kept.iter().rev().find(|(_, prev)| Arc::ptr_eq(prev, &bytes));
            let same = made.or_else(|| kept.last().filter(|(_, prev)| prev[..] == bytes[..]))?;
            (same.0 != full).then(|| same.0.clone())
        });
        if let Some(existing) = found
            && self.shared.inner.link(&full, &existing)?
        {
            return Ok(());
        }
        self.shared.inner.write_shared(&full, Arc::clone(&bytes))?;
        if let Ok(mut m) = self.shared.last.lock() {
            let kept = m.entry(rel.to_string()).or_default();
            kept.push((full, bytes));
            if kept.len() > super::pages::keep() {
                kept.remove(0);
            }
        }
        Ok(())
    }

    fn copy(&self, rel: &str, from: &Path) -> std::io::Result<()> {
        let full = format!("{}{rel}", self.prefix);
        let first = self.shared.copies.lock().ok().and_then(|m| m.get(from).cloned());
        if let Some(existing) = first
            && self.shared.inner.link(&full, &existing)?
        {
            return Ok(());
        }
        self.shared.inner.copy(&full, from)?;
        if let Ok(mut m) = self.shared.copies.lock() {
            m.entry(from.to_path_buf()).or_insert(full);
        }
        Ok(())
    }

    fn link(&self, rel: &str, existing: &str) -> std::io::Result<bool> {
        self.shared.inner.link(&format!("{}{rel}", self.prefix), &format!("{}{existing}", self.prefix))
    }

    /// Hands the job on with its paths under the prefix; a job the inner
    /// sink hands back runs now and writes through this sink, which adds
    /// the prefix itself.
    fn defer(&self, job: Deferred) -> Option<Deferred> {
        let prefix = self.prefix.to_string();
        let taken = Arc::new(AtomicBool::new(true));
        let flag = Arc::clone(&taken);
        let wrapped: Deferred = Box::new(move || {
            let files = job();
            if !flag.load(Ordering::SeqCst) {
                return files;
            }
            files.into_iter().map(|(rel, body)| (format!("{prefix}{rel}"), body)).collect()
        });
        let back = self.shared.inner.defer(wrapped)?;
        taken.store(false, Ordering::SeqCst);
        Some(back)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keeps written paths and deferred jobs; takes jobs when `takes`.
    #[derive(Default)]
    struct Memory {
        takes: bool,
        written: Mutex<Vec<String>>,
        jobs: Mutex<Vec<Deferred>>,
    }

    impl Sink for Memory {
        fn write(&self, rel: &str, _bytes: &[u8]) -> std::io::Result<()> {
            self.written.lock().map(|mut w| w.push(rel.to_string())).map_err(|_| std::io::Error::other("lock"))
        }
        fn copy(&self, rel: &str, _from: &Path) -> std::io::Result<()> {
            self.write(rel, &[])
        }
        fn defer(&self, job: Deferred) -> Option<Deferred> {
            if !self.takes {
                return Some(job);
            }
            self.jobs.lock().ok()?.push(job);
            None
        }
    }

    fn index_job() -> Deferred {
        Box::new(|| vec![("assets/search/index.js".to_string(), "x".to_string())])
    }

    #[test]
    fn deferred_work_writes_under_the_version_prefix() {
        let inner = Memory { takes: true, ..Memory::default() };
        let shared = Shared::new(&inner);
        let sink = Prefixed { prefix: "v/v1/", shared: &shared };
        assert!(sink.defer(index_job()).is_none(), "the inner sink took the job");
        let jobs = std::mem::take(&mut *inner.jobs.lock().expect("jobs"));
        let files: Vec<String> = jobs.into_iter().flat_map(|j| j()).map(|(rel, _)| rel).collect();
        assert_eq!(files, ["v/v1/assets/search/index.js"]);
    }

    #[test]
    fn work_handed_back_is_written_through_the_prefix_once() {
        let inner = Memory::default();
        let shared = Shared::new(&inner);
        let sink = Prefixed { prefix: "v/v1/", shared: &shared };
        let job = sink.defer(index_job()).expect("handed back");
        for (rel, body) in job() {
            sink.write(&rel, body.as_bytes()).expect("write");
        }
        assert_eq!(*inner.written.lock().expect("written"), ["v/v1/assets/search/index.js"]);
    }
}
