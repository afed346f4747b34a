// Small shared behaviour, no framework: announce changes politely, and stop double submits.
(function () {
  "use strict";
  window.announce = function (text) {
    var el = document.getElementById("announcer");
    if (el) { el.textContent = ""; window.setTimeout(function () { el.textContent = text; }, 50); }
  };
  // An error summary takes the focus, so a screen reader says it and the page shows it first; its links put the
  // cursor in the field (a plain #anchor only scrolls).
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (ev) {
      var link = ev.target.closest("a[data-error-for]");
      var field = link && document.getElementById("f-" + link.dataset.errorFor);
      if (field) { ev.preventDefault(); field.focus(); field.scrollIntoView({block: "center"}); }
    });
  });
  // A second tap on a form that is already sending does nothing (the server's idempotency key is the real guard).
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.dataset.sending === "1") { ev.preventDefault(); return; }
    form.dataset.sending = "1";
    window.setTimeout(function () { form.dataset.sending = ""; }, 8000);
  });
})();
