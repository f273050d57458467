//! Real-browser checks in headless Chromium, driven over the DevTools
//! protocol: pages load every CSS, JS and image file with no 404 and no
//! console error, from `file://` and from a subpath on a loopback server.
//! Screenshots land in `tests/artifacts/`.
//!
//! Skipped when Chromium is absent, except under CI, where it must exist.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{Site, repo};

type Socket = tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>;

pub struct Browser {
    child: Child,
    ws: Socket,
    session: String,
    next_id: u64,
    /// Problems seen since the last `take_problems`.
    problems: Vec<String>,
    _profile: tempfile::TempDir,
}

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

impl Browser {
    /// Starts Chromium, or returns `None` (skip) when it is not installed
    /// outside CI.
    pub fn launch() -> Option<Browser> {
        let Some(bin) = chromium() else {
            assert!(std::env::var_os("CI").is_none(), "CI must install chromium (see .ci/run)");
            eprintln!("skipped: chromium not installed");
            return None;
        };
        let profile = tempfile::tempdir().expect("profile dir");
        let mut child = Command::new(bin)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--hide-scrollbars",
                "--allow-file-access-from-files",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start chromium");
        let stderr = child.stderr.take().expect("stderr");
        let mut lines = BufReader::new(stderr).lines();
        let url = loop {
            let line = lines.next().expect("chromium exited early").expect("read chromium stderr");
            if let Some(i) = line.find("ws://") {
                break line[i..].trim().to_string();
            }
        };
        // Keep draining stderr so Chromium never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let (ws, _) = tungstenite::connect(url.as_str()).expect("connect to devtools");
        if let tungstenite::stream::MaybeTlsStream::Plain(s) = ws.get_ref() {
            s.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
        }
        let mut b = Browser { child, ws, session: String::new(), next_id: 0, problems: Vec::new(), _profile: profile };
        let target = b.call_browser("Target.createTarget", json!({ "url": "about:blank" }));
        let target_id = target["targetId"].as_str().expect("target id").to_string();
        let attached = b.call_browser("Target.attachToTarget", json!({ "targetId": target_id, "flatten": true }));
        b.session = attached["sessionId"].as_str().expect("session").to_string();
        for domain in ["Page.enable", "Runtime.enable", "Log.enable", "Network.enable"] {
            b.call(domain, json!({}));
        }
        b.call("Network.setCacheDisabled", json!({ "cacheDisabled": true }));
        Some(b)
    }

    fn send(&mut self, method: &str, params: Value, session: bool) -> u64 {
        self.next_id += 1;
        let mut msg = json!({ "id": self.next_id, "method": method, "params": params });
        if session {
            msg["sessionId"] = json!(self.session);
        }
        self.ws.send(tungstenite::Message::text(msg.to_string())).expect("send to devtools");
        self.next_id
    }

    fn call_browser(&mut self, method: &str, params: Value) -> Value {
        let id = self.send(method, params, false);
        self.wait_for(|m| m["id"] == json!(id))["result"].clone()
    }

