// The invitation link carries its one-time token after "#": browsers never send the fragment to a server, so it
// is in no access log. Post it at once, and drop it from the address bar and history.
(function () {
  "use strict";
  var form = document.querySelector("[data-invitation-open]");
  var token = window.location.hash.slice(1);
  if (!form || !token) {
    return;
  }
  history.replaceState(null, "", window.location.pathname);
  form.querySelector("input[name=token]").value = decodeURIComponent(token);
  form.submit();
})();
