//! Block options and their errors, KPI numbers and a KPI card snapshot.

use super::*;
use crate::content::DataFile;

fn metrics() -> Metrics {
    let files = [
        (
            "dau",
            "title = \"DAU\"\nunit = \"人\"\ntarget = 120000\n[thresholds]\nred = 90000\namber = 105000\n\
             [[series]]\ninterval = \"day\"\nstart = 2026-03-01\nvalues = [100000, 98000, 104000, 110000, 111500]\n",
        ),
        (
            "cac",
            "title = \"CAC\"\nunit = \"¥\"\ndirection = \"down\"\ndecimals = 1\ntarget = 32\n\
             [[series]]\ninterval = \"month\"\nstart = 2026-01-01\nvalues = [38.9, 34.6, 34.4]\n",
        ),
        (
            "conv",
            "title = \"转化率\"\nunit = \"%\"\ndecimals = 2\ntarget = 4\n\
             [[series]]\ninterval = \"month\"\nstart = 2026-01-01\nvalues = [3.73, 3.30, 3.62]\n",
        ),
        (
            "funnel",
            "title = \"漏斗\"\nunit = \"人\"\ncategories = [\"打开\", \"注册\"]\n[[series]]\nname = \"9月\"\nvalues = [100, 40]\n",
        ),
    ];
    let data: Vec<DataFile> = files
        .iter()
        .map(|(id, src)| DataFile {
            rel: format!("metrics/{id}.toml"),
            file: format!("content/metrics/{id}.toml"),
            src: (*src).into(),
        })
        .collect();
    let (m, diags) = crate::metrics::load(&data);
    assert!(diags.is_empty(), "{diags:?}");
    m
}

/// Renders a ```kind block with `body` in a page and returns its HTML or
/// its rendered diagnostics.
fn run(kind: &str, body: &str) -> Result<String, String> {
    let metrics = metrics();
    let src = format!("# Page\n\n```{kind}\n{body}```\n");
    let offset = src.find(body).unwrap_or(0);
    let at = BlockSource { file: "content/page.md", src: &src, offset };
    let ctx = Context { metrics: &metrics, lang: Lang::Zh, url: "playbooks/page/" };
    match render(&ctx, kind, body, &at) {
        Some(Ok(html)) => Ok(html),
        Some(Err(d)) => Err(d.iter().map(|d| d.render(false)).collect()),
        None => Err("not a data block".into()),
    }
}

fn check(kind: &str, body: &str, expected: &str) {
    match run(kind, body) {
        Err(got) => assert_eq!(got.trim_end(), expected.trim_end(), "\n--- got ---\n{got}"),
        Ok(html) => panic!("expected an error, got HTML:\n{}", &html[..html.len().min(300)]),
    }
}

#[test]
fn block_errors_point_at_the_block() {
    check(
        "chart",
        "metric = \"daus\"\n",
        "error: unknown metric `daus`\n --> content/page.md:4:10\n  |\n4 | metric = \"daus\"\n  |          ^^^^^^\n  = help: did you mean `dau`?",
    );
    check(
        "chart",
        "metric = \"dau\"\nknd = \"line\"\n",
        "error: in ```chart block: unknown key `knd`\n --> content/page.md:5:1\n  |\n5 | knd = \"line\"\n  | ^^^\n  = help: did you mean `kind`?",
    );
    check(
        "chart",
        "metric = \"dau\"\nkind = \"lines\"\n",
        "error: in ```chart block: unknown value `lines`\n --> content/page.md:5:8\n  |\n5 | kind = \"lines\"\n  |        ^^^^^^^\n  = help: did you mean `line`?",
    );
    check(
        "chart",
        "metric = \"cac\"\naggregate = \"week\"\n",
        "error: cannot aggregate monthly data `cac` by week\n --> content/page.md:5:13\n  |\n5 | aggregate = \"week\"\n  |             ^^^^^^\n  = help: aggregate only into longer periods than the data's (month)",
    );
    check(
        "chart",
        "metric = \"dau\"\nsince = 2027-01-01\n",
        "error: metric `dau` has no data in this range\n --> content/page.md:5:9\n  |\n5 | since = 2027-01-01\n  |         ^^^^^^^^^^\n  = help: its data covers 2026-03-01 to 2026-03-05",
    );
    check(
        "chart",
        "metrics = [\"dau\", \"cac\", \"conv\"]\n",
        "error: a chart has at most two units, found 3\n --> content/page.md:4:11\n  |\n4 | metrics = [\"dau\", \"cac\", \"conv\"]\n  |           ^^^^^^^^^^^^^^^^^^^^^^\n  = help: split the metrics into charts that share a unit",
    );
    check(
        "chart",
        "metric = \"funnel\"\nkind = \"line\"\n",
        "error: a table of categories is drawn as bars\n --> content/page.md:5:8\n  |\n5 | kind = \"line\"\n  |        ^^^^^^\n  = help: use `kind = \"bar\"` or `kind = \"stacked-bar\"`",
    );
    check(
        "kpi",
        "metrics = [\"dau\", \"funnel\"]\n",
        "error: metric `funnel` is a table of categories and has no KPI\n --> content/page.md:4:19\n  |\n4 | metrics = [\"dau\", \"funnel\"]\n  |                   ^^^^^^^^\n  = help: show it with a ```table or ```chart block instead",
    );
    check(
        "table",
        "metrc = \"dau\"\n",
        "error: in ```table block: unknown key `metrc`\n --> content/page.md:4:1\n  |\n4 | metrc = \"dau\"\n  | ^^^^^\n  = help: did you mean `metric`?",
    );
    check(
        "chart",
        "metric = \"dau\"\nsince = 2026-03-04\nuntil = 2026-03-02\n",
        "error: `until` is before `since`\n --> content/page.md:6:9\n  |\n6 | until = 2026-03-02\n  |         ^^^^^^^^^^\n  = help: swap the two dates",
    );
    assert_eq!(run("rust", "fn main() {}\n"), Err("not a data block".into()));
}

#[test]
fn charts_and_tables_render() {
    let html =
        run("chart", "metrics = [\"dau\"]\nkind = \"area\"\ntitle = \"日活\"\n").unwrap_or_else(|e| panic!("{e}"));
    assert!(html.starts_with("<figure class=\"chart chart-area\"><figcaption><span class=\"chart-title\">日活</span>"));
    assert!(
        html.contains("<desc>DAU最新值为 11.2万人（2026年3月5日），较前一日 +1.4%，目标 12万人，达成 92.9%。</desc>"),
        "{html}"
    );
    assert!(html.contains("<summary>数据表</summary>"));
    let table = run("table", "metric = \"funnel\"\n").unwrap_or_else(|e| panic!("{e}"));
    insta::assert_snapshot!("table_block", table);
}

#[test]
fn kpi_cards() {
    let html = run("kpi", "metrics = [\"dau\", \"cac\", \"conv\"]\n").unwrap_or_else(|e| panic!("{e}"));
    assert!(html.starts_with("<div class=\"kpi-row\"><article class=\"kpi-card status-green\">"));
    // Lower is better: CAC fell, which is good, and beats nothing yet.
    assert!(html.contains("<p class=\"kpi-change is-good\"><span class=\"kpi-arrow\" aria-hidden=\"true\">▼</span> <span class=\"kpi-delta\">−¥0.2 (−0.6%)</span>"), "{html}");
    assert!(html.contains("href=\"../../metrics/cac/index.html\""));
    assert!(html.contains("+0.32 个百分点 (+9.7%)"));
    insta::assert_snapshot!("kpi_row", html);
}
