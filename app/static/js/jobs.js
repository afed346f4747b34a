// A file job's page: poll its status each second while it is queued or running, then show the download link
// or the failure in words. No inline script (CSP): the page only carries data- attributes.
(function () {
  "use strict";
  var box = document.querySelector("[data-file-job]");
  if (!box) { return; }
  var back = box.querySelector("[data-back]");
  if (back) {
    back.setAttribute("href", document.referrer || "/");
  }
  var state = box.querySelector("[data-file-state]");
  var progress = box.querySelector("[data-file-progress]");
  var error = box.querySelector("[data-file-error]");
  var ready = box.querySelector("[data-file-ready]");
  var link = box.querySelector("[data-file-download]");
  var show = function (s) {
    box.dataset.state = s.state;
    state.textContent = s.state_name;
    progress.hidden = !s.active;
    progress.textContent = s.progress + "，页面会自动更新。";
    error.hidden = s.state !== "failed";
    error.textContent = s.error;
    ready.hidden = s.state !== "done";
    if (s.state === "done") { link.textContent = "下载 " + s.filename; }
  };
  var poll = function () {
    fetch(box.dataset.statusUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        show(s);
        if (s.active) { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  };
  if (box.dataset.state === "queued" || box.dataset.state === "running") {
    window.setTimeout(poll, 1000);
  }
}());
