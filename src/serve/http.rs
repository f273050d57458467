//! A small HTTP/1.1 server over std threads, for the preview only.
//!
//! One thread per connection (keep-alive honoured, idle connections closed
//! after 30 s, at most [`MAX_CONNECTIONS`] at once), `GET` and `HEAD` only.
//! A request path is percent-decoded exactly once and refused (404) when it
//! holds `..`, `.`, empty segments, a backslash or a NUL; what is left is
//! looked up in the in-memory site, so nothing outside it can be served
//! and no folder is ever listed. `dir` without its slash redirects to
//! `dir/` so relative links keep working; a miss gets the site's own 404
//! page with status 404.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::live::{self, Hub};
use super::store::Store;

pub const MAX_CONNECTIONS: usize = 1024;
const MAX_HEAD: usize = 16 * 1024;
const IDLE: Duration = Duration::from_secs(30);
/// How often an idle event stream gets a comment, to notice closed tabs.
const HEARTBEAT: Duration = Duration::from_secs(15);

/// What the server shares with the rebuild loop.
#[derive(Default)]
pub struct Shared {
    pub store: Store,
    pub hub: Hub,
    connections: AtomicUsize,
}

/// Accepts connections on `listener` forever, each on its own thread.
pub fn spawn(listener: TcpListener, shared: Arc<Shared>) {
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let mine = Arc::clone(&shared);
            let busy = shared.connections.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS;
            let spawned = std::thread::Builder::new().name("opsbook-http".into()).spawn(move || {
                let shared = mine;
                if busy {
                    let mut s = stream;
                    let _ = s.write_all(
                        b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\nRetry-After: 1\r\n\r\n",
                    );
                } else {
                    connection(stream, &shared);
                }
                shared.connections.fetch_sub(1, Ordering::SeqCst);
            });
            if spawned.is_err() {
                // No thread to be had: the connection was dropped with it.
                shared.connections.fetch_sub(1, Ordering::SeqCst);
            }
        }
    });
}

struct Request {
    method: String,
    target: String,
    keep_alive: bool,
}

fn connection(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(IDLE));
    let _ = stream.set_nodelay(true);
    let Ok(write_half) = stream.try_clone() else { return };
    let mut out = write_half;
    let mut reader = BufReader::new(stream);
    loop {
        let request = match read_request(&mut reader) {
            Ok(Some(r)) => r,
            Ok(None) => return,
            Err(status) => {
                let _ = respond(&mut out, status, "text/plain; charset=utf-8", b"bad request", false, false, &[]);
                return;
            }
        };
        if !answer(&mut out, &request, shared) || !request.keep_alive {
            return;
        }
    }
}

/// Reads one request head; `Ok(None)` when the client closed the
/// connection, `Err(status)` for a request we will not read.
fn read_request(reader: &mut BufReader<TcpStream>) -> Result<Option<Request>, &'static str> {
    let mut head = Vec::new();
    loop {
        let before = head.len();
        let n = reader.by_ref().take((MAX_HEAD + 1 - head.len()) as u64).read_until(b'\n', &mut head);
        match n {
            Ok(0) if head.is_empty() => return Ok(None),
            Ok(0) | Err(_) => return Ok(None),
            Ok(_) => {}
        }
        if head.len() > MAX_HEAD {
            return Err("431 Request Header Fields Too Large");
        }
        let line = &head[before..];
        if line == b"\r\n" || line == b"\n" {
            if before == 0 {
                head.clear(); // tolerate blank lines between requests
                continue;
            }
            break;
        }
    }
    let text = String::from_utf8_lossy(&head);
    let mut lines = text.lines();
    let mut first = lines.next().unwrap_or("").split_whitespace();
    let (Some(method), Some(target), Some(version)) = (first.next(), first.next(), first.next()) else {
        return Err("400 Bad Request");
    };
    let mut keep_alive = version == "HTTP/1.1";
    let mut body = 0usize;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else { continue };
        let value = value.trim();
        if name.eq_ignore_ascii_case("connection") {
            if value.eq_ignore_ascii_case("close") {
                keep_alive = false;
            } else if value.eq_ignore_ascii_case("keep-alive") {
                keep_alive = true;
            }
        } else if name.eq_ignore_ascii_case("content-length") {
            body = value.parse().map_err(|_| "400 Bad Request")?;
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err("400 Bad Request");
        }
    }
    if body > 0 {
        // GET and HEAD have no body worth reading; skip a small one.
        if body > 64 * 1024 {
            return Err("413 Content Too Large");
        }
        let mut sink = vec![0u8; body];
        reader.read_exact(&mut sink).map_err(|_| "400 Bad Request")?;
    }
    Ok(Some(Request { method: method.to_string(), target: target.to_string(), keep_alive }))
}

