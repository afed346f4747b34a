// Small shared behaviour, no framework: announce changes politely, and stop double submits.
(function () {
  "use strict";
  window.announce = function (text) {
    var el = document.getElementById("announcer");
    if (el) { el.textContent = ""; window.setTimeout(function () { el.textContent = text; }, 50); }
  };
  // A second tap on a form that is already sending does nothing (the server's idempotency key is the real guard).
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.dataset.sending === "1") { ev.preventDefault(); return; }
    form.dataset.sending = "1";
    window.setTimeout(function () { form.dataset.sending = ""; }, 8000);
  });
})();
