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

  // The main navigation on a phone: its menu button shows and hides the sections (the stylesheet
  // decides at which widths). Without this script the button stays hidden and the sections wrap.
  document.querySelectorAll("nav.sections").forEach(function (nav) {
    var button = nav.querySelector(".sections-toggle");
    if (!button) { return; }
    var setOpen = function (open) {
      nav.classList.toggle("is-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    };
    nav.classList.add("is-foldable");
    button.addEventListener("click", function () { setOpen(button.getAttribute("aria-expanded") !== "true"); });
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && nav.classList.contains("is-open")) { setOpen(false); button.focus(); }
    });
  });

  // A table wider than the screen scrolls sideways inside its .table-wrap: the keyboard must reach
  // it too (focus it, then the arrow keys scroll), so such a wrap becomes a focusable region named
  // after its card's heading. Checked again when the page is resized or htmx swaps content in.
  function keyboardScrolling() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      var ours = wrap.hasAttribute("data-scroll-region");
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        var card = wrap.closest("section, .card");
        var heading = card ? card.querySelector("h2, h3") : null;
        var named = Boolean(heading && !wrap.hasAttribute("aria-label") && !wrap.hasAttribute("role"));
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("data-scroll-region", named ? "named" : "");
        if (named) {
          wrap.setAttribute("role", "region");
          wrap.setAttribute("aria-label", heading.textContent.trim());
        }
      } else if (!scrolls && ours) {
        if (wrap.getAttribute("data-scroll-region") === "named") {
          wrap.removeAttribute("role");
          wrap.removeAttribute("aria-label");
        }
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("data-scroll-region");
      }
    });
  }
  keyboardScrolling();
  var resizing = null;
  window.addEventListener("resize", function () { clearTimeout(resizing); resizing = setTimeout(keyboardScrolling, 150); });
  document.addEventListener("htmx:afterSettle", keyboardScrolling);

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
  var STATUS_COLORS = { not_started: "#adb5bd", in_progress: "#3451d1", blocked: "#e8590c", done: "#2b8a3e",
    cancelled: "#ced4da", failed: "#c92a2a" };
  var PRIORITY_COLORS = { P0: "#c92a2a", P1: "#e8590c", P2: "#3451d1", P3: "#868e96" };
  var DAY = 86400000;

  // Date axes that tick on whole days (never 00:00 / 12:00 on daily data): at most about eight
  // ticks, each a whole number of days apart, labelled month-day (with the year when it changes).
  function dayAxis(first, last, extra) {
    var span = Math.max(1, Math.round((new Date(last) - new Date(first)) / DAY));
    var step = Math.max(1, Math.ceil(span / 8));
    var axis = { type: "date", tick0: String(first).slice(0, 10), dtick: step * DAY, tickformat: "%m-%d",
                 hoverformat: "%Y-%m-%d" };
    // An exclusive end (the day after the period) does not make the period span two years.
    if (new Date(first).getUTCFullYear() !== new Date(new Date(last) - 1).getUTCFullYear()) {
      axis.tickformat = "%Y-%m-%d";
    }
    Object.keys(extra || {}).forEach(function (key) { axis[key] = extra[key]; });
    return axis;
  }

  // Gantt: horizontal bars on a date axis (base = start, length = duration in ms) under a header
  // row per group (the goal on a team's Gantt, the goal dimension on a goal's), the original dates
  // as thin grey bars, dependency arrows, milestones, today's line, the critical path outlined, and
  // overdue work hatched with a ⚠ marker and the word "overdue" (never told by colour alone).
  function drawGantt(element) {
    var source = document.getElementById("gantt-data");
    if (!source || !window.Plotly) { return; }
    var data = JSON.parse(source.textContent);
    var rows = data.rows;
    var short = function (text, size) { return text.length > size ? text.slice(0, size - 1) + "…" : text; };
    var escape = function (text) {
      return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    };
    var key = function (r) { return "i" + r.id; };
    var tickvals = [], ticktext = [];
    (data.groups || []).forEach(function (group) {
      var members = rows.filter(function (r) { return r.group === group.key; });
      if (!members.length) { return; }
      if (data.groups.length > 1 || group.label) {
        tickvals.push("h" + group.key);
        ticktext.push("<b>" + escape(short(group.label || data.labels.no_dimension, 40)) + "</b>");
      }
      members.forEach(function (r) {
        tickvals.push(key(r));
        ticktext.push("\u2003" + escape(short(r.title, 34)) + (r.overdue ? " ⚠" : ""));
      });
    });
    var y = rows.map(key);
    var ms = function (a, b) { return new Date(b) - new Date(a); };
    var colors = rows.map(function (r) {
      return data.color_by === "priority" ? PRIORITY_COLORS[r.priority] : STATUS_COLORS[r.status];
    });
    var traces = [
      { type: "bar", orientation: "h", y: y, base: rows.map(function (r) { return r.baseline_start; }),
        x: rows.map(function (r) { return ms(r.baseline_start, r.baseline_end); }), width: 0.25, offset: 0.22,
        marker: { color: "rgba(134,142,150,0.55)" }, name: data.labels.baseline, hoverinfo: "skip" },
      { type: "bar", orientation: "h", y: y, base: rows.map(function (r) { return r.start; }),
        x: rows.map(function (r) { return ms(r.start, r.end); }), width: 0.5, offset: -0.3,
        marker: { color: colors,
                  pattern: { shape: rows.map(function (r) { return r.overdue ? "/" : ""; }), fgcolor: "#212529",
                             bgcolor: colors, size: 7, solidity: 0.35 },
                  line: { color: rows.map(function (r) { return r.critical ? "#212529" : (r.overdue ? "#c92a2a" : colors[0]); }),
                          width: rows.map(function (r) { return r.critical || r.overdue ? 3 : 0; }) } },
        text: rows.map(function (r) { return r.progress + "%"; }), textposition: "inside", insidetextanchor: "start",
        customdata: rows.map(function (r) {
          return [escape(r.title), escape(r.owner), r.status_label, r.priority, r.dates,
                  r.overdue ? "<br><b>⚠ " + escape(r.overdue_text) + "</b>" : "", escape(r.goal)];
        }),
        hovertemplate: "<b>%{customdata[0]}</b><br>%{customdata[6]}<br>%{customdata[4]}<br>" +
          "%{customdata[1]} · %{customdata[2]} · %{customdata[3]}%{customdata[5]}<extra></extra>", name: "" }
    ];
    var headers = tickvals.filter(function (v) { return v.charAt(0) === "h"; });
    if (headers.length) {  // the group header rows exist as categories, with nothing drawn on them
      traces.push({ type: "scatter", mode: "markers", y: headers, x: headers.map(function () { return data.goal_start; }),
        marker: { opacity: 0 }, hoverinfo: "skip", showlegend: false });
    }
    var overdue = rows.filter(function (r) { return r.overdue; });
    if (overdue.length) {
      traces.push({ type: "scatter", mode: "markers+text", y: overdue.map(key), x: overdue.map(function (r) { return r.end; }),
        marker: { symbol: "triangle-left", size: 11, color: "#c92a2a", line: { color: "#212529", width: 1 } },
        text: overdue.map(function () { return "⚠ " + data.labels.overdue; }), textposition: "middle right",
        textfont: { color: "#a61e1e", size: 11 }, cliponaxis: false,
        customdata: overdue.map(function (r) { return [escape(r.title), escape(r.overdue_text)]; }),
        hovertemplate: "<b>%{customdata[0]}</b><br>⚠ %{customdata[1]}<extra></extra>", name: data.labels.overdue });
    }
    var milestones = rows.filter(function (r) { return r.milestone; });
    if (milestones.length) {
      traces.push({ type: "scatter", mode: "markers", y: milestones.map(key),
        x: milestones.map(function (r) { return new Date(new Date(r.end) - DAY).toISOString().slice(0, 10); }),
        marker: { symbol: "diamond", size: 14, color: milestones.map(function (r) { return r.milestone_reached ? "#2b8a3e" : "#ffd43b"; }),
                  line: { color: "#212529", width: 1 } }, name: data.labels.milestone, hoverinfo: "name" });
    }
    var byId = {};
    rows.forEach(function (r) { byId[r.id] = r; });
    var annotations = data.links.filter(function (l) { return byId[l.from] && byId[l.to]; }).map(function (l) {
      var a = byId[l.from], b = byId[l.to];
      return { x: b.start, y: key(b), ax: a.end, ay: key(a), xref: "x", yref: "y", axref: "x", ayref: "y",
               showarrow: true, arrowhead: 3, arrowwidth: 1.5, arrowcolor: "#495057" };
    });
    var layout = {
      barmode: "overlay", height: Math.max(260, 60 + tickvals.length * 40), margin: { t: 20, r: 80, b: 40, l: 10 },
      xaxis: dayAxis(data.goal_start, data.goal_end, { range: [data.goal_start, data.goal_end] }),
      yaxis: { type: "category", categoryorder: "array", categoryarray: tickvals, tickvals: tickvals,
               ticktext: ticktext, autorange: "reversed", automargin: true },
      showlegend: false, annotations: annotations,
      shapes: [{ type: "line", x0: data.today, x1: data.today, yref: "paper", y0: 0, y1: 1,
                 line: { color: "#c92a2a", width: 2, dash: "dot" } }]
    };
    window.Plotly.newPlot(element, traces, layout, { displayModeBar: false, responsive: true });
  }

  // Burn-up: the actual (cumulative for sum goals) against the base / challenge / stretch lines,
  // the forecast to the period's end, and today's line.
  var burnupData = null;
  function drawBurnup(element) {
    if (!window.Plotly) { return; }
    var chart;
    if (element.dataset.source) {  // a chart loaded on its own (the retro's goal review) carries its data
      var own = document.getElementById(element.dataset.source);
      chart = own ? JSON.parse(own.textContent) : null;
    } else {
      if (burnupData === null) {
        var source = document.getElementById("burnup-data");
        burnupData = source ? JSON.parse(source.textContent) : {};
      }
      chart = burnupData[element.dataset.goal];
    }
    if (!chart || element.dataset.drawn) { return; }  // a page polling with htmx keeps its drawn charts
    element.dataset.drawn = "1";
    var labels = (element.dataset.labels || "Actual|Base|Challenge|Stretch|Forecast|Today").split("|");
    var xs = function (points) { return points.map(function (p) { return p[0]; }); };
    var ys = function (points) { return points.map(function (p) { return p[1]; }); };
    var tier = function (name, label, color) {
      return { x: xs(chart.tiers[name]), y: ys(chart.tiers[name]), name: label, type: "scatter", mode: "lines",
               line: { color: color, width: 1.5, dash: "dash" }, hoverinfo: "name+y" };
    };
    var traces = [
      tier("base", labels[1], "#868e96"), tier("challenge", labels[2], "#e8590c"), tier("stretch", labels[3], "#2b8a3e"),
      { x: xs(chart.actual), y: ys(chart.actual), name: labels[0], type: "scatter", mode: "lines",
        line: { color: "#3451d1", width: 3 } }
    ];
    if (chart.forecast.length) {
      traces.push({ x: xs(chart.forecast), y: ys(chart.forecast), name: labels[4], type: "scatter", mode: "lines",
                    line: { color: "#3451d1", width: 2, dash: "dot" } });
    }
    window.Plotly.newPlot(element, traces, {
      margin: { t: 20, r: 10, b: 30, l: 60 }, height: 250, showlegend: true,
      legend: { orientation: "h", y: -0.18 }, xaxis: dayAxis(chart.start, chart.end, { range: [chart.start, chart.end] }),
      yaxis: { rangemode: "tozero", title: { text: chart.unit || "" } },
      shapes: [{ type: "line", xref: "x", yref: "paper", x0: chart.today, x1: chart.today, y0: 0, y1: 1,
                 line: { color: "#c92a2a", width: 1, dash: "dot" } }],
      annotations: [{ x: chart.today, y: 1, xref: "x", yref: "paper", text: labels[5], showarrow: false,
                      font: { size: 10, color: "#c92a2a" }, yanchor: "bottom" }]
    }, { displayModeBar: false, responsive: true });
  }

  // Monthly review: attainment of each goal through the month, one line per goal.
  function drawTrend(element) {
    var source = document.getElementById("trend-data");
    if (!source || !window.Plotly) { return; }
    var data = JSON.parse(source.textContent);
    var days = [];
    var traces = Object.keys(data).map(function (key) {
      var points = data[key].points;
      points.forEach(function (p) { days.push(p[0]); });
      return { x: points.map(function (p) { return p[0]; }), y: points.map(function (p) { return p[1]; }),
               name: data[key].title, type: "scatter", mode: "lines+markers",
               hovertemplate: "%{x|%Y-%m-%d}: %{y}%<extra>%{fullData.name}</extra>" };
    });
    days.sort();
    var xaxis = days.length ? dayAxis(days[0], days[days.length - 1]) : { type: "date" };
    window.Plotly.newPlot(element, traces, {
      margin: { t: 10, r: 10, b: 40, l: 45 }, height: 280, legend: { orientation: "h", y: -0.2 },
      yaxis: { title: { text: element.dataset.label }, rangemode: "tozero" }, xaxis: xaxis
    }, { displayModeBar: false, responsive: true });
  }

  // Pulse results: a team's mean score per topic, pulse by pulse (gaps where the team is hidden).
  // The table below the chart carries the same figures for screen readers and keyboards.
  function drawPulseTrend(element) {
    var source = document.getElementById("pulse-trend-data");
    if (!source || !window.Plotly) { return; }
    var data = JSON.parse(source.textContent);
    var symbols = ["circle", "square", "diamond", "triangle-up", "x"];
    var dashes = ["solid", "dash", "dot", "dashdot", "longdash"];
    var traces = Object.keys(data.labels).map(function (topic, n) {
      return { x: data.points.map(function (p) { return p.day; }),
               y: data.points.map(function (p) { var v = p.topics[topic]; return v === undefined ? null : v; }),
               name: data.labels[topic], type: "scatter", mode: "lines+markers", connectgaps: false,
               marker: { symbol: symbols[n % symbols.length], size: 8 }, line: { dash: dashes[n % dashes.length] },
               hovertemplate: "%{x|%Y-%m-%d}: %{y}<extra>%{fullData.name}</extra>" };
    });
    var days = data.points.map(function (p) { return p.day; });
    var xaxis = days.length ? dayAxis(days[0], days[days.length - 1]) : { type: "date" };
    window.Plotly.newPlot(element, traces, {
      margin: { t: 10, r: 10, b: 40, l: 45 }, height: 280, legend: { orientation: "h", y: -0.2 },
      yaxis: { title: { text: data.axis }, range: [0.8, 5.2], dtick: 1 }, xaxis: xaxis
    }, { displayModeBar: false, responsive: true });
  }

  // Incentives: the scheme's payout curve (bonus + commission against attainment).
  function drawPayoutCurve(element) {
    var source = document.getElementById("curve-data");
    if (!source || !window.Plotly) { return; }
    var points = JSON.parse(source.textContent);
    var labels = (element.dataset.labels || "Attainment %|Pay").split("|");
    var slider = document.getElementById("id_attainment");
    var marker = slider ? Number(slider.value) : null;
    window.Plotly.newPlot(element, [{
      x: points.map(function (p) { return p[0]; }), y: points.map(function (p) { return p[1]; }),
      type: "scatter", mode: "lines", line: { color: "#3451d1", width: 3 }, name: labels[1]
    }], {
      margin: { t: 10, r: 10, b: 40, l: 70 }, height: 260, showlegend: false,
      xaxis: { title: { text: labels[0] } }, yaxis: { title: { text: labels[1] }, rangemode: "tozero" },
      shapes: marker === null ? [] : [{ type: "line", x0: marker, x1: marker, yref: "paper", y0: 0, y1: 1,
                                        line: { color: "#c92a2a", dash: "dot" } }]
    }, { displayModeBar: false, responsive: true });
  }

  // Causes across periods: one stacked bar per team and period, one trace per cause, each with its
  // own hatching as well as its colour (never told by colour alone); the table below has the figures.
  var CAUSE_PATTERNS = ["", "/", ".", "x", "-"];
  function drawCauses(element) {
    var source = document.getElementById("causes-data");
    if (!source || !window.Plotly || element.dataset.drawn) { return; }
    element.dataset.drawn = "1";
    var data = JSON.parse(source.textContent);
    var traces = data.traces.map(function (trace, n) {
      return { type: "bar", name: trace.name, x: data.x, y: trace.y,
               marker: { pattern: { shape: CAUSE_PATTERNS[n % CAUSE_PATTERNS.length], solidity: 0.4 } } };
    });
    window.Plotly.newPlot(element, traces, {
      barmode: "stack", margin: { t: 10, r: 10, b: 90, l: 40 }, height: 320, legend: { orientation: "h", y: -0.35 },
      yaxis: { rangemode: "tozero", dtick: 1 }, xaxis: { type: "category", automargin: true }
    }, { displayModeBar: false, responsive: true });
  }

  function drawCharts() {
    document.querySelectorAll("[data-chart='causes']").forEach(drawCauses);
    document.querySelectorAll("[data-chart='payout-curve']").forEach(drawPayoutCurve);
    document.querySelectorAll("[data-chart='trend']").forEach(drawTrend);
    document.querySelectorAll("[data-chart='pulse-trend']").forEach(drawPulseTrend);
    document.querySelectorAll("[data-chart='heartbeat']").forEach(drawHeartbeat);
    document.querySelectorAll("[data-chart='gantt']").forEach(drawGantt);
    document.querySelectorAll("[data-chart='burnup']").forEach(drawBurnup);
  }
  // plotly.js is a deferred script of the page itself: draw once everything has loaded.
  if (document.readyState === "complete") { drawCharts(); } else { window.addEventListener("load", drawCharts); }
  document.addEventListener("htmx:afterSettle", drawCharts);
})();

