/* Results tables: a cell cut short by CSS (text-overflow: ellipsis) gets its full
 * text as a tooltip. Only the browser knows which cells overflow at this width, so
 * the title is added here, after each load and htmx swap, and on resize; cells the
 * server already titled (long text, dates, GUIDs) keep their own title. */
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

  var timer = 0;
  document.addEventListener("DOMContentLoaded", function () { titleOverflowing(document); });
  document.addEventListener("htmx:afterSettle", function (event) { titleOverflowing(event.target); });
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { titleOverflowing(document); }, 150);
  });
})();
