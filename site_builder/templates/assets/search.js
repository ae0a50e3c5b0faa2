// Tool search over the sharded static index (see site_builder/search.py).
// Results are built with DOM APIs and textContent only: catalogue text is never HTML here.
(function () {
  "use strict";
  var base = new URL("./", location.href);       // the search page: index files live beside it
  var siteRoot = new URL("../", location.href);  // doc URLs are relative to the site root
  var form = document.getElementById("sb-search");
  var status = document.getElementById("sb-status");
  var list = document.getElementById("sb-results");
  var params = new URLSearchParams(location.search);
  var query = (params.get("q") || "").trim();
  var risk = params.get("risk") || "";
  var category = params.get("category") || "";
  document.getElementById("sb-q").value = query;
  document.getElementById("sb-risk").value = risk;
  document.getElementById("sb-category").value = category;
  var cache = {};
  function getJSON(path) {
    if (!cache[path]) {
      cache[path] = fetch(new URL(path, base)).then(function (r) {
        if (!r.ok) { throw new Error(path + ": " + r.status); }
        return r.json();
      });
    }
    return cache[path];
  }
  function tokenize(text, stopwords) {
    var spaced = text.replace(/([a-z0-9])([A-Z])/g, "$1 $2").normalize("NFKC").toLowerCase();
    var words = spaced.match(/[\p{L}\p{N}]+/gu) || [];
    return words.filter(function (w) { return w.length >= 2 && !stopwords.has(w); });
  }
  function isPlain(head) { return /^[a-z0-9]+$/.test(head); }
  function shardKey(token) {
    var head = token.slice(0, 2);
    return isPlain(head) ? head : "x" + String(token.codePointAt(0) % 64).padStart(2, "0");
  }
  function shardFor(token, keys) {
    var k2 = shardKey(token);
    if (keys.has(k2)) { return k2; }
    var head = token.slice(0, 3);
    if (head.length === 3 && isPlain(head) && keys.has(head)) { return head; }
    return keys.has(k2 + "~") ? k2 + "~" : null;
  }
  function undelta(deltas, into, weight, exact) {
    var value = 0;
    for (var i = 0; i < deltas.length; i++) {
      value += deltas[i];
      into.set(value, Math.max(into.get(value) || 0, exact ? weight * 2 : weight));
    }
  }
  function matches(shard, token) {
    var found = new Map();
    Object.keys(shard).forEach(function (word) {
      if (word.indexOf(token) === 0 && word.charAt(word.length - 1) !== "=") {
        var exact = word === token;
        undelta(shard[word][0], found, 3, exact);
        undelta(shard[word][1], found, 1, exact);
      }
    });
    return found;
  }
  function exactBonus(whole, keys) {
    var key = whole.length >= 3 ? shardFor(whole, keys) : null;
    if (!key) { return Promise.resolve(new Set()); }
    return getJSON("shards/" + key + ".json").then(function (shard) {
      var ids = new Set();
      if (shard[whole]) {
        var value = 0;
        shard[whole][0].forEach(function (delta) { value += delta; ids.add(Math.floor(value / 64)); });
      }
      return ids;
    });
  }
  function show(text) { status.textContent = text; }
  function render(records, total, more) {
    records.forEach(function (doc) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = new URL(doc[2], siteRoot).href;
      var code = document.createElement("code");
      code.textContent = doc[0];
      link.appendChild(code);
      item.appendChild(link);
      var meta = document.createElement("span");
      meta.className = "sb-result-meta";
      meta.textContent = " " + doc[1] + " · " + doc[4] + " · " + doc[3] + " risk";
      item.appendChild(meta);
      if (doc[5]) {
        var snippet = document.createElement("p");
        snippet.textContent = doc[5];
        item.appendChild(snippet);
      }
      list.appendChild(item);
    });
    var shown = list.children.length;
    show(total === 0 ? "No tools match." : total + (total === 1 ? " tool" : " tools") +
         (total > shown ? ", showing the first " + shown + "." : "."));
    moreButton.hidden = !more;
  }
  var PAGE = 20;
  var moreButton = document.createElement("button");
  moreButton.type = "button";
  moreButton.className = "md-button";
  moreButton.textContent = "Show more";
  moreButton.hidden = true;
  list.insertAdjacentElement("afterend", moreButton);
  function showPage(manifest, hits, start) {
    var slice = hits.slice(start, start + PAGE);
    var chunks = {};
    slice.forEach(function (hit) { chunks[Math.floor(hit[1] / manifest.chunk)] = true; });
    return Promise.all(Object.keys(chunks).map(function (n) {
      return getJSON("docs/" + n + ".json").then(function (docs) { return [Number(n), docs]; });
    })).then(function (loaded) {
      var byChunk = {};
      loaded.forEach(function (pair) { byChunk[pair[0]] = pair[1]; });
      render(slice.map(function (hit) {
        return byChunk[Math.floor(hit[1] / manifest.chunk)][hit[1] % manifest.chunk];
      }), hits.length, start + PAGE < hits.length);
      moreButton.onclick = function () { showPage(manifest, hits, start + PAGE); };
    });
  }
  function run(manifest) {
    var tokens = tokenize(query, new Set(manifest.stopwords));
    if (!tokens.length) { show(query ? "Type at least two letters." : ""); return null; }
    var keys = new Set(manifest.shards);
    var tooShort = tokens.filter(function (t) { return t.length < 3 && !keys.has(shardKey(t)); });
    if (tooShort.length) { show("“" + tooShort[0] + "” matches too many tools: type at least three letters."); return null; }
    var whole = query.normalize("NFKC").toLowerCase() + "=";  // the whole-name token (see search.py)
    var riskIndex = manifest.risks.indexOf(risk);
    var categoryIndex = manifest.categories.indexOf(category);
    return Promise.all(tokens.map(function (token) {
      var key = shardFor(token, keys);
      return key ? getJSON("shards/" + key + ".json").then(function (s) { return matches(s, token); }) : new Map();
    })).then(function (perToken) {
      var scores = perToken[0];
      for (var i = 1; i < perToken.length; i++) {
        var next = new Map();
        scores.forEach(function (score, code) {
          if (perToken[i].has(code)) { next.set(code, score + perToken[i].get(code)); }
        });
        scores = next;
      }
      var hits = [];
      scores.forEach(function (score, code) {
        if (riskIndex >= 0 && Math.floor(code / 8) % 8 !== riskIndex) { return; }
        if (categoryIndex >= 0 && code % 8 !== categoryIndex) { return; }
        hits.push([score, Math.floor(code / 64)]);
      });
      return exactBonus(whole, keys).then(function (exact) {
        hits.forEach(function (hit) { if (exact.has(hit[1])) { hit[0] += 100; } });
        return hits;
      });
    }).then(function (hits) {
      hits.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
      list.textContent = "";
      return showPage(manifest, hits, 0);
    });
  }
  if (query) {
    show("Searching…");
    getJSON("manifest.json").then(run).catch(function (error) { show("Search failed: " + error.message); });
  }
  form.addEventListener("change", function (event) {
    if (event.target.tagName === "SELECT" && document.getElementById("sb-q").value.trim()) { form.submit(); }
  });
})();
