//! `opsbook check`: every problem at once, as text and as JSON, with the
//! right exit code; `--external` against a loopback server only.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::harness::{Site, opsbook, repo};

struct Checked {
    code: i32,
    stdout: String,
    stderr: String,
}

fn check(site: &Site, args: &[&str]) -> Checked {
    let o = opsbook()
        .args(["check", "--today", "2026-11-24", "--root"])
        .arg(site.root())
        .args(args)
        .output()
        .expect("run opsbook check");
    let root = site.root().display().to_string();
    Checked {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).replace(&root, "[SITE]"),
        stderr: String::from_utf8_lossy(&o.stderr).replace(&root, "[SITE]"),
    }
}

/// Text and JSON output of `check` on a fixture, in one snapshot.
fn both(site: &Site) -> (i32, String) {
    let text = check(site, &[]);
    let json = check(site, &["--format", "json"]);
    assert_eq!(text.code, json.code, "text and JSON agree on the exit code");
    let parsed: serde_json::Value = serde_json::from_str(&json.stdout).expect("valid JSON");
    assert_eq!(parsed["format"], 1);
    assert_eq!(parsed["ok"], text.code == 0);
    (text.code, format!("{}\n--- json ---\n{}", text.stdout, json.stdout))
}

#[test]
fn every_problem_at_once_in_a_broken_site() {
    let site = Site::fixture("check/many");
    let (code, out) = both(&site);
    assert_eq!(code, 1);
    insta::assert_snapshot!("check_many", out);
    // The build, by contrast, stops at the first stage with errors.
    site.build(&[]).fails(1);
}

#[test]
fn a_broken_config_does_not_hide_content_problems() {
    let (code, out) = both(&Site::fixture("check/bad-config"));
    assert_eq!(code, 1);
    assert!(out.contains("unknown key `languge`") && out.contains("broken link `gone.md`"), "{out}");
    insta::assert_snapshot!("check_bad_config", out);
}

#[test]
fn invalid_fixtures() {
    let dir = repo().join("tests/fixtures/invalid");
    let mut cases: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    assert!(cases.len() >= 10);
    for name in cases {
        let (code, out) = both(&Site::fixture(&format!("invalid/{name}")));
        assert_eq!(code, 1, "{name}:\n{out}");
        insta::assert_snapshot!(format!("check_invalid_{name}"), out);
    }
}

#[test]
fn exit_codes() {
    let clean = Site::new().file("content/a.md", "# A\n\n[b](b.md)\n").file("content/b.md", "# B\n");
    let c = check(&clean, &[]);
    assert_eq!((c.code, c.stdout.as_str()), (0, "check found no problems\n"));

    let warned = Site::new().file("content/a.md", "+++\nreviewed = 2020-01-01\nreview_every = \"30d\"\n+++\n# A\n");
    let c = check(&warned, &[]);
    assert_eq!(c.code, 0, "warnings alone pass: {}", c.stdout);
    assert!(c.stdout.ends_with("check found 0 errors, 1 warning\n"), "{}", c.stdout);
    assert_eq!(check(&warned, &["--quiet"]).stdout, "check found 0 errors, 1 warning\n");

    let broken = Site::new().file("content/a.md", "# A\n\n[b](nope.md)\n");
    assert_eq!(check(&broken, &[]).code, 1);

    let o = opsbook().args(["check", "--root", "/nonexistent/opsbook-site"]).output().expect("run");
    assert_eq!(o.status.code(), Some(2), "could not run");
    assert!(String::from_utf8_lossy(&o.stderr).contains("does not exist"));
}

#[test]
fn the_example_handbook_has_no_errors() {
    let c = check(&Site::copy_of(&repo()), &[]);
    assert_eq!(c.code, 0, "{}", c.stdout);
}

