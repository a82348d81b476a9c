// Redistribution pages: Bootstrap tooltips (the Top N explanation) and the
// origin/donors pair of the plan form. No inline scripts (CSP).
(function () {
  "use strict";
  if (window.bootstrap && window.bootstrap.Tooltip) {
    document.querySelectorAll('[data-bs-toggle="tooltip"]').forEach(function (el) {
      new window.bootstrap.Tooltip(el);
    });
  }

  // Choosing an origin store means "this store gives": automatic donors are
  // turned off (the planner may tick them again to let others complete).
  var origin = document.getElementById("id_origin");
  var autoPick = document.getElementById("id_auto_pick_donors");
  if (origin && autoPick) {
    origin.addEventListener("change", function () {
      if (origin.value && autoPick.checked) {
        autoPick.checked = false;
        autoPick.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  }
})();
