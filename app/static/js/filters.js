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

  function narrow(columnSelect, initial) {
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
    swapValue(row, chosen, initial);
    var value = row.querySelector("input.tf-filter-value");
    if (value) {
      var op = opSelect.value;
      value.readOnly = op === "empty" || op === "notempty";
      var kind = chosen ? chosen.getAttribute("data-kind") : "";
      if (value.type === "text" && !value.hasAttribute("data-lookup")) {
        value.placeholder = kind === "date" || kind === "datetime" ? "YYYY-MM-DD" : "value";
      }
    }
  }

  /* The value field follows the chosen column's kind, as the server writes it
   * (browse/_macros.html filter_value): Yes/No/Any, a date picker, a label lookup
   * or text. On page load a value the new field could not show keeps its field. */
  var DAY = /^\d{4}-\d{2}-\d{2}$/;
  var YES = ["yes", "1", "true"], NO = ["no", "0", "false"];
  var lookups = 0;

  function widgetOf(chosen) {
    var kind = chosen ? chosen.getAttribute("data-kind") : "";
    if (kind === "bool") return "bool";
    if (kind === "date" || kind === "datetime") return "date";
    return chosen && chosen.getAttribute("data-lookup") ? "lookup" : "text";
  }

  function currentWidget(field) {
    if (field instanceof HTMLSelectElement) return "bool";
    if (field.type === "date") return "date";
    return field.hasAttribute("data-lookup") ? "lookup" : "text";
  }

  function fits(widget, value) {
    var said = value.toLowerCase();
    if (!value) return true;
    if (widget === "bool") return YES.indexOf(said) >= 0 || NO.indexOf(said) >= 0;
    if (widget === "date") return DAY.test(value);
    return true;
  }

  function swapValue(row, chosen, initial) {
    var field = row.querySelector(".tf-filter-value");
    if (!field) return;
    var widget = widgetOf(chosen);
    var lookup = chosen ? chosen.getAttribute("data-lookup") || "" : "";
    if (widget === currentWidget(field) && (widget !== "lookup" || field.getAttribute("data-lookup") === lookup)) return;
    var value = field.value || "";
    if (initial && !fits(widget, value)) return;
    var made;
    if (widget === "bool") {
      made = document.createElement("select");
      made.className = "form-select form-select-sm tf-filter-value";
      [["", "Any"], ["yes", "Yes"], ["no", "No"]].forEach(function (pair) {
        made.add(new Option(pair[1], pair[0]));
      });
      var said = value.toLowerCase();
      made.value = YES.indexOf(said) >= 0 ? "yes" : NO.indexOf(said) >= 0 ? "no" : "";
    } else {
      made = document.createElement("input");
      made.className = "form-control form-control-sm tf-filter-value";
      made.type = widget === "date" ? "date" : "text";
      made.maxLength = 200;
      if (widget !== "date" || DAY.test(value)) made.value = value;
      if (widget === "lookup") {
        lookups += 1;
        var list = document.createElement("datalist");
        list.id = "filter-lookup-js-" + lookups;
        list.setAttribute("data-testid", "filter-lookup");
        made.setAttribute("list", list.id);
        made.setAttribute("data-lookup", lookup);
        made.autocomplete = "off";
        made.placeholder = "name or key";
        field.parentNode.appendChild(list);
      }
    }
    made.name = "fv";
    made.setAttribute("aria-label", "Filter value");
    made.setAttribute("data-testid", "filter-value");
    var old = field.getAttribute("list") && document.getElementById(field.getAttribute("list"));
    field.replaceWith(made);
    if (old) old.remove();
  }

  /* A foreign-key filter's value is found by label with the forms' lookup: the
   * matches fill the field's datalist (the key is what is sent). */
  var lookupTimer = 0;
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!(field instanceof HTMLInputElement) || !field.hasAttribute("data-lookup")) return;
    clearTimeout(lookupTimer);
    lookupTimer = setTimeout(function () {
      var text = field.value.trim();
      var list = document.getElementById(field.getAttribute("list") || "");
      if (!list || !text) return;
      fetch(field.getAttribute("data-lookup") + "?q=" + encodeURIComponent(text), {
        credentials: "same-origin",
      })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) { list.innerHTML = html; })
        .catch(function () { /* no suggestions: the typed key still works */ });
    }, 250);
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLSelectElement)) return;
    if (target.classList.contains("tf-filter-column")) {
      narrow(target, false);
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
    (root || document).querySelectorAll("select.tf-filter-column").forEach(function (select) {
      narrow(select, true);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (event) { init(event.target); });
})();
