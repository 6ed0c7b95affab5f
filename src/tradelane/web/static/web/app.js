/* Keyboard and selection helpers for the Tradelane UI. Plain JS, no build step. */
(function () {
  "use strict";

  function typing(el) {
    if (!el) return false;
    if (el.tagName === "INPUT") return !/^(checkbox|radio|button|submit|reset)$/.test(el.type);
    return el.isContentEditable || /^(TEXTAREA|SELECT)$/.test(el.tagName);
  }

  function rows() {
    var table = document.querySelector("table[data-rows]");
    return table ? Array.prototype.slice.call(table.querySelectorAll("tbody tr")) : [];
  }

  var current = -1;
  function mark(index) {
    var all = rows();
    if (!all.length) return;
    index = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (r) { r.classList.remove("current"); });
    var row = all[index];
    row.classList.add("current");
    var link = row.querySelector("a") || row.querySelector("input, button");
    if (link) link.focus({ preventScroll: false });
    row.scrollIntoView({ block: "nearest" });
    current = index;
  }

  function updateSelected() {
    var box = document.querySelector("[data-selected-count] b");
    if (!box) return;
    box.textContent = document.querySelectorAll('#workbench input[name="ids"]:checked').length;
  }

  var pendingG = false;
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    if (pendingG) {
      pendingG = false;
      var link = document.querySelector('.mainnav a[data-key="' + event.key + '"]');
      if (link) { event.preventDefault(); window.location.href = link.href; }
      return;
    }
    switch (event.key) {
      case "/": {
        var search = document.querySelector("[data-search]");
        if (search) { event.preventDefault(); search.focus(); search.select(); }
        break;
      }
      case "j": event.preventDefault(); mark(current + 1); break;
      case "k": event.preventDefault(); mark(current - 1); break;
      case "x": {
        var all = rows();
        if (current >= 0 && all[current]) {
          var box = all[current].querySelector('input[type="checkbox"]');
          if (box) { event.preventDefault(); box.checked = !box.checked; updateSelected(); }
        }
        break;
      }
      case "o":
      case "Enter": {
        var r = rows()[current];
        var a = r && r.querySelector("a");
        if (a && event.key === "o") { event.preventDefault(); window.location.href = a.href; }
        break;
      }
      case "g": pendingG = true; setTimeout(function () { pendingG = false; }, 1200); break;
    }
  });

  document.addEventListener("change", function (event) {
    var t = event.target;
    if (t.matches && t.matches("[data-select-all]")) {
      document.querySelectorAll('#workbench input[name="ids"]').forEach(function (box) {
        box.checked = t.checked;
      });
    }
    if (t.name === "ids" || (t.matches && t.matches("[data-select-all]"))) updateSelected();
  });

  // The split form: how many units of each line are not in a parcel yet (0 when it adds up).
  function splitLeft() {
    document.querySelectorAll("form[data-split] tbody tr[data-quantity]").forEach(function (row) {
      var placed = 0;
      row.querySelectorAll("input.qty").forEach(function (input) {
        var value = parseInt(input.value, 10);
        if (value > 0) placed += value;
      });
      var left = parseInt(row.getAttribute("data-quantity"), 10) - placed;
      var cell = row.querySelector("[data-left]");
      if (cell) {
        cell.textContent = String(left);
        cell.classList.toggle("left-bad", left !== 0);
      }
    });
  }
  document.addEventListener("input", function (event) {
    if (event.target.closest && event.target.closest("form[data-split]")) splitLeft();
  });

  // After htmx swaps in a new list, selection and the row cursor start afresh.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "workbench" || (event.detail && event.detail.target && event.detail.target.id === "workbench")) {
      current = -1;
    }
    updateSelected();
    splitLeft();
  });
})();

