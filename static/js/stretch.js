/* Small behaviours for every page. No inline scripts anywhere (Content-Security-Policy). */
(function () {
  "use strict";

  // <form data-confirm="…">: ask before submitting a destructive action.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  }, true);

  // <button data-copy="#selector">: copy the element's text.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button) { return; }
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (source && navigator.clipboard) {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        button.classList.add("copied");
      });
    }
  });

  // <button data-fill-form="#form" data-base=… data-challenge=… data-stretch=…>: copy suggested
  // targets into the form, then let the form react (the SMART checklist refreshes).
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-fill-form]") : null;
    if (!button) { return; }
    var form = document.querySelector(button.getAttribute("data-fill-form"));
    if (!form) { return; }
    ["base", "challenge", "stretch"].forEach(function (name) {
      var input = form.querySelector("[name='" + name + "']");
      if (input && button.dataset[name]) { input.value = button.dataset[name]; }
    });
    form.dispatchEvent(new Event("change", { bubbles: true }));
  });

  // Close an open <details class="menu"> when clicking elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) { menu.removeAttribute("open"); }
    });
  });

  // Charts: <div data-chart="heartbeat"> with data in a json_script element.
  function drawHeartbeat(element) {
    var source = document.getElementById("heartbeat-data");
    if (!source || !window.Plotly) { return; }
    var points = JSON.parse(source.textContent);
    window.Plotly.newPlot(element, [{
      x: points.map(function (p) { return p.slot; }),
      y: points.map(function (p) { return p.delay; }),
      type: "scatter", mode: "lines+markers", line: { color: "#3451d1" }, name: element.dataset.label
    }], {
      margin: { t: 10, r: 10, b: 40, l: 45 }, height: 260,
      yaxis: { title: { text: element.dataset.label }, rangemode: "tozero" }
    }, { displayModeBar: false, responsive: true });
  }
  function drawCharts() {
    document.querySelectorAll("[data-chart='heartbeat']").forEach(drawHeartbeat);
  }
  // plotly.js is a deferred script of the page itself: draw once everything has loaded.
  if (document.readyState === "complete") { drawCharts(); } else { window.addEventListener("load", drawCharts); }
  document.addEventListener("htmx:afterSettle", drawCharts);
})();

/* Hide the "show N goals below" link once its goals have been loaded under it. */
document.addEventListener("htmx:afterRequest", function (event) {
  var link = event.detail && event.detail.elt;
  if (link && link.hasAttribute && link.hasAttribute("data-expand") && event.detail.successful) {
    link.remove();
  }
});
