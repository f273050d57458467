//! `check --external`: are links to other sites still alive?
//!
//! Each URL is probed once however many pages use it, by a bounded pool of
//! threads, with a timeout per request, retries with a short backoff for
//! failures that may pass (timeouts, refused connections, 429 and 5xx; not
//! a certificate nobody trusts), a
//! `HEAD` first and a `GET` when a server refuses `HEAD`, and up to five
//! redirects. A broken URL is reported once, at its first use, with every
//! other place that uses it.
//!
//! The client is a minimal HTTP/1.1 over `TcpStream`, through `rustls` for
//! `https://` with the web's root certificates (`webpki-roots`), plus any in
//! the PEM file `SSL_CERT_FILE` names — a company's own authority, or a
//! test's. Other schemes (`ftp:`, `mailto:`) are counted as not checked.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

use super::Problem;
use crate::diagnostics::{Diagnostic, Span};

pub struct Settings {
    pub timeout: Duration,
    pub concurrency: usize,
    pub retries: u32,
    /// URL prefixes, or host names (which cover their subdomains).
    pub skip: Vec<String>,
}

/// Counts of distinct URLs.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// `http://` and `https://` URLs probed.
    pub checked: usize,
    /// Of those, how many are broken.
    pub broken: usize,
    /// URLs matched by `external_skip`.
    pub skipped: usize,
    /// URLs with another scheme (`ftp:`, `mailto:`), which are not requested.
    pub not_checked: usize,
}

pub struct Outcome {
    pub problems: Vec<Problem>,
    pub summary: Summary,
}

/// Probes every distinct URL in `links` (URL and where it is used).
pub fn check(links: Vec<(String, Span)>, settings: &Settings) -> Outcome {
    let mut uses: BTreeMap<String, Vec<Span>> = BTreeMap::new();
    for (url, span) in links {
        let url = url.split('#').next().unwrap_or(&url).to_string();
        uses.entry(url).or_default().push(span);
    }
    let mut summary = Summary::default();
    let mut queue = Vec::new();
    for spans in uses.values_mut() {
        spans.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        spans.dedup();
    }
    for url in uses.keys() {
        if skipped(url, &settings.skip) {
            summary.skipped += 1;
        } else if Target::parse(url).is_some() {
            queue.push(url.as_str());
        } else {
            summary.not_checked += 1;
        }
    }
    summary.checked = queue.len();
    let tls = tls_config();
    let results: Vec<Mutex<Option<Result<(), String>>>> = queue.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..settings.concurrency.clamp(1, queue.len().max(1)) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(url) = queue.get(i) else { break };
                    let verdict = probe(url, settings, &tls);
                    if let Ok(mut slot) = results[i].lock() {
                        *slot = Some(verdict);
                    }
                }
            });
        }
    });
    let mut problems = Vec::new();
    for (url, result) in queue.iter().zip(results) {
        let Some(Err(reason)) = result.into_inner().ok().flatten() else { continue };
        summary.broken += 1;
        let spans = &uses[*url];
        let mut d = Diagnostic::error(format!("broken external link `{url}`: {reason}"));
        if let Some(first) = spans.first() {
            d = d.at(first.clone());
        }
        let others = &spans[1.min(spans.len())..];
        for s in others.iter().take(10) {
            d = d.hint(format!("also used at {}:{}:{}", s.file, s.line, s.column));
        }
        if others.len() > 10 {
            d = d.hint(format!("and in {} more places", others.len() - 10));
        }
        d = d.hint("fix or remove the link, or add the URL to `external_skip` under `[check]` in `opsbook.toml`");
        problems.push(Problem { diagnostic: d, also: others.to_vec() });
    }
    Outcome { problems, summary }
}

fn skipped(url: &str, skip: &[String]) -> bool {
    let host = Target::parse(url).map(|t| t.host.to_ascii_lowercase());
    skip.iter().any(|s| {
        if s.contains("://") {
            url.starts_with(s.as_str())
        } else {
            let s = s.trim_matches('.').to_ascii_lowercase();
            host.as_deref().is_some_and(|h| h == s || h.ends_with(&format!(".{s}")))
        }
    })
}

/// What `https://` requests trust, made once per check: the web's root
/// certificates and those of `SSL_CERT_FILE` (a PEM file, as curl and
/// OpenSSL read it); else why there is none.
type Tls = Result<Arc<rustls::ClientConfig>, String>;

