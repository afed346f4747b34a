// Kitchen sheets: the print button opens the browser's print dialog (print.css lays the sheet out on A4).
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest("[data-print]");
    if (button) { window.print(); }
  });
})();
