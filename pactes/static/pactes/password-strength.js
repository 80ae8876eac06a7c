/* Password strength meter of the sign-up form. Runs in the browser only: the password is never sent anywhere by
   this script (no request, no storage). The score is an estimate to help; Django's validators decide on the server. */
(function () {
  "use strict";

  var LEVELS = [
    { text: "Très faible", css: "fr-message--error" },
    { text: "Faible", css: "fr-message--error" },
    { text: "Moyen", css: "fr-message--info" },
    { text: "Bon", css: "fr-message--valid" },
    { text: "Très bon", css: "fr-message--valid" }
  ];
  var COMMON = ["motdepasse", "password", "azerty", "qwerty", "123456", "soleil", "bonjour", "pactes"];

  function score(value) {
    if (!value) { return -1; }
    var points = 0;
    if (value.length >= 10) { points += 1; }
    if (value.length >= 14) { points += 1; }
    var kinds = 0;
    [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].forEach(function (re) { if (re.test(value)) { kinds += 1; } });
    if (kinds >= 2) { points += 1; }
    if (kinds >= 3) { points += 1; }
    var lower = value.toLowerCase();
    if (/^[0-9]+$/.test(value) || COMMON.some(function (w) { return lower.indexOf(w) !== -1; })) { points = 0; }
    if (/(.)\1\1/.test(value)) { points = Math.max(0, points - 1); }
    if (value.length < 10) { points = Math.min(points, 1); }
    return Math.min(points, 4);
  }

  function attach(input) {
    var meter = document.createElement("p");
    meter.id = input.id + "-strength";
    meter.className = "fr-message";
    meter.setAttribute("aria-live", "polite");
    var group = input.closest(".fr-input-group") || input.parentNode;
    group.appendChild(meter);
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    described.push(meter.id);
    input.setAttribute("aria-describedby", described.join(" "));
    input.addEventListener("input", function () {
      var level = score(input.value);
      LEVELS.forEach(function (l) { meter.classList.remove(l.css); });
      if (level < 0) { meter.textContent = ""; return; }
      meter.textContent = "Robustesse estimée du mot de passe : " + LEVELS[level].text;
      meter.classList.add(LEVELS[level].css);
    });
  }

  document.querySelectorAll("input[data-password-strength]").forEach(attach);
})();