fn tls_config() -> Tls {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(file) = std::env::var_os("SSL_CERT_FILE").filter(|f| !f.is_empty()) {
        let shown = std::path::Path::new(&file).display().to_string();
        let certs = CertificateDer::pem_file_iter(&file)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| format!("cannot read the certificates of SSL_CERT_FILE `{shown}`: {e}"))?;
        if certs.is_empty() {
            return Err(format!("SSL_CERT_FILE `{shown}` holds no PEM certificate"));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| format!("a certificate in SSL_CERT_FILE `{shown}` is not usable: {e}"))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Ok when the URL answers with a success (after redirects); otherwise why not.
fn probe(url: &str, settings: &Settings, tls: &Tls) -> Result<(), String> {
    let mut url = url.to_string();
    let mut method = "HEAD";
    let mut hops = 0;
    let mut attempt = 0;
    loop {
        let Some(target) = Target::parse(&url) else {
            return Err("not a valid http or https URL".into());
        };
        match request(&target, method, settings.timeout, tls) {
            Ok(r) if (200..300).contains(&r.status) => return Ok(()),
            Ok(r) if (300..400).contains(&r.status) && r.location.is_some() => {
                hops += 1;
                if hops > 5 {
                    return Err("too many redirects".into());
                }
                url = target.join(&r.location.unwrap_or_default());
            }
            Ok(r) if method == "HEAD" && matches!(r.status, 403 | 405 | 501) => method = "GET",
            Ok(r) if retryable(r.status) && attempt < settings.retries => {
                attempt += 1;
                std::thread::sleep(Duration::from_millis(200 * u64::from(attempt)));
            }
            Ok(r) => return Err(format!("HTTP {}{}", r.status, r.reason.map(|s| format!(" {s}")).unwrap_or_default())),
            Err(f) if f.transient && attempt < settings.retries => {
                attempt += 1;
                std::thread::sleep(Duration::from_millis(200 * u64::from(attempt)));
            }
            Err(f) => return Err(f.reason),
        }
    }
}

fn retryable(status: u16) -> bool {
    status == 429 || status >= 500
}

struct Target {
    /// `https://`: the request goes through TLS.
    tls: bool,
    host: String,
    port: u16,
    /// `host` or `host:port`, as the `Host` header wants it.
    authority: String,
    path: String,
}

impl Target {
    fn parse(url: &str) -> Option<Target> {
        let scheme = |s: &str| url.get(..s.len()).is_some_and(|p| p.eq_ignore_ascii_case(s));
        let (tls, rest) = if scheme("http://") {
            (false, &url[7..])
        } else if scheme("https://") {
            (true, &url[8..])
        } else {
            return None;
        };
        let default_port = if tls { 443 } else { 80 };
        let (authority, path) = match rest.find(['/', '?']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let authority = authority.rsplit('@').next().unwrap_or(authority);
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (h, after) = v6.split_once(']')?;
            (h.to_string(), after.strip_prefix(':').map(str::parse).transpose().ok()?.unwrap_or(default_port))
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), p.parse().ok()?),
                None => (authority.to_string(), default_port),
            }
        };
        if host.is_empty() {
            return None;
        }
        let path = if path.starts_with('?') { format!("/{path}") } else { path.to_string() };
        Some(Target { tls, host, port, authority: authority.to_string(), path })
    }

    /// A `Location` header resolved against this URL.
    fn join(&self, location: &str) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        if location.contains("://") {
            location.to_string()
        } else if location.starts_with("//") {
            format!("{scheme}:{location}")
        } else if location.starts_with('/') {
            format!("{scheme}://{}{location}", self.authority)
        } else {
            let dir = self.path.rsplit_once('/').map_or("", |(d, _)| d);
            format!("{scheme}://{}{dir}/{location}", self.authority)
        }
    }
}

struct Response {
    status: u16,
    reason: Option<String>,
    location: Option<String>,
}

/// Why a request got no response, and whether asking again may help (a
/// timeout may pass; a certificate nobody trusts will not).
struct Failure {
    reason: String,
    transient: bool,
}

impl From<String> for Failure {
    fn from(reason: String) -> Failure {
        Failure { reason, transient: true }
    }
}

impl Failure {
    fn last(reason: String) -> Failure {
        Failure { reason, transient: false }
    }

    fn io(e: &std::io::Error, timeout: Duration) -> Failure {
        // rustls reports a failed handshake (an untrusted certificate, a
        // name that does not match) as invalid data.
        match e.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) {
            true => Failure::last(format!("TLS: {e}")),
            false => Failure::from(io_reason(e, timeout)),
        }
    }
}

