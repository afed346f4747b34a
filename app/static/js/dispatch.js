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
    // Never reload over a half-filled close form: a typed note or a chosen outcome waits for its button.
    var busy = function () {
      var forms = document.querySelectorAll("[data-close-form]");
      for (var i = 0; i < forms.length; i++) {
        var f = forms[i];
        if (f.contains(document.activeElement) || f.querySelector("input[name=outcome]:checked") ||
            (f.querySelector("textarea") || {}).value) { return true; }
      }
      return false;
    };
    var every = 1000 * parseInt(board.dataset.boardRefresh, 10);
    var tick = function () { if (busy()) { window.setTimeout(tick, every); } else { window.location.reload(); } };
    window.setTimeout(tick, every);
  }
})();

// The route map on a tile layer (Leaflet, served from /static): the tile source and its coordinate system are
// configured on the server, which already shifted the points to match the tiles.
(function () {
  "use strict";
  var box = document.querySelector("[data-tile-map]");
  if (!box || !window.L) { return; }
  var data = JSON.parse(box.dataset.mapData);
  var map = window.L.map(box, { scrollWheelZoom: false });
  window.L.tileLayer(data.url, { attribution: data.attribution, maxZoom: 19 }).addTo(map);
  var bounds = [data.depot];
  data.routes.forEach(function (route) {
    route.stops.forEach(function (stop) { bounds.push(stop.at); });
  });
  // The view first: markers get their elements only once the map has one.
  map.fitBounds(bounds, { padding: [40, 40] });
  data.routes.forEach(function (route) {
    route.trips.forEach(function (trip, index) {
      window.L.polyline(trip, { color: route.color, weight: 4, dashArray: index > 0 ? "10 6" : null }).addTo(map);
    });
    route.stops.forEach(function (stop) {
      var pin = window.L.divIcon({ className: "stop-pin", html: String(stop.seq), iconSize: [30, 30] });
      var marker = window.L.marker(stop.at, { icon: pin, title: route.name + " 第" + stop.seq + "站" }).addTo(map);
      marker.getElement().style.borderColor = route.color;
    });
  });
  var depot = window.L.marker(data.depot, {
    icon: window.L.divIcon({ className: "stop-pin depot-pin", iconSize: [26, 26] }), title: "厨房", zIndexOffset: -100
  }).addTo(map);
  // The kitchen's label sits below-left of its square, off the lines and the first stops.
  depot.bindTooltip("厨房", { permanent: true, direction: "bottom", offset: [0, 14], className: "depot-label" });
  box.dataset.ready = "1";
})();
