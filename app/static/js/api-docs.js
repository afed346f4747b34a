// Starts Swagger UI on the API docs page (kept out of the HTML: the CSP allows no inline script).
(function () {
  "use strict";
  var el = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: el.dataset.spec, dom_id: "#swagger-ui", deepLinking: true });
})();
