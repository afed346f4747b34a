// A file job's page: poll its status each second while it is queued or running, then show the download link,
// the outcome or the failure in words. No inline script (CSP): the page only carries data- attributes.
(function () {
  "use strict";
  var box = document.querySelector("[data-file-job]");
  if (!box) { return; }
  var back = box.querySelector("[data-back]");
  if (back) {
    back.setAttribute("href", document.referrer || "/");
  }
  var pick = function (name) { return box.querySelector("[data-" + name + "]"); };
  var state = pick("file-state");
  var progress = pick("file-progress");
  var summary = pick("file-summary");
  var error = pick("file-error");
  var ready = pick("file-ready");
  var next = pick("file-next");
  var cancel = pick("file-cancel");
  var link = pick("file-download");
  var show = function (s) {
    box.dataset.state = s.state;
    state.textContent = s.state_name;
    progress.hidden = !s.active;
    progress.textContent = s.progress + "，页面会自动更新。";
    summary.hidden = s.state !== "done" || s.progress === s.state_name;
    summary.textContent = s.state === "done" ? s.progress : "";
    error.hidden = s.state !== "failed";
    error.textContent = s.error;
    ready.hidden = s.state !== "done";
    if (next) { next.hidden = s.state !== "done"; }
    if (cancel) { cancel.hidden = !s.cancellable; }
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
