//! `opsbook serve`: build the site into memory, serve it on loopback, and
//! rebuild and live-reload open pages whenever a source file changes.
//!
//! The parts: [`http`] answers requests from the in-memory site in
//! [`store`]; [`watch`] turns file events into batches; [`live`] is the
//! reload script and its event stream. Each rebuild runs the same pipeline
//! as `build` ([`crate::generate`]) with a [`Cache`], so only what a change
//! affects is rendered again. A failed rebuild leaves the last good site
//! served, with the error shown in the terminal and over the open pages;
//! the next good build clears it.
//!
//! The server keeps nothing on disk, so stopping it (Ctrl-C) has nothing to
//! clean up: the loop returns and the process exits.

pub mod http;
pub mod live;
pub mod store;
pub mod watch;

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::mpsc::{Sender, channel};
use std::time::{Duration, Instant};

use crate::cache::{Cache, Stats};
use crate::diagnostics::Diagnostic;
use crate::{BuildOptions, Failure, Pipeline};
use store::{CopyMemo, MemorySink};
use watch::Message;

/// The port tried first when none is given.
pub const DEFAULT_PORT: u16 = 3000;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Root, drafts and date, as for `build` (the output folder is unused).
    pub build: BuildOptions,
    pub bind: IpAddr,
    /// `None`: [`DEFAULT_PORT`], or the next free one. `Some(0)`: any free port.
    pub port: Option<u16>,
    /// Stop by itself after this long (tests).
    pub stop_after: Option<Duration>,
}

