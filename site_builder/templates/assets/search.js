// Tool search over the sharded static index (see site_builder/search.py): the search page, and the
// header search box's results as you type, on every page.
// Results are built with DOM APIs and textContent only: catalogue text is never HTML here.
(function () {
  "use strict";
  if (window.sbSearchLoaded) { return; }  // the header box and the search page may both load this file
  window.sbSearchLoaded = true;
  var script = document.currentScript;
  var siteRoot = new URL("../../", script && script.src ? script.src : location.href);  // assets/build-site/search.js
  var base = new URL("search/", siteRoot);  // the search page; the index files live beside it

  // --- The index -------------------------------------------------------------------------------
  var NAME = 3, TEXT = 1;                  // a word in the name counts three times one in the text
  var EXACT = 2, PREFIX = 1, FUZZY_WORD = 0.7, FUZZY_PREFIX = 0.5;  // how a word answers a query word
  var EXTRA_SHARDS = 2;                    // shards fetched for the best corrections of one query word
  var EXACT_NAME_BONUS = 100;              // the whole query is a tool's exact name
  var cache = {};
  function getJSON(path) {
    if (!cache[path]) {
      cache[path] = fetch(new URL(path, base)).then(function (r) {
        if (!r.ok) { throw new Error(path + ": " + r.status); }
        return r.json();
      });
      cache[path].catch(function () { delete cache[path]; });  // a failed fetch is tried again next time
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
  // Typos (search.py has the same three functions and says why the vocabulary keys suffice).
  function withinOneEdit(a, b) {
    var la = a.length, lb = b.length, i = 0;
    if (Math.abs(la - lb) > 1) { return false; }
    while (i < la && i < lb && a.charAt(i) === b.charAt(i)) { i++; }
    if (i === la && i === lb) { return true; }
    if (la === lb) {
      return a.slice(i + 1) === b.slice(i + 1) ||
        (i + 1 < la && a.charAt(i) === b.charAt(i + 1) && a.charAt(i + 1) === b.charAt(i) && a.slice(i + 2) === b.slice(i + 2));
    }
    return la < lb ? a.slice(i) === b.slice(i + 1) : a.slice(i + 1) === b.slice(i);
  }
  function fuzzyMatch(term, word) {
    if (withinOneEdit(term, word)) { return 2; }
    for (var length = term.length; length <= term.length + 1; length++) {
      if (length < word.length && withinOneEdit(term, word.slice(0, length))) { return 1; }
    }
    return 0;
  }
  function fuzzyKeys(word) {
    if (!/^[a-z]{3}[\p{L}\p{N}]*$/u.test(word) || /\p{Nd}/u.test(word)) { return []; }
    var a = word.charAt(0), b = word.charAt(1), c = word.charAt(2);
    return [a + b, a + c, b + c].filter(function (key, index, all) { return all.indexOf(key) === index; });
  }
  function correctable(token, manifest) {
    return token.length >= (manifest.fuzzy_min || 4) && !/\p{Nd}/u.test(token);
  }
  // Adds the postings of the shard's words that `weigh` accepts to `found` (code -> best score); true if any word did.
  function collect(shard, found, weigh) {
    var any = false;
    Object.keys(shard).forEach(function (word) {
      if (word.charAt(word.length - 1) === "=") { return; }  // whole-name tokens are only for the exact bonus
      var weight = weigh(word);
      if (!weight) { return; }
      any = true;
      [[shard[word][0], NAME * weight], [shard[word][1], TEXT * weight]].forEach(function (pair) {
        var value = 0, deltas = pair[0];
        for (var i = 0; i < deltas.length; i++) {
          value += deltas[i];
          found.set(value, Math.max(found.get(value) || 0, pair[1]));
        }
      });
    });
    return any;
  }
  // The shards (other than the word's own) holding the best corrections of `token`, best first.
  function correctionShards(token, manifest, keys, own) {
    var listed = new Set(manifest.fuzzy || []);
    var files = fuzzyKeys(token).filter(function (key) { return listed.has(key); });
    return Promise.all(files.map(function (key) { return getJSON("fuzzy/" + key + ".json"); })).then(function (lists) {
      var best = new Map();
      lists.forEach(function (words) {
        words.forEach(function (word) {
          var quality = fuzzyMatch(token, word);
          var key = quality ? shardFor(word, keys) : null;
          if (!key || key === own) { return; }
          // whole words first, then the nearest length, a letter missing before one too many
          var rank = quality * 100 - Math.abs(word.length - token.length) - (word.length < token.length ? 1 : 0);
          if (!best.has(key) || best.get(key) < rank) { best.set(key, rank); }
        });
      });
      return Array.from(best.keys()).sort(function (a, b) {
        return best.get(b) - best.get(a) || (a < b ? -1 : a > b ? 1 : 0);
      }).slice(0, EXTRA_SHARDS);
    });
  }
  // code -> score for one query word: its exact and prefix matches, or else its corrections.
  function termScores(token, manifest, keys) {
    var own = shardFor(token, keys);
    var found = new Map();
    return (own ? getJSON("shards/" + own + ".json") : Promise.resolve(null)).then(function (shard) {
      if (shard && collect(shard, found, function (word) {
        return word === token ? EXACT : word.indexOf(token) === 0 ? PREFIX : 0;
      })) { return found; }
      if (!correctable(token, manifest)) { return found; }
      var fuzzy = function (word) {
        var quality = fuzzyMatch(token, word);
        return quality === 2 ? FUZZY_WORD : quality === 1 ? FUZZY_PREFIX : 0;
      };
      if (shard && collect(shard, found, fuzzy)) { return found; }
      return correctionShards(token, manifest, keys, own).then(function (extra) {
        return Promise.all(extra.map(function (key) {
          return getJSON("shards/" + key + ".json").then(function (other) { collect(other, found, fuzzy); });
        }));
      }).then(function () { return found; });
    });
  }
  function exactNames(whole, keys) {
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
  // {hits: [[score, doc id]...] best first} or {message} when the query cannot run.
  function search(manifest, query, risk, category) {
    var tokens = tokenize(query, new Set(manifest.stopwords));
    if (!tokens.length) { return Promise.resolve({hits: [], message: query.trim() ? "Type at least two letters." : ""}); }
    var keys = new Set(manifest.shards);
    var tooShort = tokens.filter(function (t) { return t.length < 3 && !keys.has(shardKey(t)); });
    if (tooShort.length) {
      return Promise.resolve({hits: [], message: "“" + tooShort[0] + "” matches too many tools: type at least three letters."});
    }
    var whole = query.trim().normalize("NFKC").toLowerCase() + "=";  // the whole-name token (see search.py)
    var riskIndex = manifest.risks.indexOf(risk || "");
    var categoryIndex = manifest.categories.indexOf(category || "");
    return Promise.all(tokens.map(function (token) { return termScores(token, manifest, keys); })).then(function (perToken) {
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
      return exactNames(whole, keys).then(function (exact) {
        hits.forEach(function (hit) { if (exact.has(hit[1])) { hit[0] += EXACT_NAME_BONUS; } });
        hits.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
        return {hits: hits, message: null};
      });
    });
  }
  // The display records [name, server, url, risk, category, snippet] of some hits, in order.
  function records(manifest, hits) {
    var chunks = {};
    hits.forEach(function (hit) { chunks[Math.floor(hit[1] / manifest.chunk)] = true; });
    return Promise.all(Object.keys(chunks).map(function (n) {
      return getJSON("docs/" + n + ".json").then(function (docs) { return [Number(n), docs]; });
    })).then(function (loaded) {
      var byChunk = {};
      loaded.forEach(function (pair) { byChunk[pair[0]] = pair[1]; });
      return hits.map(function (hit) { return byChunk[Math.floor(hit[1] / manifest.chunk)][hit[1] % manifest.chunk]; });
    });
  }
  function toolURL(doc) { return new URL(doc[2], siteRoot).href; }
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }
  function countText(total) { return total + (total === 1 ? " tool" : " tools"); }

  // --- The search page -------------------------------------------------------------------------
  function searchPage(form) {
    var status = document.getElementById("sb-status");
    var list = document.getElementById("sb-results");
    var params = new URLSearchParams(location.search);
    var query = (params.get("q") || "").trim();
    var risk = params.get("risk") || "";
    var category = params.get("category") || "";
    document.getElementById("sb-q").value = query;
    document.getElementById("sb-risk").value = risk;
    document.getElementById("sb-category").value = category;
    var PAGE = 20;
    var moreButton = null;  // only there while more results can be shown
    function show(text) { status.textContent = text; }
    function render(docs, total) {
      docs.forEach(function (doc) {
        var item = document.createElement("li");
        var link = element("a");
        link.href = toolURL(doc);
        link.appendChild(element("code", "", doc[0]));
        item.appendChild(link);
        item.appendChild(element("span", "sb-result-meta", " " + doc[1] + " · " + doc[4] + " · " + doc[3] + " risk"));
        if (doc[5]) { item.appendChild(element("p", "", doc[5])); }
        list.appendChild(item);
      });
      var shown = list.children.length;
      show(total === 0 ? "No tools match." : countText(total) + (total > shown ? ", showing the first " + shown + "." : "."));
    }
    function showPage(manifest, hits, start) {
      return records(manifest, hits.slice(start, start + PAGE)).then(function (docs) {
        render(docs, hits.length);
        var more = start + PAGE < hits.length;
        if (more && !moreButton) {
          moreButton = element("button", "md-button sb-more", "Show more");
          moreButton.type = "button";
          list.insertAdjacentElement("afterend", moreButton);
        } else if (!more && moreButton) {
          moreButton.remove();
          moreButton = null;
        }
        if (moreButton) { moreButton.onclick = function () { showPage(manifest, hits, start + PAGE); }; }
      });
    }
    if (query) {
      show("Searching…");
      getJSON("manifest.json").then(function (manifest) {
        return search(manifest, query, risk, category).then(function (result) {
          if (result.message !== null) { show(result.message); return null; }
          list.textContent = "";
          return showPage(manifest, result.hits, 0);
        });
      }).catch(function (error) { show("Search failed: " + error.message); });
    }
    form.addEventListener("change", function (event) {
      if (event.target.tagName === "SELECT" && document.getElementById("sb-q").value.trim()) { form.submit(); }
    });
  }

  // --- The header box: the top matches as you type ----------------------------------------------
  // A combobox (WAI-ARIA 1.2): focus stays in the input; arrow keys move the active option, Enter opens
  // it (or, with none active, submits the form to the search page), Escape closes the list.
  var SUGGESTIONS = 8;
  function headerBox(input) {
    var form = input.form;
    var toggle = document.getElementById("__search");  // Material's search toggle: opens the overlay and output
    var output = element("div", "md-search__output sb-suggest");
    output.hidden = true;
    var scroll = element("div", "md-search__scrollwrap");
    var result = element("div", "md-search-result");
    var meta = element("div", "md-search-result__meta");
    meta.setAttribute("aria-live", "polite");
    var listbox = element("ol", "md-search-result__list");
    listbox.id = "sb-suggest-list";
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute("aria-label", "Matching tools");
    result.appendChild(meta);
    result.appendChild(listbox);
    scroll.appendChild(result);
    output.appendChild(scroll);
    form.insertAdjacentElement("afterend", output);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", listbox.id);
    input.setAttribute("aria-expanded", "false");
    var options = [], active = -1, sequence = 0, timer = null;

    function setActive(index) {
      if (active >= 0 && options[active]) { options[active].setAttribute("aria-selected", "false"); }
      active = index;
      if (active >= 0) {
        options[active].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[active].id);
        options[active].scrollIntoView({block: "nearest"});
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function show(visible) {  // the list under the box; Material's toggle (overlay, wide box) stays as it is
      output.hidden = !visible;
      input.setAttribute("aria-expanded", visible && options.length ? "true" : "false");
      if (!visible) { setActive(-1); }
    }
    function close() {
      show(false);
      if (toggle && toggle.checked) { toggle.checked = false; }
    }
    function option(href, build) {
      var item = element("li", "md-search-result__item");
      item.id = "sb-suggest-" + options.length;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      var link = element("a", "md-search-result__link");
      link.href = href;
      link.tabIndex = -1;
      var article = element("article", "md-search-result__article sb-suggest-item");
      build(article);
      link.appendChild(article);
      item.appendChild(link);
      item.addEventListener("mousemove", function () {
        var index = options.indexOf(item);
        if (index !== active) { setActive(index); }
      });
      options.push(item);
      listbox.appendChild(item);
    }
    function fill(text, docs, total, query) {
      listbox.textContent = "";
      options = [];
      active = -1;
      input.removeAttribute("aria-activedescendant");
      meta.textContent = text;
      listbox.setAttribute("data-query", query);  // what the list answers (tests wait for it)
      docs.forEach(function (doc) {
        option(toolURL(doc), function (article) {
          var name = element("div", "sb-suggest-name");
          name.appendChild(element("code", "", doc[0]));
          article.appendChild(name);
          article.appendChild(element("div", "sb-suggest-meta", doc[1] + " · " + doc[4] + " · " + doc[3] + " risk"));
        });
      });
      if (total > docs.length) {
        var all = new URL(form.getAttribute("action") || base.href, location.href);
        all.search = new URLSearchParams({q: query}).toString();
        option(all.href, function (article) {
          article.appendChild(element("div", "sb-suggest-all", "See all " + countText(total) + " on the search page"));
        });
      }
      input.setAttribute("aria-expanded", options.length ? "true" : "false");
    }
    function update() {
      var query = input.value.trim();
      var mine = ++sequence;
      if (!query) { fill("", [], 0, ""); show(false); return; }
      getJSON("manifest.json").then(function (manifest) {
        return search(manifest, query, "", "").then(function (found) {
          if (mine !== sequence) { return null; }
          if (found.message !== null) { fill(found.message, [], 0, query); return null; }
          return records(manifest, found.hits.slice(0, SUGGESTIONS)).then(function (docs) {
            if (mine !== sequence) { return; }
            fill(found.hits.length ? countText(found.hits.length) + " match" + (found.hits.length === 1 ? "es" : "")
                 : "No tools match.", docs, found.hits.length, query);
          });
        });
      }).catch(function (error) {
        if (mine === sequence) { fill("Search failed: " + error.message, [], 0, query); }
      }).then(function () {
        if (mine === sequence && document.activeElement === input) { show(true); }
      });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 80);
    });
    input.addEventListener("focus", function () {
      if (toggle && !toggle.checked) { toggle.checked = true; }  // as Material's own search does
      if (input.value.trim()) { if (meta.textContent) { show(true); } else { update(); } }
    });
    input.addEventListener("keydown", function (event) {
      if (event.isComposing) { return; }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!options.length) { return; }
        event.preventDefault();
        if (output.hidden) { show(true); }
        var step = event.key === "ArrowDown" ? 1 : -1;
        setActive(active < 0 ? (step > 0 ? 0 : options.length - 1) : (active + step + options.length) % options.length);
      } else if (event.key === "Enter" && active >= 0 && !output.hidden) {
        event.preventDefault();
        location.href = options[active].querySelector("a").href;
      } else if (event.key === "Escape") {
        event.preventDefault();
        if (!output.hidden) { show(false); } else { close(); input.blur(); }
      }
    });
    form.addEventListener("focusout", function (event) {
      // Tabbing away closes; a click outside lands on Material's overlay, whose label unchecks the toggle.
      if (event.relatedTarget && !form.parentNode.contains(event.relatedTarget)) { close(); }
    });
    output.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keep focus in the input
    window.addEventListener("pagehide", close);  // a page restored from the back/forward cache comes back closed
    if (toggle) {
      toggle.addEventListener("change", function () {
        if (toggle.checked) { input.focus(); } else { close(); }  // the header's magnifier and the overlay
      });
    }
  }

  var pageForm = document.getElementById("sb-search");
  if (pageForm) { searchPage(pageForm); }
  var box = document.querySelector("form.md-search__form input.md-search__input[name=q]");
  if (box && box.form && window.URL && window.fetch) { headerBox(box); }
})();
