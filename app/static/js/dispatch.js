// Dispatcher's desk: poll the background planning job and reload when it finishes; refresh the live board.
(function () {
  "use strict";
  var job = document.querySelector("[data-job]");
  if (job && (job.dataset.jobState === "queued" || job.dataset.jobState === "running")) {
    var statusEl = job.querySelector("[data-job-status]");
    var poll = function () {
      fetch(job.dataset.jobUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (s.active) {
            var best = s.best_cost === null ? "" : "，目前最好方案行驶 " + Math.round(s.best_cost / 60) + " 分钟";
            statusEl.textContent = s.stage + "，已用 " + s.elapsed_s + " 秒" + best + "。页面会自动更新。";
            window.setTimeout(poll, 1000);
          } else {
            // Reload without the "planning started" notice, which no longer holds.
            var url = new URL(window.location.href);
            url.searchParams.delete("notice");
            window.location.replace(url.toString());
          }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    };
    window.setTimeout(poll, 1000);
  }
  var board = document.querySelector("[data-board-refresh]");
  if (board) {
    window.setTimeout(function () { window.location.reload(); }, 1000 * parseInt(board.dataset.boardRefresh, 10));
  }
})();