/* <table class="stack">: each cell carries its column's header (data-label), shown above the value
   when the table stacks into cards on a phone. */
(function () {
  "use strict";
  function labelCells(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("table.stack").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (cell.tagName === "TD" && !cell.hasAttribute("data-label") && heads[index] && !(cell.colSpan > 1)) {
            cell.setAttribute("data-label", heads[index]);
          }
        });
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { labelCells(document); });
  } else { labelCells(document); }
  document.addEventListener("htmx:afterSettle", function (event) { labelCells(event.target || document); });
})();

/* Hide the "show N goals below" link once its goals have been loaded under it. */
document.addEventListener("htmx:afterRequest", function (event) {
  var link = event.detail && event.detail.elt;
  if (link && link.hasAttribute && link.hasAttribute("data-expand") && event.detail.successful) {
    link.remove();
  }
});

/* People pickers (teams.people_picker, templates/includes/person_picker.html): a combobox whose
   matches htmx fetches as the user types. The arrows move through them (aria-activedescendant),
   Enter or a click chooses one (its id goes into the hidden input the form posts), Escape closes
   them; typing again forgets the person chosen until another is chosen. */
(function () {
  "use strict";

  function picker(element) {
    var root = element && element.closest ? element.closest("[data-person-picker]") : null;
    if (!root) { return null; }
    return {
      root: root,
      input: root.querySelector("[data-picker-input]"),
      value: root.querySelector("[data-picker-value]"),
      chips: root.querySelector("[data-picker-chips]"),
      list: root.querySelector("[role='listbox']")
    };
  }

  function options(p) {
    return Array.prototype.slice.call(p.list.querySelectorAll("[role='option']:not([aria-disabled='true'])"));
  }

  function setOpen(p, open) {
    p.list.hidden = !open;
    p.input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) { activate(p, null); }
  }

  function activate(p, option) {
    p.list.querySelectorAll("[role='option']").forEach(function (o) {
      o.setAttribute("aria-selected", o === option ? "true" : "false");
    });
    if (option) {
      p.input.setAttribute("aria-activedescendant", option.id);
      if (option.scrollIntoView) { option.scrollIntoView({ block: "nearest" }); }
    } else {
      p.input.removeAttribute("aria-activedescendant");
    }
  }

  function choose(p, option) {
    if (p.chips) { addChip(p, option.getAttribute("data-value"), option.getAttribute("data-label")); return; }
    p.value.value = option.getAttribute("data-value");
    p.input.value = option.getAttribute("data-label");
    setOpen(p, false);
    p.value.dispatchEvent(new Event("change", { bubbles: true }));
  }

  /* A picker of several people (widgets/people_picker.html): each chosen person is a chip with a
     hidden input posting the id and a button removing it; the text box empties for the next one. */
  function addChip(p, value, label) {
    var known = p.chips.querySelector("[data-chip='" + value + "']");
    if (!known) {
      var chip = document.createElement("li");
      chip.className = "picker-chip";
      chip.setAttribute("data-chip", value);
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = p.root.getAttribute("data-picker-name");
      hidden.value = value;
      var text = document.createElement("span");
      text.textContent = label;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "picker-chip-remove";
      remove.setAttribute("data-chip-remove", "");
      remove.setAttribute("aria-label", p.root.getAttribute("data-remove-label") + " " + label);
      remove.textContent = "\u00d7";
      chip.append(hidden, text, " ", remove);
      p.chips.appendChild(chip);
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
    }
    p.input.value = "";
    setOpen(p, false);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-chip-remove]") : null;
    var p = button ? picker(button) : null;
    if (!p) { return; }
    button.closest("[data-chip]").remove();
    p.input.focus();
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var p = picker(event.target);
    if (!p || event.target !== p.list) { return; }
    setOpen(p, p.list.children.length > 0 && document.activeElement === p.input);
  });

  document.addEventListener("input", function (event) {
    var p = event.target.matches && event.target.matches("[data-picker-input]") ? picker(event.target) : null;
    if (p && p.value && p.value.value) { p.value.value = ""; }
  });

  document.addEventListener("keydown", function (event) {
    var p = event.target.matches && event.target.matches("[data-picker-input]") ? picker(event.target) : null;
    if (!p) { return; }
    var found = options(p);
    var current = document.getElementById(p.input.getAttribute("aria-activedescendant") || "");
    var index = found.indexOf(current);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!found.length) { return; }
      if (p.list.hidden) { setOpen(p, true); }
      var step = event.key === "ArrowDown" ? 1 : -1;
      var next = index < 0 ? (step > 0 ? 0 : found.length - 1) : Math.min(Math.max(index + step, 0), found.length - 1);
      activate(p, found[next]);
    } else if (event.key === "Enter" && !p.list.hidden) {
      event.preventDefault();  // Enter chooses; it does not send the form half filled
      if (current && index >= 0) { choose(p, current); } else if (found.length === 1) { choose(p, found[0]); }
    } else if (event.key === "Backspace" && p.chips && !p.input.value && p.chips.lastElementChild) {
      p.chips.lastElementChild.remove();
    } else if (event.key === "Escape" && !p.list.hidden) {
      event.preventDefault();
      setOpen(p, false);
    }
  });

  // A click (or tap) on a match chooses it; the text box keeps the focus.
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest && event.target.closest(".picker-options")) { event.preventDefault(); }
  });
  document.addEventListener("click", function (event) {
    var option = event.target.closest ? event.target.closest("[data-person-picker] [role='option']") : null;
    if (option && option.getAttribute("aria-disabled") !== "true") { choose(picker(option), option); }
  });
  document.addEventListener("focusout", function (event) {
    var p = event.target.matches && event.target.matches("[data-picker-input]") ? picker(event.target) : null;
    if (p) { setOpen(p, false); }
  });
})();
