//! Chart rendering benchmark: 1,000 ` ```chart ` blocks and 1,000 KPI
//! cards over the example handbook's metrics, each block parsed, sliced,
//! aggregated and drawn (wide and phone layouts, data table), first on one
//! thread, then in parallel the way `site::build` renders pages.
//!
//! Run with `cargo bench --bench charts`. Metric files are parsed once, as
//! in a build; the numbers are printed, nothing is asserted.

use std::path::Path;
use std::time::Instant;

use opsbook::blocks::{Context, render};
use opsbook::content::DataFile;
use opsbook::markdown::BlockSource;
use opsbook::metrics::format::Lang;
use rayon::prelude::*;

const CHARTS: &[&str] = &[
    "metric = \"dau\"\nkind = \"line\"\nsince = 2026-01-01\n",
    "metric = \"dau\"\nkind = \"area\"\n",
    "metric = \"dau\"\naggregate = \"week\"\n",
    "metric = \"revenue\"\nkind = \"bar\"\n",
    "metric = \"revenue\"\nkind = \"stacked-bar\"\naggregate = \"quarter\"\n",
    "metrics = [\"new_users\", \"cac\"]\nkind = \"combo\"\n",
    "metrics = [\"retention_d1\", \"retention_d7\"]\n",
    "metric = \"signup_funnel\"\nkind = \"bar\"\n",
    "metric = \"nps\"\n",
    "metric = \"paid_conversion\"\nkind = \"sparkline\"\n",
];

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("content/metrics");
    let mut data: Vec<DataFile> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .filter_map(|p| {
            let name = p.file_name()?.to_string_lossy().into_owned();
            let src = std::fs::read_to_string(&p).ok()?;
            Some(DataFile { rel: format!("metrics/{name}"), file: format!("content/metrics/{name}"), src: src.into() })
        })
        .collect();
    data.sort_by(|a, b| a.rel.cmp(&b.rel));
    let started = Instant::now();
    let (metrics, problems) = opsbook::metrics::load(&data);
    let load = started.elapsed();
    assert!(problems.is_empty(), "example metrics have problems: {problems:?}");
    let ctx = Context { metrics: &metrics, lang: Lang::Zh, url: "playbooks/x/" };
    let one = |i: usize, kind: &str, body: &str| -> usize {
        let src = format!("```{kind}\n{body}```\n");
        let at = BlockSource { file: "bench.md", src: &src, offset: kind.len() + 4 };
        match render(&ctx, kind, body, &at) {
            Some(Ok(html)) => html.len(),
            other => panic!("block {i} failed: {:?}", other.map(|r| r.err())),
        }
    };
    println!("loaded {} metric files in {:.1} ms", data.len(), load.as_secs_f64() * 1e3);

    let t = Instant::now();
    let bytes: usize = (0..1000).map(|i| one(i, "chart", CHARTS[i % CHARTS.len()])).sum();
    let serial = t.elapsed();
    let t = Instant::now();
    let par: usize = (0..1000).into_par_iter().map(|i| one(i, "chart", CHARTS[i % CHARTS.len()])).sum();
    let parallel = t.elapsed();
    assert_eq!(bytes, par, "parallel rendering gives the same bytes");
    let t = Instant::now();
    let kpi = "metrics = [\"dau\", \"new_users\", \"retention_d7\", \"paid_conversion\", \"revenue\", \"nps\"]\n";
    let cards: usize = (0..1000 / 6 + 1).map(|i| one(i, "kpi", kpi)).sum();
    let kpis = t.elapsed();
    println!(
        "1000 charts: {:.0} ms on one thread ({:.0} µs each), {:.0} ms on {} threads; {:.1} MB of HTML",
        serial.as_secs_f64() * 1e3,
        serial.as_secs_f64() * 1e3,
        parallel.as_secs_f64() * 1e3,
        rayon::current_num_threads(),
        bytes as f64 / 1e6
    );
    println!("1002 KPI cards: {:.0} ms on one thread; {:.1} MB of HTML", kpis.as_secs_f64() * 1e3, cards as f64 / 1e6);
}
