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
  // 字号 reloads the page (issue 17): what was typed or picked on it (a card number, a texture) comes back after.
  // Never passwords or hidden fields; kept for this tab only, and only for the same address.
  var KEEP = "keep:" + location.pathname + location.search;
  var kept = function (el) {
    return el.name && !/^(password|hidden|submit|button|file)$/.test(el.type) && el.name !== "csrf_token";
  };
  document.addEventListener("submit", function (ev) {
    if (!ev.target.matches("form[data-font-form]")) { return; }
    var values = [];
    document.querySelectorAll("main input, main select, main textarea").forEach(function (el) {
      if (!kept(el)) { return; }
      if (el.type === "radio" || el.type === "checkbox") { if (el.checked) { values.push([el.name, el.value, true]); } }
      else if (el.value) { values.push([el.name, el.value, false]); }
    });
    try { sessionStorage.setItem(KEEP, JSON.stringify(values)); } catch (e) { /* private mode: nothing kept */ }
  }, true);
  document.addEventListener("DOMContentLoaded", function () {
    var saved = null;
    try { saved = sessionStorage.getItem(KEEP); sessionStorage.removeItem(KEEP); } catch (e) { return; }
    if (!saved) { return; }
    JSON.parse(saved).forEach(function (v) {
      document.querySelectorAll("main [name='" + CSS.escape(v[0]) + "']").forEach(function (el) {
        if (!kept(el)) { return; }
        if (v[2]) { if (el.value === v[1]) { el.checked = true; } } else { el.value = v[1]; }
      });
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
