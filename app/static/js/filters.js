/* List filters: narrow a row's operators to its column's type, in the browser.
 * The server renders every operator for an unchosen column and validates whatever
 * is sent, so without JavaScript the form still works (a wrong pair is a 400 message).
 * Choosing a column or operator sends nothing: only Apply (submit) does. */
(function () {
  "use strict";

  function labelsOf(select) {
    var box = select.closest("[data-op-labels]");
    try {
      return box ? JSON.parse(box.getAttribute("data-op-labels")) : {};
    } catch (e) {
      return {};
    }
  }

  function narrow(columnSelect) {
    var row = columnSelect.closest(".row");
    var opSelect = row && row.querySelector("select.tf-filter-op");
    if (!opSelect) return;
    var chosen = columnSelect.options[columnSelect.selectedIndex];
    var allowed = ((chosen && chosen.getAttribute("data-ops")) || "").split(" ").filter(Boolean);
    var labels = labelsOf(columnSelect);
    var current = opSelect.value;
    while (opSelect.options.length) opSelect.remove(0);
    allowed.forEach(function (key) {
      if (!(key in labels)) return;
      opSelect.add(new Option(labels[key], key, false, key === current));
    });
    if (allowed.indexOf(current) < 0 && opSelect.options.length) {
      opSelect.selectedIndex = 0;
    }
    var value = row.querySelector("input.tf-filter-value");
    if (value) {
      var op = opSelect.value;
      value.readOnly = op === "empty" || op === "notempty";
      var kind = chosen ? chosen.getAttribute("data-kind") : "";
      value.placeholder = kind === "date" || kind === "datetime" ? "YYYY-MM-DD" : "value";
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLSelectElement)) return;
    if (target.classList.contains("tf-filter-column")) {
      narrow(target);
    } else if (target.classList.contains("tf-filter-op")) {
      var row = target.closest(".row");
      var value = row && row.querySelector("input.tf-filter-value");
      if (value) value.readOnly = target.value === "empty" || target.value === "notempty";
    }
  });

  /* The loading indicator is shown while a list request is in flight; it is hidden
   * again whatever ends the request (swap, error, abort, timeout), counted so that
   * overlapping requests (live search, then Enter) never leave it behind. */
  var pending = 0;
  function indicator() {
    return document.getElementById("list-loading");
  }
  /* The results region is dimmed and aria-busy while it is being replaced, so
   * sighted users and screen readers both know the rows shown are about to change. */
  function update() {
    var busy = pending > 0;
    var spinner = indicator();
    if (spinner) spinner.classList.toggle("tf-busy", busy);
    var results = document.getElementById("results");
    if (!results) return;
    results.classList.toggle("tf-busy", busy);
    if (busy) results.setAttribute("aria-busy", "true");
    else results.removeAttribute("aria-busy");
  }
  document.addEventListener("htmx:beforeRequest", function () {
    pending += 1;
    update();
  });
  document.addEventListener("htmx:afterRequest", function () {
    pending = Math.max(0, pending - 1);
    update();
  });
  document.addEventListener("htmx:historyRestore", function () {
    pending = 0;
    update();
  });

  function init(root) {
    (root || document).querySelectorAll("select.tf-filter-column").forEach(narrow);
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (event) { init(event.target); });
})();