/// A loopback HTTP server for `--external`, stopping by itself after a
/// minute or when dropped. Routes: `/ok`, `/missing` (404), `/flaky`
/// (503 once, then 200), `/no-head` (405 for HEAD), `/moved` (301 to
/// `/ok`), `/slow` (answers after 3 s), `/skipped` (never asked: skip list).
struct LinkServer {
    port: u16,
    stop: Arc<AtomicBool>,
    hits: Arc<AtomicUsize>,
}

impl LinkServer {
    fn start() -> LinkServer {
        LinkServer::serve(None)
    }

    /// The same routes over TLS, with the certificate of `localhost` and
    /// `127.0.0.1` in `tests/fixtures/tls` (signed by the test authority
    /// `ca.pem`, whose key was thrown away once it had signed it).
    fn start_tls() -> LinkServer {
        use rustls::pki_types::pem::PemObject as _;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let dir = repo().join("tests/fixtures/tls");
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(dir.join("server.pem"))
            .expect("server certificate")
            .collect::<Result<_, _>>()
            .expect("certificate");
        let key = PrivateKeyDer::from_pem_file(dir.join("server.key")).expect("server key");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocols")
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .expect("server config");
        LinkServer::serve(Some(Arc::new(config)))
    }

    fn serve(tls: Option<Arc<rustls::ServerConfig>>) -> LinkServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let hits = Arc::new(AtomicUsize::new(0));
        let (stop2, hits2) = (Arc::clone(&stop), Arc::clone(&hits));
        std::thread::spawn(move || {
            let flaky = Arc::new(AtomicUsize::new(0));
            let deadline = Instant::now() + Duration::from_secs(60);
            while !stop2.load(Ordering::SeqCst) && Instant::now() < deadline {
                let Ok((s, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                };
                hits2.fetch_add(1, Ordering::SeqCst);
                let (flaky, tls) = (Arc::clone(&flaky), tls.clone());
                std::thread::spawn(move || {
                    let _ = s.set_nonblocking(false);
                    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                    match tls {
                        None => answer(s, &flaky),
                        Some(config) => {
                            let Ok(conn) = rustls::ServerConnection::new(config) else { return };
                            answer(rustls::StreamOwned::new(conn, s), &flaky);
                        }
                    }
                });
            }
        });
        LinkServer { port, stop, hits }
    }
}