    /// Calls a DevTools method on the page and returns its result.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.send(method, params, true);
        let reply = self.wait_for(|m| m["id"] == json!(id));
        assert!(reply.get("error").is_none(), "{method} failed: {reply}");
        reply["result"].clone()
    }

    /// Reads messages, recording problems, until one matches.
    fn wait_for(&mut self, mut done: impl FnMut(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            assert!(Instant::now() < deadline, "timed out waiting for chromium");
            let msg = match self.ws.read() {
                Ok(tungstenite::Message::Text(t)) => serde_json::from_str::<Value>(t.as_str()).unwrap_or(Value::Null),
                Ok(_) => continue,
                // A signal (a child process ending) interrupted the read: read again.
                Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => panic!("read from devtools: {e:?}"),
            };
            self.record(&msg);
            if done(&msg) {
                return msg;
            }
        }
    }

    fn record(&mut self, msg: &Value) {
        let p = &msg["params"];
        match msg["method"].as_str().unwrap_or("") {
            "Runtime.exceptionThrown" => {
                self.problems.push(format!("exception: {}", p["exceptionDetails"]["exception"]["description"]));
            }
            "Runtime.consoleAPICalled" if p["type"] == "error" => {
                self.problems.push(format!("console.error: {}", p["args"]));
            }
            "Log.entryAdded" if p["entry"]["level"] == "error" => {
                self.problems.push(format!("log: {} {}", p["entry"]["text"], p["entry"]["url"]));
            }
            "Network.responseReceived" if p["response"]["status"].as_u64().is_some_and(|s| s >= 400) => {
                self.problems.push(format!("HTTP {} {}", p["response"]["status"], p["response"]["url"]));
            }
            "Network.loadingFailed" => {
                self.problems.push(format!("failed to load: {} ({})", p["requestId"], p["errorText"]));
            }
            _ => {}
        }
    }

    /// Opens `url` and waits for its load event.
    pub fn goto(&mut self, url: &str) {
        self.call("Page.navigate", json!({ "url": url }));
        self.wait_for(|m| m["method"] == "Page.loadEventFired");
    }

    /// Waits for the next load event, after a click that navigates.
    pub fn wait_load(&mut self) {
        self.wait_for(|m| m["method"] == "Page.loadEventFired");
    }

    /// Evaluates `js` in the page (promises awaited) and returns its value.
    pub fn eval(&mut self, js: &str) -> Value {
        let r = self.call("Runtime.evaluate", json!({ "expression": js, "returnByValue": true, "awaitPromise": true }));
        r["result"]["value"].clone()
    }

    /// Like [`Browser::eval`], but `None` instead of a panic when the page
    /// is navigating (or the script throws).
    pub fn try_eval(&mut self, js: &str) -> Option<Value> {
        let params = json!({ "expression": js, "returnByValue": true, "awaitPromise": true });
        let id = self.send("Runtime.evaluate", params, true);
        let reply = self.wait_for(|m| m["id"] == json!(id));
        if reply.get("error").is_some() || reply["result"].get("exceptionDetails").is_some() {
            return None;
        }
        Some(reply["result"]["result"]["value"].clone())
    }

    pub fn viewport(&mut self, width: u32, height: u32, mobile: bool) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
        );
    }

    pub fn dark(&mut self, on: bool) {
        let value = if on { "dark" } else { "light" };
        self.call(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": value }] }),
        );
    }

    /// Saves a PNG of the page to `tests/artifacts/<name>.png`.
    pub fn screenshot(&mut self, name: &str) -> PathBuf {
        let r = self.call("Page.captureScreenshot", json!({ "format": "png", "captureBeyondViewport": false }));
        let bytes = base64_decode(r["data"].as_str().unwrap_or(""));
        let dir = repo().join("tests/artifacts");
        std::fs::create_dir_all(&dir).expect("artifacts dir");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, bytes).expect("write screenshot");
        path
    }

    /// Pauses briefly while still recording events (for late resource loads).
    pub fn settle(&mut self) {
        self.eval("new Promise(r => setTimeout(r, 50))");
    }

    pub fn take_problems(&mut self) -> Vec<String> {
        std::mem::take(&mut self.problems)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buf, mut bits) = (0u32, 0);
    for v in text.bytes().filter_map(value) {
        buf = (buf << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}

/// A static file server on loopback that serves `dir` under `prefix`
/// (`/handbook/`), answering 404 for anything else — with the site's
/// `404.html` when it has one, as static hosts do. Runs until the test
/// process ends; returns the base URL.
pub fn serve(dir: &Path, prefix: &str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("addr").port();
    let dir = dir.to_path_buf();
    let base = format!("http://127.0.0.1:{port}{prefix}");
    let prefix = prefix.to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            let prefix = prefix.clone();
            std::thread::spawn(move || answer(stream, &dir, &prefix));
        }
    });
    base
}

