/* Results tables: a cell cut short by CSS (text-overflow: ellipsis) gets its full
 * text as a tooltip. Only the browser knows which cells overflow at this width, so
 * the title is added here, after each load and htmx swap, and on resize; cells the
 * server already titled (long text, dates, GUIDs) keep their own title.
 * Each cell also gets its column's header text as data-label, which the phone
 * layout (browse.css) prints before the value, so a card says what each value is. */
(function () {
  "use strict";

  function titleOverflowing(root) {
    var cells = (root || document).querySelectorAll(".tf-table td[data-testid='cell']");
    cells.forEach(function (cell) {
      var cut = cell.scrollWidth > cell.clientWidth + 1;
      if (cut && !cell.hasAttribute("title")) {
        cell.setAttribute("title", cell.textContent.trim());
        cell.setAttribute("data-tf-auto-title", "");
      } else if (!cut && cell.hasAttribute("data-tf-auto-title")) {
        cell.removeAttribute("title");
        cell.removeAttribute("data-tf-auto-title");
      }
    });
  }

  function headerText(th) {
    var copy = th.cloneNode(true);
    copy.querySelectorAll("[aria-label], .visually-hidden").forEach(function (e) { e.remove(); });
    return copy.textContent.trim();
  }

  function labelCells(root) {
    (root || document).querySelectorAll(".tf-table").forEach(function (table) {
      var heads = table.querySelectorAll("thead th");
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        Array.prototype.forEach.call(tr.children, function (td, i) {
          var th = heads[i];
          if (th && td.getAttribute("data-testid") === "cell") {
            td.setAttribute("data-label", headerText(th));
          }
        });
      });
    });
  }

  function prepare(root) {
    labelCells(root);
    titleOverflowing(root);
  }

  var timer = 0;
  document.addEventListener("DOMContentLoaded", function () { prepare(document); });
  document.addEventListener("htmx:afterSettle", function (event) { prepare(event.target); });
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { titleOverflowing(document); }, 150);
  });
})();