/// Reads one request from `s` and answers it by its path.
fn answer(mut s: impl Read + Write, flaky: &AtomicUsize) {
    let mut buf = [0u8; 2048];
    let n = s.read(&mut buf).unwrap_or(0);
    let req = String::from_utf8_lossy(&buf[..n]).into_owned();
    let mut parts = req.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let status = match path {
        "/ok" => "200 OK",
        "/flaky" if flaky.fetch_add(1, Ordering::SeqCst) == 0 => "503 Service Unavailable",
        "/flaky" => "200 OK",
        "/no-head" if method == "HEAD" => "405 Method Not Allowed",
        "/no-head" => "200 OK",
        "/moved" => "301 Moved Permanently\r\nLocation: /ok",
        "/slow" => {
            std::thread::sleep(Duration::from_secs(3));
            "200 OK"
        }
        _ => "404 Not Found",
    };
    let _ = s.write_all(format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n").as_bytes());
    let _ = s.flush();
}

impl Drop for LinkServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

#[test]
fn https_links_on_loopback_are_checked_against_trusted_certificates() {
    let server = LinkServer::start_tls();
    let port = server.port;
    let site = Site::new().file("opsbook.toml", "title = \"TLS\"\nlanguage = \"en\"\n").file(
        "content/a.md",
        &format!(
            "# A\n\n- <https://127.0.0.1:{port}/ok>\n- <https://localhost:{port}/moved>\n\
             - <https://127.0.0.1:{port}/missing>\n"
        ),
    );
    let run = |ca: Option<&str>| {
        let mut cmd = opsbook();
        cmd.args(["check", "--today", "2026-11-24", "--external", "--timeout", "2", "--root"]).arg(site.root());
        cmd.env_remove("SSL_CERT_FILE");
        if let Some(ca) = ca {
            cmd.env("SSL_CERT_FILE", repo().join("tests/fixtures/tls").join(ca));
        }
        let o = cmd.output().expect("run opsbook check");
        String::from_utf8_lossy(&o.stdout).replace(&port.to_string(), "[PORT]")
    };

    // Trusting the test authority: only the missing page is broken, and the
    // redirect on `localhost` (a name, not an address) was followed.
    let trusted = run(Some("ca.pem"));
    assert!(trusted.contains("broken external link `https://127.0.0.1:[PORT]/missing`: HTTP 404"), "{trusted}");
    assert!(trusted.contains("external links: 3 checked, 1 broken"), "{trusted}");

    // The web's authorities alone do not know it: every link is reported,
    // the reason names the certificate, and no link is asked twice (a
    // certificate does not get trusted by retrying).
    let before = server.hits.load(Ordering::SeqCst);
    let untrusted = run(None);
    assert!(untrusted.contains("external links: 3 checked, 3 broken"), "{untrusted}");
    assert!(untrusted.contains("TLS: invalid peer certificate: UnknownIssuer"), "{untrusted}");
    assert_eq!(server.hits.load(Ordering::SeqCst) - before, 3, "one connection per link");

    // A certificate file that is not one says so.
    let bad = run(Some("server.key"));
    assert!(bad.contains("SSL_CERT_FILE"), "{bad}");
    assert!(server.hits.load(Ordering::SeqCst) >= 4);
}

#[test]
fn external_links_on_loopback() {
    let server = LinkServer::start();
    let base = format!("http://127.0.0.1:{}", server.port);
    let page = |links: &[&str]| links.iter().map(|l| format!("- <{base}{l}>\n")).collect::<String>();
    let site = Site::new()
        .file(
            "opsbook.toml",
            "title = \"External\"\nlanguage = \"en\"\n\n[check]\nexternal_skip = [\"http://localhost/\", \"example.com\"]\n",
        )
        .file(
            "content/a.md",
            &format!(
                "# A\n\n{}- [skipped](http://example.com/x)\n- [files](ftp://files.example.net/report.csv)\n",
                page(&["/ok", "/missing", "/flaky", "/no-head", "/moved#part", "/slow"])
            ),
        )
        .file("content/b.md", &format!("# B\n\nAgain: {base}/missing and [here]({base}/missing)\n"));
    let started = Instant::now();
    let c = check(&site, &["--external", "--timeout", "1", "--format", "json"]);
    assert_eq!(c.code, 1, "{}\n{}", c.stdout, c.stderr);
    assert!(started.elapsed() < Duration::from_secs(50), "timeouts bound the check");
    let out = c.stdout.replace(&server.port.to_string(), "[PORT]");
    insta::assert_snapshot!("check_external_json", out);
    assert!(server.hits.load(Ordering::SeqCst) >= 7);

    let text = check(&site, &["--external", "--timeout", "1"]);
    let text = text.stdout.replace(&server.port.to_string(), "[PORT]");
    assert_eq!(text.matches("broken external link").count(), 2, "each broken URL once:\n{text}");
    insta::assert_snapshot!("check_external_text", text);
}

#[test]
fn overdue_reviews_use_the_configured_section_defaults() {
    let site = Site::new()
        .file("opsbook.toml", "language = \"en\"\n[review]\nevery = \"1y\"\n[review.sections]\n\"ops\" = \"30d\"\n")
        .file("content/ops/fast.md", "+++\ntitle = \"Fast\"\nowner = \"Lin\"\nreviewed = 2026-09-01\n+++\n# Fast\n")
        .file("content/slow.md", "+++\ntitle = \"Slow\"\nowner = \"Lin\"\nreviewed = 2026-09-01\n+++\n# Slow\n");
    let out = check(&site, &[]);
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(all.contains("review is overdue: due 2026-10-01"), "{all}");
    assert!(!all.contains("content/slow.md"), "a yearly default keeps slow.md fresh: {all}");
}
