// Planning pages: the 打印 button prints the page (print CSS hides the filters and navigation).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
