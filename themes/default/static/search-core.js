/*
 * opsbook search, the engine: tokenizer, index loading and ranking. The
 * search box itself is search.js, which uses window.opsbookSearch.
 *
 * The index is a set of small scripts under assets/search/ written by
 * src/search/builder.rs; each calls window.opsbookIndex(name, ...). They are
 * loaded with <script> tags, never fetch, so search works from file:// and
 * under any subpath. Nothing loads until asked (the box asks on focus); then
 * index.js, then only the token shards the query's terms live in, then only
 * the page chunks of the results shown.
 *
 * The tokenizer is a line-by-line twin of src/search/tokenize.rs and the
 * ranking of src/search/query.rs; the table in
 * src/search/tokenizer_cases.toml runs through both (under node too: this
 * file exports the same API as a CommonJS module).
 */
(function () {
  "use strict";

  /* ---------------------------------------------------------------- */
  /* Tokenizer (twin of src/search/tokenize.rs)                        */
  /* ---------------------------------------------------------------- */

  var MAX_WORD = 24;
  var WORD = 0, PART = 1, BIGRAM = 2, TAIL = 3, SINGLE = 4;
  var WORD_CHAR = /^[\p{Alphabetic}\p{N}]$/u;
  var CONNECTORS = [0x2e, 0x2d, 0x5f, 0x2f, 0x27, 0x2019, 0x2b, 0x26, 0x40]; // . - _ / ' ’ + & @

  function normalize(cp) {
    if (cp >= 0xff01 && cp <= 0xff5e) {
      return cp - 0xfee0;
    }
    return cp === 0x3000 ? 0x20 : cp;
  }

  function isCjk(cp) {
    return (cp >= 0x1100 && cp <= 0x11ff) || (cp >= 0x3005 && cp <= 0x3007) || (cp >= 0x3040 && cp <= 0x30ff) ||
      (cp >= 0x3130 && cp <= 0x318f) || (cp >= 0x31f0 && cp <= 0x31ff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
      (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xac00 && cp <= 0xd7af) || (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xff66 && cp <= 0xff9f) || (cp >= 0x20000 && cp <= 0x3ffff);
  }

  function isWord(cp) {
    return !isCjk(cp) && WORD_CHAR.test(String.fromCodePoint(cp));
  }

  function isDigit(cp) {
    return cp >= 0x30 && cp <= 0x39;
  }

  function isConnector(prev, c, next) {
    return isWord(next) && (CONNECTORS.indexOf(c) >= 0 || (c === 0x2c && isDigit(prev) && isDigit(next)));
  }

  function word(cps) {
    var out = [];
    for (var i = 0; i < cps.length && out.length < MAX_WORD; i++) {
      for (var ch of String.fromCodePoint(cps[i]).toLowerCase()) {
        if (out.length < MAX_WORD) {
          out.push(ch);
        }
      }
    }
    return out.join("");
  }

  /* Tokens with their span [start, end) in code points of the text. */
  function tokenSpans(text) {
    var cps = [];
    for (var ch of text) {
      cps.push(normalize(ch.codePointAt(0)));
    }
    var out = [];
    var i = 0;
    while (i < cps.length) {
      var c = cps[i];
      var start = i;
      if (isCjk(c)) {
        while (i < cps.length && isCjk(cps[i])) {
          i++;
        }
        if (i - start === 1) {
          out.push({ text: String.fromCodePoint(c), kind: SINGLE, start: start, end: i });
        } else {
          for (var j = start; j + 1 < i; j++) {
            out.push({ text: String.fromCodePoint(cps[j], cps[j + 1]), kind: BIGRAM, start: j, end: j + 2 });
          }
          out.push({ text: String.fromCodePoint(cps[i - 1]), kind: TAIL, start: i - 1, end: i });
        }
      } else if (isWord(c)) {
        var parts = [];
        for (;;) {
          var s = i;
          while (i < cps.length && isWord(cps[i])) {
            i++;
          }
          parts.push({ cps: cps.slice(s, i), start: s, end: i });
          if (i + 1 < cps.length && isConnector(cps[i - 1], cps[i], cps[i + 1])) {
            i++;
          } else {
            break;
          }
        }
        if (parts.length === 1) {
          out.push({ text: word(parts[0].cps), kind: WORD, start: start, end: i });
        } else {
          var joined = [];
          parts.forEach(function (p) { joined = joined.concat(p.cps); });
          out.push({ text: word(joined), kind: WORD, start: start, end: i });
          parts.forEach(function (p) { out.push({ text: word(p.cps), kind: PART, start: p.start, end: p.end }); });
        }
      } else {
        i++;
      }
    }
    return out;
  }

  function tokenize(text) {
    return tokenSpans(text).map(function (t) { return t.text; });
  }

  function terms(query) {
    var out = [];
    tokenSpans(query).forEach(function (t) {
      if (t.kind === PART || t.kind === TAIL || out.some(function (o) { return o.text === t.text; })) {
        return;
      }
      var prefix = t.kind === SINGLE || (t.kind === WORD && Array.from(t.text).length >= 2);
      out.push({ text: t.text, prefix: prefix });
    });
    return out;
  }

  function shardKey(token) {
    var cps = Array.from(token);
    if (!cps.length) {
      return "";
    }
    return isCjk(cps[0].codePointAt(0)) ? cps[0] : cps.slice(0, 2).join("");
  }

  /* Twin of tokenize.rs `part_key`: the shard key and one character more,
   * or null for a token no longer than its shard key. */
  function partKey(token) {
    var cps = Array.from(token);
    var n = isCjk(cps.length ? cps[0].codePointAt(0) : 0) ? 2 : 3;
    return cps.length >= n ? cps.slice(0, n).join("") : null;
  }

  function hash(s) {
    var h = 0x811c9dc5;
    for (var ch of s) {
      h = Math.imul(h ^ ch.codePointAt(0), 0x01000193) >>> 0;
    }
    return h;
  }

  /* ---------------------------------------------------------------- */
  /* Index loading                                                     */
  /* ---------------------------------------------------------------- */

  var FORMAT = 2;
  var END = "0123456789abcdefghijklmnopqrstuv";
  var MORE = "wxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
  /* The site root, relative to the page (set by the search box). */
  var root = "";
  var pending = {};
  var loaded = {};
  var manifest = null;
  var shards = {};
  var chunks = {};

  function receive(name) {
    var args = Array.prototype.slice.call(arguments, 1);
    loaded[name] = args;
    if (pending[name]) {
      pending[name].resolve(args);
    }
  }

  function load(name, query) {
    if (loaded[name]) {
      return Promise.resolve(loaded[name]);
    }
    if (pending[name]) {
      return pending[name].promise;
    }
    var entry = {};
    entry.promise = new Promise(function (resolve, reject) {
      entry.resolve = resolve;
      var script = document.createElement("script");
      script.src = root + "assets/search/" + name + ".js" + (query || "");
      script.async = true;
      script.onerror = function () {
        delete pending[name];
        reject(new Error(name));
      };
      script.onload = function () {
        if (!loaded[name]) {
          delete pending[name];
          reject(new Error(name));
        }
      };
      document.head.appendChild(script);
    });
    pending[name] = entry;
    return entry.promise;
  }

  function numbers(s) {
    var out = [];
    var v = 0;
    for (var i = 0; i < s.length; i++) {
      var d = END.indexOf(s[i]);
      if (d >= 0) {
        out.push(v * 32 + d);
        v = 0;
      } else {
        d = MORE.indexOf(s[i]);
        if (d >= 0) {
          v = v * 32 + d;
        }
      }
    }
    return out;
  }

  function loadManifest() {
    if (manifest) {
      return Promise.resolve(manifest);
    }
    return load("index").then(function (args) {
      var m = args[0];
      if (!m || m.v !== FORMAT) {
        throw new Error("format");
      }
      var first = [0];
      numbers(m.sections).forEach(function (c) { first.push(first[first.length - 1] + c); });
      var chunkFirst = [0];
      numbers(m.chunks).forEach(function (c) { chunkFirst.push(chunkFirst[chunkFirst.length - 1] + c); });
      manifest = {
        shards: m.shards, split: m.split || {}, build: "?h=" + m.build, first: first, chunkFirst: chunkFirst,
      };
      return manifest;
    });
  }

  /* The files a term's tokens live in: its shard, or the one part of it
   * its part key picks, or every part when it has no part key. The list's
   * name keys the loaded shard. */
  function shardOf(text) {
    var k = hash(shardKey(text)) & (manifest.shards - 1);
    var parts = manifest.split[k];
    if (!parts) {
      return { name: "t" + k, files: ["t" + k] };
    }
    var key = partKey(text);
    if (key !== null) {
      var p = hash(key) & (parts - 1);
      return { name: "t" + k + "-" + p, files: ["t" + k + "-" + p] };
    }
    var files = [];
    for (var i = 0; i < parts; i++) {
      files.push("t" + k + "-" + i);
    }
    return { name: "t" + k + "-all", files: files };
  }

  /* Loads the files of `of` (from shardOf) as one shard: their tokens
   * (each file's prefix-coded on its own) and postings, side by side. */
  function loadShard(of) {
    if (shards[of.name]) {
      return Promise.resolve(shards[of.name]);
    }
    return Promise.all(of.files.map(function (f) { return load(f, manifest.build); })).then(function (all) {
      var tokens = [];
      var raw = [];
      var index = new Map();
      all.forEach(function (args) {
        var start = tokens.length;
        (args[0] ? args[0].split(" ") : []).forEach(function (coded, i) {
          var cut = 0;
          while (cut < coded.length && END.indexOf(coded[cut]) < 0) {
            cut++;
          }
          var shared = numbers(coded.slice(0, cut + 1))[0] || 0;
          var prev = i ? Array.from(tokens[start + i - 1]).slice(0, shared).join("") : "";
          var t = prev + coded.slice(cut + 1);
          index.set(t, tokens.length);
          tokens.push(t);
        });
        raw = raw.concat(args[1] ? args[1].split(" ") : []);
      });
      shards[of.name] = { tokens: tokens, raw: raw, postings: [], index: index };
      return shards[of.name];
    });
  }

  function postingsOf(shard, i) {
    if (!shard.postings[i]) {
      var nums = numbers(shard.raw[i]);
      var list = [];
      var sec = 0;
      for (var j = 0; j < nums.length; j++) {
        sec += Math.floor(nums[j] / 2);
        list.push(sec, nums[j] % 2 ? nums[++j] : 1);
      }
      shard.postings[i] = list;
    }
    return shard.postings[i];
  }

  /* Bisects: the page a section belongs to (or the chunk a page is in). */
  function owner(first, n) {
    var lo = 0, hi = first.length - 1;
    while (hi - lo > 1) {
      var mid = (lo + hi) >> 1;
      if (first[mid] <= n) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  function loadChunk(k) {
    if (chunks[k]) {
      return Promise.resolve(chunks[k]);
    }
    return load("d" + k, manifest.build).then(function (args) {
      chunks[k] = args[0] || [];
      return chunks[k];
    });
  }

  /* ---------------------------------------------------------------- */
  /* Ranking (twin of src/search/query.rs)                             */
  /* ---------------------------------------------------------------- */

  var TITLE_SCORE = 10, HEADING_SCORE = 5, PREFIX_FACTOR = 0.6;

  function termScores(term, n) {
    var out = new Map();
    var shard = shards[shardOf(term.text).name];
    var cjk = isCjk(term.text.codePointAt(0));
    var matching = [];
    if (!term.prefix) {
      if (shard.index.has(term.text)) {
        matching.push(shard.index.get(term.text));
      }
    } else {
      for (var i = 0; i < shard.tokens.length; i++) {
        if (shard.tokens[i].startsWith(term.text)) {
          matching.push(i);
        }
      }
    }
    /* One frequency for the whole term (see query.rs). */
    var df = 0;
    matching.forEach(function (k) { df += postingsOf(shard, k).length / 2; });
    var idf = Math.log(1 + n / df);
    matching.forEach(function (k) {
      var factor = shard.tokens[k] === term.text || cjk ? 1 : PREFIX_FACTOR;
      var list = postingsOf(shard, k);
      var scale = idf * factor;
      for (var j = 0; j < list.length; j += 2) {
        var w = list[j + 1];
        var tf = w & 15;
        var body = tf === 0 ? 0 : 2 - 1 / tf;
        var c = ((w & 16 ? HEADING_SCORE : 0) + body) * scale;
        var s = c + (w & 32 ? TITLE_SCORE : 0) * scale;
        var e = out.get(list[j]);
        if (!e) {
          out.set(list[j], [s, c]);
        } else {
          e[0] = Math.max(e[0], s);
          e[1] = Math.max(e[1], c);
        }
      }
    });
    return out;
  }

  function rank(ts) {
    var first = manifest.first;
    var n = first[first.length - 1];
    var perTerm = ts.map(function (t) { return termScores(t, n); });
    var byPage = new Map();
    var secSum = new Map();
    perTerm.forEach(function (m, ti) {
      Array.from(m.keys()).sort(function (a, b) { return a - b; }).forEach(function (sec) {
        var page = owner(first, sec);
        var list = byPage.get(page);
        if (!list) {
          list = [];
          byPage.set(page, list);
        }
        if (list[list.length - 1] !== ti) {
          list.push(ti);
        }
        secSum.set(sec, (secSum.get(sec) || 0) + m.get(sec)[1]);
      });
    });
    var hits = [];
    byPage.forEach(function (matched, page) {
      var lo = first[page], hi = first[page + 1];
      var score = 0;
      perTerm.forEach(function (m) {
        var best = 0;
        for (var s = lo; s < hi; s++) {
          if (m.has(s)) {
            best = Math.max(best, m.get(s)[0]);
          }
        }
        score += best;
      });
      var ranked = [];
      var best = 0;
      for (var s = lo; s < hi; s++) {
        var v = secSum.get(s) || 0;
        best = Math.max(best, v);
        if (v > 0) {
          ranked.push([s, v]);
        }
      }
      score += 0.5 * best;
      ranked.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
      var target = ranked.length ? ranked[0][0] : lo;
      var others = ranked.filter(function (r) { return r[0] !== target && r[0] !== lo; }).slice(0, 3);
      hits.push({
        page: page, matched: matched.length, score: score, target: target - lo,
        sections: others.map(function (r) { return r[0] - lo; }),
      });
    });
    hits.sort(function (a, b) { return b.matched - a.matched || b.score - a.score || a.page - b.page; });
    if (hits.length && hits[0].matched === ts.length) {
      hits = hits.filter(function (h) { return h.matched === ts.length; });
    }
    return hits;
  }

  var MAX_PAGES = 10;

  /* Resolves to the ranked hits, each with its page entry from the chunks:
   * {href, title, fields: [id, heading, text, ...], target, sections}. */
  function search(query) {
    var ts = terms(query);
    if (!ts.length) {
      return Promise.resolve({ terms: ts, hits: [], total: 0 });
    }
    return loadManifest().then(function () {
      var needed = [];
      ts.forEach(function (t) {
        var of = shardOf(t.text);
        if (!needed.some(function (n) { return n.name === of.name; })) {
          needed.push(of);
        }
      });
      return Promise.all(needed.map(loadShard));
    }).then(function () {
      var all = rank(ts);
      var hits = all.slice(0, MAX_PAGES);
      var need = [];
      hits.forEach(function (h) {
        h.chunk = owner(manifest.chunkFirst, h.page);
        if (need.indexOf(h.chunk) < 0) {
          need.push(h.chunk);
        }
      });
      return Promise.all(need.map(loadChunk)).then(function () {
        hits.forEach(function (h) {
          var entry = chunks[h.chunk][h.page - manifest.chunkFirst[h.chunk]] || ["", "", []];
          h.href = entry[0];
          h.title = entry[1];
          h.fields = entry[2];
        });
        return { terms: ts, hits: hits, total: all.length };
      });
    });
  }

  var api = {
    tokenize: tokenize, tokenSpans: tokenSpans, terms: terms, shardKey: shardKey, partKey: partKey, hash: hash,
    isCjk: isCjk, isWord: isWord, search: search, load: loadManifest,
    setRoot: function (r) { root = r; },
  };
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  }
  if (typeof window !== "undefined") {
    window.opsbookIndex = receive;
    window.opsbookSearch = api;
  }
})();
