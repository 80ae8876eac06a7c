// « Mes exports »: refreshes the progress of the exports being prepared, every 2 seconds, until each is ready or failed.
(function () {
  "use strict";
  var PERIOD = 2000;

  function refresh(row) {
    var url = row.getAttribute("data-status-url");
    if (!url) { return; }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (!status) { return; }
        var bar = row.querySelector("progress");
        if (bar) { bar.value = status.percent; bar.textContent = status.percent + " %"; }
        var label = row.querySelector("[data-role=label]");
        if (label) { label.textContent = status.label; }
        if (status.error) {
          var error = row.querySelector("[data-role=error]");
          if (error) { error.textContent = status.error; error.classList.remove("fr-hidden"); }
        }
        if (status.ready) {
          var cell = row.querySelector("[data-role=download]");
          if (cell) {
            var link = document.createElement("a");
            link.className = "fr-link fr-icon-download-line fr-link--icon-left";
            link.href = status.download;
            link.textContent = "Télécharger";
            cell.textContent = "";
            cell.appendChild(link);
          }
        }
        if (status.pending) {
          window.setTimeout(function () { refresh(row); }, PERIOD);
        } else {
          row.removeAttribute("data-status-url");
        }
      })
      .catch(function () { window.setTimeout(function () { refresh(row); }, PERIOD * 5); });
  }

  document.querySelectorAll("tr[data-status-url]").forEach(function (row) {
    window.setTimeout(function () { refresh(row); }, PERIOD);
  });
})();