/// Answers one request; false when the connection must close.
fn answer(out: &mut TcpStream, req: &Request, shared: &Shared) -> bool {
    let head_only = req.method == "HEAD";
    if req.method != "GET" && !head_only {
        let extra = [("Allow", "GET, HEAD")];
        return respond(out, "405 Method Not Allowed", "text/plain; charset=utf-8", b"", false, req.keep_alive, &extra);
    }
    let path = req.target.split(['?', '#']).next().unwrap_or("");
    if path == live::EVENTS_PATH {
        if !head_only {
            events(out, &shared.hub);
        }
        return false;
    }
    if path == live::SCRIPT_PATH {
        let body = live::SCRIPT.as_bytes();
        return respond(out, "200 OK", "text/javascript; charset=utf-8", body, head_only, req.keep_alive, &[]);
    }
    let files = shared.store.snapshot();
    let generation = shared.hub.state().generation;
    match resolve(&req.target, |rel| files.contains(rel)) {
        Resolved::File(rel) => {
            let bytes = files.get(&rel).map(|b| &b[..]).unwrap_or_default();
            let kind = content_type(&rel);
            if kind.starts_with("text/html") {
                let html = live::inject(bytes, generation);
                respond(out, "200 OK", kind, &html, head_only, req.keep_alive, &[])
            } else {
                respond(out, "200 OK", kind, bytes, head_only, req.keep_alive, &[])
            }
        }
        Resolved::Redirect(location) => {
            let extra = [("Location", location.as_str())];
            respond(out, "301 Moved Permanently", "text/plain; charset=utf-8", b"", head_only, req.keep_alive, &extra)
        }
        Resolved::NotFound => {
            let page = files.get("404.html").map(|b| &b[..]).unwrap_or(FALLBACK_404);
            let html = live::inject(page, generation);
            respond(out, "404 Not Found", "text/html; charset=utf-8", &html, head_only, req.keep_alive, &[])
        }
    }
}

/// Shown before the first good build, and by a site without a 404 page.
const FALLBACK_404: &[u8] = b"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>404</title></head><body><h1>404</h1><p>Nothing here. If the site did not build, the error is shown over this page and in the terminal.</p></body></html>";

fn respond(
    out: &mut TcpStream,
    status: &str,
    kind: &str,
    body: &[u8],
    head_only: bool,
    keep_alive: bool,
    extra: &[(&str, &str)],
) -> bool {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\nConnection: {}\r\n",
        body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    );
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut ok = out.write_all(head.as_bytes()).is_ok();
    if ok && !head_only {
        ok = out.write_all(body).is_ok();
    }
    ok && out.flush().is_ok() && keep_alive
}

/// A Server-Sent Events stream of the site's state, until the client goes.
fn events(out: &mut TcpStream, hub: &Hub) {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: keep-alive\r\n\r\nretry: 1000\n\n";
    let (mut seen, state) = hub.current();
    if out.write_all(head.as_bytes()).is_err() || out.write_all(live::event(&state).as_bytes()).is_err() {
        return;
    }
    let _ = out.flush();
    loop {
        let message = match hub.wait(seen, HEARTBEAT) {
            Some((seq, state)) => {
                seen = seq;
                live::event(&state)
            }
            None => ": ping\n\n".to_string(),
        };
        if out.write_all(message.as_bytes()).is_err() || out.flush().is_err() {
            return;
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// An output file, by its path in the site.
    File(String),
    /// A folder asked for without its slash: where to go instead.
    Redirect(String),
    NotFound,
}

/// Maps a request target to a file of the site. `exists` says whether an
/// output path is in the site.
pub fn resolve(target: &str, exists: impl Fn(&str) -> bool) -> Resolved {
    let (path, query) = match target.find(['?', '#']) {
        Some(i) => (&target[..i], &target[i..]),
        None => (target, ""),
    };
    let Some(raw) = path.strip_prefix('/') else { return Resolved::NotFound };
    let Some(rel) = decode(raw) else { return Resolved::NotFound };
    if rel.contains(['\\', '\0']) {
        return Resolved::NotFound;
    }
    let segments: Vec<&str> = rel.split('/').collect();
    let last = segments.len() - 1;
    for (i, seg) in segments.iter().enumerate() {
        if *seg == "." || *seg == ".." || (seg.is_empty() && i != last) {
            return Resolved::NotFound;
        }
    }
    if rel.is_empty() || rel.ends_with('/') {
        let index = format!("{rel}index.html");
        return if exists(&index) { Resolved::File(index) } else { Resolved::NotFound };
    }
    if exists(&rel) {
        return Resolved::File(rel);
    }
    if exists(&format!("{rel}/index.html")) {
        let query = if query.starts_with('?') { query } else { "" };
        return Resolved::Redirect(format!("{path}/{query}"));
    }
    Resolved::NotFound
}

/// Percent-decodes once; `None` for a malformed escape or invalid UTF-8.
fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(rel: &str) -> &'static str {
    let ext = rel.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" | "md" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "wasm" => "application/wasm",
        "mp4" => "video/mp4",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(target: &str, expected: Resolved) {
        let site = ["index.html", "a/index.html", "a/b c/index.html", "x.png", "明确/index.html"];
        assert_eq!(resolve(target, |rel| site.contains(&rel)), expected, "{target}");
    }

    #[test]
    fn paths() {
        use Resolved::*;
        check("/", File("index.html".into()));
        check("/a/", File("a/index.html".into()));
        check("/a/index.html?x=1", File("a/index.html".into()));
        check("/a", Redirect("/a/".into()));
        check("/a?q=1", Redirect("/a/?q=1".into()));
        check("/a/b%20c/", File("a/b c/index.html".into()));
        check("/%E6%98%8E%E7%A1%AE/", File("明确/index.html".into()));
        check("/x.png", File("x.png".into()));
        check("/missing", NotFound);
    }

    #[test]
    fn traversal_is_refused() {
        for t in [
            "/../etc/passwd",
            "/a/../index.html",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/%252e%252e/etc/passwd",
            "/..%5c..%5cwindows",
            "/a\\..\\index.html",
            "//etc/passwd",
            "/a/./index.html",
            "/%00",
            "/%zz",
            "/%ff",
            "etc/passwd",
            "http://evil/",
        ] {
            check(t, Resolved::NotFound);
        }
    }
}
