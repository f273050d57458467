//! Search on the example handbook: the query set (`tests/search_queries.toml`)
//! ranked in Rust over the built index and typed into the real search box in
//! Chromium, from `file://` and under a subpath; the tokenizer table
//! (`src/search/tokenizer_cases.toml`) run through `search-core.js` under node
//! and in the browser; drafts and made-up folder pages left out.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use opsbook::search::query::Index;
use opsbook::search::tokenize::{hash, shard_key};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::browser::{Browser, serve};
use crate::harness::{Run, Site, repo};

#[derive(Deserialize)]
struct QuerySet {
    query: Vec<Query>,
}

#[derive(Deserialize)]
struct Query {
    q: String,
    first: Option<String>,
    #[serde(default)]
    top3: Vec<String>,
    heading: Option<String>,
    #[serde(default)]
    pending: bool,
}

#[derive(Deserialize)]
struct Cases {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    input: String,
    tokens: Vec<String>,
    terms: Vec<String>,
}

fn example() -> Run {
    let run = Site::copy_of(&repo()).build(&[]);
    run.ok();
    run
}

/// The query set, minus pending queries whose pages the site lacks.
fn queries(run: &Run) -> Vec<Query> {
    let text = std::fs::read_to_string(repo().join("tests/search_queries.toml")).expect("query set");
    let set: QuerySet = toml::from_str(&text).expect("valid query set");
    assert!(set.query.len() >= 20, "the query set has {} queries", set.query.len());
    set.query
        .into_iter()
        .filter(|q| {
            let missing: Vec<&String> =
                q.first.iter().chain(&q.top3).filter(|p| !run.exists(&format!("{p}index.html"))).collect();
            assert!(q.pending || missing.is_empty(), "`{}` expects pages that do not exist: {missing:?}", q.q);
            if !missing.is_empty() {
                eprintln!("pending: `{}` waits for {missing:?}", q.q);
            }
            missing.is_empty()
        })
        .collect()
}

/// What is wrong with `results` (page URL, heading id) for `q`, if anything.
fn check(q: &Query, results: &[(String, String)]) -> Option<String> {
    let pages: Vec<&str> = results.iter().map(|r| r.0.as_str()).take(3).collect();
    let wrong = |what: String| Some(format!("`{}`: {what}; got {results:?}", q.q));
    if let Some(first) = q.first.as_ref().filter(|f| pages.first() != Some(&f.as_str())) {
        return wrong(format!("expected {first} first"));
    }
    if let Some(p) = q.top3.iter().find(|p| !pages.contains(&p.as_str())) {
        return wrong(format!("expected {p} in the top three"));
    }
    if let Some(h) = q.heading.as_ref().filter(|h| results.first().map(|r| r.1.as_str()) != Some(h.as_str())) {
        return wrong(format!("expected the first result to link to #{h}"));
    }
    None
}

fn index_of(out: &Path) -> Index {
    let dir = out.join("assets/search");
    let mut files = Vec::new();
    for e in std::fs::read_dir(&dir).expect("assets/search exists") {
        let e = e.expect("entry");
        let text = std::fs::read_to_string(e.path()).expect("read index file");
        files.push((format!("assets/search/{}", e.file_name().to_string_lossy()), text));
    }
    Index::from_files(&files).expect("index files read back")
}

