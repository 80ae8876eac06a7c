// The territory map (/territoires/carte/): Leaflet, no tiles; EPCI coloured by the page's classes (json_script
// « carte-donnees »), eligible EPCI outlined, a tooltip, a click that opens the EPCI's page; for staff, a layer of
// the dossiers per EPCI. Changing a select reloads the page with the new choice (the table is rendered server side).
"use strict";

(function () {
  function readData() {
    var node = document.getElementById("carte-donnees");
    return node ? JSON.parse(node.textContent) : null;
  }

  function autoSubmit() {
    var form = document.getElementById("carte-choix");
    if (!form) {
      return;
    }
    form.querySelectorAll("select").forEach(function (select) {
      select.addEventListener("change", function () {
        form.submit();
      });
    });
  }

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    });
  }

  function tooltipOf(name, info, data) {
    var value = info.secret ? "non diffusé" : info.value === null ? "—" : info.value + (data.unit ? " " + data.unit : "");
    var lines = [name, data.indicator + " : " + value, info.eligible ? "Éligible" : "Non éligible"];
    if (info.dossiers !== null && info.dossiers !== undefined) {
      lines.push(info.dossiers + " dossier(s), attribué : " + info.awarded);
    }
    var element = document.createElement("div");
    lines.forEach(function (line, index) {
      var p = document.createElement(index === 0 ? "strong" : "div");
      p.textContent = line;
      element.appendChild(p);
    });
    return element;
  }

  // The map is hidden from assistive technologies (aria-hidden, the table after it says the same): nothing in it may
  // take the keyboard focus either (zoom buttons, the layers' checkboxes).
  function outOfTabOrder(container) {
    container.setAttribute("tabindex", "-1");
    container.querySelectorAll("a, button, input, select, [tabindex]").forEach(function (element) {
      element.setAttribute("tabindex", "-1");
    });
  }

  function draw(data) {
    var container = document.getElementById("carte");
    if (!container || typeof window.L === "undefined") {
      return;
    }
    var L = window.L;
    var map = L.map(container, { zoomSnap: 0.25, attributionControl: false, preferCanvas: false, keyboard: false });
    outOfTabOrder(container);
    // Leaflet redraws its controls (the layers' checkboxes) when layers change: keep them out of the tab order.
    new MutationObserver(function () {
      outOfTabOrder(container);
    }).observe(container, { childList: true, subtree: true });
    container.classList.add("is-ready");
    Promise.all([fetchJson(data.epciUrl), fetchJson(data.departementsUrl)])
      .then(function (results) {
        var epci = results[0];
        var departements = results[1];
        var epciLayer = L.geoJSON(epci, {
          style: function (feature) {
            var info = data.epci[feature.properties.siren] || {};
            return {
              fillColor: info.colour || "#ffffff",
              fillOpacity: 0.85,
              color: info.eligible ? "#ce0500" : "#3a3a3a",
              weight: info.eligible ? 3 : 0.6,
            };
          },
          onEachFeature: function (feature, layer) {
            var info = data.epci[feature.properties.siren] || { value: null, secret: false, eligible: false };
            layer.bindTooltip(tooltipOf(feature.properties.nom, info, data), { sticky: true });
            layer.on("click", function () {
              window.location.href = feature.properties.url;
            });
            if (layer.getElement) {
              layer.on("add", function () {
                var path = layer.getElement();
                if (path) {
                  path.setAttribute("data-siren", feature.properties.siren);
                  path.setAttribute("data-nom", feature.properties.nom);
                  path.classList.add("pactes-map-epci");
                }
              });
            }
          },
        }).addTo(map);
        var departementLayer = L.geoJSON(departements, {
          style: function () {
            return { fill: false, color: "#161616", weight: 2 };
          },
          interactive: false,
        }).addTo(map);
        epciLayer.bringToBack();
        departementLayer.bringToFront();
        var overlays = { "Départements": departementLayer };
        if (data.staff) {
          var activity = L.layerGroup();
          epciLayer.eachLayer(function (layer) {
            var info = data.epci[layer.feature.properties.siren];
            if (info && info.dossiers) {
              L.circleMarker(layer.getBounds().getCenter(), {
                radius: 6 + 3 * Math.sqrt(info.dossiers),
                color: "#716043",
                fillColor: "#ffca00",
                fillOpacity: 0.9,
                weight: 1,
              })
                .bindTooltip(tooltipOf(layer.feature.properties.nom, info, data))
                .addTo(activity);
            }
          });
          activity.addTo(map);
          overlays["Dossiers (votre périmètre)"] = activity;
        }
        L.control.layers(null, overlays, { collapsed: false }).addTo(map);
        outOfTabOrder(container);
        map.fitBounds(epciLayer.getBounds());
        container.setAttribute("data-loaded", "true");
      })
      .catch(function () {
        var message = document.createElement("p");
        message.className = "fr-error-text";
        message.textContent = "La carte n'a pas pu être chargée : le tableau ci-dessous donne les mêmes données.";
        container.appendChild(message);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    autoSubmit();
    var data = readData();
    if (data) {
      draw(data);
    }
  });
})();
