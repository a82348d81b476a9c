// FastDSO page behaviour. No inline scripts anywhere (CSP): pages declare
// what they need with data-* attributes and JSON <script type="application/json">.
(function () {
  "use strict";

  // Numbers: the page's language decides (body data-decimal / data-thousands,
  // set by the server from the same formats as fastdso/formatting.py), never
  // the browser's locale. Half-up rounding to the decimals shown.
  var SEP = { decimal: document.body.dataset.decimal || ",", thousands: document.body.dataset.thousands || "." };
  function formatNumber(value, digits) {
    if (value === null || value === undefined || value === "" || isNaN(Number(value))) { return "—"; }
    digits = digits || 0;
    var n = Number(value);
    var factor = Math.pow(10, digits);
    // Half-up on the decimal representation (2.675 → 2.68, 0.25 → 0.3), as the server does.
    var rounded = Math.sign(n) * Math.round(Number(Math.abs(n) + "e" + digits)) / factor;
    var fixed = Math.abs(rounded).toFixed(digits);
    var parts = fixed.split(".");
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, SEP.thousands);
    var text = whole + (parts[1] ? SEP.decimal + parts[1] : "");
    return (rounded < 0 ? "-" : "") + text;
  }
  window.fastdsoFormatNumber = formatNumber;

  // Selects that submit their form on change (page size, language).
  document.querySelectorAll("select.js-autosubmit").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });

  // Buttons that ask before submitting (data-confirm holds the question).
  document.querySelectorAll("button.js-confirm[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.dataset.confirm)) { event.preventDefault(); }
    });
  });

  // Progress bars take their width from data-progress (no inline styles).
  function paintProgress(bar, value) {
    bar.style.width = value + "%";
    bar.textContent = value + " %";
  }
  document.querySelectorAll("[data-progress]").forEach(function (bar) {
    paintProgress(bar, parseInt(bar.dataset.progress, 10) || 0);
  });

  // Job page: poll the status until the job finishes, then reload once.
  var box = document.getElementById("job-status");
  if (box && box.dataset.finished !== "1") {
    var url = box.dataset.statusUrl;
    var tick = function () {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          var bar = box.querySelector('[data-job-field="progress"]');
          if (bar) { paintProgress(bar, s.progress); }
          var stage = box.querySelector('[data-job-field="stage"]');
          if (stage) { stage.textContent = s.stage || ""; }
          var label = box.querySelector('[data-job-field="status_label"]');
          if (label) { label.textContent = s.status_label; }
          var counts = box.querySelector('[data-job-field="counts"]');
          if (counts && s.counts) {
            counts.innerHTML = "";
            Object.keys(s.counts).forEach(function (k) {
              var dt = document.createElement("dt"); dt.className = "col-sm-3"; dt.textContent = (s.count_labels && s.count_labels[k]) || k;
              var dd = document.createElement("dd"); dd.className = "col-sm-9";
              dd.textContent = formatNumber(s.counts[k], 0);
              counts.appendChild(dt); counts.appendChild(dd);
            });
          }
          if (s.finished) { window.location.reload(); } else { setTimeout(tick, 1000); }
        })
        .catch(function () { setTimeout(tick, 3000); });
    };
    setTimeout(tick, 700);
  }

  // Every chart's numbers (axis ticks, tooltips) in the page's language:
  // the one place where Chart.js options about numbers are built.
  function localiseChart(config, digits) {
    var opts = config.options;
    var pie = config.type === "doughnut" || config.type === "pie";
    var valueAxis = opts.indexAxis === "y" ? "x" : "y";
    if (!pie) {
      opts.scales = opts.scales || {};
      opts.scales[valueAxis] = opts.scales[valueAxis] || {};
      Object.keys(opts.scales).forEach(function (axis) {
        if (axis.charAt(0) !== valueAxis) { return; }
        var scale = opts.scales[axis];
        scale.ticks = Object.assign({}, scale.ticks, {
          callback: function (v) { return formatNumber(v, Number(v) % 1 ? digits : 0); }
        });
      });
    }
    opts.plugins = opts.plugins || {};
    opts.plugins.tooltip = Object.assign({}, opts.plugins.tooltip, {
      callbacks: {
        label: function (ctx) {
          var v = pie ? ctx.parsed : ctx.parsed[valueAxis];
          return (ctx.dataset.label ? ctx.dataset.label + ": " : (pie ? ctx.label + ": " : "")) + formatNumber(v, Number(v) % 1 ? digits : 0);
        }
      }
    });
  }

  // Charts: <canvas data-chart="ID"> with <script type="application/json" id="ID">
  // holding a Chart.js config ({type, data, options}).
  if (window.Chart) {
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) { return; }
      var config = JSON.parse(source.textContent);
      config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
      localiseChart(config, parseInt(canvas.dataset.chartDigits || "1", 10));
      new window.Chart(canvas, config);
    });
  }

  // Segmented controls: show the sections whose data-show-when matches.
  // <input name="scope" value="category"> ... <div data-show-when="scope=category">
  function syncConditional() {
    document.querySelectorAll("[data-show-when]").forEach(function (el) {
      var ok = el.dataset.showWhen.split("|").some(function (cond) {
        var parts = cond.split("=");
        var checked = document.querySelector('input[name="' + parts[0] + '"]:checked, select[name="' + parts[0] + '"]');
        if (!checked) { return false; }
        if (checked.type === "checkbox") { return String(checked.checked) === parts[1]; }
        return checked.value === parts[1];
      });
      el.classList.toggle("d-none", !ok);
    });
  }
  document.querySelectorAll("input[type=radio], input[type=checkbox], select").forEach(function (el) {
    el.addEventListener("change", syncConditional);
  });
  syncConditional();

  // "Marcar como exportado" comes back with the file it kept: download it once.
  document.querySelectorAll("a[data-autodownload]").forEach(function (a) { a.click(); });
})();