#[test]
fn query_set_ranks_in_rust() {
    let run = example();
    let index = index_of(&run.out_dir);
    let mut failures = Vec::new();
    for q in queries(&run) {
        let results: Vec<(String, String)> = index
            .search(&q.q)
            .into_iter()
            .map(|h| (h.href.trim_end_matches("index.html").to_string(), h.target))
            .collect();
        failures.extend(check(&q, &results));
    }
    assert!(failures.is_empty(), "{} queries fail:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn drafts_and_made_up_folder_pages_are_not_indexed() {
    let site = Site::new()
        .file("opsbook.toml", "title = \"T\"\nlanguage = \"zh-CN\"\n")
        .file(
            "content/a.md",
            "+++\ntitle = \"公开页面\"\nowner = \"林晓\"\nreviewed = 2026-01-01\n+++\n## 复盘节奏\n公开内容\n",
        )
        .file("content/folder/b.md", "+++\ntitle = \"草稿\"\ndraft = true\n+++\n秘密计划\n");
    let run = site.build(&[]);
    run.ok();
    let index = index_of(&run.out_dir);
    assert!(index.search("秘密").is_empty());
    assert!(index.search("folder").is_empty(), "the made-up `folder/` page is left out");
    let hits = index.search("复盘");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].url(), "a/index.html#复盘节奏");
    assert!(run.exists("maintenance/freshness/index.html"), "the upkeep report exists");
    let titles = index.search("公开页面");
    assert!(!titles.is_empty() && titles.iter().all(|h| h.url().starts_with("a/")), "upkeep reports are not indexed");
    let run = site.build(&["--drafts"]);
    run.ok();
    assert_eq!(index_of(&run.out_dir).search("秘密")[0].url(), "folder/b/index.html");
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(repo().join("src/search/tokenizer_cases.toml")).expect("tokenizer table");
    toml::from_str::<Cases>(&text).expect("valid table").case
}

/// `[{tokens, terms}]` from search-core.js for each input, in the JSON the
/// browser and node checks both produce.
const RUN_TABLE: &str = "inputs.map(function (s) { return { tokens: api.tokenize(s), \
     terms: api.terms(s).map(function (t) { return t.prefix ? t.text + '*' : t.text; }) }; })";

fn check_table(got: &Value, cases: &[Case], where_: &str) {
    for (i, c) in cases.iter().enumerate() {
        assert_eq!(got[i]["tokens"], json!(c.tokens), "{where_}: tokens of {:?}", c.input);
        assert_eq!(got[i]["terms"], json!(c.terms), "{where_}: terms of {:?}", c.input);
    }
}

