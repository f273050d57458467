//! A fast hasher for the maps of a build: their keys are our own (paths,
//! addresses, tokens, ids), so there is no flooding to fear, and SipHash
//! (std's default) was ~8 % of the instructions of a build of many versions.
//! Eight bytes a step: rotate, xor, multiply; `finish` folds the well-mixed
//! high half into the low bits that hashbrown picks a bucket by.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` with [`Fx`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;
/// A `HashSet` with [`Fx`].
pub type FastSet<K> = HashSet<K, BuildHasherDefault<Fx>>;

#[derive(Default, Clone, Copy)]
pub struct Fx(u64);

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
        }
        // The rest, with its length in the top byte (which it never fills),
        // so that trailing zero bytes still count.
        let rest = chunks.remainder();
        let mut last = [0u8; 8];
        last[..rest.len()].copy_from_slice(rest);
        last[7] = rest.len() as u8;
        self.add(u64::from_le_bytes(last));
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        // The high half folded into the low one.
        self.0 ^ (self.0 >> 32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_that_differ_anywhere_hash_apart_and_buckets_fill_evenly() {
        let hash = |s: &str| {
            let mut h = Fx::default();
            h.write(s.as_bytes());
            h.finish()
        };
        assert_ne!(hash("guide/a/"), hash("guide/b/"));
        assert_ne!(hash("abcdefgh1"), hash("abcdefgh2"));
        assert_ne!(hash(""), hash("\0"));
        // Page addresses that differ in one digit spread over 64 buckets
        // by their low bits (what hashbrown uses).
        let mut buckets = [0usize; 64];
        for i in 0..6400 {
            buckets[(hash(&format!("s{}/page-{i}/", i % 20)) & 63) as usize] += 1;
        }
        assert!(buckets.iter().all(|&n| (50..=150).contains(&n)), "{buckets:?}");
    }
}
