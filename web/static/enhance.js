/* Progressive enhancement of the page's controls: run ``enhance`` on every element matching ``selector``
   now, and on those added later (a form adding a row, a dialog). */
(function () {
  "use strict";
  window.slaEnhance = function (selector, enhance) {
    function all(root) { (root.querySelectorAll ? root.querySelectorAll(selector) : []).forEach(enhance); }
    function start() {
      all(document);
      new MutationObserver(function (changes) {
        changes.forEach(function (c) { c.addedNodes.forEach(function (n) {
          if (n.nodeType !== 1) return;
          if (n.matches && n.matches(selector)) enhance(n); else all(n);
        }); });
      }).observe(document.body, { childList: true, subtree: true });
    }
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
  };
})();