fn answer(mut stream: TcpStream, dir: &Path, prefix: &str) {
    let mut buf = [0u8; 8192];
    let n = stream.read(&mut buf).unwrap_or(0);
    let request = String::from_utf8_lossy(&buf[..n]);
    let path = request.split_whitespace().nth(1).unwrap_or("/").split(['?', '#']).next().unwrap_or("/").to_string();
    let decoded = opsbook::links::percent_decode(&path);
    let file = decoded.strip_prefix(prefix).map(|rel| {
        let mut p = dir.join(rel);
        if rel.is_empty() || rel.ends_with('/') {
            p = p.join("index.html");
        }
        p
    });
    let (status, body, kind) = match file.filter(|p| !decoded.contains("..") && p.is_file()) {
        Some(p) => {
            let kind = match p.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("css") => "text/css",
                Some("js") => "text/javascript",
                Some("svg") => "image/svg+xml",
                Some("png") => "image/png",
                Some("json") => "application/json",
                Some("xml") => "application/xml",
                _ => "application/octet-stream",
            };
            ("200 OK", std::fs::read(p).unwrap_or_default(), kind)
        }
        None => match std::fs::read(dir.join("404.html")) {
            Ok(page) => ("404 Not Found", page, "text/html; charset=utf-8"),
            Err(_) => ("404 Not Found", b"not found".to_vec(), "text/plain"),
        },
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

/// Every HTML page of a built site, relative to its root.
pub fn html_pages(out: &Path) -> Vec<String> {
    let mut pages: Vec<String> = walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().and_then(|x| x.to_str()) == Some("html"))
        .map(|e| e.path().strip_prefix(out).expect("prefix").to_string_lossy().replace('\\', "/"))
        .collect();
    pages.sort();
    pages
}

fn file_url(path: &Path) -> String {
    let s = path.display().to_string();
    format!("file://{}", s.split('/').map(opsbook::links::encode_segment).collect::<Vec<_>>().join("/"))
}

#[test]
fn example_site_loads_cleanly_from_disk_and_under_a_subpath() {
    let Some(mut browser) = Browser::launch() else { return };
    let site = Site::copy_of(&repo());
    let run = site.build(&[]);
    run.ok();
    let pages = html_pages(&run.out_dir);
    assert!(pages.len() > 40, "{} pages", pages.len());
    let base = serve(&run.out_dir, "/handbook/");
    let mut problems = Vec::new();
    for page in &pages {
        if page == "404.html" {
            continue; // served for missing paths; checked below
        }
        let urls = [
            file_url(&run.out_dir.join(page)),
            format!("{base}{}", opsbook::links::encode_segment(page).replace("%2F", "/")),
        ];
        for url in urls {
            browser.goto(&url);
            browser.settle();
            let styled = browser
                .eval("getComputedStyle(document.body).fontFamily.length > 0 && document.styleSheets.length > 0");
            if styled != Value::Bool(true) {
                problems.push(format!("{url}: no stylesheet"));
            }
            problems.extend(browser.take_problems().into_iter().map(|p| format!("{url}: {p}")));
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));

    browser.viewport(1400, 1000, false);
    browser.goto(&file_url(&run.out_dir.join("playbooks/goals/okr/index.html")));
    let text = browser.eval("document.querySelector('main').innerText");
    assert!(text.as_str().unwrap_or("").contains("OKR"), "Chinese page text renders");
    browser.screenshot("example-okr-desktop");
    browser.goto(&format!("{base}index.html"));
    browser.screenshot("example-home-subpath");
    browser.viewport(390, 844, true);
    browser.goto(&file_url(&run.out_dir.join("playbooks/data/retention/index.html")));
    browser.screenshot("example-retention-phone");
    browser.dark(true);
    browser.viewport(1400, 1000, false);
    browser.goto(&file_url(&run.out_dir.join("playbooks/data/retention/index.html")));
    browser.screenshot("example-retention-dark");
    assert!(browser.take_problems().is_empty());
}

