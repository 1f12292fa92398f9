/* Finkelisim: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  /* Eligibility check in progress: poll the case status and reload when it is decided.
     The wait doubles from 1.5 s up to 30 s; after 10 minutes the page stops asking and says
     to come back later (the check goes on without the page). */
  var POLL_FIRST_MS = 1500, POLL_MAX_MS = 30000, POLL_STOP_AFTER_MS = 10 * 60 * 1000;
  function pollStatus(el) {
    var url = el.getAttribute("data-status-url");
    var text = el.querySelector("[data-status-text]") || el;
    var stopAfter = Number(el.getAttribute("data-poll-stop-ms")) || POLL_STOP_AFTER_MS;
    var started = Date.now(), wait = POLL_FIRST_MS;
    function later() {
      if (Date.now() - started >= stopAfter) {
        el.setAttribute("data-polling", "stopped");
        var note = el.querySelector("[data-poll-stopped]");
        if (note) { note.hidden = false; }
        return;
      }
      setTimeout(poll, wait);
      wait = Math.min(wait * 2, POLL_MAX_MS);
    }
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (!s.checking) { el.setAttribute("data-polling", "done"); window.location.reload(); return; }
          if (s.check_state_display) { text.textContent = s.check_state_display + "…"; }
          later();
        })
        .catch(later);
    }
    el.setAttribute("data-polling", "on");
    later();
  }

  /* A live countdown to a deadline (the 72 hours to sign). */
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function countdown(el) {
    var deadline = Date.parse(el.getAttribute("data-deadline"));
    var out = el.querySelector("[data-countdown-value]");
    if (isNaN(deadline) || !out) { return; }
    function tick() {
      var left = Math.max(0, Math.floor((deadline - Date.now()) / 1000));
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      out.textContent = h + ":" + pad(m) + ":" + pad(s);
      el.classList.toggle("soon", left > 0 && left < 24 * 3600);
      el.classList.toggle("urgent", left < 2 * 3600);
      if (left === 0) {
        var expired = el.getAttribute("data-expired-text");
        if (expired) { out.textContent = expired; }
        return;
      }
      setTimeout(tick, 1000 - (Date.now() % 1000));
    }
    tick();
  }

  /* Bulk selection: a "select all" box and a live count on the submit button. */
  function bulk(form) {
    var all = form.querySelector("[data-select-all]");
    var boxes = form.querySelectorAll("input[type=checkbox][name=case_loan]");
    var count = form.querySelector("[data-selected-count]");
    function update() {
      var n = 0;
      boxes.forEach(function (b) { if (b.checked) { n += 1; } });
      if (count) { count.textContent = String(n); }
      if (all) { all.checked = n === boxes.length && n > 0; all.indeterminate = n > 0 && n < boxes.length; }
    }
    if (all) {
      all.addEventListener("change", function () {
        boxes.forEach(function (b) { b.checked = all.checked; });
        update();
      });
    }
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-status-url]").forEach(pollStatus);
    document.querySelectorAll("[data-deadline]").forEach(countdown);
    document.querySelectorAll("form[data-bulk]").forEach(bulk);
  });
})();

/* Documents: a PDF preview only on wide screens and only once its document is opened (phones
   read the summary and download the PDF); copy buttons for the payment details. */
(function () {
  "use strict";

  var WIDE = "(min-width: 48rem)";

  function pdfSlot(slot) {
    var details = slot.closest("details");
    function fill() {
      if (slot.firstChild || !window.matchMedia(WIDE).matches) { return; }
      if (details && !details.open) { return; }
      var frame = document.createElement("iframe");
      frame.src = slot.getAttribute("data-pdf-src");
      frame.title = slot.getAttribute("data-pdf-title");
      slot.appendChild(frame);
    }
    if (details) { details.addEventListener("toggle", fill); }
    window.matchMedia(WIDE).addEventListener("change", fill);
    fill();
  }

  function copyButton(button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      if (!navigator.clipboard) { return; }
      navigator.clipboard.writeText(button.getAttribute("data-copy-text")).then(function () {
        var done = button.getAttribute("data-copied-text");
        var label = button.textContent;
        button.textContent = done;
        setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-pdf-src]").forEach(pdfSlot);
    document.querySelectorAll("button[data-copy-text]").forEach(copyButton);
  });
})();
