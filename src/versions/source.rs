//! A version's content: the content folder as it was at a commit (read from
//! git objects, no checkout) or in a snapshot folder, loaded through the same
//! per-file logic as the working tree.

use std::collections::HashMap;
use std::sync::Arc;

use crate::content::{self, Content, Origin, SourceFile};
use crate::git::{Oid, Repo};

use super::list::{Source, Version};

/// Blobs already read, by id, and the files loaded from them: most files
/// are the same in most versions, so each is read and parsed once.
#[derive(Default)]
pub struct Blobs {
    bytes: HashMap<Oid, Arc<[u8]>>,
    loaded: content::Memo,
}

/// Loads `version`'s content folder. `repo_dir` is the content folder's path
/// inside the repository; `shown` names it in diagnostics (`content`).
/// `Ok(None)` when the folder did not exist in that version.
pub fn load(
    version: &Version,
    repo: Option<&Repo>,
    repo_dir: &str,
    shown: &str,
    drafts: bool,
    blobs: &mut Blobs,
) -> Result<Option<Content>, String> {
    match &version.source {
        Source::WorkTree => Err("the working tree is loaded by the build itself".to_string()),
        Source::Snapshot(dir) => Ok(Some(content::load(dir, shown, drafts))),
        Source::Commit { id, .. } => {
            let Some(repo) = repo else {
                return Err("no git repository".to_string());
            };
            let Some(files) = repo.files(*id, repo_dir)? else {
                return Ok(None);
            };
            let mut sources = Vec::with_capacity(files.len());
            for f in files {
                let bytes = match blobs.bytes.get(&f.oid) {
                    Some(b) => Arc::clone(b),
                    None => {
                        let b: Arc<[u8]> = Arc::from(repo.blob(f.oid)?);
                        blobs.bytes.insert(f.oid, Arc::clone(&b));
                        b
                    }
                };
                sources.push(SourceFile { rel: f.rel, origin: Origin::Memory(bytes) });
            }
            Ok(Some(content::from_files_reusing(sources, shown, drafts, &blobs.loaded)))
        }
    }
}
