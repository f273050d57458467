/*
 * opsbook default theme: progressive enhancement only. Every page works
 * without this file. No modules, no network, no libraries, so it runs from
 * file:// and under any subpath.
 *
 *  - light/dark toggle (stored in localStorage; the inline snippet in <head>
 *    applies the stored choice before first paint)
 *  - off-canvas sidebar drawer on narrow screens, fold/unfold of sections
 *  - current-section highlight in the table of contents (IntersectionObserver)
 *  - copy button and language label on code blocks
 *  - print button, "go back" button, open <details> while printing
 */
(function () {
  "use strict";

  var doc = document;
  var root = doc.documentElement;
  var THEME_KEY = "opsbook-theme";
  var darkQuery = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  var narrowQuery = window.matchMedia ? window.matchMedia("(max-width: 900px)") : null;

  function label(name, fallback) {
    var value = doc.body ? doc.body.getAttribute("data-label-" + name) : null;
    return value || fallback;
  }

  function onMediaChange(query, handler) {
    if (!query) {
      return;
    }
    if (query.addEventListener) {
      query.addEventListener("change", handler);
    } else if (query.addListener) {
      query.addListener(handler);
    }
  }

  function each(list, fn) {
    for (var i = 0; i < list.length; i++) {
      fn(list[i], i);
    }
  }

  function directChild(parent, test) {
    for (var i = 0; i < parent.children.length; i++) {
      if (test(parent.children[i])) {
        return parent.children[i];
      }
    }
    return null;
  }

  /* ---------------------------------------------------------------- */
  /* Theme                                                             */
  /* ---------------------------------------------------------------- */

  function storedTheme() {
    try {
      var value = window.localStorage.getItem(THEME_KEY);
      return value === "light" || value === "dark" ? value : null;
    } catch (e) {
      return null;
    }
  }

  function storeTheme(value) {
    try {
      window.localStorage.setItem(THEME_KEY, value);
    } catch (e) {
      /* storage may be disabled (private mode, file:// in some browsers) */
    }
  }

  function effectiveTheme() {
    var explicit = root.getAttribute("data-theme");
    if (explicit === "light" || explicit === "dark") {
      return explicit;
    }
    return darkQuery && darkQuery.matches ? "dark" : "light";
  }

  function initTheme() {
    var buttons = doc.querySelectorAll("[data-theme-toggle]");
    if (!buttons.length) {
      return;
    }

    function sync() {
      var dark = effectiveTheme() === "dark";
      each(buttons, function (button) {
        button.setAttribute("aria-pressed", dark ? "true" : "false");
      });
    }

    each(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var next = effectiveTheme() === "dark" ? "light" : "dark";
        root.setAttribute("data-theme", next);
        storeTheme(next);
        sync();
      });
    });

    onMediaChange(darkQuery, sync);

    /* Keep other open tabs of the handbook in step. */
    window.addEventListener("storage", function (event) {
      if (event.key !== THEME_KEY) {
        return;
      }
      if (event.newValue === "light" || event.newValue === "dark") {
        root.setAttribute("data-theme", event.newValue);
      } else {
        root.removeAttribute("data-theme");
      }
      sync();
    });

    sync();
  }

  /* ---------------------------------------------------------------- */
  /* Sidebar: drawer on narrow screens, folding sections               */
  /* ---------------------------------------------------------------- */

  function initDrawer() {
    var toggle = doc.querySelector(".menu-toggle");
    var sidebar = doc.getElementById("ob-sidebar");
    if (!toggle || !sidebar) {
      return;
    }
    var closeLink = sidebar.querySelector(".sidebar-close");
    var backdrop = doc.querySelector(".nav-backdrop");

    toggle.setAttribute("role", "button");
    toggle.setAttribute("aria-expanded", "false");

    function isOpen() {
      return root.classList.contains("nav-open");
    }

    function clearTargetHash() {
      /* Opened without JS (#ob-sidebar): drop the hash so :target ends. */
      if (window.location.hash === "#ob-sidebar") {
        try {
          window.history.replaceState(null, "", window.location.pathname + window.location.search);
        } catch (e) {
          window.location.hash = "";
        }
      }
    }

    function open() {
      root.classList.add("nav-open");
      toggle.setAttribute("aria-expanded", "true");
      var current = sidebar.querySelector(".is-active > a, a[aria-current='page']");
      var first = current || sidebar.querySelector(".nav-tree a");
      (first || sidebar).focus({ preventScroll: true });
    }

    function close(returnFocus) {
      var wasOpen = isOpen() || window.location.hash === "#ob-sidebar";
      root.classList.remove("nav-open");
      toggle.setAttribute("aria-expanded", "false");
      clearTargetHash();
      if (wasOpen && returnFocus) {
        toggle.focus();
      }
    }

    toggle.addEventListener("click", function (event) {
      event.preventDefault();
      if (isOpen()) {
        close(false);
      } else {
        open();
      }
    });

    toggle.addEventListener("keydown", function (event) {
      if (event.key === " " || event.key === "Spacebar") {
        event.preventDefault();
        toggle.click();
      }
    });

    if (closeLink) {
      closeLink.setAttribute("role", "button");
      closeLink.addEventListener("click", function (event) {
        event.preventDefault();
        close(true);
      });
    }

    if (backdrop) {
      backdrop.addEventListener("click", function (event) {
        event.preventDefault();
        close(true);
      });
    }

    doc.addEventListener("keydown", function (event) {
      if ((event.key === "Escape" || event.key === "Esc") && (isOpen() || window.location.hash === "#ob-sidebar")) {
        close(true);
      }
    });

    /* Keep keyboard focus inside the open drawer. */
    doc.addEventListener("focusin", function (event) {
      if (!isOpen() || sidebar.contains(event.target) || event.target === toggle) {
        return;
      }
      var first = sidebar.querySelector("a, button");
      if (first) {
        first.focus();
      }
    });

    sidebar.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest(".nav-tree a") : null;
      if (link && isOpen()) {
        root.classList.remove("nav-open");
        toggle.setAttribute("aria-expanded", "false");
      }
    });

    onMediaChange(narrowQuery, function () {
      if (narrowQuery && !narrowQuery.matches && isOpen()) {
        close(false);
      }
    });

    if (window.location.hash === "#ob-sidebar") {
      open();
    }
  }

  var expanderCount = 0;

  function initNavTree() {
    var sidebar = doc.getElementById("ob-sidebar");
    if (!sidebar) {
      return;
    }

    each(sidebar.querySelectorAll(".nav-item.is-section"), function (item) {
      var subtree = directChild(item, function (el) {
        return el.tagName === "UL" && el.classList.contains("nav-tree");
      });
      var link = directChild(item, function (el) {
        return el.tagName === "A";
      });
      if (!subtree || !subtree.children.length) {
        return;
      }
      if (!subtree.id) {
        expanderCount += 1;
        subtree.id = "ob-nav-sub-" + expanderCount;
      }
      var button = doc.createElement("button");
      button.type = "button";
      button.className = "nav-expander";
      button.setAttribute("aria-controls", subtree.id);
      button.setAttribute("aria-expanded", item.classList.contains("is-open") ? "true" : "false");
      var name = link ? link.textContent.replace(/\s+/g, " ").trim() : "";
      button.setAttribute("aria-label", label("expand", "Expand or collapse") + (name ? ": " + name : ""));
      button.addEventListener("click", function () {
        var openNow = !item.classList.contains("is-open");
        item.classList.toggle("is-open", openNow);
        button.setAttribute("aria-expanded", openNow ? "true" : "false");
      });
      item.classList.add("has-expander");
      if (link && link.nextSibling) {
        item.insertBefore(button, link.nextSibling);
      } else {
        item.insertBefore(button, subtree);
      }
    });

    /* Bring the current page into view inside a long sidebar. */
    var active = sidebar.querySelector(".is-active > a, .nav-tree a[aria-current='page']");
    if (active && sidebar.scrollHeight > sidebar.clientHeight) {
      var top = active.getBoundingClientRect().top - sidebar.getBoundingClientRect().top + sidebar.scrollTop;
      if (top > sidebar.clientHeight * 0.6) {
        sidebar.scrollTop = Math.max(0, top - sidebar.clientHeight / 3);
      }
    }
  }

  /* ---------------------------------------------------------------- */
  /* Table of contents: highlight the section being read               */
  /* ---------------------------------------------------------------- */

  function initTocSpy() {
    var links = doc.querySelectorAll(".toc-list a[href^='#']");
    if (!links.length || !("IntersectionObserver" in window)) {
      return;
    }

    var linksById = {};
    var headings = [];
    each(links, function (link) {
      var id = link.getAttribute("href").slice(1);
      try {
        id = decodeURIComponent(id);
      } catch (e) {
        /* keep the raw id */
      }
      var heading = doc.getElementById(id);
      if (!heading) {
        return;
      }
      if (!linksById[id]) {
        linksById[id] = [];
        headings.push(heading);
      }
      linksById[id].push(link);
    });
    if (!headings.length) {
      return;
    }

    var topbar = doc.querySelector(".topbar");
    var aside = doc.querySelector(".toc-aside");
    var current = null;
    var pending = false;

    function setCurrent(heading) {
      if (heading === current) {
        return;
      }
      if (current) {
        each(linksById[current.id] || [], function (link) {
          link.classList.remove("is-current");
          link.removeAttribute("aria-current");
        });
      }
      current = heading;
      if (!heading) {
        return;
      }
      each(linksById[heading.id] || [], function (link) {
        link.classList.add("is-current");
        link.setAttribute("aria-current", "location");
        if (aside && aside.contains(link) && aside.scrollHeight > aside.clientHeight) {
          var linkTop = link.offsetTop - aside.offsetTop;
          var linkRect = link.getBoundingClientRect();
          var asideRect = aside.getBoundingClientRect();
          if (linkRect.top < asideRect.top || linkRect.bottom > asideRect.bottom) {
            aside.scrollTop = Math.max(0, linkTop - aside.clientHeight / 3);
          }
        }
      });
    }

    function update() {
      pending = false;
      /* A heading counts as "being read" once it passes the upper quarter
         of the viewport (the same line the observer watches). */
      var barHeight = topbar ? topbar.getBoundingClientRect().height : 0;
      var offset = Math.max(barHeight + 24, window.innerHeight * 0.25);
      var found = null;
      for (var i = 0; i < headings.length; i++) {
        if (headings[i].getBoundingClientRect().top - offset <= 1) {
          found = headings[i];
        } else {
          break;
        }
      }
      var scroller = doc.scrollingElement || root;
      if (window.innerHeight + scroller.scrollTop >= scroller.scrollHeight - 2) {
        found = headings[headings.length - 1];
      }
      setCurrent(found || headings[0]);
    }

    function schedule() {
      if (!pending) {
        pending = true;
        window.requestAnimationFrame(update);
      }
    }

    var observer = new IntersectionObserver(schedule, {
      rootMargin: "0px 0px -75% 0px",
      threshold: [0, 1]
    });
    each(headings, function (heading) {
      observer.observe(heading);
    });
    window.addEventListener("hashchange", schedule);
    update();
  }

  /* ---------------------------------------------------------------- */
  /* Code blocks: toolbar with language and copy button                */
  /* ---------------------------------------------------------------- */

  function fallbackCopy(text) {
    var area = doc.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.top = "-1000px";
    area.style.opacity = "0";
    doc.body.appendChild(area);
    area.select();
    var ok = false;
    try {
      ok = doc.execCommand("copy");
    } catch (e) {
      ok = false;
    }
    doc.body.removeChild(area);
    return ok;
  }

  function copyText(text, done) {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () {
          done(true);
        },
        function () {
          done(fallbackCopy(text));
        }
      );
    } else {
      done(fallbackCopy(text));
    }
  }

  function initCodeBlocks() {
    var copyLabel = label("copy", "Copy");
    var copiedLabel = label("copied", "Copied");
    var failedLabel = label("copy-failed", "Copy failed");

    each(doc.querySelectorAll(".content pre"), function (pre) {
      var parent = pre.parentNode;
      if (!parent || (parent.classList && parent.classList.contains("code-block"))) {
        return;
      }
      var code = pre.querySelector("code") || pre;
      var wrapper = doc.createElement("div");
      wrapper.className = "code-block";
      var toolbar = doc.createElement("div");
      toolbar.className = "code-toolbar";

      var lang = pre.getAttribute("data-lang");
      if (lang && lang !== "text") {
        var langEl = doc.createElement("span");
        langEl.className = "code-lang";
        langEl.textContent = lang;
        toolbar.appendChild(langEl);
      }

      var button = doc.createElement("button");
      button.type = "button";
      button.className = "copy-button";
      var text = doc.createElement("span");
      text.setAttribute("aria-live", "polite");
      text.textContent = copyLabel;
      button.appendChild(text);
      var timer = null;
      button.addEventListener("click", function () {
        copyText(code.textContent || "", function (ok) {
          button.classList.toggle("is-copied", ok);
          text.textContent = ok ? copiedLabel : failedLabel;
          window.clearTimeout(timer);
          timer = window.setTimeout(function () {
            button.classList.remove("is-copied");
            text.textContent = copyLabel;
          }, 2000);
        });
      });
      toolbar.appendChild(button);

      parent.insertBefore(wrapper, pre);
      wrapper.appendChild(toolbar);
      wrapper.appendChild(pre);
    });
  }

  /* ---------------------------------------------------------------- */
  /* Small things                                                      */
  /* ---------------------------------------------------------------- */

  function initScrollableTables() {
    /* A table that scrolls sideways must be reachable by keyboard. */
    each(doc.querySelectorAll(".table-wrap"), function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1 && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
      }
    });
  }

  function initButtons() {
    each(doc.querySelectorAll("[data-print]"), function (button) {
      if (typeof window.print !== "function") {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });

    each(doc.querySelectorAll("[data-history-back]"), function (button) {
      if (window.history.length < 2) {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        window.history.back();
      });
    });
  }

  function initPrint() {
    var opened = [];
    window.addEventListener("beforeprint", function () {
      opened = [];
      each(doc.querySelectorAll(".content details:not([open])"), function (details) {
        details.open = true;
        opened.push(details);
      });
    });
    window.addEventListener("afterprint", function () {
      each(opened, function (details) {
        details.open = false;
      });
      opened = [];
    });
  }

  function init() {
    var steps = [initTheme, initNavTree, initDrawer, initTocSpy, initCodeBlocks, initScrollableTables, initButtons, initPrint];
    each(steps, function (step) {
      try {
        step();
      } catch (e) {
        /* one failing enhancement must not stop the others */
        if (window.console && window.console.warn) {
          window.console.warn("opsbook:", e);
        }
      }
    });
  }

  if (doc.readyState === "loading") {
    doc.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
