//! Live reload: a small script `serve` adds to every HTML page it serves
//! (never to a built site), and the Server-Sent Events stream it listens to.
//!
//! The stream sends the state of the site as JSON, once on connect and
//! again after every rebuild: `{"generation": 7, "since": 6, "error": null,
//! "changed": ["playbooks/okr/index.html", …]}`. `generation` counts good
//! builds; `changed` lists the output files that differ from generation
//! `since` (null when there are too many to list). The script reloads its
//! page (keeping the scroll position) when the page or a file it uses
//! changed, or when it missed a generation; while `error` holds the text of
//! a failed build it shows it in an overlay over the last good page.

use std::sync::{Condvar, Mutex};
use std::time::Duration;

use serde::Serialize;

/// The script, served at [`SCRIPT_PATH`].
pub const SCRIPT: &str = include_str!("live.js");
pub const SCRIPT_PATH: &str = "/__opsbook/live.js";
pub const EVENTS_PATH: &str = "/__opsbook/events";

/// More changed files than this and the stream says "everything changed".
const MAX_LISTED: usize = 500;

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct State {
    pub generation: u64,
    pub since: u64,
    /// The failed build's diagnostics, as text, while the site is broken.
    pub error: Option<String>,
    pub changed: Option<Vec<String>>,
}

/// Where rebuilds announce themselves and event streams wait.
#[derive(Default)]
pub struct Hub {
    state: Mutex<(u64, State)>,
    wake: Condvar,
}

impl Hub {
    pub fn state(&self) -> State {
        self.state.lock().map(|s| s.1.clone()).unwrap_or_default()
    }

    /// A good build: generation `generation`, with these files changed.
    pub fn built(&self, generation: u64, changed: Vec<String>) {
        self.update(|s| {
            s.since = s.generation;
            s.generation = generation;
            s.error = None;
            s.changed = (changed.len() <= MAX_LISTED).then_some(changed);
        });
    }

    /// A failed build: the last good site stays, with the error over it.
    pub fn failed(&self, text: String) {
        self.update(|s| s.error = Some(text));
    }

    fn update(&self, f: impl FnOnce(&mut State)) {
        if let Ok(mut s) = self.state.lock() {
            s.0 += 1;
            f(&mut s.1);
        }
        self.wake.notify_all();
    }

    /// Waits up to `timeout` for a state newer than `seen` (a sequence
    /// number); returns it and its number, or `None` on timeout.
    pub fn wait(&self, seen: u64, timeout: Duration) -> Option<(u64, State)> {
        let guard = self.state.lock().ok()?;
        let (guard, _) = self.wake.wait_timeout_while(guard, timeout, |s| s.0 == seen).ok()?;
        (guard.0 != seen).then(|| (guard.0, guard.1.clone()))
    }

    pub fn current(&self) -> (u64, State) {
        self.state.lock().map(|s| (s.0, s.1.clone())).unwrap_or_default()
    }
}

/// One Server-Sent Events message carrying `state`.
pub fn event(state: &State) -> String {
    let json = serde_json::to_string(state).unwrap_or_else(|_| "{}".to_string());
    format!("data: {json}\n\n")
}

/// `html` with the live-reload script added before `</body>`.
pub fn inject(html: &[u8], generation: u64) -> Vec<u8> {
    let tag = format!("<script src=\"{SCRIPT_PATH}\" data-generation=\"{generation}\" defer></script>");
    let at = find_last_ci(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    (0..=hay.len().checked_sub(needle.len())?).rev().find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_before_body_end() {
        let out = inject(b"<html><body>x</BODY></html>", 3);
        let text = String::from_utf8_lossy(&out);
        assert_eq!(
            text,
            "<html><body>x<script src=\"/__opsbook/live.js\" data-generation=\"3\" defer></script></BODY></html>"
        );
        assert!(String::from_utf8_lossy(&inject(b"plain", 1)).starts_with("plain<script"));
    }

    #[test]
    fn hub_wakes_waiters() {
        let hub = Hub::default();
        let (seen, _) = hub.current();
        assert!(hub.wait(seen, Duration::from_millis(1)).is_none());
        hub.built(1, vec!["a/index.html".into()]);
        let (_, state) = hub.wait(seen, Duration::from_millis(1)).unwrap_or_default();
        assert_eq!(state.generation, 1);
        assert_eq!(
            event(&state),
            "data: {\"generation\":1,\"since\":0,\"error\":null,\"changed\":[\"a/index.html\"]}\n\n"
        );
    }
}
