// Redistribution pages: Bootstrap tooltips (the Top N explanation). No inline scripts (CSP).
(function () {
  "use strict";
  if (window.bootstrap && window.bootstrap.Tooltip) {
    document.querySelectorAll('[data-bs-toggle="tooltip"]').forEach(function (el) {
      new window.bootstrap.Tooltip(el);
    });
  }
})();
