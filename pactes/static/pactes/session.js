// The end of the session (ADR 0024): a warning a few minutes before, written in an aria-live region so that screen
// readers announce it, with « Rester connecté »; just before the end, the editor is asked to save what is typed
// (dossier.js listens to « pactes:session-expiring »); at the end, a notice with the login link.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var region = document.getElementById("session-expiry");
    if (!region || !window.fetch) return;
    var warning = parseInt(region.getAttribute("data-warning-seconds"), 10) || 300;
    var deadline = Date.now() + (parseInt(region.getAttribute("data-seconds-left"), 10) || 0) * 1000;
    var idle = parseInt(region.getAttribute("data-idle-seconds"), 10) || 0;
    var absolute = parseInt(region.getAttribute("data-absolute-seconds-left"), 10);
    var end = isNaN(absolute) ? null : Date.now() + absolute * 1000;
    var warned = false, saved = false, ended = false;

    // A request of the page (the editor's background save) is activity: the idle limit starts again.
    function active() {
      if (ended) return;
      deadline = Date.now() + idle * 1000;
      if (end !== null) deadline = Math.min(deadline, end);
      if (warned && (deadline - Date.now()) / 1000 > warning) {
        warned = false; saved = false;
        region.textContent = "";
      }
    }
    document.addEventListener("pactes:session-activity", active);

    function show(templateId) {
      var template = document.getElementById(templateId);
      region.textContent = "";
      if (template) region.appendChild(template.content.cloneNode(true));
    }
    function minutes(seconds) {
      var value = Math.max(1, Math.ceil(seconds / 60));
      return value + (value > 1 ? " minutes" : " minute");
    }
    function keepalive() {
      var csrf = document.querySelector("input[name='csrfmiddlewaretoken']");
      var cookie = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
      fetch(region.getAttribute("data-keepalive-url"), {
        method: "POST", credentials: "same-origin",
        headers: { "X-Pactes-Session": "1", "X-CSRFToken": (csrf && csrf.value) || (cookie && cookie[1]) || "" }
      }).then(function (response) {
        return response.json();
      }).then(function (body) {
        if (typeof body.seconds_left === "number" && body.seconds_left > 0) {
          deadline = Date.now() + body.seconds_left * 1000;
          warned = false; saved = false;
          region.textContent = "";
        }
        if (typeof body.seconds_left === "number" && body.seconds_left <= 0) deadline = Date.now();
      }).catch(function () { /* the next tick tells */ });
    }
    region.addEventListener("click", function (event) {
      if (event.target.closest("[data-session-keepalive]")) keepalive();
    });
    function tick() {
      if (ended) return;
      var left = (deadline - Date.now()) / 1000;
      if (left <= 0) {
        ended = true;
        show("session-expiry-ended");
        return;
      }
      if (left <= warning && !warned) {
        warned = true;
        show("session-expiry-warning");
      }
      if (warned) {
        var label = region.querySelector("[data-session-minutes]");
        if (label) label.textContent = minutes(left);
      }
      if (left <= 60 && !saved) {
        saved = true;
        document.dispatchEvent(new CustomEvent("pactes:session-expiring"));
      }
    }
    tick();
    window.setInterval(tick, 5000);
  });
})();