fn request(t: &Target, method: &str, timeout: Duration, tls: &Tls) -> Result<Response, Failure> {
    let addrs: Vec<_> =
        (t.host.as_str(), t.port).to_socket_addrs().map_err(|_| format!("cannot resolve host `{}`", t.host))?.collect();
    let mut last = format!("cannot resolve host `{}`", t.host);
    let mut stream = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = io_reason(&e, timeout),
        }
    }
    let stream = stream.ok_or(last)?;
    let io = |e: std::io::Error| Failure::io(&e, timeout);
    stream.set_read_timeout(Some(timeout)).map_err(io)?;
    stream.set_write_timeout(Some(timeout)).map_err(io)?;
    let head = format!(
        "{method} {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: opsbook-link-check/{}\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        t.path,
        t.authority,
        env!("CARGO_PKG_VERSION")
    );
    if !t.tls {
        return exchange(stream, &head, timeout);
    }
    let config = Arc::clone(tls.as_ref().map_err(|e| Failure::last(e.clone()))?);
    let name = rustls::pki_types::ServerName::try_from(t.host.clone())
        .map_err(|_| Failure::last(format!("`{}` is not a host name TLS can check", t.host)))?;
    let conn = rustls::ClientConnection::new(config, name).map_err(|e| Failure::last(format!("TLS: {e}")))?;
    exchange(rustls::StreamOwned::new(conn, stream), &head, timeout)
}

/// Sends the request head and reads the response head.
fn exchange(mut stream: impl Read + Write, head: &str, timeout: Duration) -> Result<Response, Failure> {
    let io = |e: std::io::Error| Failure::io(&e, timeout);
    stream.write_all(head.as_bytes()).map_err(io)?;
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 64 * 1024 {
        let n = stream.read(&mut chunk).map_err(io)?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    parse_response(&buf).ok_or_else(|| Failure::from("the server sent no valid HTTP response".to_string()))
}

fn io_reason(e: &std::io::Error, timeout: Duration) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        TimedOut | WouldBlock => format!("no answer within {}s", timeout.as_secs_f64()),
        ConnectionRefused => "connection refused".to_string(),
        ConnectionReset | ConnectionAborted => "connection reset".to_string(),
        _ => e.to_string(),
    }
}

fn parse_response(buf: &[u8]) -> Option<Response> {
    let text = String::from_utf8_lossy(buf);
    let mut lines = text.split("\r\n");
    let status_line = lines.next()?;
    let mut parts = status_line.splitn(3, ' ');
    if !parts.next()?.starts_with("HTTP/") {
        return None;
    }
    let status = parts.next()?.parse().ok()?;
    let reason = parts.next().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let location = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("location"))
        .map(|(_, v)| v.trim().to_string());
    Some(Response { status, reason, location })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls() {
        let t = Target::parse("http://Example.com:8080/a/b?x=1");
        let t = t.map(|t| (t.host, t.port, t.authority, t.path));
        assert_eq!(t, Some(("Example.com".into(), 8080, "Example.com:8080".into(), "/a/b?x=1".into())));
        let t = Target::parse("http://[::1]/").map(|t| (t.host, t.port));
        assert_eq!(t, Some(("::1".into(), 80)));
        let t = Target::parse("HTTPS://example.com").map(|t| (t.tls, t.port, t.path));
        assert_eq!(t, Some((true, 443, "/".into())));
        assert!(Target::parse("ftp://example.com/").is_none());
        assert!(Target::parse("http://").is_none());
    }

    #[test]
    fn resolves_redirects() {
        let t = Target::parse("http://h/a/b").map(|t| (t.join("/x"), t.join("c"), t.join("http://o/")));
        assert_eq!(t, Some(("http://h/x".into(), "http://h/a/c".into(), "http://o/".into())));
    }

    #[test]
    fn skip_list() {
        let skip = vec!["example.com".to_string(), "http://intranet/".to_string()];
        assert!(skipped("http://example.com/a", &skip));
        assert!(skipped("http://www.example.com/a", &skip));
        assert!(!skipped("http://notexample.com/a", &skip));
        assert!(skipped("http://intranet/x", &skip));
    }

    #[test]
    fn parses_responses() {
        let r = parse_response(b"HTTP/1.1 301 Moved\r\nLocation: /new\r\n\r\n");
        assert_eq!(r.map(|r| (r.status, r.location)), Some((301, Some("/new".into()))));
        assert!(parse_response(b"garbage").is_none());
    }
}
