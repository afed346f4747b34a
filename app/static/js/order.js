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

  var note = document.querySelector("[data-speak-note]");
  function say(kind) {
    if (!note) { return; }
    note.textContent = kind ? note.getAttribute("data-" + kind) : "";
  }

  // A Chinese voice, waiting briefly for the list: Chrome fills it in after the page loads.
  function withVoice(then) {
    var chinese = function () {
      return synth.getVoices().filter(function (v) { return /^zh/i.test(v.lang || ""); })[0] || null;
    };
    if (chinese() || synth.getVoices().length) { then(chinese()); return; }
    var done = false;
    var finish = function () { if (!done) { done = true; then(chinese()); } };
    synth.addEventListener("voiceschanged", finish, {once: true});
    window.setTimeout(finish, 1000);
  }

  function stop(button) {
    synth.cancel();
    button.setAttribute("aria-pressed", "false");
  }

  // A short summary first (the page puts it in data-speak-text), else what a person would read of the target.
  function speak(button) {
    var target = document.querySelector(button.getAttribute("data-speak"));
    var text = button.getAttribute("data-speak-text") || (target ? textOf(target) : "");
    if (button.getAttribute("aria-pressed") === "true") { stop(button); say(""); return; }
    withVoice(function (voice) {
      if (!voice) { say("no-voice"); return; }
      var utterance = new SpeechSynthesisUtterance(text.replace(/\s+/g, " ").trim());
      utterance.lang = "zh-CN";
      if (window.SpeechSynthesisVoice && voice instanceof window.SpeechSynthesisVoice) { utterance.voice = voice; }
      utterance.rate = 0.85;
      var started = false;
      utterance.onstart = function () { started = true; };
      utterance.onend = function () { button.setAttribute("aria-pressed", "false"); say(""); };
      utterance.onerror = function () { button.setAttribute("aria-pressed", "false"); say("stalled"); };
      button.setAttribute("aria-pressed", "true");
      say("speaking");
      synth.speak(utterance);
      // Some phones accept the text and never speak: never stay at 正在朗读.
      window.setTimeout(function () {
        if (!started && !synth.speaking && button.getAttribute("aria-pressed") === "true") {
          stop(button); say("stalled");
        }
      }, 3000);
    });
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
