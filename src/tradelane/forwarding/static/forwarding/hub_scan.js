/* The inbound scan screen (入库扫描): a keyboard-wedge scanner types the code and Enter, then
   the scale's weight and the sides; Enter on the last field (or on an empty one) sends the scan
   to POST /hub/inbound/scan. The answer is shown big, green or red, with a beep; the fields
   clear and the code field has the focus again for the next parcel. Plain JS, no build step. */
(function () {
  "use strict";

  var form = document.getElementById("hub-scan");
  if (!form) return;
  var order = ["scan-code", "scan-weight", "scan-length", "scan-width", "scan-height"];
  var fields = order.map(function (id) { return document.getElementById(id); });
  var station = document.getElementById("scan-station");
  var panel = document.getElementById("scan-result");
  var recent = document.getElementById("scan-recent");
  var STORE = "tradelane.hub.station";
  var busy = false;
  var audio = null;

  function beep(ok) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.type = ok ? "sine" : "square";
      osc.frequency.value = ok ? 880 : 220;
      gain.gain.value = 0.2;
      osc.connect(gain);
      gain.connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + (ok ? 0.12 : 0.5));
    } catch (e) { /* no sound on this machine: the colour says it */ }
  }

  function show(kind, big, small) {
    panel.className = "scan-result scan-" + kind;
    panel.setAttribute("data-result", kind);
    panel.textContent = "";
    var p = document.createElement("p");
    p.className = "scan-result-text";
    p.textContent = big;
    panel.appendChild(p);
    if (small) {
      var d = document.createElement("p");
      d.className = "scan-result-detail";
      d.textContent = small;
      panel.appendChild(d);
    }
  }

  function clear() {
    fields.forEach(function (f) { f.value = ""; });
    fields[0].focus();
  }

  function fillRecent(rows) {
    recent.textContent = "";
    (rows || []).forEach(function (r) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-result", r.result);
      [r.at, r.code, r.waybill || "", r.label || (r.result + (r.reason ? " (" + r.reason + ")" : "")),
       String(r.weight_g)].forEach(function (text, i) {
        var td = document.createElement("td");
        if (i === 4) td.className = "num";
        td.textContent = text;
        tr.appendChild(td);
      });
      recent.appendChild(tr);
    });
  }

  function loadRecent() {
    var url = form.getAttribute("data-recent-url") + "?station=" + encodeURIComponent(station.value);
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { scans: [] }; })
      .then(function (body) { fillRecent(body.scans); })
      .catch(function () { /* the list fills with the next scan */ });
  }

  function detail(body) {
    var parts = [];
    if (body.customer) parts.push(body.customer);
    if (body.channel) parts.push(body.channel);
    if (body.chargeable_weight_g) parts.push(body.chargeable_weight_g + " g");
    if (body.price && body.price.delta) parts.push("Δ " + body.price.delta + " " + body.price.currency);
    if (body.sort_key) parts.push("→ " + body.sort_key + (body.bag ? " / " + body.bag : ""));
    if (body.channels) parts.push(body.channels.map(function (c) { return c.channel || c.code; }).join(", "));
    return parts.join(" · ");
  }

  function send() {
    if (busy) return;
    var code = fields[0].value.trim();
    if (!code) { fields[0].focus(); return; }
    busy = true;
    var data = { code: code, station: station.value, weight: fields[1].value.trim(),
                 length: fields[2].value.trim(), width: fields[3].value.trim(),
                 height: fields[4].value.trim(), recent: true };
    show("busy", form.getAttribute("data-saving"), code);
    clear();
    fetch(form.getAttribute("data-url"), {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": form.getAttribute("data-csrf") },
      body: JSON.stringify(data)
    }).then(function (r) {
      return r.json().then(function (body) { return { status: r.status, body: body }; });
    }).then(function (answer) {
      var body = answer.body;
      if (answer.status >= 400) {
        show("error", body.message || body.code, code);
        beep(false);
        return;
      }
      var good = body.result === "ok" || body.result === "piece_in" || body.result === "already_in";
      show(body.result, body.message, detail(body));
      beep(good);
      if (body.recent) fillRecent(body.recent);
    }).catch(function () {
      show("error", form.getAttribute("data-failed"), code);
      beep(false);
    }).then(function () { busy = false; fields[0].focus(); });
  }

  fields.forEach(function (field, index) {
    field.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        clear();
        return;
      }
      if (event.key !== "Enter") return;
      event.preventDefault();
      event.stopPropagation();
      var last = index === fields.length - 1;
      if (index === 0 && !field.value.trim()) return;
      if (last || (index > 1 && !field.value.trim())) { send(); return; }
      fields[index + 1].focus();
    });
  });

  form.addEventListener("submit", function (event) { event.preventDefault(); send(); });

  var kept = null;
  try { kept = window.localStorage.getItem(STORE); } catch (e) { kept = null; }
  if (kept && Array.prototype.some.call(station.options, function (o) { return o.value === kept; })) {
    station.value = kept;
  }
  station.addEventListener("change", function () {
    try { window.localStorage.setItem(STORE, station.value); } catch (e) { /* private mode */ }
    loadRecent();
  });
  loadRecent();
  fields[0].focus();
})();
