//! Competitor notes and handbook upkeep: the comparison matrix, the score
//! charts, stale notes, overdue reviews, the freshness report and owners
//! index, every validation error, and the matrix in a real browser.

use serde_json::Value;

use crate::browser::Browser;
use crate::harness::{Site, repo};

/// The text from the first `start` to the end of the first `end` after it.
#[track_caller]
fn between(html: &str, start: &str, end: &str) -> String {
    let from = html.find(start).unwrap_or_else(|| panic!("no `{start}` in:\n{html}"));
    let to = html[from..].find(end).map_or(html.len(), |i| from + i + end.len());
    html[from..to].to_string()
}

#[test]
fn matrix_compares_every_note_with_our_product() {
    let run = Site::fixture("competitors/matrix").build(&[]);
    run.ok();
    let page = run.read("competitors/index.html");
    let table = between(&page, "<table class=\"cmp-matrix\"", "</table>");
    // Our product is the first, highlighted column; notes follow by weight.
    let heads: Vec<&str> = ["Lime", "Alpha Fit", "Beta Run", "Gamma Gym"].into_iter().collect();
    let at: Vec<usize> = heads.iter().map(|h| table.find(h).unwrap_or(usize::MAX)).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "column order {at:?}");
    assert!(table.contains("<th scope=\"col\" class=\"cmp-us\">"), "{table}");
    // Numbers are printed in every coloured cell; a missing score is a dash.
    assert!(table.contains("<span class=\"cmp-score cmp-l4\">4.5</span>"), "{table}");
    assert!(table.contains("cmp-none"), "{table}");
    // Pricing side by side, with thousands grouped and the currency from the config.
    assert!(table.contains("$1,299") && table.contains("$9.90"), "{table}");
    insta::assert_snapshot!("matrix_table", table);
    insta::assert_snapshot!("matrix_warnings", run.stderr());
    // Links to the matrix's anchor are checked like any other.
    assert!(!run.stderr().contains("broken"), "{}", run.stderr());
}

#[test]
fn scores_chart_has_grouped_bars_and_radars() {
    let run = Site::fixture("competitors/matrix").build(&[]);
    run.ok();
    let page = run.read("competitors/index.html");
    let chart = between(&page, "<figure class=\"chart cmp-chart\">", "</figure>");
    assert_eq!(chart.matches("role=\"img\"").count(), 2, "one layout for wide screens, one for phones");
    assert!(chart.contains("<title>") && chart.contains("<desc>"), "{chart}");
    assert!(chart.contains("Beta Run: Experience 3, Content 2, Price 4.5"), "every score is in the description");
    insta::assert_snapshot!("scores_chart", chart);
    let radars = between(&page, "<div class=\"cmp-radars\">", "<p class=\"cmp-radar-key\">");
    assert_eq!(radars.matches("<figure class=\"cmp-radar\">").count(), 3);
    insta::assert_snapshot!("scores_radar", between(&radars, "<figure class=\"cmp-radar\">", "</figure>"));
}

#[test]
fn stale_notes_are_flagged_on_the_profile_and_in_the_matrix() {
    let run = Site::fixture("competitors/matrix").build(&[]);
    run.ok();
    let page = run.read("competitors/index.html");
    let head = between(&page, "<thead>", "</thead>");
    // Beta's newest source is older than 90 days; Gamma has no dated source; Alpha is fresh.
    assert_eq!(head.matches("cmp-stale").count(), 2, "{head}");
    assert!(page.contains("<time class=\"cmp-date cmp-date-stale\" datetime=\"2026-03-01\">"), "{page}");
    let beta = run.main("competitors/beta/index.html");
    assert!(beta.contains("cmp-stale-banner"), "{beta}");
    insta::assert_snapshot!("profile_stale_main", beta);
    let alpha = run.main("competitors/alpha/index.html");
    assert!(!alpha.contains("cmp-stale-banner"), "{alpha}");
    // The profile's parts join the table of contents.
    assert!(alpha.contains("href=\"#cmp-scores\"") && alpha.contains("href=\"#cmp-sources\""), "{alpha}");
    // With a longer limit, Beta is fresh.
    let config =
        std::fs::read_to_string(repo().join("tests/fixtures/competitors/matrix/opsbook.toml")).unwrap_or_default();
    let longer =
        Site::fixture("competitors/matrix").file("opsbook.toml", &config.replace("\"90d\"", "\"1y\"")).build(&[]);
    longer.ok();
    assert!(!longer.main("competitors/beta/index.html").contains("cmp-stale-banner"));
}

#[test]
fn overdue_reviews_name_the_owner_and_use_section_defaults() {
    let run = Site::fixture("competitors/reviews").build(&[]);
    run.ok();
    // `old` has no `review_every`: the site-wide 180 days make it overdue.
    let old = run.main("ops/old/index.html");
    assert!(old.contains("banner-overdue") && old.contains("Lee"), "{old}");
    // `ops/data` pages are due every 30 days.
    let metrics = run.main("ops/data/metrics/index.html");
    assert!(metrics.contains("2026-10-31") && metrics.contains("banner-overdue"), "{metrics}");
    insta::assert_snapshot!("overdue_main", old);
    let fresh = run.main("ops/fresh/index.html");
    assert!(!fresh.contains("banner-overdue"), "{fresh}");
}

