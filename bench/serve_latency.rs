//! Save-to-reload latency of `opsbook serve`: `bench/serve.sh` runs it on a
//! generated corpus (10,000 pages by default).
//!
//! `cargo run --release --example serve_latency -- <opsbook binary> <site> [rounds]`
//!
//! Starts the server on a free loopback port, subscribes to its live-reload
//! stream like an open page does, then, for each kind of edit, writes the
//! file and times until the stream announces the rebuilt site and the
//! edited page serves the new text: that is what a reader waits for between
//! saving and seeing the page reload. Edits: a one-page body change (the
//! common case), a title change (every page's sidebar changes) and a
//! template change (every page re-rendered, no Markdown parsed). Prints the
//! median and worst of each, and the server's own account of what each
//! rebuild reused (`--verbose`). A benchmark: it measures, it asserts
//! nothing.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: serve_latency <opsbook binary> <site> [rounds]");
        std::process::exit(2);
    }
    let bin = PathBuf::from(&args[1]);
    let site = PathBuf::from(&args[2]);
    let rounds: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(10);

    let _ = std::fs::create_dir_all(site.join("templates"));
    let started = Instant::now();
    let mut child = Command::new(&bin)
        .args(["--verbose", "serve", "--port", "0", "--stop-after", "1800", "--root"])
        .arg(&site)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start opsbook serve");
    let (tx, lines) = channel();
    let stderr = child.stderr.take().expect("stderr");
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let ready = wait_line(&lines, |l| l.starts_with("serving at http://"));
    wait_line(&lines, |l| l.starts_with("search index rebuilt"));
    let addr = ready.trim_start_matches("serving at http://").split('/').next().unwrap_or_default().to_string();
    println!("first build and start: {:.2}s ({})", started.elapsed().as_secs_f64(), addr);

    let mut events = subscribe(&addr);
    let mut generation = next_state(&mut events)["generation"].as_u64().unwrap_or(0);

    let pages = pages(&site.join("content"));
    println!("{} pages", pages.len());
    let page = pages.iter().find(|p| !p.ends_with("_index.md")).expect("a page").clone();
    let url = page_url(&site.join("content"), &page);
    let original = std::fs::read_to_string(&page).expect("read page");
    let template = site.join("templates/page.html");

    let mut report = Vec::new();
    for kind in ["body", "title", "template"] {
        let mut times = Vec::new();
        let mut cpu = Vec::new();
        let mut reuse = String::new();
        for round in 0..rounds {
            let marker = format!("LATENCY-{kind}-{round}");
            let c0 = cpu_ms(child.id());
            let t0 = Instant::now();
            match kind {
                "body" => std::fs::write(&page, format!("{original}\n\n{marker}\n")).expect("edit page"),
                "title" => std::fs::write(&page, retitle(&original, &marker)).expect("edit title"),
                _ => std::fs::write(&template, page_template(&marker)).expect("edit template"),
            }
            // Wait for a rebuild whose page shows the edit (an editor's save
            // can take two rebuilds).
            let body = loop {
                let state = next_state(&mut events);
                let g = state["generation"].as_u64().unwrap_or(0);
                if state["error"].is_string() {
                    panic!("build failed: {}", state["error"]);
                }
                if g > generation {
                    generation = g;
                    let body = get(&addr, &url);
                    if body.contains(&marker) {
                        break body;
                    }
                }
            };
            let took = t0.elapsed();
            drop(body);
            times.push(took);
            cpu.push(cpu_ms(child.id()).saturating_sub(c0));
            reuse = wait_line(&lines, |l| l.trim_start().starts_with("markdown:"));
            // The search index follows on another thread: let it finish, so
            // rounds do not compete with it.
            wait_line(&lines, |l| l.starts_with("search index rebuilt"));
        }
        times.sort();
        cpu.sort_unstable();
        let median = times[times.len() / 2];
        let worst = times[times.len() - 1];
        report.push(format!(
            "{kind:>8} edit: median {:>5} ms, worst {:>5} ms, server CPU median {:>5} ms   ({})",
            median.as_millis(),
            worst.as_millis(),
            cpu[cpu.len() / 2],
            reuse.trim()
        ));
        std::fs::write(&page, &original).expect("restore page");
        let _ = std::fs::remove_file(&template);
        // Let the restoring rebuilds finish: wait until the server is quiet.
        while lines.recv_timeout(Duration::from_secs(4)).is_ok() {}
        while let Some(state) = try_state(&mut events) {
            generation = generation.max(state["generation"].as_u64().unwrap_or(0));
        }
    }
    println!("save-to-reload on {} pages, {rounds} rounds each:", pages.len());
    for line in report {
        println!("  {line}");
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// CPU time (user + system) the process has used, in ms; 0 where
/// `/proc` is missing. On a shared machine it tells work from waiting.
fn cpu_ms(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) * 10
}

