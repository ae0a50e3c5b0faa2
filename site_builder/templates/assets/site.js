// Copy buttons for policies, sortable tables and, on catalogue pages (which do not load the theme's
// script), the palette toggle. Pages work without it.
(function () {
  "use strict";
  // The light/dark toggle as the theme's own script does it: the label after the checked option shows,
  // the choice is kept where the theme keeps it (so every page, hand-written or not, follows it).
  var palette = document.querySelector("form[data-md-component=palette]");
  if (palette && typeof __md_get === "function") {
    var options = Array.prototype.slice.call(palette.querySelectorAll("input[name=__palette]"));
    var show = function (input, remember) {
      var color = {};
      input.checked = true;
      ["media", "scheme", "primary", "accent"].forEach(function (key) {
        color[key] = input.getAttribute("data-md-color-" + key);
        document.body.setAttribute("data-md-color-" + key, color[key]);
      });
      options.forEach(function (option) {
        var label = option.nextElementSibling;
        if (label && label.tagName === "LABEL") { label.hidden = option !== input; }
      });
      if (remember) { __md_set("__palette", {index: options.indexOf(input), color: color}); }
    };
    // the scripts in the header have already coloured the page (from the kept choice, or the media query):
    // the option showing is the one whose colours the page has
    var colours = function (element) {
      return ["scheme", "primary", "accent"].map(function (key) {
        return element.getAttribute("data-md-color-" + key);
      }).join(" ");
    };
    var saved = __md_get("__palette");
    var chosen = (saved && options[saved.index]) || options.filter(function (option) {
      return colours(option) === colours(document.body);
    })[0] || options[0];
    if (chosen) { show(chosen, false); }
    options.forEach(function (option) {
      option.addEventListener("change", function () { if (option.checked) { show(option, true); } });
    });
  }
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) { return navigator.clipboard.writeText(text); }
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var done = document.execCommand("copy");
    document.body.removeChild(area);
    return done ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }
  document.querySelectorAll("button.sb-copy").forEach(function (button) {
    button.addEventListener("click", function () {
      var target = document.getElementById(button.getAttribute("data-copy-target"));
      if (!target) { return; }
      copyText(target.textContent).then(function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy"; }, 1500);
      }, function () { button.textContent = "Select and copy"; });
    });
  });
  document.querySelectorAll(".sb-sortable table").forEach(function (table) {
    table.querySelectorAll("th[data-sort]").forEach(function (th, column) {
      th.tabIndex = 0;
      th.addEventListener("click", function () {
        var numeric = th.getAttribute("data-sort") === "number";
        var descending = th.getAttribute("aria-sort") !== "descending";
        table.querySelectorAll("th").forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[column].textContent.trim(), y = b.cells[column].textContent.trim();
          var order = numeric ? Number(x) - Number(y) : x.localeCompare(y);
          return descending ? -order : order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
