/*
 * opsbook search, the box in the top bar: highlighted results grouped by
 * page, built on the engine in search-core.js (window.opsbookSearch).
 *
 * Keys: "/" or Ctrl-K focuses, arrows move, Enter opens, Escape closes.
 * The box follows the ARIA combobox pattern with a listbox popup and a live
 * region that announces the result count. "#search=query" in the URL opens
 * the box with that query.
 */
(function () {
  "use strict";

  var engine = window.opsbookSearch;
  if (!engine) {
    return;
  }
  var tokenSpans = engine.tokenSpans, isCjk = engine.isCjk, isWord = engine.isWord, search = engine.search;
  /* The site root: from the box's data-root, else from this script's URL. */
  var script = document.currentScript;
  var scriptRoot = script ? script.src.replace(/assets\/search\.js(\?.*)?$/, "") : "";

  /* ---------------------------------------------------------------- */
  /* Highlighting                                                      */
  /* ---------------------------------------------------------------- */

  var SNIPPET = 110;

  function escapeHtml(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  /* Marked ranges [start, end, term] of `ts` in `text`, in code points. */
  function matches(text, ts) {
    var out = [];
    tokenSpans(text).forEach(function (tok) {
      for (var i = 0; i < ts.length; i++) {
        var t = ts[i];
        if (tok.text === t.text || (t.prefix && tok.text.startsWith(t.text))) {
          var cjk = isCjk(t.text.codePointAt(0));
          var end = cjk ? tok.start + Array.from(t.text).length : tok.end;
          out.push([tok.start, end, i]);
          return;
        }
      }
    });
    out.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var merged = [];
    out.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) {
        last[1] = Math.max(last[1], r[1]);
        last[2].push(r[2]);
      } else {
        merged.push([r[0], r[1], [r[2]]]);
      }
    });
    return merged;
  }

  /* HTML of `text` with matches marked; cut to a window around the best
   * cluster of matches when `cut` is set. */
  function highlight(text, ts, cut) {
    var cps = Array.from(text);
    var ranges = matches(text, ts);
    var from = 0, to = cps.length;
    if (cut && cps.length > SNIPPET) {
      var best = -1;
      ranges.forEach(function (r) {
        var start = Math.max(0, r[0] - 24);
        var seen = {};
        var count = 0;
        ranges.forEach(function (o) {
          if (o[0] >= start && o[1] <= start + SNIPPET) {
            o[2].forEach(function (t) {
              if (!seen[t]) {
                seen[t] = true;
                count++;
              }
            });
          }
        });
        if (count > best) {
          best = count;
          from = start;
        }
      });
      /* Start at a word's beginning, not in its middle. */
      for (var back = 0; from > 0 && back < 12 && isWord(cps[from - 1].codePointAt(0)); back++) {
        from--;
      }
      to = Math.min(cps.length, from + SNIPPET);
      if (to === cps.length) {
        from = Math.max(0, to - SNIPPET);
      }
    }
    var html = from > 0 ? "…" : "";
    var at = from;
    ranges.forEach(function (r) {
      var s = Math.max(r[0], from), e = Math.min(r[1], to);
      if (s >= e || s < at) {
        return;
      }
      html += escapeHtml(cps.slice(at, s).join("")) + "<mark>" + escapeHtml(cps.slice(s, e).join("")) + "</mark>";
      at = e;
    });
    html += escapeHtml(cps.slice(at, to).join(""));
    return to < cps.length ? html + "…" : html;
  }

  /* ---------------------------------------------------------------- */
  /* The search box                                                    */
  /* ---------------------------------------------------------------- */

  function el(tag, attrs, html) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (html) {
      e.innerHTML = html;
    }
    return e;
  }

  function setup(slot) {
    var root = slot.hasAttribute("data-root") ? slot.getAttribute("data-root") : scriptRoot;
    engine.setRoot(root);
    var label = function (name, fallback) { return slot.getAttribute("data-label-" + name) || fallback; };
    var box = el("div", { class: "ob-search", role: "search" });
    var field = el("div", { class: "ob-search-field" });
    var input = el("input", {
      id: "ob-search-input", class: "ob-search-input", type: "search", role: "combobox",
      "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": "ob-search-list",
      "aria-label": label("search", "Search"), placeholder: label("placeholder", "Search…"),
      autocomplete: "off", spellcheck: "false", enterkeyhint: "go",
    });
    var key = el("kbd", { class: "ob-search-key", "aria-hidden": "true" }, "/");
    var panel = el("div", { class: "ob-search-panel", hidden: "" });
    var list = el("div", { id: "ob-search-list", class: "ob-search-list", role: "listbox",
      "aria-label": label("results", "Search results") });
    var note = el("p", { class: "ob-search-note" });
    var foot = el("div", { class: "ob-search-foot", "aria-hidden": "true" },
      "<span><kbd>↑</kbd><kbd>↓</kbd> " + escapeHtml(label("navigate", "navigate")) + "</span>" +
      "<span><kbd>↵</kbd> " + escapeHtml(label("open", "open")) + "</span>" +
      "<span><kbd>Esc</kbd> " + escapeHtml(label("close", "close")) + "</span>");
    var live = el("div", { class: "visually-hidden", role: "status", "aria-live": "polite" });
    field.appendChild(input);
    field.appendChild(key);
    panel.appendChild(note);
    panel.appendChild(list);
    panel.appendChild(foot);
    box.appendChild(field);
    box.appendChild(panel);
    box.appendChild(live);
    slot.appendChild(box);

    var seq = 0;
    var shown = 0;
    var active = -1;
    var timer = 0;
    var goWhenShown = false;

    function options() {
      return list.querySelectorAll("[role=option]");
    }

    var phone = window.matchMedia ? window.matchMedia("(max-width: 640px)") : null;

    /* Centres the panel under the box, kept inside the viewport; on phones
     * the stylesheet spreads it across the screen instead. */
    function place() {
      if (panel.hidden || (phone && phone.matches)) {
        panel.style.left = panel.style.width = "";
        return;
      }
      var vw = document.documentElement.clientWidth;
      var r = box.getBoundingClientRect();
      var w = Math.min(640, vw - 16);
      var left = Math.max(8, Math.min(r.left + r.width / 2 - w / 2, vw - 8 - w));
      panel.style.width = w + "px";
      panel.style.left = left - r.left + "px";
    }

    function open(show) {
      panel.hidden = !show;
      input.setAttribute("aria-expanded", show ? "true" : "false");
      box.classList.toggle("is-open", show);
      place();
    }
    window.addEventListener("resize", place);

    function setActive(i) {
      var opts = options();
      if (active >= 0 && opts[active]) {
        opts[active].setAttribute("aria-selected", "false");
      }
      active = opts.length ? (i + opts.length) % opts.length : -1;
      if (active >= 0) {
        opts[active].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", opts[active].id);
        opts[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function link(h, local) {
      var id = local > 0 ? h.fields[local * 3] : "";
      return root + h.href + (id ? "#" + encodeURIComponent(id) : "");
    }

    function option(h, local, cls, n, titleHtml, ts) {
      var heading = local > 0 ? h.fields[local * 3 + 1] : "";
      var text = h.fields[local * 3 + 2] || "";
      var a = el("a", { class: "ob-search-option " + cls, role: "option", id: "ob-search-opt-" + n,
        href: link(h, local), tabindex: "-1", "aria-selected": "false" });
      var html = titleHtml ? "<span class=\"ob-search-title\">" + titleHtml + "</span>" : "";
      if (heading) {
        html += "<span class=\"ob-search-heading\">" + highlight(heading, ts, false) + "</span>";
      }
      if (text) {
        html += "<span class=\"ob-search-snippet\">" + highlight(text, ts, true) + "</span>";
      }
      a.innerHTML = html;
      return a;
    }

    function render(result, query) {
      list.innerHTML = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      var n = 0;
      result.hits.forEach(function (h, gi) {
        var group = el("div", { class: "ob-search-group", role: "group", "aria-labelledby": "ob-search-g" + gi });
        var title = highlight(h.title, result.terms, false);
        group.appendChild(el("span", { id: "ob-search-g" + gi, class: "visually-hidden" }, escapeHtml(h.title)));
        group.appendChild(option(h, h.target, "ob-search-page", n++, title, result.terms));
        h.sections.forEach(function (local) {
          group.appendChild(option(h, local, "ob-search-section", n++, "", result.terms));
        });
        list.appendChild(group);
      });
      var message;
      if (!result.hits.length) {
        message = label("none", "No results for “{query}”").replace("{query}", query);
      } else {
        message = label("count", "{count} pages found").replace("{count}", String(result.total));
      }
      list.setAttribute("data-query", query); /* what the list shows; tests wait on it */
      note.textContent = result.hits.length ? "" : message;
      note.hidden = !!result.hits.length;
      live.textContent = message;
      open(true);
      if (goWhenShown) {
        goWhenShown = false;
        go(-1);
      }
    }

    function run() {
      window.clearTimeout(timer);
      timer = 0;
      var query = input.value;
      var mine = ++seq;
      if (!query.trim()) {
        list.innerHTML = "";
        live.textContent = "";
        open(false);
        return;
      }
      search(query).then(function (result) {
        if (mine === seq) {
          shown = mine;
          render(result, query.trim());
        }
      }, function () {
        if (mine === seq) {
          shown = mine;
          goWhenShown = false;
          list.innerHTML = "";
          note.hidden = false;
          note.textContent = label("error", "The search index could not be loaded.");
          live.textContent = note.textContent;
          open(true);
        }
      });
    }

    function go(i) {
      var opts = options();
      var target = opts[i >= 0 ? i : 0];
      if (target) {
        open(false);
        window.location.href = target.href;
      }
    }

    input.addEventListener("focus", function () {
      engine.load().catch(function () {});
      if (input.value.trim() && list.childNodes.length) {
        open(true);
      }
    });
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(run, 60);
      goWhenShown = false;
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (panel.hidden) {
          run();
          return;
        }
        setActive(active < 0 && e.key === "ArrowUp" ? -1 : active + (e.key === "ArrowDown" ? 1 : -1));
      } else if (e.key === "Enter") {
        e.preventDefault();
        if (!input.value.trim()) {
          return;
        }
        if (timer || shown !== seq || panel.hidden) {
          /* Typed faster than the results came: open the first one. */
          goWhenShown = true;
          if (timer || panel.hidden) {
            run();
          }
        } else {
          go(active);
        }
      } else if (e.key === "Escape") {
        e.preventDefault();
        if (!panel.hidden) {
          open(false);
        } else if (input.value) {
          input.value = "";
          run();
        } else {
          input.blur();
        }
      }
    });
    list.addEventListener("mousemove", function (e) {
      var opt = e.target.closest && e.target.closest("[role=option]");
      var i = Array.prototype.indexOf.call(options(), opt);
      if (i >= 0 && i !== active) {
        setActive(i);
      }
    });
    list.addEventListener("click", function () { open(false); });
    document.addEventListener("mousedown", function (e) {
      if (!box.contains(e.target)) {
        open(false);
      }
    });
    box.addEventListener("focusout", function (e) {
      if (e.relatedTarget && !box.contains(e.relatedTarget)) {
        open(false);
      }
    });
    document.addEventListener("keydown", function (e) {
      var t = e.target;
      var typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      if ((e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) ||
          (e.key.toLowerCase() === "k" && (e.ctrlKey || e.metaKey) && !e.altKey)) {
        e.preventDefault();
        input.focus();
        input.select();
      }
    });

    var m = /^#search=(.*)$/.exec(window.location.hash);
    if (m) {
      var q = "";
      try {
        q = decodeURIComponent(m[1]);
      } catch (err) {
        q = m[1];
      }
      input.value = q;
      input.focus();
      run();
    }
  }

  function start() {
    var slot = document.getElementById("search");
    if (slot && !slot.firstChild) {
      setup(slot);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
