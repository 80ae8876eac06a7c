// Progress of a démarches simplifiées import: polls the run's JSON state and reloads the page once it is finished
// (the report is then rendered by the server). No inline script: loaded with defer (CSP).
(function () {
  "use strict";
  var box = document.getElementById("ds-progress");
  if (!box) {
    return;
  }
  var bar = document.getElementById("ds-progress-bar");
  var text = document.getElementById("ds-progress-text");
  var url = box.getAttribute("data-status-url");

  function plural(n, word) {
    return n + " " + word + (n > 1 ? "s" : "");
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (state) {
        bar.value = state.percent;
        bar.textContent = state.percent + " %";
        text.textContent =
          state.label + " : " + plural(state.processed, "dossier") + " traité" + (state.processed > 1 ? "s" : "") +
          (state.total ? " sur " + state.total : "") + ".";
        if (state.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1500);
        }
      })
      .catch(function () {
        text.textContent = "L'avancement n'a pas pu être lu ; nouvel essai dans quelques secondes.";
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1000);
})();
