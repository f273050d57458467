//! Metrics, charts and KPI cards through the real binary: fixture sites
//! under `tests/fixtures/metrics/`, snapshots of the figures and cards a
//! reader sees and of the errors an author is shown, and a real-browser
//! check of the example handbook's dashboard.

use serde_json::Value;

use crate::browser::{Browser, html_pages};
use crate::harness::{Run, Site, repo};

/// Every `<figure class="chart …">…</figure>` and `<div class="kpi-row">…`
/// of a page, in order.
fn blocks(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (open, close) in [("<figure class=\"chart", "</figure>"), ("<div class=\"kpi-row\">", "</article></div>")] {
        let mut rest = html;
        while let Some(start) = rest.find(open) {
            let end = rest[start..].find(close).map_or(rest.len(), |e| start + e + close.len());
            out.push(rest[start..end].to_string());
            rest = &rest[end..];
        }
    }
    out
}

fn file_url(run: &Run, rel: &str) -> String {
    let path = run.out_dir.join(rel).display().to_string();
    format!("file://{}", path.split('/').map(opsbook::links::encode_segment).collect::<Vec<_>>().join("/"))
}

#[test]
fn invalid_metric_files_and_blocks_are_reported_at_their_position() {
    let dir = repo().join("tests/fixtures/metrics");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "valid" && n != "english")
        .collect();
    names.sort();
    assert!(names.len() >= 10, "{names:?}");
    for name in names {
        let run = Site::fixture(&format!("metrics/{name}")).build(&[]);
        run.fails(1);
        insta::assert_snapshot!(format!("metrics_invalid_{name}"), run.stderr());
    }
}

#[test]
fn charts_cards_and_metric_pages() {
    let run = Site::fixture("metrics/valid").build(&[]);
    run.ok();
    let home = run.read("index.html");
    let home_blocks = blocks(&home);
    assert_eq!(home_blocks.len(), 2, "one chart and one row of cards");
    insta::assert_snapshot!("metrics_home_chart", home_blocks[0]);
    insta::assert_snapshot!("metrics_home_kpis", home_blocks[1]);
    let guide = blocks(&run.read("guide/index.html"));
    assert_eq!(guide.len(), 2);
    insta::assert_snapshot!("metrics_stacked_quarters", guide[0]);
    insta::assert_snapshot!("metrics_combo", guide[1]);
    // Every metric has a page; the section page lists them all.
    for id in ["signups", "latency", "channels"] {
        assert!(run.exists(&format!("metrics/{id}/index.html")), "page for {id}");
    }
    insta::assert_snapshot!("metrics_signups_page", run.main("metrics/signups/index.html"));
    let list = run.read("metrics/index.html");
    assert!(list.contains("<table class=\"metric-list\">"));
    assert!(list.contains("<a href=\"latency/index.html\">接口延迟</a>"));
    // The metric page links back to the playbook naming it in `kpis`.
    assert!(run.read("metrics/signups/index.html").contains("<a href=\"../../guide/index.html\">增长手册</a>"));

    // Same input, same bytes.
    let again = Site::fixture("metrics/valid").build(&[]);
    again.ok();
    for page in ["index.html", "guide/index.html", "metrics/latency/index.html", "metrics/index.html"] {
        assert!(run.read(page) == again.read(page), "{page} differs between two builds");
    }
}

#[test]
fn a_link_to_a_metric_s_file_goes_to_its_page() {
    let run = Site::fixture("metrics/valid")
        .file("content/deep/a.md", "# A\n\nSee [signups](../metrics/signups.toml) and [root](/metrics/signups.toml).\n")
        .build(&[]);
    run.ok();
    assert!(!run.stderr().contains("warning"), "{}", run.stderr());
    let html = run.read("deep/a/index.html");
    assert!(html.contains("<a href=\"../../metrics/signups/index.html\">signups</a>"), "{html}");
    assert!(html.contains("<a href=\"../../metrics/signups/index.html\">root</a>"), "{html}");
}

#[test]
fn the_same_block_on_pages_at_different_depths_links_from_each() {
    let block = "```kpi\nmetrics = [\"signups\"]\n```\n";
    let page = |title: &str| format!("+++\ntitle = \"{title}\"\n+++\n\n{block}");
    let run = Site::fixture("metrics/valid")
        .file("content/a.md", &page("A"))
        .file("content/b.md", &page("B"))
        .file("content/deep/c.md", &page("C"))
        .file("content/deep/er/d.md", &page("D"))
        .build(&[]);
    run.ok();
    for (rel, up) in [
        ("a/index.html", "../"),
        ("b/index.html", "../"),
        ("deep/c/index.html", "../../"),
        ("deep/er/d/index.html", "../../../"),
    ] {
        let html = run.read(rel);
        let href = format!("href=\"{up}metrics/signups/index.html\"");
        assert!(blocks(&html).iter().any(|b| b.contains(&href)), "{rel} should link with {href}");
    }
}

