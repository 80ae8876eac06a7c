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
    var expenses = sum("depenses"), other = sum("ressources"), inKind = sum("nature");
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
    var dirty = false, busy = false, stopped = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { stopped = true; });
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
        if (answer.body.saved) {
          var lock = form.querySelector("input[name='lock_version']");
          if (lock) lock.value = answer.body.lock_version;
        } else if (answer.status === 422) {
          dirty = true;
        }
        if (answer.body.stale) stopped = true;
        say(answer.body.message || "");
      }).catch(function () {
        dirty = true;
        say("Enregistrement automatique impossible pour le moment : vos saisies restent dans la page.");
      }).finally(function () { busy = false; });
    }
    window.setInterval(save, seconds * 1000);
  });
})();