/* Quote calculator: a click, Enter or Space on a quote row opens its explanation. */
(function () {
  "use strict";
  function toggle(row) {
    var detail = row.nextElementSibling;
    if (!detail || !detail.classList.contains("explain")) return;
    var open = detail.hidden;
    detail.hidden = !open;
    row.setAttribute("aria-expanded", open ? "true" : "false");
    row.classList.toggle("open", open);
  }
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("tr[data-expand]");
    if (row && !event.target.closest("a, button, input")) toggle(row);
  });
  document.addEventListener("keydown", function (event) {
    var row = event.target;
    if (row && row.matches && row.matches("tr[data-expand]") && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      toggle(row);
    }
  });
  // After a quote, the first row takes the focus so j/k, Enter work at once; the weight keeps it
  // when there is an error to fix.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "quote-results") return;
    var box = document.getElementById("quote-results");  // outerHTML: the target was replaced
    if (!box) return;
    var first = box.querySelector("tr[data-expand]");
    if (first) first.focus({ preventScroll: true });
    else {
      var weight = document.getElementById("id_weight_kg");
      if (weight) weight.focus();
    }
  });
})();

/* Behaviour that pages ask for with data attributes, so that no page needs an inline script
   or an event-handler attribute (the Content-Security-Policy allows scripts from files only,
   and htmx runs with allowEval off). */
(function () {
  "use strict";
  // <form data-confirm="question">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  }, true);
  // The public tracking page: /t/<number>?lang=.. rather than ?n=<number>.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-track-form]")) return;
    event.preventDefault();
    var n = form.elements.n.value.trim();
    if (n) window.location.href = "/t/" + encodeURIComponent(n) + "?lang=" + encodeURIComponent(form.getAttribute("data-lang") || "");
  });
  // data-after-request: what to do when an htmx request of this element has answered.
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    var what = elt && elt.getAttribute && elt.getAttribute("data-after-request");
    if (!what) return;
    if (what === "reset-close") {
      if (elt.reset) elt.reset();
      var details = elt.closest("details");
      if (details) details.removeAttribute("open");
    } else if (what === "reload") {
      if (event.detail.successful) setTimeout(function () { window.location.reload(); }, 400);
    } else if (what === "show-payload") {
      var dialog = document.getElementById("payload-dialog");
      if (dialog && !dialog.open) dialog.showModal();
    }
  });
  // <details data-popover>: place its [data-popover-body] in the window, right-aligned under
  // the summary, or above it when there is no room below (the last rows of a table), within
  // the window and under the sticky top bar; again when the page or a table scrolls.
  function placePopover(details) {
    var body = details.querySelector("[data-popover-body]");
    var summary = details.querySelector("summary");
    if (!body || !summary) return;
    var bar = document.querySelector(".topbar");
    var minTop = (bar ? bar.getBoundingClientRect().bottom : 0) + 4;
    var gap = 4, edge = 8;
    body.classList.add("placed");
    body.style.maxHeight = "";
    var anchor = summary.getBoundingClientRect();
    var height = body.offsetHeight, width = body.offsetWidth;
    var below = window.innerHeight - anchor.bottom - gap - edge;
    var above = anchor.top - gap - minTop;
    var top;
    if (height <= below || below >= above) {
      top = anchor.bottom + gap;
      if (height > below) body.style.maxHeight = Math.max(below, 80) + "px";
    } else {
      if (height > above) body.style.maxHeight = Math.max(above, 80) + "px";
      top = anchor.top - gap - body.offsetHeight;
    }
    var left = Math.min(anchor.right, window.innerWidth - edge) - width;
    body.style.top = Math.round(top) + "px";
    body.style.left = Math.round(Math.max(edge, left)) + "px";
  }
  function openPopovers() {
    return document.querySelectorAll("details[data-popover][open]");
  }
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.matches || !details.matches("details[data-popover]")) return;
    if (details.open) placePopover(details);
  }, true);
  function replaceAll() { openPopovers().forEach(placePopover); }
  window.addEventListener("scroll", replaceAll, true);
  window.addEventListener("resize", replaceAll);

  // data-pause-while-dialog: a polling element waits while a dialog is open.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-pause-while-dialog") && document.querySelector("dialog[open]")) {
      event.preventDefault();
    }
  });
})();
