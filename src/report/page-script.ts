// The report page's own script, run in the browser over the data embedded in the page (report/data.ts).
// It is text here because it runs in a browser, not in Node: the browser test (test/report) runs it, and
// any error it throws fails that test. It draws the charts with uPlot (bundled in the page), fills the
// tables, and keeps the alerts table virtual: only the rows in view are in the document, so 100,000 alerts
// scroll and filter at once.

export const PAGE_SCRIPT = String.raw`
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("report-data").textContent);
  var S = D.strings, A = D.alerts, R = D.rules;
  var N = A.id.length;
  var COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f"];
  var SEV = { low: 0, medium: 1, high: 2, critical: 3 };
  var $ = function (id) { return document.getElementById(id); };
  var el = function (tag, text, cls) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };
  var iso = function (t) { return new Date(t).toISOString().replace(".000Z", "Z"); };
  var fmt = function (n) { return n.toLocaleString("en"); };
  window.ternReport = { charts: [] };

  // ---- summary
  var first = N > 0 ? A.time[0] : null, last = N > 0 ? A.time[N - 1] : null;
  var execs = R.reduce(function (s, r) { return s + r.executions; }, 0);
  $("summary").textContent = fmt(N) + " alerts from " + fmt(R.filter(function (r) { return r.alerts > 0; }).length) + " of " + fmt(R.length) + " rules, " +
    fmt(execs) + " executions with events" + (first !== null ? ", events " + iso(first) + " to " + iso(last) : "") + ".";

  // ---- alerts per day, one series per rule (the noisiest eight, the rest together)
  var byCount = R.map(function (r, i) { return i; }).filter(function (i) { return R[i].alerts > 0; }).sort(function (a, b) { return R[b].alerts - R[a].alerts || (R[a].name < R[b].name ? -1 : 1); });
  var shown = byCount.slice(0, 8), other = byCount.length > 8;
  var slot = {}; shown.forEach(function (ri, k) { slot[ri] = k; });
  var DAY = 86400000, days = [], dayIndex = {};
  for (var i = 0; i < N; i++) { var d = Math.floor(A.time[i] / DAY) * DAY; if (dayIndex[d] === undefined) { dayIndex[d] = days.length; days.push(d); } }
  days.sort(function (a, b) { return a - b; });
  // the days between with no alert are zeros (up to 100 years), so the lines do not bridge them
  if (days.length > 1 && (days[days.length - 1] - days[0]) / DAY < 36600) { var all = []; for (var t = days[0]; t <= days[days.length - 1]; t += DAY) all.push(t); days = all; }
  days.forEach(function (d, k) { dayIndex[d] = k; });
  var series = shown.map(function () { return days.map(function () { return 0; }); });
  if (other) series.push(days.map(function () { return 0; }));
  for (i = 0; i < N; i++) {
    var k = slot[A.rule[i]]; if (k === undefined) k = shown.length;
    series[k][dayIndex[Math.floor(A.time[i] / DAY) * DAY]]++;
  }
  var width = function () { return Math.max(320, Math.min(1200, document.body.clientWidth - 48)); };
  var perDay = new uPlot({
    width: width(), height: 260, title: "Alerts per day",
    scales: { x: { time: true } },
    series: [{}].concat(shown.map(function (ri, k) { return { label: R[ri].name, stroke: COLORS[k], width: 2, points: { show: true } }; }), other ? [{ label: "other rules", stroke: COLORS[8], width: 2 }] : []),
    axes: [{}, { label: "alerts" }]
  }, [days.map(function (d) { return d / 1000; })].concat(series), $("chart-days"));
  window.ternReport.charts.push(perDay);

  // ---- timeline: executions and alerts per hour
  var timeline = new uPlot({
    width: width(), height: 220, title: "Executions and alerts per hour",
    scales: { x: { time: true } },
    series: [{}, { label: "executions with events", stroke: "#555", width: 1 }, { label: "alerts", stroke: "#d62728", width: 2 }],
    axes: [{}, {}]
  }, [D.hours.t.map(function (t) { return t / 1000; }), D.hours.executions, D.hours.alerts], $("chart-hours"));
  window.ternReport.charts.push(timeline);

  // ---- noisiest rules and each rule's funnel, in one order: rules with alerts by count, then the others
  var ruleOrder = byCount.concat(R.map(function (r, i) { return i; }).filter(function (i) { return R[i].alerts === 0; }));
  var rulesBody = $("rules").querySelector("tbody");
  ruleOrder.forEach(function (ri) {
    var r = R[ri], tr = el("tr");
    [r.name, r.type, r.severity, fmt(r.alerts), N > 0 ? (100 * r.alerts / N).toFixed(1) + " %" : "", fmt(r.executions), fmt(r.executionsWithAlerts), fmt(r.duplicates), fmt(r.warnings)].forEach(function (v, c) { tr.appendChild(el("td", v, c >= 3 ? "num" : "")); });
    rulesBody.appendChild(tr);
  });

  // ---- each rule's funnel (new_terms alone has the new-term step)
  var funnelBody = $("funnel").querySelector("tbody");
  ruleOrder.forEach(function (ri) {
    var r = R[ri], f = r.funnel;
    if (f === null) return;
    var tr = el("tr");
    tr.appendChild(el("td", r.name));
    D.funnelSteps.forEach(function (name) {
      var s = f.steps.filter(function (x) { return x.step === name; })[0];
      tr.appendChild(el("td", s === undefined ? "\u2013" : fmt(s.count), "num"));
    });
    tr.appendChild(el("td", f.why === null ? "" : f.why));
    funnelBody.appendChild(tr);
  });

  // ---- top values
  function top(col, into) {
    var count = {};
    for (var i = 0; i < N; i++) if (col[i] !== 0) count[col[i]] = (count[col[i]] || 0) + 1;
    var list = Object.keys(count).sort(function (a, b) { return count[b] - count[a] || (S[a] < S[b] ? -1 : 1); }).slice(0, 10);
    var ol = $(into);
    if (list.length === 0) ol.appendChild(el("li", "(none)"));
    list.forEach(function (s) { var li = el("li"); li.appendChild(el("span", S[s], "v")); li.appendChild(el("span", fmt(count[s]), "num")); ol.appendChild(li); });
  }
  top(A.terms, "top-terms"); top(A.host, "top-hosts"); top(A.process, "top-processes");

  // ---- each rule's metadata
  var meta = $("rule-meta");
  R.forEach(function (r) {
    var det = el("details"), sum = el("summary", r.name + " (" + r.severity + (r.riskScore !== null ? ", risk " + r.riskScore : "") + ")");
    det.appendChild(sum);
    var dl = el("dl");
    function row(k, v) { if (v === "" || (Array.isArray(v) && v.length === 0)) return; dl.appendChild(el("dt", k)); var dd = el("dd"); if (Array.isArray(v)) { var ul = el("ul"); v.forEach(function (x) { ul.appendChild(el("li", x)); }); dd.appendChild(ul); } else dd.textContent = v; dl.appendChild(dd); }
    row("rule_id", r.ruleId); row("type", r.type); row("description", r.description); row("query", r.query);
    row("MITRE tactics", r.tactics); row("MITRE techniques", r.techniques); row("references", r.references); row("false positives", r.falsePositives);
    det.appendChild(dl); meta.appendChild(det);
  });

  // ---- alerts table: filtered indexes, only the rows in view in the document
  var ruleSel = $("f-rule"), sevSel = $("f-severity"), hostIn = $("f-host"), bbIn = $("f-bb");
  byCount.forEach(function (ri) { var o = el("option", R[ri].name + " (" + fmt(R[ri].alerts) + ")"); o.value = String(ri); ruleSel.appendChild(o); });
  ["critical", "high", "medium", "low"].forEach(function (s) { var o = el("option", s); o.value = s; sevSel.appendChild(o); });
  var ROW = 24, view = $("alerts-view"), spacer = $("alerts-spacer"), rowsBox = $("alerts-rows");
  var rows = [];
  function applyFilters() {
    var rule = ruleSel.value === "" ? -1 : Number(ruleSel.value), sev = sevSel.value, host = hostIn.value.toLowerCase(), bb = bbIn.checked;
    rows = [];
    for (var i = N - 1; i >= 0; i--) {
      if (rule >= 0 && A.rule[i] !== rule) continue;
      if (sev !== "" && S[A.severity[i]] !== sev) continue;
      if (host !== "" && S[A.host[i]].toLowerCase().indexOf(host) < 0) continue;
      if (!bb && A.buildingBlock[i] === 1) continue;
      rows.push(i);
    }
    $("alerts-count").textContent = fmt(rows.length) + " of " + fmt(N) + " alerts";
    spacer.style.height = rows.length * ROW + "px";
    view.scrollTop = 0;
    draw();
  }
  function draw() {
    var from = Math.floor(view.scrollTop / ROW), to = Math.min(rows.length, from + Math.ceil(view.clientHeight / ROW) + 2);
    rowsBox.style.transform = "translateY(" + from * ROW + "px)";
    rowsBox.textContent = "";
    for (var k = from; k < to; k++) {
      var i = rows[k], tr = el("div", undefined, "row sev-" + S[A.severity[i]]);
      [iso(A.time[i]), R[A.rule[i]].name, S[A.severity[i]], S[A.host[i]], S[A.process[i]], S[A.terms[i]]].forEach(function (v) { tr.appendChild(el("span", v)); });
      tr.title = A.id[i];
      rowsBox.appendChild(tr);
    }
  }
  view.addEventListener("scroll", function () { window.requestAnimationFrame(draw); });
  [ruleSel, sevSel, bbIn].forEach(function (c) { c.addEventListener("change", applyFilters); });
  hostIn.addEventListener("input", applyFilters);
  window.addEventListener("resize", function () { window.ternReport.charts.forEach(function (c) { c.setSize({ width: width(), height: c.height }); }); });
  applyFilters();
  window.ternReport.ready = performance.now();
})();
`;
