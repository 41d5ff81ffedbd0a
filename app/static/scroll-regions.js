// Every region that scrolls at the current width can be reached and scrolled with the keyboard
// (WCAG 2.1.1, axe's scrollable-region-focusable), on every page: a wide table's wrapper on a
// phone, a long preformatted text. A region that overflows gets tabindex=0 (and, when it holds
// a captioned table, the caption as its name); one that no longer overflows after a resize
// leaves the tab order again. Templates that set tabindex themselves are left as they are.
(function () {
  "use strict";
  var SELECTOR = ".table-responsive, .overflow-auto, .overflow-x-auto, .overflow-y-auto, .overflow-scroll, pre";
  var counter = 0;
  function overflows(el) {
    return el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
  }
  function name(el) {
    var caption = el.querySelector("caption");
    if (!caption) { return; }
    if (!caption.id) { caption.id = "rulleomrade-" + (++counter); }
    el.setAttribute("role", "region");
    el.setAttribute("aria-labelledby", caption.id);
    el.setAttribute("data-scroll-region-named", "");
  }
  function update() {
    document.querySelectorAll(SELECTOR).forEach(function (el) {
      var managed = el.hasAttribute("data-scroll-region");
      if (el.hasAttribute("tabindex") && !managed) { return; }
      if (overflows(el)) {
        if (!managed) {
          el.setAttribute("data-scroll-region", "");
          el.setAttribute("tabindex", "0");
          if (!el.hasAttribute("role")) { name(el); }
        }
      } else if (managed) {
        el.removeAttribute("data-scroll-region");
        el.removeAttribute("tabindex");
        if (el.hasAttribute("data-scroll-region-named")) {
          ["role", "aria-labelledby", "data-scroll-region-named"].forEach(function (a) { el.removeAttribute(a); });
        }
      }
    });
  }
  update();
  window.addEventListener("resize", update);
  window.addEventListener("load", update);
})();