#[test]
fn the_not_found_page_leads_home_from_any_depth() {
    let Some(mut browser) = Browser::launch() else { return };
    let site = Site::copy_of(&repo());
    let run = site.build(&[]);
    run.ok();
    let base = serve(&run.out_dir, "/handbook/");
    // The page looks for the root after it loaded: wait (up to 5 s) until
    // its home link leads there and the stylesheet and scripts came from
    // there (the search script fills the search box).
    let settled = format!(
        "new Promise(done => {{ let tries = 0; (function poll() {{
            const home = document.querySelector('.not-found-actions a').href;
            const styled = [...document.querySelectorAll('link[rel=stylesheet]')]
                .some(l => l.sheet && l.href === '{base}assets/opsbook.css');
            const search = !!document.querySelector('#search input');
            const side = document.querySelector('#ob-sidebar li a[href]');
            const nav = !!side && side.href.startsWith('{base}') && side.offsetParent !== null;
            if ((home === '{base}' && styled && search && nav) || tries++ > 100) done([home, styled, search, nav]);
            else setTimeout(poll, 50);
        }})(); }})"
    );
    for missing in ["missing.html", "no-such-page/", "playbooks/goals/gone/deeper/", "playbooks/old.html"] {
        browser.goto(&format!("{base}{missing}"));
        let found = browser.eval(&settled);
        let (home, styled, search, nav) = (&found[0], &found[1], &found[2], &found[3]);
        assert_eq!(home.as_str(), Some(base.as_str()), "the home link from {missing}");
        assert_eq!(styled, &Value::Bool(true), "the stylesheet loads from the site root at {missing}");
        assert_eq!(search, &Value::Bool(true), "the search box works at {missing}");
        assert_eq!(nav, &Value::Bool(true), "the sidebar shows, its links under the root, at {missing}");
    }
    // Search from there finds pages under the site root.
    let first = browser.eval(
        "new Promise(done => { const box = document.getElementById('ob-search-input'); box.focus(); \
           box.value = 'OKR'; box.dispatchEvent(new Event('input', { bubbles: true })); let tries = 0; \
           (function poll() { const a = document.querySelector('#ob-search-list .ob-search-page'); \
             if (a || tries++ > 200) done(a ? a.href : null); else setTimeout(poll, 50); })(); })",
    );
    let first = first.as_str().unwrap_or_default();
    assert!(first.starts_with(&format!("{base}playbooks/")), "a search result from the 404 page: {first}");
    browser.viewport(1000, 700, false);
    browser.goto(&format!("{base}playbooks/goals/gone/deeper/"));
    browser.eval(&settled);
    browser.screenshot("not-found-at-depth");
}

/// The 404 page is written once, at the root; served for an address
/// missing under an older version, it finds that version's own root, so
/// its search box searches that version.
#[test]
fn the_not_found_page_under_an_older_version_searches_that_version() {
    let Some(mut browser) = Browser::launch() else { return };
    let run = Site::new()
        .file("opsbook.toml", "language = \"en\"\n[versions]\n")
        .file("content/_index.md", "# Now\n")
        .file("content/guide.md", "# Guide\n\nRetention this year.\n")
        .file("versions/2025/content/_index.md", "# Then\n")
        .file("versions/2025/content/handbook.md", "# Old handbook\n\nRetention back then.\n")
        .build(&[]);
    run.ok();
    let base = serve(&run.out_dir, "/hb/");
    for (missing, want) in [("v/2025/no-such-page/", "v/2025/handbook/"), ("no-such-page/", "guide/")] {
        browser.goto(&format!("{base}{missing}"));
        let first = browser.eval(
            "new Promise(done => { let tries = 0; (function poll() { \
               const box = document.getElementById('ob-search-input'); \
               if (!box) { if (tries++ > 100) done(null); else setTimeout(poll, 50); return; } \
               box.focus(); box.value = 'retention'; box.dispatchEvent(new Event('input', { bubbles: true })); \
               (function results() { const a = document.querySelector('#ob-search-list .ob-search-page'); \
                 if (a || tries++ > 200) done(a ? a.href : null); else setTimeout(results, 50); })(); })(); })",
        );
        let first = first.as_str().unwrap_or_default();
        assert!(first.starts_with(&format!("{base}{want}")), "searching from {missing} found {first:?}");
        // The sidebar is that edition's: its pages, not latest's.
        let links = browser.eval("Array.from(document.querySelectorAll('.sidebar a')).map(a => a.href)");
        let links: Vec<&str> = links.as_array().into_iter().flatten().filter_map(|l| l.as_str()).collect();
        let other = if want == "guide/" { "v/2025/handbook/" } else { "guide/" };
        let to = |page: &str| links.iter().any(|l| l.starts_with(&format!("{base}{page}")));
        assert!(to(want) && !to(other), "the sidebar at {missing} links {links:?}");
    }
}

