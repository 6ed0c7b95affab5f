/* The bag and dispatch scan screens: the scan field keeps focus, each answer is green or red
   with a beep, and with the field left (Esc) "S" seals the bag and "/" returns to the field.
   A static file (the CSP allows no inline script); htmx swaps the result panel. */
(function () {
  "use strict";

  function field() { return document.getElementById("scan-code"); }

  function beep(ok) {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    try {
      var ctx = beep.ctx || (beep.ctx = new Ctx());
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      osc.frequency.value = ok ? 880 : 220;
      osc.type = ok ? "sine" : "square";
      gain.gain.value = 0.15;
      osc.connect(gain);
      gain.connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + (ok ? 0.12 : 0.45));
    } catch (e) { /* no sound: the colour still tells */ }
  }

  document.addEventListener("htmx:afterSwap", function () {
    var result = document.getElementById("scan-result");
    if (result && result.dataset.ok) beep(result.dataset.ok === "1");
    var input = field();
    if (input) { input.value = ""; input.focus(); }
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var input = field();
    var typing = event.target && /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName);
    if (typing) return;
    if ((event.key === "s" || event.key === "S") && document.getElementById("bag-seal")) {
      event.preventDefault();
      document.getElementById("bag-seal").click();
    } else if (event.key === "/" && input) {
      event.preventDefault();
      input.focus();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var result = document.getElementById("scan-result");
    if (result && result.dataset.ok) beep(result.dataset.ok === "1");
    var input = field();
    if (input) input.focus();
  });
})();
