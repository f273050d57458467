//! `opsbook serve`: the real binary on loopback. Path traversal gets the
//! site's 404, a bounded load test gets no error, edits rebuild and reach
//! open pages (in a real browser too), a broken build leaves the last good
//! site served with the error over it, and Ctrl-C stops it cleanly.
//!
//! Every server here binds 127.0.0.1 on a free port and stops by itself
//! (`--stop-after`, and a kill when the test ends).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use crate::browser::Browser;
use crate::harness::{Site, opsbook};

/// A running `opsbook serve`.
pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`
    pub addr: String,
    lines: Receiver<String>,
    log: Vec<String>,
}

impl Server {
    pub fn start(site: &Site) -> Server {
        Server::start_with(site, &[])
    }

    pub fn start_with(site: &Site, args: &[&str]) -> Server {
        let mut child = opsbook()
            .args(["serve", "--port", "0", "--stop-after", "300", "--today", "2026-11-24"])
            .args(args)
            .arg("--root")
            .arg(site.root())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start opsbook serve");
        let (tx, lines) = channel();
        let stderr = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server { child, addr: String::new(), lines, log: Vec::new() };
        let line = server.wait_line(|l| l.starts_with("serving at http://"));
        let url = line.trim_start_matches("serving at http://");
        server.addr = url.split('/').next().unwrap_or_default().to_string();
        assert!(server.addr.starts_with("127.0.0.1:"), "{line}");
        server
    }

    /// Waits (at most a minute) for a line of stderr matching `want`.
    #[track_caller]
    pub fn wait_line(&mut self, want: impl Fn(&str) -> bool) -> String {
        if let Some(line) = self.log.iter().find(|l| want(l)) {
            return line.clone();
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.log.push(line.clone());
                    if want(&line) {
                        return line;
                    }
                }
                Err(_) => panic!("no such line from serve; it said:\n{}", self.log.join("\n")),
            }
        }
    }

    pub fn get(&self, target: &str) -> (u16, String) {
        let mut s = TcpStream::connect(&self.addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
        let (status, _, body) = request(&mut s, "GET", target, false).expect("response");
        (status, String::from_utf8_lossy(&body).into_owned())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends one request on `s` and reads the response: status, headers, body.
fn request(s: &mut TcpStream, method: &str, target: &str, keep_alive: bool) -> Option<(u16, String, Vec<u8>)> {
    let connection = if keep_alive { "keep-alive" } else { "close" };
    let head = format!("{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: {connection}\r\n\r\n");
    s.write_all(head.as_bytes()).ok()?;
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if s.read(&mut byte).ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let length: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string()))?
        .parse()
        .ok()?;
    let mut body = vec![0u8; if method == "HEAD" { 0 } else { length }];
    s.read_exact(&mut body).ok()?;
    Some((status, head, body))
}

fn small_site() -> Site {
    let mut body = String::from("+++\ntitle = \"Live page\"\n+++\n\n# Live page\n\nFIRST VERSION\n\n");
    for i in 0..80 {
        body.push_str(&format!("## Part {i}\n\nA paragraph that makes the page long enough to scroll.\n\n"));
    }
    Site::new()
        .file("opsbook.toml", "title = \"Serve test\"\nlanguage = \"en\"\n")
        .file("content/_index.md", "# Home\n\n[Live](guide/live.md)\n")
        .file("content/guide/live.md", &body)
        .file("content/guide/other.md", "# Other\n\nOTHER PAGE\n")
        .file("static/robots.txt", "User-agent: *\n")
}

#[test]
fn path_traversal_gets_the_sites_404() {
    let site = small_site();
    // A secret beside the site, and links to it from inside.
    let outside = tempfile::tempdir().expect("temp dir");
    std::fs::write(outside.path().join("secret.txt"), "TOP SECRET").expect("secret");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(outside.path().join("secret.txt"), site.root().join("content/leak.txt"))
            .expect("symlink");
        std::os::unix::fs::symlink(outside.path(), site.root().join("content/outdir")).expect("symlink");
        std::os::unix::fs::symlink(outside.path().join("secret.txt"), site.root().join("static/leak2.txt"))
            .expect("symlink");
    }
    let mut server = Server::start(&site);
    server.wait_line(|l| l.contains("not serving `leak.txt`"));
    let (status, home) = server.get("/");
    assert_eq!(status, 200, "{home}");
    for target in [
        "/../../../../etc/passwd",
        "/guide/../../secret.txt",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/%252e%252e/%252e%252e/etc/passwd",
        "/..%2f..%2fetc/passwd",
        "/..\\..\\etc\\passwd",
        "/%5c..%5c..%5cetc%5cpasswd",
        "//etc/passwd",
        "/./index.html",
        "/guide/%00",
        "/leak.txt",
        "/outdir/secret.txt",
        "/leak2.txt",
        "/content/guide/live.md",
        "/opsbook.toml",
        "/assets/",
    ] {
        let (status, body) = server.get(target);
        assert_eq!(status, 404, "{target}");
        assert!(!body.contains("TOP SECRET") && !body.contains("root:"), "{target} leaked");
        assert!(body.contains("404") && body.contains("Serve test"), "{target}: not the site's 404 page:\n{body}");
        assert!(body.contains("/__opsbook/live.js"), "the 404 page reloads too");
    }
    assert_eq!(server.get("/robots.txt").0, 200);
    let (status, _) = server.get("/guide/live");
    assert_eq!(status, 301, "a folder without its slash redirects");
}

#[test]
fn ten_thousand_requests_fifty_at_a_time() {
    let site = small_site();
    let server = Server::start(&site);
    let targets = ["/", "/guide/live/", "/guide/other/index.html", "/assets/opsbook.css", "/robots.txt", "/nope/"];
    let expected: Vec<(u16, usize)> = targets
        .iter()
        .map(|t| {
            let mut s = TcpStream::connect(&server.addr).expect("connect");
            let (status, _, body) = request(&mut s, "GET", t, false).expect("response");
            (status, body.len())
        })
        .collect();
    let started = Instant::now();
    let errors: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..50)
            .map(|w| {
                let addr = server.addr.clone();
                let expected = &expected;
                scope.spawn(move || {
                    let mut errors = Vec::new();
                    let mut conn: Option<TcpStream> = None;
                    for i in 0..200 {
                        let t = (w + i) % targets.len();
                        // Half the workers reuse one connection; the others open one per request.
                        let keep = w % 2 == 0;
                        let stream = match conn.take() {
                            Some(s) => s,
                            None => match TcpStream::connect(&addr) {
                                Ok(s) => {
                                    let _ = s.set_read_timeout(Some(Duration::from_secs(30)));
                                    s
                                }
                                Err(e) => {
                                    errors.push(format!("connect: {e}"));
                                    continue;
                                }
                            },
                        };
                        let mut stream = stream;
                        match request(&mut stream, "GET", targets[t], keep) {
                            Some((status, _, body)) if (status, body.len()) == expected[t] => {
                                if keep {
                                    conn = Some(stream);
                                }
                            }
                            Some((status, _, body)) => {
                                errors.push(format!("{}: {status}, {} bytes", targets[t], body.len()))
                            }
                            None => errors.push(format!("{}: no response", targets[t])),
                        }
                    }
                    errors
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|_| vec!["worker panicked".into()])).collect()
    });
    eprintln!("10,000 requests in {:.2}s", started.elapsed().as_secs_f64());
    assert!(errors.is_empty(), "{} errors, first: {:?}", errors.len(), &errors[..errors.len().min(5)]);
}

/// Reads Server-Sent Events until one's data satisfies `want`; on failure
/// the panic shows what the server printed.
fn next_event(
    events: &mut BufReader<TcpStream>,
    server: &mut Server,
    want: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut line = String::new();
    loop {
        line.clear();
        let n = events.read_line(&mut line).unwrap_or(0);
        if n == 0 || Instant::now() >= deadline {
            while let Ok(l) = server.lines.try_recv() {
                server.log.push(l);
            }
            panic!(
                "no such event (stream {}); serve said:\n{}",
                if n == 0 { "closed" } else { "open" },
                server.log.join("\n")
            );
        }
        if let Some(data) = line.strip_prefix("data: ") {
            let v: serde_json::Value = serde_json::from_str(data.trim()).expect("event json");
            if want(&v) {
                return v;
            }
        }
    }
}

#[test]
fn edits_rebuild_and_a_broken_build_keeps_the_last_good_site() {
    let site = small_site();
    let mut server = Server::start(&site);
    let mut s = TcpStream::connect(&server.addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(60))).expect("timeout");
    s.write_all(b"GET /__opsbook/events HTTP/1.1\r\nHost: x\r\n\r\n").expect("subscribe");
    let mut events = BufReader::new(s);
    let first = next_event(&mut events, &mut server, |_| true);
    let generation = first["generation"].as_u64().expect("generation");

    let live = site.root().join("content/guide/live.md");
    let text = std::fs::read_to_string(&live).expect("read");
    std::fs::write(&live, text.replace("FIRST VERSION", "SECOND VERSION")).expect("edit");
    let built = next_event(&mut events, &mut server, |v| v["generation"].as_u64() > Some(generation));
    let changed: Vec<&str> = built["changed"].as_array().expect("list").iter().filter_map(|v| v.as_str()).collect();
    assert!(changed.contains(&"guide/live/index.html"), "{changed:?}");
    assert!(!changed.contains(&"guide/other/index.html"), "an untouched page is unchanged: {changed:?}");
    assert!(server.get("/guide/live/").1.contains("SECOND VERSION"));

    std::fs::write(&live, "+++\ntitel = \"Live page\"\n+++\nBROKEN VERSION\n").expect("break");
    let failed = next_event(&mut events, &mut server, |v| v["error"].is_string());
    let error = failed["error"].as_str().unwrap_or_default();
    assert!(error.contains("unknown key `titel`") && error.contains("content/guide/live.md:2:1"), "{error}");
    server.wait_line(|l| l.starts_with("build failed"));
    let (status, page) = server.get("/guide/live/");
    assert_eq!(status, 200);
    assert!(page.contains("SECOND VERSION"), "the last good page is still served");

    std::fs::write(&live, "+++\ntitle = \"Live page\"\n+++\nTHIRD VERSION\n").expect("fix");
    let fixed = next_event(&mut events, &mut server, |v| v["error"].is_null());
    assert!(fixed["generation"].as_u64() > built["generation"].as_u64());
    assert!(server.get("/guide/live/").1.contains("THIRD VERSION"));
}

#[test]
fn a_title_edit_renders_again_only_the_pages_that_show_the_title() {
    let mut site = Site::new()
        .file("opsbook.toml", "title = \"Titles\"\nlanguage = \"en\"\n")
        .file("content/_index.md", "# Home\n");
    for section in ["alpha", "beta"] {
        site = site.file(&format!("content/{section}/_index.md"), &format!("# Section {section}\n"));
        for page in ["one", "two", "three"] {
            site = site.file(
                &format!("content/{section}/{page}.md"),
                &format!("+++\ntitle = \"{section} {page}\"\n+++\nText.\n"),
            );
        }
    }
    let mut server = Server::start_with(&site, &["--verbose"]);
    let first = server.wait_line(|l| l.contains("pages:") && l.contains("rendered"));
    assert!(first.contains("pages: 9 rendered, 0 reused"), "{first}");
    let page = site.root().join("content/alpha/one.md");
    std::fs::write(&page, "+++\ntitle = \"Renamed page\"\n+++\nText.\n").expect("edit");
    let line = server.wait_line(|l| l.contains("pages:") && l.contains("reused") && l != first);
    // alpha's pages list it in their sidebar (and alpha's section page among
    // its children); the home and beta's pages do not show it.
    let rendered: usize = line
        .split("pages: ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX);
    assert!((1..=5).contains(&rendered), "{line}");
    assert!(server.get("/alpha/two/").1.contains("Renamed page"), "a sibling's sidebar shows the new title");
    assert!(!server.get("/beta/two/").1.contains("alpha one"));
}

#[test]
fn ctrl_c_stops_the_server_cleanly() {
    let site = small_site();
    let mut server = Server::start(&site);
    let pid = server.child.id().to_string();
    let sent = std::process::Command::new("kill").args(["-INT", &pid]).status();
    if !sent.is_ok_and(|s| s.success()) {
        eprintln!("skipped: no `kill` to send SIGINT with");
        return;
    }
    server.wait_line(|l| l == "stopped");
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "serve did not exit after Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status}");
}

#[test]
fn a_missing_site_folder_is_reported() {
    let o = opsbook().args(["serve", "--port", "0", "--root", "/nonexistent/opsbook-site"]).output().expect("run");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("does not exist"));
}

/// Polls `js` in the page until it is true; page reloads in between are fine.
fn wait_true(browser: &mut Browser, js: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if browser.try_eval(js) == Some(serde_json::Value::Bool(true)) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[test]
fn live_reload_in_the_browser() {
    let Some(mut browser) = Browser::launch() else { return };
    let site = small_site();
    let server = Server::start(&site);
    browser.viewport(1200, 800, false);
    browser.goto(&format!("http://{}/guide/live/", server.addr));
    assert!(wait_true(&mut browser, "document.querySelector('main').innerText.includes('FIRST VERSION')"));
    // Wait for the event stream, then scroll down.
    browser.eval("new Promise(r => setTimeout(r, 300))");
    browser.eval("window.scrollTo(0, 1500); window.scrollY");
    let live = site.root().join("content/guide/live.md");
    let text = std::fs::read_to_string(&live).expect("read");

    std::fs::write(&live, text.replace("FIRST VERSION", "EDITED ON DISK")).expect("edit");
    assert!(
        wait_true(&mut browser, "document.querySelector('main').innerText.includes('EDITED ON DISK')"),
        "the edit did not reach the open page"
    );
    assert!(wait_true(&mut browser, "Math.abs(window.scrollY - 1500) < 50"), "scroll position kept across the reload");

    std::fs::write(&live, text.replace("title = \"Live page\"", "title = \"Live page\"\nowner = [1, 2]"))
        .expect("break");
    assert!(wait_true(&mut browser, "!!document.getElementById('opsbook-overlay')"), "no error overlay");
    let overlay = browser.eval("document.getElementById('opsbook-overlay').innerText");
    let overlay = overlay.as_str().unwrap_or_default();
    assert!(overlay.contains("content/guide/live.md:3:") && overlay.contains("owner"), "{overlay}");
    assert!(browser.eval("document.querySelector('main').innerText.includes('EDITED ON DISK')") == true);
    browser.screenshot("serve-error-overlay");

    std::fs::write(&live, text.replace("FIRST VERSION", "FIXED AGAIN")).expect("fix");
    assert!(wait_true(&mut browser, "!document.getElementById('opsbook-overlay')"), "the overlay did not go");
    assert!(wait_true(&mut browser, "document.querySelector('main').innerText.includes('FIXED AGAIN')"));
    let problems: Vec<String> =
        browser.take_problems().into_iter().filter(|p| p.starts_with("exception") || p.contains("HTTP")).collect();
    assert!(problems.is_empty(), "{problems:?}");
}
