//! Writing every version into one output: each under its prefix, and a file
//! that is byte for byte what the same path held in the version written
//! before it (a page unchanged between older versions, the theme's assets)
//! becomes a hard link to that file instead of a second copy. Most of an
//! older version costs a directory entry per file, to write and to delete.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::site::Sink;

/// A file as written: its full path and bytes.
type Written = (String, Arc<[u8]>);

/// What the versions written so far hold, shared by their sinks.
pub struct Shared<'a> {
    inner: &'a dyn Sink,
    /// Path inside a version → the last file written there (full path).
    last: Mutex<HashMap<String, Written>>,
    /// Source file → the first copy of it (full path).
    copies: Mutex<HashMap<PathBuf, String>>,
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
        self.write_shared(rel, Arc::from(bytes))
    }

    fn write_shared(&self, rel: &str, bytes: Arc<[u8]>) -> std::io::Result<()> {
        let full = format!("{}{rel}", self.prefix);
        let same = self.shared.last.lock().ok().and_then(|m| {
            m.get(rel).filter(|(path, prev)| *path != full && prev[..] == bytes[..]).map(|(path, _)| path.clone())
        });
        if let Some(existing) = same
            && self.shared.inner.link(&full, &existing)?
        {
            return Ok(());
        }
        self.shared.inner.write_shared(&full, Arc::clone(&bytes))?;
        if let Ok(mut m) = self.shared.last.lock() {
            m.insert(rel.to_string(), (full, bytes));
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
}
