//! What the last build wrote into the output: each file's stamp and a hash
//! of its bytes, kept beside the output folder (`.<out>.opsbook-files`,
//! hidden like the staging folder) so that a rebuild hard-links a file it
//! would write again without reading the old one back. On a big site most
//! files are unchanged, and reading them all was most of a rebuild's time
//! on a cold disk.
//!
//! **Invariant:** a record is trusted only while the file's stamp — size,
//! modification time in nanoseconds, inode — is still the one recorded.
//! Anything else that writes the file moves its stamp, and it is compared
//! by its bytes again. A record is only ever a shortcut: a missing, stale or
//! unreadable list means reading, never a wrong file.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use super::FileStamp;

/// A 128-bit hash of a file's bytes (not meant to resist forgery, only to
/// tell our own outputs apart).
pub type Hash = u128;

/// Version 2: the four-lane [`hash`] (version 1's lists hold other hashes).
const HEADER: &str = "opsbook-files 2";

/// Four lanes, each taking every fourth 8-byte word, so the multiplies of
/// one word do not wait for the last: a build hashes every byte it writes.
/// Each step `(lane ⟲ r ^ word) × odd` is one-to-one in the lane and in the
/// word, so files that differ in one word always differ in that lane; both
/// halves of the result depend on every lane and on the length.
pub fn hash(bytes: &[u8]) -> Hash {
    const K: [u64; 4] = [0x517c_c1b7_2722_0a95, 0x9e37_79b9_7f4a_7c15, 0xbf58_476d_1ce4_e5b9, 0x94d0_49bb_1331_11eb];
    let mut lanes = [0x243f_6a88_85a3_08d3_u64, 0x1319_8a2e_0370_7344, 0xa409_3822_299f_31d0, 0x082e_fa98_ec4e_6c89];
    let word = |c: &[u8]| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
    let mut blocks = bytes.chunks_exact(32);
    for b in &mut blocks {
        for (k, lane) in lanes.iter_mut().enumerate() {
            *lane = (lane.rotate_left(5) ^ word(&b[k * 8..])).wrapping_mul(K[k]);
        }
    }
    // The last 0–31 bytes: whole words, then the rest padded with zeros.
    let rest = blocks.remainder();
    let mut padded = [0u8; 32];
    padded[..rest.len()].copy_from_slice(rest);
    for (k, lane) in lanes.iter_mut().enumerate().take(rest.len().div_ceil(8)) {
        *lane = (lane.rotate_left(5) ^ word(&padded[k * 8..])).wrapping_mul(K[k]);
    }
    let len = bytes.len() as u64;
    let a = lanes.iter().fold(len, |h, &l| (h.rotate_left(23) ^ l).wrapping_mul(K[0]));
    let b = lanes.iter().rev().fold(!len, |h, &l| (h.rotate_left(31) ^ l).wrapping_mul(K[1]));
    (u128::from(a) << 64) | u128::from(b)
}

/// The list of `target`, a site folder.
fn list_path(target: &Path) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    target.with_file_name(format!(".{name}.opsbook-files"))
}

/// The files the last build recorded for `target`, by their path in the site.
#[derive(Default)]
pub struct Known(HashMap<String, (FileStamp, Hash)>);

impl Known {
    pub fn load(target: &Path) -> Known {
        let Ok(text) = std::fs::read_to_string(list_path(target)) else {
            return Known::default();
        };
        let mut lines = text.lines();
        if lines.next() != Some(HEADER) {
            return Known::default();
        }
        let parse = |line: &str| {
            let mut f = line.splitn(5, ' ');
            let hash = Hash::from_str_radix(f.next()?, 16).ok()?;
            let len = f.next()?.parse().ok()?;
            let mtime = f.next()?.parse().ok()?;
            let inode = f.next()?.parse().ok()?;
            Some((f.next()?.to_string(), (FileStamp { len, mtime, inode }, hash)))
        };
        Known(lines.filter_map(parse).collect())
    }

    /// The hash recorded for `rel` when its stamp is still `now`.
    pub fn hash(&self, rel: &str, now: &FileStamp) -> Option<Hash> {
        self.0.get(rel).filter(|(stamp, _)| stamp == now).map(|(_, h)| *h)
    }
}

/// Records `files` (path in the site → stamp and hash, when known) as what
/// `target` holds now; written aside and renamed into place.
pub fn save<'a>(target: &Path, files: impl Iterator<Item = (&'a String, FileStamp, Hash)>) -> io::Result<()> {
    use std::fmt::Write as _;
    let mut text = String::from(HEADER);
    text.push('\n');
    for (rel, s, hash) in files {
        if !rel.contains('\n') {
            let _ = writeln!(text, "{hash:032x} {} {} {} {rel}", s.len, s.mtime, s.inode);
        }
    }
    let path = list_path(target);
    let aside = path.with_extension("tmp");
    std::fs::write(&aside, text)?;
    std::fs::rename(aside, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_reads_back_as_written_and_a_moved_stamp_is_not_trusted() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("public");
        let stamp = FileStamp { len: 5, mtime: -12, inode: 7 };
        let names = ["a/index.html".to_string(), "with space.txt".to_string(), "bad\nname".to_string()];
        save(&target, names.iter().map(|n| (n, stamp, hash(n.as_bytes())))).expect("saved");
        assert!(dir.path().join(".public.opsbook-files").is_file());
        let known = Known::load(&target);
        assert_eq!(known.0.len(), 2, "a name with a newline is left out");
        assert_eq!(known.hash("with space.txt", &stamp), Some(hash(b"with space.txt")));
        assert_eq!(known.hash("a/index.html", &FileStamp { mtime: 0, ..stamp }), None);
        assert_eq!(Known::load(&dir.path().join("other")).0.len(), 0);
    }

    #[test]
    fn hashes_tell_apart_what_differs_by_a_byte_or_a_length() {
        assert_ne!(hash(b""), hash(b"\0"));
        assert_ne!(hash(b"abcdefgh"), hash(b"abcdefgi"));
        assert_ne!(hash(b"abc"), hash(b"abc\0"));
        assert_eq!(hash(b"same"), hash(b"same"));
        // Every lane, and the padded tail, counts.
        let base = vec![7u8; 100];
        let differs = (0..base.len()).filter(|&i| {
            let mut other = base.clone();
            other[i] ^= 1;
            hash(&other) != hash(&base)
        });
        assert_eq!(differs.count(), base.len());
        assert_ne!(hash(&[0u8; 32]), hash(&[0u8; 33]));
    }
}
