// Ordering pages: 朗读 (read aloud with the browser's speech synthesis), and an idempotency key on every
// confirmation form. Everything else works without this file.
(function () {
  "use strict";
  var synth = window.speechSynthesis;

  // Read what a person would read: no buttons or links, a pause after each tag, line and row.
  function textOf(el) {
    var copy = el.cloneNode(true);
    copy.querySelectorAll("button, a, [aria-hidden=true], .visually-hidden, form").forEach(function (n) { n.remove(); });
    copy.querySelectorAll(".tag").forEach(function (n) { n.append("，"); });
    copy.querySelectorAll("li, h1, h2, h3, p, dt, dd, th, caption").forEach(function (n) { n.append("。"); });
    return copy.textContent || "";
  }

  function speak(button) {
    var target = document.querySelector(button.getAttribute("data-speak"));
    if (!target) { return; }
    if (synth.speaking) {
      synth.cancel();
      button.setAttribute("aria-pressed", "false");
      return;
    }
    var utterance = new SpeechSynthesisUtterance(textOf(target).replace(/\s+/g, " "));
    utterance.lang = "zh-CN";
    utterance.rate = 0.85;
    utterance.onend = function () { button.setAttribute("aria-pressed", "false"); };
    button.setAttribute("aria-pressed", "true");
    synth.speak(utterance);
    if (window.announce) { window.announce("正在朗读，再点一次停止"); }
  }

  if (synth && window.SpeechSynthesisUtterance) {
    document.querySelectorAll("[data-speak]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { speak(button); });
    });
  }

  // After a refusal, bring the dish it concerns into view (the summary at the top links to it as well).
  var failed = document.querySelector(".item-error");
  if (failed) { failed.scrollIntoView({block: "center"}); }

  // The server puts a fresh key on each confirmation screen; fill one in only if it is somehow missing.
  document.querySelectorAll("input[name=key]").forEach(function (input) {
    if (!input.value && window.crypto && window.crypto.randomUUID) {
      input.value = window.crypto.randomUUID().replace(/-/g, "");
    }
  });
})();
