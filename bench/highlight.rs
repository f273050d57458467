//! Highlighting benchmark: the same code blocks through our lexer and
//! through syntect's grammar for the language (the peer, in the same run),
//! microseconds per line on one thread. Each block gets a line of its own
//! so no layer can serve it from a cache.
//!
//! Run with `cargo bench --bench highlight`; numbers are printed, nothing
//! is asserted.

use std::hint::black_box;
use std::time::Instant;

use opsbook::markdown::highlight::{code_block, with_grammar};

const SAMPLES: &[(&str, &str)] = &[
    (
        "sql",
        "SELECT channel, count(*) AS n\nFROM signups\nWHERE day >= '2026-03-01'\nGROUP BY channel\nORDER BY n DESC;\n",
    ),
    (
        "python",
        "def retention(users, day):\n    kept = [u for u in users if u.active(day)]\n    # share of users still here\n    return len(kept) / max(len(users), 1)\n",
    ),
    (
        "bash",
        "for f in logs/*.gz; do\n  zcat \"$f\" | grep -c ERROR >> counts.txt\ndone\necho \"done: $(wc -l < counts.txt)\"\n",
    ),
    (
        "js",
        "const rate = kept.length / users.length;\nconsole.log(`rate ${rate}`);\nexport default function show(r) { return r * 100; }\n",
    ),
    ("yaml", "jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo test\n"),
    ("json", "{\"metric\": \"dau\", \"values\": [48210, 49935], \"partial\": false}\n"),
];

fn per_line(lang: &str, code: &str, f: impl Fn(&str, &str) -> usize) -> f64 {
    let n = 2000;
    let blocks: Vec<String> = (0..n).map(|i| format!("{code}{i}\n")).collect();
    let start = Instant::now();
    let mut bytes = 0;
    for b in &blocks {
        bytes += f(lang, b);
    }
    black_box(bytes);
    start.elapsed().as_secs_f64() * 1e6 / (n * (code.lines().count() + 1)) as f64
}

fn main() {
    println!("| language | lexer, µs/line | syntect, µs/line | syntect / lexer |");
    println!("|---|---:|---:|---:|");
    for &(lang, code) in SAMPLES {
        let lexer = per_line(lang, code, |l, c| code_block(l, c).len());
        let grammar = per_line(lang, code, |l, c| with_grammar(l, c).map_or(0, |h| h.len()));
        println!("| {lang} | {lexer:.2} | {grammar:.2} | {:.0}× |", grammar / lexer);
    }
}
