// A button with data-copy puts its value on the clipboard and says so in the nearest
// [data-copy-status] (a live region). Without JavaScript the button stays hidden: the text
// it copies is on the page to select by hand.
(function () {
  "use strict";
  function statusFor(button) {
    var scope = button.closest("figure, form, section, li") || document;
    return scope.querySelector("[data-copy-status]");
  }
  function say(button, text) {
    var status = statusFor(button);
    if (status) { status.textContent = text; }
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var value = button.getAttribute("data-copy");
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(value).then(
          function () { say(button, button.getAttribute("data-copied")); },
          function () { say(button, button.getAttribute("data-copy-failed")); }
        );
      } else {
        say(button, button.getAttribute("data-copy-failed"));
      }
    });
  });
})();
