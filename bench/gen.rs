//! Generates a deterministic handbook corpus for benchmarks:
//! `cargo run --release --example gen -- <pages> <dir>`.
//!
//! Pages sit in nested sections (about 20 pages per section, three levels
//! deep), mix Chinese and English prose, tables, code, relative `.md` links to
//! other pages and TOML front matter; one page in ten embeds a chart or KPI
//! block over the generated metrics. Average page size is about 6.5 KB. The
//! same seed always gives the same bytes, so runs compare like with like.

use std::fmt::Write as _;
use std::path::Path;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const ZH: &[&str] = &[
    "运营团队每周复盘核心指标的变化",
    "新用户的次日留存决定了投放的回报",
    "活动上线前必须完成埋点验收",
    "预算按季度拆分到渠道和项目",
    "用户调研的样本要覆盖不同城市",
    "会员转化的关键在于首周体验",
    "实验结论需要达到统计显著",
    "竞品的定价策略每季度更新一次",
    "内容运营要和品牌调性保持一致",
    "客服反馈是发现问题的第一窗口",
];
const EN: &[&str] = &[
    "the weekly review compares every KPI against its target",
    "retention cohorts are grouped by signup week",
    "campaign budgets are approved before launch",
    "experiments run for at least two full weeks",
    "owners update their playbooks every quarter",
    "channel costs are reconciled with finance monthly",
];
const TAGS: &[&str] = &["增长", "留存", "预算", "活动", "数据", "品牌", "okr", "experiment"];
const METRICS: &[&str] = &["dau", "new_users", "retention_d1", "revenue"];

fn paragraph(rng: &mut Rng) -> String {
    let mut p = String::new();
    for _ in 0..4 + rng.below(4) {
        if rng.below(3) == 0 {
            let s = rng.pick(EN);
            let _ = write!(p, "{}{}. ", s[..1].to_uppercase(), &s[1..]);
        } else {
            let _ = write!(p, "{}，{}。", rng.pick(ZH), rng.pick(ZH));
        }
    }
    p
}

/// Where page `i` lives: section path and file stem.
fn location(i: usize) -> (String, String) {
    let leaf = i / 20;
    (format!("s{:02}/t{:03}/u{:04}", leaf / 400, leaf / 20, leaf), format!("p{i:06}"))
}

fn page(i: usize, n: usize, rng: &mut Rng) -> String {
    let mut s = String::with_capacity(7000);
    let _ = writeln!(s, "+++\ntitle = \"运营手册第 {i} 篇：{}\"", rng.pick(ZH));
    let _ = writeln!(s, "weight = {}\ntags = [\"{}\", \"{}\"]", i % 20, rng.pick(TAGS), rng.pick(TAGS));
    let _ = writeln!(
        s,
        "owner = \"owner{}\"\nreviewed = 2026-0{}-1{}\nreview_every = \"90d\"\n+++\n",
        i % 17,
        1 + i % 9,
        i % 10
    );
    for h in 0..6 {
        let _ = writeln!(s, "## 第 {h} 节 Section {h}\n\n{}\n\n{}\n", paragraph(rng), paragraph(rng));
        if h == 1 {
            s.push_str("| 指标 | 目标 | 实际 |\n|---|---:|---:|\n");
            for r in 0..5 {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} |",
                    METRICS[r % METRICS.len()],
                    100 + rng.below(900),
                    100 + rng.below(900)
                );
            }
            s.push('\n');
        }
        if h == 2 {
            // Each page's query differs, as in a real handbook: no cache
            // keyed by the code can make highlighting look cheaper here.
            let _ = writeln!(
                s,
                "```sql\nSELECT {}, count(*) AS n{i}\nFROM {}_{}\nWHERE day >= '2026-{:02}-{:02}' -- page {i}\nGROUP BY 1 ORDER BY n{i} DESC LIMIT {};\n```\n",
                rng.pick(&["channel", "city", "plan", "campaign"]),
                rng.pick(METRICS),
                i % 97,
                1 + i % 12,
                1 + i % 28,
                5 + i % 20
            );
        }
        if h == 3 {
            for _ in 0..3 {
                let j = rng.below(n);
                let (tdir, tstem) = location(j);
                let _ = writeln!(s, "- 参见 [第 {j} 篇](../../../{tdir}/{tstem}.md#第-1-节-section-1)");
            }
            s.push('\n');
        }
    }
    if i.is_multiple_of(10) {
        let _ = writeln!(s, "```chart\nmetric = \"{}\"\nkind = \"line\"\n```\n", METRICS[i / 10 % METRICS.len()]);
    } else if i % 10 == 5 {
        s.push_str("```kpi\nmetrics = [\"dau\", \"retention_d1\"]\n```\n\n");
    }
    s.push_str(&paragraph(rng));
    s.push('\n');
    s
}

fn metric(name: &str, unit: &str, base: f64, rng: &mut Rng) -> String {
    let mut values = String::new();
    let mut v = base;
    for k in 0..24 {
        v *= 1.0 + (rng.below(100) as f64 - 45.0) / 1000.0;
        if k > 0 {
            values.push_str(", ");
        }
        let _ = write!(values, "{:.1}", v);
    }
    format!(
        "title = \"{name}\"\nunit = \"{unit}\"\ndirection = \"up\"\ntarget = {:.1}\n\n[[series]]\ninterval = \"month\"\nstart = 2025-01-01\nvalues = [{values}]\n",
        base * 1.2
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(n), Some(dir)) = (args.get(1).and_then(|a| a.parse::<usize>().ok()), args.get(2)) else {
        eprintln!("usage: gen <pages> <dir>");
        std::process::exit(2);
    };
    let root = Path::new(dir);
    let content = root.join("content");
    let _ = std::fs::remove_dir_all(root);
    std::fs::create_dir_all(content.join("metrics")).expect("create corpus dir");
    std::fs::write(root.join("opsbook.toml"), "title = \"Bench handbook\"\nlanguage = \"zh-CN\"\n").expect("config");
    std::fs::write(content.join("_index.md"), "+++\ntitle = \"首页\"\n+++\n欢迎。\n").expect("home");
    let mut rng = Rng(0x5EED_0F0B_5B00_C0DE);
    for (name, unit, base) in [
        ("dau", "人", 90000.0),
        ("new_users", "人", 110000.0),
        ("retention_d1", "%", 40.0),
        ("revenue", "¥", 2_500_000.0),
    ] {
        std::fs::write(content.join("metrics").join(format!("{name}.toml")), metric(name, unit, base, &mut rng))
            .expect("metric");
    }
    let mut bytes = 0usize;
    let mut sections = std::collections::BTreeSet::new();
    for i in 0..n {
        let (dir, stem) = location(i);
        let path = content.join(&dir);
        std::fs::create_dir_all(&path).expect("section dir");
        // Every folder is a section with its own `_index.md` (Hugo needs it to
        // nest sections; without it every page would share one flat section).
        let mut prefix = String::new();
        for part in dir.split('/') {
            prefix = if prefix.is_empty() { part.to_string() } else { format!("{prefix}/{part}") };
            if sections.insert(prefix.clone()) {
                let index = format!("+++\ntitle = \"分区 {part}\"\n+++\n本分区的手册。\n");
                std::fs::write(content.join(&prefix).join("_index.md"), index).expect("section index");
            }
        }
        let text = page(i, n, &mut rng);
        bytes += text.len();
        std::fs::write(path.join(format!("{stem}.md")), text).expect("page");
    }
    eprintln!("generated {n} pages, {:.1} MB of Markdown, in {}", bytes as f64 / 1e6, root.display());
}
