//! Rename detection, as `git diff -M` does it: a removed file and an added
//! file are one file moved when their contents are identical, or when at
//! least half of their lines are the same.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// Two texts at least this similar are one file renamed (git's default).
pub const THRESHOLD: f64 = 0.5;

/// Beyond this many removed × added pairs, only identical contents count:
/// comparing texts pairwise would cost more than it tells.
const MAX_PAIRS: usize = 40_000;

/// How alike two texts are, from 0 to 1: twice the lines they share
/// (counted with repetition, blank lines ignored) over their line counts.
pub fn similarity(a: &[u8], b: &[u8]) -> f64 {
    score(&Lines::of(a), &Lines::of(b))
}

struct Lines {
    counts: HashMap<u64, u32>,
    total: u32,
}

impl Lines {
    fn of(text: &[u8]) -> Lines {
        let mut counts = HashMap::new();
        let mut total = 0;
        for line in text.split(|b| *b == b'\n') {
            let line = line.trim_ascii();
            if line.is_empty() {
                continue;
            }
            let mut h = std::collections::hash_map::DefaultHasher::new();
            line.hash(&mut h);
            *counts.entry(h.finish()).or_insert(0) += 1;
            total += 1;
        }
        Lines { counts, total }
    }
}

fn score(a: &Lines, b: &Lines) -> f64 {
    if a.total == 0 || b.total == 0 {
        return 0.0;
    }
    let (small, large) = if a.counts.len() <= b.counts.len() { (a, b) } else { (b, a) };
    let common: u32 = small.counts.iter().map(|(h, n)| (*n).min(*large.counts.get(h).unwrap_or(&0))).sum();
    f64::from(2 * common) / f64::from(a.total + b.total)
}

/// Pairs removed paths with added ones, as `(from, to)`: first those whose
/// `key` (a content hash or blob id) is equal, then the most similar pairs
/// at or above [`THRESHOLD`]. `text(removed, path)` gives a file's bytes
/// for the similarity pass, or `None` to leave it out (binary, huge).
pub fn match_renames<K: Eq + Hash + Clone>(
    removed: &[(String, K)],
    added: &[(String, K)],
    text: impl Fn(bool, &str) -> Option<Vec<u8>>,
) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let mut by_key: HashMap<&K, Vec<&str>> = HashMap::new();
    for (path, key) in removed {
        by_key.entry(key).or_default().push(path);
    }
    let mut removed_left: Vec<&str> = Vec::new();
    let mut added_left: Vec<&str> = Vec::new();
    let mut taken: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for (path, key) in added {
        let candidate = by_key.get_mut(key).and_then(|list| (!list.is_empty()).then(|| list.remove(0)));
        match candidate {
            Some(from) => {
                taken.insert(from);
                pairs.push((from.to_string(), path.clone()));
            }
            None => added_left.push(path),
        }
    }
    removed_left.extend(removed.iter().map(|(p, _)| p.as_str()).filter(|p| !taken.contains(p)));
    if removed_left.is_empty() || added_left.is_empty() || removed_left.len() * added_left.len() > MAX_PAIRS {
        return pairs;
    }
    let old: Vec<(&str, Lines)> =
        removed_left.iter().filter_map(|p| text(true, p).map(|t| (*p, Lines::of(&t)))).collect();
    let new: Vec<(&str, Lines)> =
        added_left.iter().filter_map(|p| text(false, p).map(|t| (*p, Lines::of(&t)))).collect();
    let mut scored: Vec<(f64, usize, usize)> = Vec::new();
    for (i, (_, a)) in old.iter().enumerate() {
        for (j, (_, b)) in new.iter().enumerate() {
            let s = score(a, b);
            if s >= THRESHOLD {
                scored.push((s, i, j));
            }
        }
    }
    // Best first; ties by position, so the result never depends on hashing.
    scored.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let (mut used_old, mut used_new) = (vec![false; old.len()], vec![false; new.len()]);
    for (_, i, j) in scored {
        if !used_old[i] && !used_new[j] {
            used_old[i] = true;
            used_new[j] = true;
            pairs.push((old[i].0.to_string(), new[j].0.to_string()));
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(removed: &[(&str, u32, &str)], added: &[(&str, u32, &str)], expected: &[(&str, &str)]) {
        let r: Vec<(String, u32)> = removed.iter().map(|(p, k, _)| (p.to_string(), *k)).collect();
        let a: Vec<(String, u32)> = added.iter().map(|(p, k, _)| (p.to_string(), *k)).collect();
        let text = |old: bool, path: &str| {
            let list = if old { removed } else { added };
            list.iter().find(|(p, _, _)| *p == path).map(|(_, _, t)| t.as_bytes().to_vec())
        };
        let got = match_renames(&r, &a, text);
        let want: Vec<(String, String)> = expected.iter().map(|(f, t)| (f.to_string(), t.to_string())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn identical_then_similar() {
        check(
            &[("a.md", 1, "x"), ("b.md", 2, "one\ntwo\nthree\nfour\n"), ("c.md", 3, "gone\n")],
            &[("z.md", 1, "x"), ("y.md", 9, "one\ntwo\nthree\nfive\n"), ("new.md", 8, "fresh\nstuff\n")],
            &[("a.md", "z.md"), ("b.md", "y.md")],
        );
    }

    #[test]
    fn similarity_counts_shared_lines() {
        assert_eq!(similarity(b"a\nb\n", b"a\nb\n"), 1.0);
        assert_eq!(similarity(b"a\nb\n", b"c\nd\n"), 0.0);
        assert_eq!(similarity(b"a\nb\n\n\n", b"a\nc\n"), 0.5);
        assert_eq!(similarity(b"", b""), 0.0);
    }
}