#[test]
fn english_numbers_and_dates() {
    let run = Site::fixture("metrics/english").build(&[]);
    run.ok();
    let html = run.read("index.html");
    let b = blocks(&html);
    assert_eq!(b.len(), 2);
    assert!(b[1].contains("<span class=\"kpi-number\">$2.6M</span>"), "{}", b[1]);
    assert!(b[0].contains(">Q1</text>") && b[0].contains(">2025</text>"), "quarter ticks with years");
    insta::assert_snapshot!("metrics_english_chart", b[0]);
    insta::assert_snapshot!("metrics_english_kpis", b[1]);
}

/// Runs in the page: every chart drawn in the current layout, with its box
/// on screen, every label inside its SVG, and no label rendered as tofu.
const CHECK_CHARTS: &str = r#"(() => {
  const problems = [];
  const figures = [...document.querySelectorAll('figure.chart')];
  let shown = 0;
  const chars = new Set();
  for (const [i, f] of figures.entries()) {
    const svgs = [...f.querySelectorAll('svg.ob-chart, svg.ob-spark')].filter(s => s.getBoundingClientRect().width > 0);
    if (svgs.length !== 1) { problems.push(`figure ${i}: ${svgs.length} visible charts`); continue; }
    const svg = svgs[0];
    const box = svg.getBoundingClientRect();
    if (box.height < 20 || box.left < 0 || box.right > document.documentElement.clientWidth + 1) {
      problems.push(`figure ${i}: box ${box.left},${box.width}x${box.height} is off screen`);
    }
    if (svg.querySelectorAll('polyline, polygon, rect').length === 0) problems.push(`figure ${i}: nothing drawn`);
    shown++;
    const vb = svg.viewBox.baseVal;
    for (const t of svg.querySelectorAll('text')) {
      const b = t.getBBox();
      if (b.width === 0 || b.x < -1 || b.y < -1 || b.x + b.width > vb.width + 1 || b.y + b.height > vb.height + 1) {
        problems.push(`figure ${i}: label "${t.textContent}" clipped (${b.x},${b.y} ${b.width}x${b.height})`);
      }
      for (const c of t.textContent) if (c.charCodeAt(0) > 0x2e80) chars.add(c);
    }
  }
  // Tofu: a glyph drawn exactly like a character no font has.
  const canvas = document.createElement('canvas');
  canvas.width = 40; canvas.height = 40;
  const ctx = canvas.getContext('2d');
  const font = getComputedStyle(document.querySelector('svg.ob-chart') || document.body).fontFamily;
  const draw = c => { ctx.clearRect(0, 0, 40, 40); ctx.font = `28px ${font}`; ctx.fillText(c, 4, 32); return canvas.toDataURL(); };
  const tofu = draw('\u{10FFFD}');
  for (const c of chars) if (draw(c) === tofu) problems.push(`"${c}" renders as tofu`);
  return { figures: figures.length, shown, cjk: chars.size, cards: document.querySelectorAll('.kpi-card').length, problems };
})()"#;

#[test]
fn dashboard_charts_render_in_a_browser() {
    let Some(mut browser) = Browser::launch() else { return };
    let run = Site::copy_of(&repo()).build(&[]);
    run.ok();
    let mut checked = 0;
    for (width, height, mobile, dark, shot) in [
        (1400, 2000, false, false, Some("charts-dashboard")),
        (1400, 2000, false, true, Some("charts-dashboard-dark")),
        (390, 2400, true, false, Some("charts-dashboard-phone")),
    ] {
        browser.viewport(width, height, mobile);
        browser.dark(dark);
        browser.goto(&file_url(&run, "index.html"));
        browser.settle();
        let result = browser.eval(CHECK_CHARTS);
        let problems = result["problems"].as_array().cloned().unwrap_or_default();
        assert!(problems.is_empty(), "{width}px dark={dark}: {problems:#?}");
        assert_eq!(result["figures"], result["shown"], "{result}");
        assert!(result["figures"].as_u64().unwrap_or(0) >= 2, "{result}");
        assert!(result["cards"].as_u64().unwrap_or(0) >= 6, "{result}");
        assert!(result["cjk"].as_u64().unwrap_or(0) >= 3, "Chinese labels were checked: {result}");
        if let Some(name) = shot {
            browser.screenshot(name);
        }
        checked += 1;
    }
    // Every page with a chart, at desktop width.
    browser.viewport(1400, 1000, false);
    browser.dark(false);
    for page in html_pages(&run.out_dir) {
        if !run.read(&page).contains("class=\"chart ") {
            continue;
        }
        browser.goto(&file_url(&run, &page));
        let result = browser.eval(CHECK_CHARTS);
        let problems = result["problems"].as_array().cloned().unwrap_or_default();
        assert!(problems.is_empty(), "{page}: {problems:#?}");
        assert_ne!(result["shown"], Value::from(0), "{page}");
        checked += 1;
    }
    assert!(checked > 15, "{checked} pages checked");
    assert!(browser.take_problems().is_empty());
}
