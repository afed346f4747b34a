// Settlement page: the print button (no inline handlers under the CSP).
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    if (ev.target.closest("[data-print]")) { window.print(); }
  });
})();
