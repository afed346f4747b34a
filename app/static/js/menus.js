// Weekly menu editor: adding, changing, moving and removing an item redraws only its cell (the server sends the
// cell as an HTML fragment), so the 7-day week is never reloaded and the page stays where the operator is.
// Without JavaScript every form still posts and the page comes back at the same week.
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function focusAfter(cell, submitter) {
    var bad = cell.querySelector('[aria-invalid="true"]');
    if (bad) { bad.focus(); return; }
    var again = submitter && submitter.dataset.move &&
      cell.querySelector('[data-item-id="' + submitter.dataset.itemId + '"] [data-move="' + submitter.dataset.move + '"]');
    (again || cell.querySelector("[data-add-open]")).focus();
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.matches || !form.matches("[data-cell-form]")) { return; }
    var cell = form.closest("[data-cell]");
    if (!cell || !window.fetch) { return; }
    ev.preventDefault();
    var body = new FormData(form);
    var submitter = ev.submitter;
    if (submitter && submitter.name) { body.append(submitter.name, submitter.value); }
    if (submitter && submitter.dataset.move) {
      submitter.dataset.itemId = submitter.closest("[data-item-id]").dataset.itemId;
    }
    fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Menu-Fragment": "1", "X-CSRF-Token": csrf, "Accept": "text/html" }
    }).then(function (r) {
      if (r.status !== 200 && r.status !== 422) { form.submit(); return null; }  // e.g. orders stand in the way
      return r.text();
    }).then(function (html) {
      if (html === null) { return; }
      var holder = document.createElement("tbody");
      holder.innerHTML = "<tr>" + html + "</tr>";
      var fresh = holder.querySelector("[data-cell]");
      cell.replaceWith(fresh);
      focusAfter(fresh, submitter);
      ["published", "draft"].forEach(function (status) {
        var shown = document.querySelector('[data-week-status] [data-count="' + status + '"]');
        if (shown) { shown.textContent = document.querySelectorAll('[data-cell][data-status="' + status + '"]').length; }
      });
      var said = fresh.querySelector("[data-cell-done]") || fresh.querySelector(".error-text");
      if (said && window.announce) { window.announce(said.textContent.trim()); }
    }).catch(function () { form.submit(); });
  });
})();
