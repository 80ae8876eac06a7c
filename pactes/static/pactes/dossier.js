// Progressive enhancement of the dossier editor (ADR 0049). Without JavaScript every page works: the server renders
// the errors, the totals and the rules on each save.

// A failed save: focus goes to the error summary (or to the conflict alert), so that a screen reader reads it first;
// a link of the summary focuses its field, not only scrolls to it.
(function () {
  "use strict";
  function focusField(event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) return;
    var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!target) return;
    event.preventDefault();
    var label = document.querySelector("label[for='" + target.id + "']");
    (label || target).scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.addEventListener("click", focusField);
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  });
})();

// Live budget totals, written in a role="status" region once typing pauses (one announcement, not one per key).
(function () {
  "use strict";
  var PAUSE_MS = 800;
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
    var figures = {
      expenses: euros(expenses), resources: euros(grant + cofinancing), cofinancing: euros(cofinancing),
      rate: rate, in_kind: euros(inKind)
    };
    Object.keys(figures).forEach(function (name) {
      var span = box.querySelector("[data-live='" + name + "']");
      if (span && span.textContent !== figures[name]) span.textContent = figures[name];
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (!document.getElementById("budget-live")) return;
    var timer = null;
    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, PAUSE_MS);
    }
    document.addEventListener("input", later);
    document.addEventListener("change", later);
    update();
  });
})();

// The rules panel after an autosave: the new panel's rules, figures and counts replace only those that changed, in
// the aria-live="polite" zone, so that a screen reader reads what changed and not the whole panel.
window.pactesRefreshPanel = function (html) {
  "use strict";
  var zone = document.getElementById("panneau-regles-zone");
  if (!zone || !html) return;
  var fresh = document.createElement("div");
  fresh.innerHTML = html;
  var oldPanel = zone.querySelector("#panneau-regles"), newPanel = fresh.querySelector("#panneau-regles");
  if (!oldPanel || !newPanel) { zone.innerHTML = html; return; }
  var selector = "#panneau-regles > .fr-badge, [data-rule], [data-figure], #panneau-regles > h3";
  var before = oldPanel.querySelectorAll(selector), after = newPanel.querySelectorAll(selector);
  var same = before.length === after.length;
  for (var i = 0; same && i < before.length; i++) {
    same = before[i].tagName === after[i].tagName &&
      before[i].getAttribute("data-rule") === after[i].getAttribute("data-rule") &&
      before[i].getAttribute("data-figure") === after[i].getAttribute("data-figure");
  }
  if (!same) { oldPanel.replaceWith(newPanel); return; }  // another set of rules or figures: the whole panel
  for (var j = 0; j < before.length; j++) {
    if (before[j].outerHTML !== after[j].outerHTML) before[j].replaceWith(after[j]);
  }
};

// Progressive enhancement: while a step is being typed, save it in the background every N seconds through the same
// service as the buttons. A concurrent change is refused (409) and said, never overwritten; what was typed stays.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-autosave]");
    var status = document.getElementById("autosave-status");
    var errors = document.getElementById("zone-erreurs");
    if (!form || !window.fetch || !window.FormData) return;
    var seconds = parseInt(form.getAttribute("data-autosave"), 10) || 15;
    var dirty = false, busy = false, stopped = false, waiting = null;
    // A field without a name (the perimeter's search box) is not part of the step: typing in it saves nothing.
    function touched(event) { if (event.target && event.target.name) dirty = true; }
    form.addEventListener("input", touched);
    form.addEventListener("change", touched);
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
          // Everything typed is saved: no error is left to list (unless the person is reading the list).
          if (errors && !errors.contains(document.activeElement)) errors.innerHTML = "";
          window.pactesRefreshPanel(answer.body.panel_html);
        } else if (answer.status === 422) {
          dirty = true;
          // The errors listed at the top of the form, without moving the focus of someone typing.
          var reading = errors && errors.contains(document.activeElement);
          if (errors && !reading && answer.body.summary_html !== undefined) errors.innerHTML = answer.body.summary_html;
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

// Long lists of checkboxes (Périmètre): the boxes ticked listed first, each with « Retirer <nom> », and a search box
// that keeps in the list only the names that match, so that nobody tabs through 161 EPCI.
(function () {
  "use strict";
  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[-'’\s]+/g, " ").trim();
  }
  function nameOf(box) {
    var label = document.querySelector("label[for='" + box.id + "']");
    return (label ? label.textContent : box.value).split(" — ")[0].trim();
  }
  function setUp(fieldset) {
    var tools = fieldset.querySelector("[data-filter-tools]");
    var search = fieldset.querySelector("[data-filter-input]");
    var list = fieldset.querySelector("[data-selection]");
    var title = fieldset.querySelector("[data-selection-title]");
    var said = fieldset.querySelector("[data-filter-status]");
    var items = Array.prototype.slice.call(fieldset.querySelectorAll("[data-filter-item]"));
    var boxes = items.map(function (item) { return item.querySelector("input[type='checkbox']"); });
    var folded = boxes.map(function (box) {
      var label = document.querySelector("label[for='" + box.id + "']");
      return fold((label ? label.textContent : "") + " " + box.value);
    });
    var timer = null;
    tools.hidden = false;
    function showSelection(focusAfter) {
      list.innerHTML = "";
      var chosen = boxes.filter(function (box) { return box.checked; });
      title.textContent = chosen.length ? "Retenus (" + chosen.length + ") :" : "Aucun élément retenu.";
      chosen.forEach(function (box) {
        var item = document.createElement("li");
        var name = document.createElement("span");
        name.textContent = nameOf(box);
        var button = document.createElement("button");
        button.type = "button";
        button.className = "fr-btn fr-btn--sm fr-btn--tertiary";
        button.setAttribute("data-remove", box.id);
        button.textContent = "Retirer";
        var hidden = document.createElement("span");
        hidden.className = "fr-sr-only";
        hidden.textContent = " " + nameOf(box);
        button.appendChild(hidden);
        item.appendChild(name);
        item.appendChild(button);
        list.appendChild(item);
      });
      if (focusAfter !== undefined) {
        var buttons = list.querySelectorAll("button");
        (buttons[Math.min(focusAfter, buttons.length - 1)] || search).focus();
      }
    }
    function filter() {
      var query = fold(search.value), shown = 0;
      items.forEach(function (item, index) {
        var match = !query || folded[index].indexOf(query) !== -1;
        item.hidden = !match;
        if (match) shown += 1;
      });
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        said.textContent = query ? shown + " sur " + items.length + " correspondent à « " + search.value.trim() + " »." : "";
      }, 500);
    }
    list.addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove]");
      if (!button) return;
      var box = document.getElementById(button.getAttribute("data-remove"));
      var position = Array.prototype.indexOf.call(list.querySelectorAll("button"), button);
      box.checked = false;
      box.dispatchEvent(new Event("change", { bubbles: true }));  // the autosave sees the change
      showSelection(position);
    });
    fieldset.addEventListener("change", function (event) {
      if (event.target.type === "checkbox" && event.isTrusted) showSelection();
    });
    search.addEventListener("input", filter);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();  // Enter in the search box does not save the step
    });
    showSelection();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-filterable]").forEach(setUp);
  });
})();
