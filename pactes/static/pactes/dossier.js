// Progressive enhancement of the dossier editor: live budget totals. The server recomputes everything on save.
(function () {
  "use strict";
  function parse(text) {
    var t = (text || "").replace(/[\s\u00a0\u202f€]/g, "").replace(",", ".");
    if (!/^\d+(\.\d{1,2})?$/.test(t)) return null;
    return Math.round(parseFloat(t) * 100);
  }
  function euros(cents) {
    var units = Math.floor(cents / 100), rest = cents % 100;
    var text = String(units).replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
    return (rest ? text + "," + String(rest).padStart(2, "0") : text) + "\u00a0€";
  }
  function sum(prefix) {
    var total = 0;
    document.querySelectorAll("input[name^='" + prefix + "-'][name$='-amount']").forEach(function (input) {
      var del = document.querySelector("input[name='" + input.name.replace(/-amount$/, "-DELETE") + "']");
      if (del && del.checked) return;
      var cents = parse(input.value);
      if (cents !== null) total += cents;
    });
    return total;
  }
  function update() {
    var box = document.getElementById("budget-live");
    if (!box) return;
    box.hidden = false;
    // Partners' contributions are typed once, at step 6: read-only here, carried by the box's data attributes.
    var partners = 0;
    (box.getAttribute("data-partner-cofinancing") || "").split(" ").forEach(function (amount) {
      var cents = parse(amount);
      if (cents !== null) partners += cents;
    });
    var expenses = sum("depenses"), other = sum("ressources") + partners;
    var inKind = parse(box.getAttribute("data-in-kind")) || 0;
    var grant = parse((document.querySelector("input[name='state_grant']") || {}).value) || 0;
    var own = parse((document.querySelector("input[name='own_funds']") || {}).value) || 0;
    var cofinancing = other + own;
    var rate = expenses > 0 ? (Math.floor((cofinancing * 10000) / expenses) / 100).toString().replace(".", ",") + "\u00a0%" : "—";
    box.querySelector("[data-live='expenses']").textContent = euros(expenses);
    box.querySelector("[data-live='resources']").textContent = euros(grant + cofinancing);
    box.querySelector("[data-live='cofinancing']").textContent = euros(cofinancing);
    box.querySelector("[data-live='rate']").textContent = rate;
    box.querySelector("[data-live='in_kind']").textContent = euros(inKind);
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (!document.getElementById("budget-live")) return;
    document.addEventListener("input", update);
    document.addEventListener("change", update);
    update();
  });
})();

// Progressive enhancement: while a step is being typed, save it in the background every N seconds through the same
// service as the buttons. A concurrent change is refused (409) and said, never overwritten; what was typed stays.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-autosave]");
    var status = document.getElementById("autosave-status");
    if (!form || !window.fetch || !window.FormData) return;
    var seconds = parseInt(form.getAttribute("data-autosave"), 10) || 15;
    var dirty = false, busy = false, stopped = false, waiting = null;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function (event) {
      if (busy) {
        // A background save is on its way: send the typed save once its answer (new version, line ids) is applied,
        // or it would be refused as a conflict with our own autosave.
        event.preventDefault();
        waiting = { submitter: event.submitter || null };
        return;
      }
      stopped = true;
    });
    function say(text) { if (status) status.textContent = text; }
    function save() {
      if (!dirty || busy || stopped) return;
      busy = true; dirty = false;
      var data = new FormData(form);
      var csrf = data.get("csrfmiddlewaretoken");
      fetch(window.location.href, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-Pactes-Autosave": "1", "X-CSRFToken": csrf || "" }
      }).then(function (response) {
        return response.json().then(function (body) { return { status: response.status, body: body }; });
      }).then(function (answer) {
        if (answer.body.expired) stopped = true;
        else document.dispatchEvent(new CustomEvent("pactes:session-activity"));
        if (answer.body.saved) {
          // The new version of the step and the ids of the lines just saved: the next save updates those rows.
          var fields = answer.body.fields || { lock_version: answer.body.lock_version };
          Object.keys(fields).forEach(function (name) {
            var input = form.querySelector("input[name='" + name + "']");
            if (input) input.value = fields[name];
          });
        } else if (answer.status === 422) {
          dirty = true;
        }
        if (answer.body.stale) stopped = true;
        say(answer.body.message || "");
      }).catch(function () {
        dirty = true;
        say("Enregistrement automatique impossible pour le moment : vos saisies restent dans la page.");
      }).finally(function () {
        busy = false;
        if (waiting) {
          var submitter = waiting.submitter;
          waiting = null;
          if (submitter) form.requestSubmit(submitter); else form.requestSubmit();
        }
      });
    }
    window.setInterval(save, seconds * 1000);
    // session.js: the session ends in a minute, save what is typed now.
    document.addEventListener("pactes:session-expiring", save);
  });
})();
