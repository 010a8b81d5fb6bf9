// The "Excel / Power BI" panel: ask the server for the feed URL of this view (the
// page's own query string) when the panel opens, and copy buttons.
(function () {
  "use strict";
  function fill(panel) {
    var url = panel.getAttribute("data-link-url") + window.location.search;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (link) {
        if (!link) { return; }
        panel.querySelector("#feed-url").value = link.url;
        panel.querySelector("#feed-m").value = link.m;
        var notes = panel.querySelector("[data-testid=feed-left-out]");
        notes.textContent = "";
        link.notes.forEach(function (text) {
          var li = document.createElement("li");
          li.textContent = text;
          notes.appendChild(li);
        });
      });
  }
  document.addEventListener("toggle", function (event) {
    var panel = event.target;
    if (panel.matches && panel.matches(".tf-feed-panel") && panel.open) { fill(panel); }
  }, true);
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button) { return; }
    var field = document.getElementById(button.getAttribute("data-copy"));
    field.select();
    if (navigator.clipboard) { navigator.clipboard.writeText(field.value); }
    else { document.execCommand("copy"); }
    button.textContent = "Copied";
  });
})();