/// What `serve` tells the terminal.
pub enum Event<'a> {
    /// The server is up at `url`.
    Listening { url: &'a str },
    /// These source files changed; a rebuild starts.
    Changed { files: &'a [String] },
    /// A good build, now served.
    Built { pages: usize, took: Duration, changed: usize, stats: Stats, warnings: &'a [Diagnostic] },
    /// A failed build; the last good site stays.
    Failed { diagnostics: &'a [Diagnostic] },
    /// The search index of a good build is in (it is made after the pages
    /// are served, on another thread).
    Indexed { took: Duration },
    /// Something that does not stop the server (watcher trouble, a file
    /// not served because it links outside the site).
    Problem { message: &'a str },
    /// Ctrl-C or the time limit: the server stops.
    Stopping,
}

/// Serves the site until Ctrl-C (or `stop_after`). `Err` only when the
/// server could not start.
pub fn serve(opts: &ServeOptions, report: &(dyn Fn(Event<'_>) + Sync)) -> Result<(), Failure> {
    let fatal = |m: String, hint: &str| Failure::Fatal(vec![Diagnostic::error(m).hint(hint)]);
    if !opts.build.root.is_dir() {
        crate::open(&opts.build, false)?;
    }
    let listener = bind(opts.bind, opts.port).map_err(|(addr, e)| {
        fatal(
            format!("cannot listen on {addr}: {e}"),
            "pick another port with `--port`, or `--port 0` for any free one",
        )
    })?;
    let addr = listener.local_addr().map_err(|e| fatal(format!("cannot listen: {e}"), "try another `--port`"))?;
    let shared = Arc::new(http::Shared::default());
    http::spawn(listener, Arc::clone(&shared));
    let url = match addr {
        SocketAddr::V6(a) => format!("http://[{}]:{}/", a.ip(), a.port()),
        SocketAddr::V4(a) => format!("http://{}:{}/", a.ip(), a.port()),
    };

    let (tx, rx) = channel();
    stop_on_signal(tx.clone(), opts.stop_after);
    let mut watcher = match watch::Watcher::new(&opts.build.root, tx.clone()) {
        Ok(w) => Some(w),
        Err(e) => {
            report(Event::Problem { message: &format!("cannot watch for changes ({e}); restart to see edits") });
            None
        }
    };

    let (late_tx, late_rx) = channel();
    {
        let (shared, tx) = (Arc::clone(&shared), tx.clone());
        std::thread::spawn(move || late_work(&late_rx, &shared, &tx));
    }
    let mut server = Rebuilder {
        opts,
        shared: &shared,
        cache: Arc::new(Cache::new()),
        memo: CopyMemo::default(),
        late: late_tx,
        content_dir: "content".to_string(),
        url: url.clone(),
    };
    // Watch what the config names before the first build: an edit made
    // while it runs waits in the channel and is built right after it.
    follow(&mut watcher, &crate::open(&opts.build, false).ok(), opts, report);
    let first = server.rebuild(report);
    // The build may have moved the folders (a config edit); watch before
    // announcing the address, so an edit made as soon as the server says it
    // is listening is not lost either.
    follow(&mut watcher, &first, opts, report);
    report(Event::Listening { url: &url });
    watch_loop(&rx, &mut watcher, &mut server, opts, report);
    report(Event::Stopping);
    Ok(())
}

fn watch_loop(
    rx: &std::sync::mpsc::Receiver<Message>,
    watcher: &mut Option<watch::Watcher>,
    server: &mut Rebuilder<'_>,
    opts: &ServeOptions,
    report: &(dyn Fn(Event<'_>) + Sync),
) {
    loop {
        let batch = match watcher.as_ref() {
            Some(w) => watch::next_batch(rx, w, &mut |note| match note {
                watch::Note::Problem(m) => report(Event::Problem { message: &m }),
                watch::Note::Indexed(took) => report(Event::Indexed { took }),
            }),
            None => loop {
                if let Ok(Message::Stop) | Err(_) = rx.recv() {
                    break None;
                }
            },
        };
        let Some(files) = batch else { break };
        if files.is_empty() {
            continue;
        }
        report(Event::Changed { files: &files });
        server.forget(&files);
        let dir = server.rebuild(report);
        follow(watcher, &dir, opts, report);
    }
}

/// Runs the deferred work of good builds (the search index) one at a time,
/// skipping builds already replaced, and puts its files in the store. Runs
/// on its own thread, which the process simply ends on Ctrl-C.
fn late_work(
    rx: &std::sync::mpsc::Receiver<(u64, Vec<crate::site::Deferred>)>,
    shared: &http::Shared,
    tx: &Sender<Message>,
) {
    while let Ok(mut job) = rx.recv() {
        // Wait for a quiet moment: while someone types, rebuilds come first.
        loop {
            match rx.recv_timeout(Duration::from_millis(300)) {
                Ok(newer) => job = newer,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => break,
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
            }
        }
        let (generation, jobs) = job;
        if shared.store.snapshot().generation != generation {
            continue;
        }
        let started = Instant::now();
        crate::trace("serve: search index started");
        let files: Vec<(String, String)> = jobs.into_iter().flat_map(|j| j()).collect();
        crate::trace("serve: search index made");
        if shared.store.patch(generation, files) {
            let _ = tx.send(Message::Indexed(started.elapsed()));
        }
    }
}

fn follow(
    watcher: &mut Option<watch::Watcher>,
    dir: &Option<crate::SiteDir>,
    opts: &ServeOptions,
    report: &(dyn Fn(Event<'_>) + Sync),
) {
    let Some(w) = watcher else { return };
    // With a broken config, keep watching at least the root and `content/`.
    let fallback;
    let dir = match dir {
        Some(d) => d,
        None => {
            fallback = crate::SiteDir {
                root: opts.build.root.clone(),
                config: crate::config::Config::default(),
                content_dir: opts.build.root.join("content"),
                today: jiff::civil::Date::default(),
                diagnostics: Vec::new(),
            };
            &fallback
        }
    };
    for problem in w.follow(dir) {
        report(Event::Problem { message: &problem });
    }
}

struct Rebuilder<'a> {
    opts: &'a ServeOptions,
    shared: &'a http::Shared,
    cache: Arc<Cache>,
    memo: CopyMemo,
    /// Where good builds send their deferred work.
    late: Sender<(u64, Vec<crate::site::Deferred>)>,
    /// The content folder, from the site root, as of the last build.
    content_dir: String,
    /// Where the site is served: its `base_url` while served, so the 404
    /// page finds its stylesheet and links at any depth.
    url: String,
}

impl Rebuilder<'_> {
    /// Makes the next build read `changed` files (paths from the site root)
    /// again, whatever their timestamps say.
    fn forget(&self, changed: &[String]) {
        let prefix = format!("{}/", self.content_dir.trim_end_matches('/'));
        for path in changed {
            if let Some(rel) = path.strip_prefix(&prefix) {
                self.cache.files.forget(rel);
            }
        }
    }

    /// Builds into memory and serves the result when it is good. Returns
    /// the opened site folder, for the watcher.
    fn rebuild(&mut self, report: &(dyn Fn(Event<'_>) + Sync)) -> Option<crate::SiteDir> {
        let started = Instant::now();
        crate::trace("serve: rebuild started");
        let dir = match crate::open(&self.opts.build, false) {
            Ok(mut dir) => {
                self.content_dir = dir.config.content_dir.clone();
                dir.config.base_url = Some(self.url.clone());
                dir
            }
            Err(f) => {
                self.failed(f.diagnostics(), report);
                return None;
            }
        };
        let sink = MemorySink::new(&dir.root, &self.memo);
        let run = Pipeline { cache: Some(Arc::clone(&self.cache)), ..Pipeline::default() };
        let result = crate::generate(&self.opts.build, &dir, &sink, &run);
        crate::trace("serve: rebuild done");
        let store::Finished { mut files, refused, deferred } = sink.finish();
        match result {
            Ok((summary, warnings)) => {
                let stats = self.cache.finish();
                let generation = self.shared.hub.state().generation + 1;
                files.generation = generation;
                self.shared.store.carry_late(&mut files);
                let old = self.shared.store.replace(files);
                if !deferred.is_empty() {
                    let _ = self.late.send((generation, deferred));
                }
                let changed = self.shared.store.snapshot().changed_since(&old);
                let count = changed.len();
                crate::trace("serve: new files served");
                self.shared.hub.built(generation, changed);
                for rel in &refused {
                    let message = format!("not serving `{rel}`: it links to a file outside the site folder");
                    report(Event::Problem { message: &message });
                }
                let took = started.elapsed();
                report(Event::Built { pages: summary.pages, took, changed: count, stats, warnings: &warnings });
            }
            Err(f) => {
                self.cache.finish_failed();
                self.failed(f.diagnostics(), report);
            }
        }
        Some(dir)
    }

    fn failed(&self, diagnostics: &[Diagnostic], report: &(dyn Fn(Event<'_>) + Sync)) {
        let mut text: String = diagnostics.iter().map(|d| d.render(false) + "\n").collect();
        text.push_str(&format!("build failed: {}", crate::diagnostics::summary(diagnostics)));
        self.shared.hub.failed(text);
        report(Event::Failed { diagnostics });
    }
}

/// Binds `port`, or with none the default port or the next free one.
fn bind(ip: IpAddr, port: Option<u16>) -> Result<TcpListener, (SocketAddr, std::io::Error)> {
    match port {
        Some(p) => TcpListener::bind((ip, p)).map_err(|e| (SocketAddr::new(ip, p), e)),
        None => {
            let mut last = None;
            for p in DEFAULT_PORT..DEFAULT_PORT + 20 {
                match TcpListener::bind((ip, p)) {
                    Ok(l) => return Ok(l),
                    Err(e) => last = Some((SocketAddr::new(ip, p), e)),
                }
            }
            TcpListener::bind((ip, 0)).map_err(|e| last.unwrap_or((SocketAddr::new(ip, 0), e)))
        }
    }
}

/// Sends `Stop` on Ctrl-C (SIGINT) and after `limit`.
fn stop_on_signal(tx: Sender<Message>, limit: Option<Duration>) {
    let on_signal = tx.clone();
    // Fails only when a handler is already set (a second server in one
    // process): that one stops the process.
    let _ = ctrlc::set_handler(move || {
        let _ = on_signal.send(Message::Stop);
    });
    if let Some(limit) = limit {
        std::thread::spawn(move || {
            std::thread::sleep(limit);
            let _ = tx.send(Message::Stop);
        });
    }
}

/// Opens `url` in the default browser, if one can be found.
pub fn open_browser(url: &str) -> bool {
    let mut cmd = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    cmd.arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_ok()
}
