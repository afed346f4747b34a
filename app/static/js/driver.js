// Driver's phone: every report goes into a queue in localStorage first, then to the server. On a weak connection
// the queue waits and is replayed when the phone is back online; each report keeps its client_report_id, so a
// report sent twice counts once on the server.
(function () {
  "use strict";
  var KEY = "driver-report-queue";
  var STATUS_NAMES = { delivered: "已送达", no_answer: "无人应答", problem: "有问题" };
  var sending = false;
  // After a 401/403 (signed out, or the sign-in expired) the queue waits for the driver to sign in again: the page
  // loaded after signing in sends it, with the new session and CSRF token. Nothing is dropped.
  var needsLogin = false;
  var refusedWith = "";  // the server's own words for the 401/403, shown with the banner
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function load() { try { return JSON.parse(window.localStorage.getItem(KEY) || "[]"); } catch (e) { return []; } }
  function save(q) { window.localStorage.setItem(KEY, JSON.stringify(q)); showPending(q); }
  function newId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID().replace(/-/g, ""); }
    return Date.now().toString(16) + Math.random().toString(16).slice(2) + Math.random().toString(16).slice(2);
  }
  function showPending(q) {
    var el = document.querySelector("[data-offline]");
    var login = document.querySelector("[data-login-again]");
    if (login) { login.hidden = !(needsLogin && q.length); }
    if (!el) { return; }
    el.hidden = q.length === 0;
    if (needsLogin) {
      el.textContent = "登录已过期：还有 " + q.length + " 条登记保存在手机上，没有丢。请重新登录，登录后会自动发送，不会重复。" +
        (refusedWith ? "（系统提示：" + refusedWith + "）" : "");
    } else {
      el.textContent = q.length ? "网络不好：还有 " + q.length + " 条登记保存在手机上，联网后会自动发送，不会重复。" : "";
    }
  }

  function showLocally(item) {
    var card = document.querySelector('[data-stop-card="' + item.stop_id + '"]');
    if (!card) { return; }
    var kind = item.choice.split(":")[0];
    if (kind === "step") {
      var btn = card.querySelector('[data-step="' + item.choice.split(":")[1] + '"]');
      if (btn && !btn.classList.contains("btn-done")) { btn.classList.add("btn-done"); btn.textContent = "✓ " + btn.textContent; }
      return;
    }
    card.dataset.status = kind;
    card.className = "stop-card status-" + kind;
    card.querySelector("[data-stop-status]").textContent = STATUS_NAMES[kind] || "";
    var form = card.querySelector(".report-form");
    if (kind === "no_answer") {
      card.querySelector("[data-steps]").hidden = false;
      var na = form.querySelector('[data-choice="no_answer"]');
      if (na) { na.hidden = true; }
    } else {
      form.hidden = true;
      card.querySelector("[data-steps]").hidden = true;
    }
    var route = card.closest("[data-route-plan]");
    var done = route.querySelectorAll('[data-stop-card]:not([data-status="pending"])').length;
    route.querySelector("[data-done]").textContent = done;
    window.announce && window.announce(card.querySelector(".who-name").textContent.trim() + "：" + (STATUS_NAMES[kind] || ""));
  }

  function flush() {
    var q = load();
    if (sending || needsLogin || q.length === 0) { showPending(q); return; }
    sending = true;
    var item = q[0];
    fetch("/api/v1/driver/reports", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(item)
    }).then(function (r) {
      sending = false;
      if (r.status >= 500) { showPending(load()); return; }  // keep it; try again later
      if (r.status === 401 || r.status === 403) {  // keep it: sent again from the page loaded after signing in
        needsLogin = true;
        showPending(load());
        r.json().then(function (b) { refusedWith = b.detail || ""; showPending(load()); }).catch(function () {});
        return;
      }
      save(load().filter(function (x) { return x.client_report_id !== item.client_report_id; }));
      if (r.status >= 400) {
        r.json().then(function (b) { window.announce && window.announce(b.detail || b.message || "登记没有成功"); });
      }
      flush();
    }).catch(function () { sending = false; showPending(load()); });
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.matches || !form.matches("[data-report-form]")) { return; }
    ev.preventDefault();
    ev.stopImmediatePropagation();
    var button = ev.submitter;
    if (!button || !button.value) { return; }
    var idField = form.querySelector('[name="client_report_id"]');
    var note = form.querySelector('[name="note"]');
    var item = { client_report_id: idField.value, stop_id: parseInt(form.dataset.stopId, 10), choice: button.value,
                 note: note ? note.value : "" };
    idField.value = newId();  // the next tap on this form is a new report
    var q = load();
    q.push(item);
    save(q);
    showLocally(item);
    flush();
  }, true);

  window.addEventListener("online", flush);
  window.driverQueue = { flush: flush, load: load };
  flush();
})();