#[test]
fn tokenizer_table_through_search_core_js_in_node() {
    if Command::new("node").arg("--version").output().is_err() {
        eprintln!("skipped: node not installed (the browser test runs the table too)");
        return;
    }
    let cases = cases();
    let inputs: Vec<&str> = cases.iter().map(|c| c.input.as_str()).collect();
    let script = format!(
        "var api = require(process.argv[1]); var input = ''; process.stdin.on('data', function (d) {{ input += d; }}); \
         process.stdin.on('end', function () {{ var inputs = JSON.parse(input); \
         process.stdout.write(JSON.stringify({RUN_TABLE})); }});"
    );
    let mut child = Command::new("node")
        .arg("-e")
        .arg(script)
        .arg(repo().join("themes/default/static/search-core.js"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run node");
    child.stdin.take().expect("stdin").write_all(json!(inputs).to_string().as_bytes()).expect("write");
    let out = child.wait_with_output().expect("node output");
    assert!(out.status.success(), "node failed");
    let got: Value = serde_json::from_slice(&out.stdout).expect("json from node");
    check_table(&got, &cases, "node");
}

fn file_url(path: &Path) -> String {
    let s = path.display().to_string();
    format!("file://{}/", s.split('/').map(opsbook::links::encode_segment).collect::<Vec<_>>().join("/"))
}

fn key(b: &mut Browser, key: &str, code: &str, vk: u32, modifiers: u32) {
    let text = match key {
        "Enter" => "\r",
        "/" => "/",
        _ => "",
    };
    for kind in ["keyDown", "keyUp"] {
        let mut p =
            json!({ "type": kind, "key": key, "code": code, "windowsVirtualKeyCode": vk, "modifiers": modifiers });
        if kind == "keyDown" && !text.is_empty() {
            p["text"] = json!(text);
        }
        b.call("Input.dispatchKeyEvent", p);
    }
}

/// Waits until the result list shows `query`; returns each page row's link
/// relative to the site root, `(page URL, heading id)`, and the first row's
/// marked text.
fn results(b: &mut Browser, query: &str) -> (Vec<(String, String)>, Vec<String>) {
    let js = format!(
        "new Promise(function (done) {{ var t0 = Date.now(); (function poll() {{ \
           var list = document.getElementById('ob-search-list'); \
           if ((list && list.getAttribute('data-query') === {q}) || Date.now() - t0 > 10000) {{ \
             var root = new URL(document.getElementById('search').getAttribute('data-root'), location.href).href; \
             var rows = Array.from(list.querySelectorAll('.ob-search-page')).map(function (a) {{ \
               var parts = a.href.slice(root.length).split('#'); \
               return [parts[0].replace(/index\\.html$/, ''), decodeURIComponent(parts[1] || '')]; }}); \
             var first = list.querySelector('[role=option]'); \
             done({{ rows: rows, marks: first ? Array.from(first.querySelectorAll('mark')).map(function (m) {{ return m.textContent; }}) : [] }}); \
           }} else setTimeout(poll, 20); }})(); }})",
        q = json!(query.trim())
    );
    let v = b.eval(&js);
    let rows = v["rows"]
        .as_array()
        .map(|r| r.iter().map(|p| (p[0].as_str().unwrap_or("").into(), p[1].as_str().unwrap_or("").into())).collect())
        .unwrap_or_default();
    let marks = v["marks"].as_array().map(|m| m.iter().map(|s| s.as_str().unwrap_or("").into()).collect());
    (rows, marks.unwrap_or_default())
}

/// Types `text` into the focused box, as an input method commits it.
fn type_text(b: &mut Browser, text: &str) {
    b.eval("document.getElementById('ob-search-list') && document.getElementById('ob-search-list').removeAttribute('data-query')");
    b.call("Input.insertText", json!({ "text": text }));
}

fn search_in_browser(b: &mut Browser, base: &str, queries: &[Query], cases: &[Case], shots: bool) {
    // Nothing loads before the box is used.
    b.goto(&format!("{base}playbooks/data/retention/index.html"));
    let loaded = "document.querySelectorAll('script[src*=\"assets/search/\"]').length";
    assert_eq!(b.eval(loaded), json!(0), "{base}: the index loads lazily");
    let inputs: Vec<&str> = cases.iter().map(|c| c.input.as_str()).collect();
    let table =
        b.eval(&format!("(function (api, inputs) {{ return {RUN_TABLE}; }})(window.opsbookSearch, {})", json!(inputs)));
    check_table(&table, cases, base);

    // `/` focuses; a Chinese query shows highlighted results.
    key(b, "/", "Slash", 191, 0);
    assert_eq!(b.eval("document.activeElement.id"), json!("ob-search-input"), "{base}: `/` focuses the box");
    type_text(b, "次日");
    let (rows, marks) = results(b, "次日");
    assert_eq!(rows.first().map(|r| r.0.as_str()), Some("playbooks/data/retention/"), "{base}: {rows:?}");
    assert!(marks.iter().any(|m| m.contains("次日")), "{base}: highlighted: {marks:?}");
    let state = b.eval(
        "(function (i) { return { expanded: i.getAttribute('aria-expanded'), live: document.querySelector('.ob-search [role=status]').textContent }; })(document.getElementById('ob-search-input'))",
    );
    assert_eq!(state["expanded"], json!("true"));
    assert!(state["live"].as_str().is_some_and(|s| s.contains('1')), "{base}: the count is announced: {state}");
    if shots {
        b.screenshot("search-results-light");
        b.dark(true);
        for _ in 0..5 {
            b.settle(); // let the colour transitions finish
        }
        b.screenshot("search-results-dark");
        b.dark(false);
    }

    // Arrow keys move the active option; Enter lands on its heading.
    key(b, "ArrowDown", "ArrowDown", 40, 0);
    let active = b.eval("(function (i) { var o = document.getElementById(i.getAttribute('aria-activedescendant')); return o && o.getAttribute('aria-selected'); })(document.getElementById('ob-search-input'))");
    assert_eq!(active, json!("true"), "{base}: ArrowDown selects the first option");
    key(b, "Enter", "Enter", 13, 0);
    let landed = b.eval(
        "new Promise(function (done) { var t0 = Date.now(); (function poll() { \
           var id = decodeURIComponent(location.hash.slice(1)); var el = id && document.getElementById(id); \
           if (el || Date.now() - t0 > 5000) done({ id: id, top: el ? el.getBoundingClientRect().top : -1, \
             expanded: document.getElementById('ob-search-input').getAttribute('aria-expanded') }); \
           else setTimeout(poll, 20); })(); })",
    );
    assert_eq!(landed["id"], json!("次日留存"), "{base}: Enter follows the first result");
    let top = landed["top"].as_f64().unwrap_or(-1.0);
    assert!((0.0..200.0).contains(&top), "{base}: the heading is scrolled into view: {landed}");
    assert_eq!(landed["expanded"], json!("false"), "{base}: the list closes");

    // Ctrl-K from another page; the result links to the heading there.
    b.goto(&format!("{base}playbooks/goals/okr/index.html"));
    key(b, "k", "KeyK", 75, 2);
    assert_eq!(b.eval("document.activeElement.id"), json!("ob-search-input"), "{base}: Ctrl-K focuses the box");
    type_text(b, "样本量");
    let (rows, _) = results(b, "样本量");
    assert_eq!(rows.first(), Some(&("playbooks/data/ab-testing/".to_string(), "sample-size".to_string())));
    let href = b.eval("document.querySelector('#ob-search-list .ob-search-page').href");
    key(b, "Escape", "Escape", 27, 0);
    assert_eq!(b.eval("document.getElementById('ob-search-input').getAttribute('aria-expanded')"), json!("false"));
    b.goto(href.as_str().expect("href"));
    let top = b.eval("document.getElementById('sample-size').getBoundingClientRect().top");
    assert!(top.as_f64().is_some_and(|t| (0.0..200.0).contains(&t)), "{base}: lands on the heading: {top}");

    // The whole query set, through the box.
    b.eval("document.getElementById('ob-search-input').focus()");
    let mut failures = Vec::new();
    for q in queries {
        b.eval("(function (i) { i.select(); })(document.getElementById('ob-search-input'))");
        type_text(b, &q.q);
        let (rows, _) = results(b, &q.q);
        failures.extend(check(q, &rows));
    }
    assert!(failures.is_empty(), "{base}: {} queries fail in the browser:\n{}", failures.len(), failures.join("\n"));
    let problems = b.take_problems();
    assert!(problems.is_empty(), "{base}: {problems:?}");
}

#[test]
fn search_box_in_chromium_from_disk_and_under_a_subpath() {
    let Some(mut b) = Browser::launch() else { return };
    let run = example();
    let queries = queries(&run);
    let cases = cases();
    b.viewport(1400, 900, false);
    search_in_browser(&mut b, &file_url(&run.out_dir), &queries, &cases, true);
    let base = serve(&run.out_dir, "/handbook/v1/");
    search_in_browser(&mut b, &base, &queries, &cases, false);
}

/// A site whose Chinese text piles the bigrams of a few characters into
/// shards bigger than the index cuts (a big handbook's common characters).
fn site_with_cut_shards() -> Run {
    const LINES: [&str; 6] = [
        "留存率是复盘的核心，留存用户决定增长的速度。",
        "每周复盘留存与活跃，留言区的反馈留给客服处理。",
        "增长实验先定指标，再定样本量，最后复盘结论。",
        "The retention review compares cohorts week by week.",
        "活动复盘要写清目标、投入、产出与下一步。",
        "留住老用户比拉新便宜，留存曲线要按渠道拆开看。",
    ];
    let mut site = Site::new().file("opsbook.toml", "title = \"T\"\n");
    for i in 0..240 {
        let mut body = String::new();
        for s in 0..5 {
            body.push_str(&format!("## 第 {s} 节 留存 {i}\n\n"));
            for k in 0..(3 + (i * 7 + s) % 9) {
                body.push_str(LINES[(i + s * 3 + k) % LINES.len()]);
            }
            // Many bigrams after 留 and words after `re`: big shards.
            for k in 0..40 {
                let n = (i * 131 + s * 17 + k * 7) % 600;
                let c = char::from_u32(0x4E00 + n as u32).unwrap_or('一');
                let w: String = [n % 26, n / 26 % 26].iter().map(|&d| (b'a' + d as u8) as char).collect();
                body.push_str(&format!("留{c}，re{w} "));
            }
            body.push_str("\n\n");
        }
        site = site.file(&format!("content/s{}/p{i}.md", i % 6), &format!("# 页面 {i}\n\n{body}"));
    }
    let run = site.build(&[]);
    run.ok();
    run
}

#[test]
fn shards_cut_into_parts_search_alike_in_rust_and_in_chromium() {
    let run = site_with_cut_shards();
    let manifest = run.read("assets/search/index.js");
    let m: Value =
        serde_json::from_str(manifest.trim_end().trim_start_matches("opsbookIndex(\"index\",").trim_end_matches(");"))
            .expect("index.js");
    let shards = m["shards"].as_u64().expect("shards") as u32;
    for token in ["留", "re"] {
        let k = hash(shard_key(token)) & (shards - 1);
        assert!(
            m["split"][k.to_string()].as_u64().is_some_and(|p| p > 1),
            "the premise: `{token}`'s shard is cut: {m}"
        );
    }
    let index = index_of(&run.out_dir);
    // Bigrams pick one part; a lone character and a two-letter word need
    // every part of their shard.
    let queries = ["留存", "留", "复盘 留存", "留言区", "re", "retention", "样本量", "留住老用户", "渠道"];
    let expected: Vec<Vec<(String, String)>> =
        queries.iter().map(|q| index.search(q).into_iter().take(10).map(|h| (h.href, h.target)).collect()).collect();
    assert!(expected.iter().all(|hits| !hits.is_empty()), "{expected:?}");
    let Some(mut b) = Browser::launch() else { return };
    b.goto(&format!("{}s0/p0/index.html", file_url(&run.out_dir)));
    let got = b.eval(&format!(
        "(function (api, queries) {{ \
           api.setRoot(document.getElementById('search').getAttribute('data-root')); \
           var loaded = []; \
           return queries.reduce(function (p, q) {{ return p.then(function (acc) {{ \
             return api.search(q).then(function (r) {{ \
               acc.push(r.hits.map(function (h) {{ return [h.href, h.fields[3 * h.target] || '']; }})); \
               return acc; }}); }}); }}, Promise.resolve([])).then(function (acc) {{ \
             return {{ hits: acc, files: Array.from(document.querySelectorAll('script[src*=\"assets/search/t\"]')) \
               .map(function (s) {{ return s.getAttribute('src').replace(/^.*assets\\/search\\//, '').replace(/\\?.*$/, ''); }}) }}; }}); \
         }})(window.opsbookSearch, {})",
        json!(queries)
    ));
    for (i, q) in queries.iter().enumerate() {
        let hits: Vec<(String, String)> = got["hits"][i]
            .as_array()
            .map(|a| {
                a.iter().map(|h| (h[0].as_str().unwrap_or("").into(), h[1].as_str().unwrap_or("").into())).collect()
            })
            .unwrap_or_default();
        assert_eq!(hits, expected[i], "`{q}` in Chromium");
    }
    // Part files were loaded, not only whole shards.
    let files = got["files"].as_array().cloned().unwrap_or_default();
    assert!(files.iter().any(|f| f.as_str().is_some_and(|f| f.contains('-'))), "{files:?}");
    let problems = b.take_problems();
    assert!(problems.is_empty(), "{problems:?}");
}