#[test]
fn the_browser_check_catches_missing_files_and_script_errors() {
    let Some(mut browser) = Browser::launch() else { return };
    let run = Site::new()
        .file("content/a.md", "+++\ntemplate = \"broken.html\"\n+++\n# a\n")
        .file(
            "templates/broken.html",
            "<!doctype html><link rel=stylesheet href=\"{{ root }}nope.css\"><main>x</main><script>undefinedFn()</script>",
        )
        .build(&[]);
    run.ok();
    let base = serve(&run.out_dir, "/sub/");
    browser.goto(&format!("{base}a/index.html"));
    browser.settle();
    let problems = browser.take_problems().join("\n");
    assert!(problems.contains("404"), "{problems}");
    assert!(problems.contains("undefinedFn"), "{problems}");
    browser.goto(&file_url(&run.out_dir.join("a/index.html")));
    browser.settle();
    assert!(!browser.take_problems().is_empty(), "missing files on file:// are caught too");
}

/// The print page in a real browser: its table of contents and the links
/// between chapters land on their targets, and on paper every chapter
/// starts a new sheet without the site's chrome.
#[test]
fn the_print_page_links_within_itself_and_breaks_pages_on_paper() {
    let Some(mut browser) = Browser::launch() else { return };
    let run = Site::copy_of(&repo()).build(&[]);
    run.ok();
    browser.viewport(1280, 900, false);
    browser.goto(&file_url(&run.out_dir.join("print/index.html")));
    // Where a link's target lands after a click: its top against where the
    // page scrolls targets to (below the sticky top bar; 0 when scrolled to
    // it), or null when there is none.
    let landing = |selector: &str| {
        format!(
            "new Promise(done => {{ const a = document.querySelector({selector:?}); if (!a) return done(null);
               const id = decodeURIComponent(a.getAttribute('href').slice(1)); a.click();
               requestAnimationFrame(() => requestAnimationFrame(() => {{
                 const t = document.getElementById(id);
                 if (!t) return done([id, null, false]);
                 const below = parseFloat(getComputedStyle(t).scrollMarginTop)
                   + parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop || 0);
                 done([id, Math.round(t.getBoundingClientRect().top - below), location.hash.length > 1]);
               }}));
             }})"
        )
    };
    let toc = browser.eval(&landing(".print-toc-list li:nth-child(5) a"));
    assert_eq!(toc[0].as_str(), Some("p5"), "{toc}");
    assert!(toc[1].as_i64().is_some_and(|top| (-2..=2).contains(&top)), "the chapter is scrolled to: {toc}");
    // A link in one chapter to a heading of another (written as a link to
    // the other page's `.md` file in the source).
    browser.goto(&file_url(&run.out_dir.join("print/index.html")));
    let across = browser.eval(&landing(".print-chapter .content a[href^='#p'][href*='-']:not(.heading-anchor)"));
    let id = across[0].as_str().unwrap_or_default().to_string();
    assert!(id.starts_with('p') && id.contains('-'), "a link to another chapter's heading: {across}");
    assert!(across[1].as_i64().is_some_and(|top| (-2..=2).contains(&top)), "its heading is scrolled to: {across}");
    browser.screenshot("print-page");
    // On paper.
    browser.call("Emulation.setEmulatedMedia", json!({ "media": "print" }));
    let paper = browser.eval(
        "[getComputedStyle(document.querySelector('.print-chapter')).breakBefore,
          getComputedStyle(document.querySelector('.topbar')).display,
          getComputedStyle(document.querySelector('.print-actions')).display]",
    );
    assert_eq!(paper, json!(["page", "none", "none"]));
    assert!(browser.take_problems().is_empty());
}
