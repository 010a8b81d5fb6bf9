/* Keep keyboard focus across htmx swaps.
 * When a sort header, pager link or filter control triggers a swap that replaces it,
 * the browser drops focus to <body> and a keyboard user starts again from the top.
 * Before the swap we remember how to find the focused control (its id, else its
 * data-focus-key, else its data-testid, plus its position among equals such as the
 * filter rows' fields); after the new content settles we focus the control found the
 * same way in it, or the nearest one left when there are fewer (a removed filter).
 * (htmx itself refocuses an element with an id; sort headers and pager links have
 * none, so this covers them.) */
(function () {
  "use strict";

  var KEYS = ["id", "data-focus-key", "data-testid"];
  var remembered = null;

  function selectorFor(element) {
    for (var i = 0; i < KEYS.length; i++) {
      var value = element.getAttribute(KEYS[i]);
      if (value) {
        return KEYS[i] === "id"
          ? "#" + CSS.escape(value)
          : "[" + KEYS[i] + '="' + CSS.escape(value) + '"]';
      }
    }
    return null;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var active = document.activeElement;
    var target = event.detail && event.detail.target;
    remembered = null;
    if (!active || active === document.body || !target || !target.contains(active)) return;
    var selector = selectorFor(active);
    if (!selector) return;
    var equals = Array.prototype.slice.call(document.querySelectorAll(selector));
    remembered = { selector: selector, index: Math.max(0, equals.indexOf(active)) };
  });

  document.addEventListener("htmx:afterSettle", function () {
    var wanted = remembered;
    remembered = null;
    var active = document.activeElement;
    if (!wanted || (active && active !== document.body && active.isConnected)) return;
    var found = document.querySelectorAll(wanted.selector);
    if (found.length) found[Math.min(wanted.index, found.length - 1)].focus();
  });
})();