fn wait_line(lines: &Receiver<String>, want: impl Fn(&str) -> bool) -> String {
    loop {
        let line = lines.recv_timeout(Duration::from_secs(600)).expect("serve went quiet");
        if want(&line) {
            return line;
        }
    }
}

fn subscribe(addr: &str) -> BufReader<TcpStream> {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.write_all(b"GET /__opsbook/events HTTP/1.1\r\nHost: x\r\n\r\n").expect("subscribe");
    s.set_read_timeout(Some(Duration::from_secs(600))).expect("timeout");
    BufReader::new(s)
}

fn next_state(events: &mut BufReader<TcpStream>) -> serde_json::Value {
    let mut line = String::new();
    loop {
        line.clear();
        if events.read_line(&mut line).expect("event stream") == 0 {
            panic!("event stream closed");
        }
        if let Some(data) = line.strip_prefix("data: ") {
            return serde_json::from_str(data.trim()).expect("event");
        }
    }
}

fn try_state(events: &mut BufReader<TcpStream>) -> Option<serde_json::Value> {
    events.get_ref().set_read_timeout(Some(Duration::from_millis(200))).ok()?;
    let mut line = String::new();
    let got = loop {
        line.clear();
        match events.read_line(&mut line) {
            Ok(0) | Err(_) => break None,
            Ok(_) => {
                if let Some(data) = line.strip_prefix("data: ") {
                    break serde_json::from_str(data.trim()).ok();
                }
            }
        }
    };
    let _ = events.get_ref().set_read_timeout(Some(Duration::from_secs(600)));
    got
}

fn get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    let req = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).expect("request");
    let mut body = Vec::new();
    s.read_to_end(&mut body).expect("response");
    String::from_utf8_lossy(&body).into_owned()
}

fn pages(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "md") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// `/a/b/` for `content/a/b.md`, percent-encoded for the request line.
fn page_url(content: &Path, page: &Path) -> String {
    let rel = page.strip_prefix(content).unwrap_or(page).to_string_lossy().replace('\\', "/");
    let stem = rel.trim_end_matches(".md");
    let mut url = String::from("/");
    for seg in stem.split('/') {
        for b in seg.bytes() {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                url.push(b as char);
            } else {
                url.push_str(&format!("%{b:02X}"));
            }
        }
        url.push('/');
    }
    url
}

/// `src` with its front matter title replaced by `marker`.
fn retitle(src: &str, marker: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut done = false;
    for line in src.split_inclusive('\n') {
        if !done && line.starts_with("title = ") {
            out.push_str(&format!("title = \"{marker}\"\n"));
            done = true;
        } else {
            out.push_str(line);
        }
    }
    if done { out } else { format!("# {marker}\n\n{src}") }
}

/// The default theme's page template with `marker` at the top of `main`
/// (run from the repository root, where `themes/default/` is).
fn page_template(marker: &str) -> String {
    let theme = std::fs::read_to_string("themes/default/templates/page.html").expect("the default page template");
    theme.replacen("{% block main %}", &format!("{{% block main %}}<p>{marker}</p>"), 1)
}
