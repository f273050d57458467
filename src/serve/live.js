/*
 * opsbook serve: live reload. Added to pages by `opsbook serve` only, never
 * to a built site. Listens to /__opsbook/events (Server-Sent Events); see
 * src/serve/live.rs for the messages.
 */
(function () {
  "use strict";

  var me = document.currentScript;
  var generation = me ? Number(me.getAttribute("data-generation")) : -1;
  var KEY = "opsbook-scroll:" + location.pathname;

  // Back where the reader was before a live reload.
  try {
    var saved = sessionStorage.getItem(KEY);
    if (saved) {
      sessionStorage.removeItem(KEY);
      var pos = JSON.parse(saved);
      var restore = function () {
        window.scrollTo(pos.x, pos.y);
      };
      restore();
      window.addEventListener("load", restore);
    }
  } catch (e) {
    /* storage blocked: reload at the top */
  }

  function reload() {
    try {
      sessionStorage.setItem(KEY, JSON.stringify({ x: window.scrollX, y: window.scrollY }));
    } catch (e) {
      /* ignore */
    }
    location.reload();
  }

  function sitePath(url) {
    var p;
    try {
      p = decodeURIComponent(new URL(url, location.href).pathname);
    } catch (e) {
      return "";
    }
    p = p.replace(/^\/+/, "");
    if (p === "" || /\/$/.test(p)) {
      p += "index.html";
    }
    return p;
  }

  // This page and every file it loads, as site paths.
  function used() {
    var set = {};
    set[sitePath(location.href)] = true;
    var els = document.querySelectorAll("link[href], script[src], img[src], source[src], object[data]");
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      var url = el.getAttribute("href") || el.getAttribute("src") || el.getAttribute("data");
      if (url) {
        set[sitePath(url)] = true;
      }
    }
    return set;
  }

  function overlay(text) {
    var box = document.getElementById("opsbook-overlay");
    if (!text) {
      if (box) {
        box.parentNode.removeChild(box);
      }
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.id = "opsbook-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText =
        "position:fixed;inset:0;z-index:2147483647;overflow:auto;box-sizing:border-box;padding:24px;" +
        "background:rgba(14,19,26,.94);color:#f1f4f8;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace";
      var head = document.createElement("div");
      head.style.cssText =
        "display:flex;gap:16px;justify-content:space-between;align-items:flex-start;margin:0 0 16px;" +
        "font:600 16px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;color:#ff9d9d";
      var title = document.createElement("span");
      title.textContent = "opsbook: the site did not build. The page underneath is the last good version.";
      var close = document.createElement("button");
      close.type = "button";
      close.textContent = "\u00d7";
      close.setAttribute("aria-label", "Close");
      close.style.cssText = "font:24px/1 system-ui,sans-serif;background:none;border:0;color:inherit;cursor:pointer";
      close.onclick = function () {
        box.style.display = "none";
      };
      head.appendChild(title);
      head.appendChild(close);
      var pre = document.createElement("pre");
      pre.style.cssText =
        "margin:0;padding:0;border:0;background:none;color:inherit;white-space:pre-wrap;word-break:break-word;font:inherit";
      box.appendChild(head);
      box.appendChild(pre);
      (document.body || document.documentElement).appendChild(box);
    }
    box.style.display = "";
    box.getElementsByTagName("pre")[0].textContent = text;
  }

  function update(state) {
    overlay(state.error);
    if (state.error || state.generation === generation) {
      return;
    }
    if (state.since !== generation || !state.changed) {
      reload();
      return;
    }
    var mine = used();
    for (var i = 0; i < state.changed.length; i++) {
      if (mine[state.changed[i]]) {
        reload();
        return;
      }
    }
    generation = state.generation;
  }

  if (!window.EventSource) {
    return;
  }
  var source = new EventSource("/__opsbook/events");
  source.onmessage = function (e) {
    try {
      update(JSON.parse(e.data));
    } catch (err) {
      /* not ours */
    }
  };
})();