#[test]
fn freshness_report_and_owners_index() {
    let run = Site::fixture("competitors/reviews").build(&[]);
    run.ok();
    let report = run.main("maintenance/freshness/index.html");
    // Overdue first (most overdue at the top), then due soon, fresh, and no review date.
    let order: Vec<usize> = ["Old playbook", "Metric definitions", "Almost due", "Fresh playbook", "Nobody"]
        .iter()
        .map(|t| report.find(&format!("\">{t}")).unwrap_or(usize::MAX))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "order {order:?}");
    insta::assert_snapshot!("freshness_main", report);
    let owners = run.main("maintenance/owners/index.html");
    insta::assert_snapshot!("owners_main", owners);
    let overview = run.main("maintenance/index.html");
    assert!(overview.contains("../tags/index.html"), "the tags index is linked: {overview}");
    insta::assert_snapshot!("maintenance_main", overview);
    // Reachable from the home page and every sidebar.
    let home = run.read("index.html");
    assert!(home.contains("href=\"maintenance/index.html\""), "{home}");
    assert!(home.contains("2 overdue for review · 1 due soon"), "{home}");
}

#[test]
fn no_report_without_owners_or_when_turned_off() {
    let run = Site::new().file("content/a.md", "# A\n").build(&[]);
    run.ok();
    assert!(!run.exists("maintenance/index.html"));
    let run = Site::fixture("competitors/reviews").file("opsbook.toml", "[review]\nreport = false\n").build(&[]);
    run.ok();
    assert!(!run.exists("maintenance/index.html"));
}

#[test]
fn invalid_notes_and_config_point_at_their_line() {
    let cases = [
        "unknown-dimension",
        "score-out-of-scale",
        "missing-source-date",
        "fields-outside",
        "missing-name",
        "bad-url",
        "bad-period",
        "bad-config",
        "bad-review-config",
    ];
    for name in cases {
        let run = Site::fixture(&format!("competitors/{name}")).build(&[]);
        run.fails(1);
        insta::assert_snapshot!(format!("invalid_{name}"), run.stderr());
    }
    let run = Site::fixture("competitors/unknown-review-section").build(&[]);
    run.ok();
    insta::assert_snapshot!("warning_unknown-review-section", run.stderr());
}

#[test]
fn the_example_handbook_has_a_matrix() {
    let run = Site::copy_of(&repo()).build(&[]);
    run.ok();
    let page = run.read("competitors/index.html");
    for name in ["青柠运动", "燃点健身", "瑜你同行", "跑哪儿", "轻燃", "铁馆 Pro"] {
        assert!(page.contains(name), "{name}");
    }
    assert!(run.read("competitors/yunitongxing/index.html").contains("cmp-stale-banner"));
    assert!(run.exists("maintenance/freshness/index.html") && run.exists("maintenance/owners/index.html"));
}

fn file_url(path: &std::path::Path) -> String {
    let s = path.display().to_string();
    format!("file://{}", s.split('/').map(opsbook::links::encode_segment).collect::<Vec<_>>().join("/"))
}

#[test]
fn matrix_in_a_browser_on_a_phone_and_a_desktop() {
    let Some(mut browser) = Browser::launch() else { return };
    let run = Site::copy_of(&repo()).build(&[]);
    run.ok();
    let url = file_url(&run.out_dir.join("competitors/index.html"));
    let scroll =
        "document.getElementById('cmp-matrix').scrollIntoView({block: 'start'}); window.scrollBy(0, -64); true";
    for dark in [false, true] {
        browser.dark(dark);
        let suffix = if dark { "-dark" } else { "" };

        browser.viewport(1400, 1000, false);
        browser.goto(&url);
        browser.eval(scroll);
        let fits = browser.eval(
            "(() => { const s = document.querySelector('.cmp-scroll'); return s.scrollWidth <= s.clientWidth; })()",
        );
        assert_eq!(fits, Value::Bool(true), "the matrix fits a desktop screen without scrolling");
        browser.screenshot(&format!("competitors-matrix-desktop{suffix}"));

        browser.viewport(390, 844, true);
        browser.goto(&url);
        browser.eval(scroll);
        browser.screenshot(&format!("competitors-matrix-phone{suffix}"));
        // The table scrolls sideways inside its region while the row labels stay put.
        let sticky = browser.eval(
            "(() => { const s = document.querySelector('.cmp-scroll'); const th = s.querySelector('tbody th[scope=row]');
               const before = th.getBoundingClientRect().left; s.scrollLeft = 300;
               return [s.scrollWidth > s.clientWidth, s.scrollLeft > 0, Math.abs(th.getBoundingClientRect().left - before) < 1]; })()",
        );
        assert_eq!(sticky, serde_json::json!([true, true, true]), "phone: scrolls sideways with sticky labels");
    }
    browser.dark(false);
    browser.viewport(1400, 1000, false);
    browser.goto(&file_url(&run.out_dir.join("maintenance/freshness/index.html")));
    browser.screenshot("maintenance-freshness-desktop");
    assert!(browser.take_problems().is_empty());
}
