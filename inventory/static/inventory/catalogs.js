// The Catalogs page: "Copy" puts a catalog's URL on the clipboard (or selects it to copy by
// hand where the browser refuses), and says so in the page's status line.
(function () {
  "use strict";
  function say(message) {
    if (window.Portal && window.Portal.toast) window.Portal.toast(message);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) return;
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) return;
    field.focus();
    field.select();
    var copied = function () { say("Copied. Paste it in your catalog's data source."); };
    var byHand = function () { say("Selected: press Ctrl+C (or ⌘C) to copy it."); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(copied, byHand);
    } else {
      byHand();
    }
  });
})();
