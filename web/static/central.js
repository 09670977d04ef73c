/* Charts of the central office page (Chart.js served by the app). */
(function () {
  "use strict";
  var node = document.getElementById("chart-config");
  if (!node || !window.Chart) return;
  var cfg = JSON.parse(node.textContent);
  var th = document.documentElement.lang !== "en";
  new window.Chart(document.getElementById("score-chart"), {
    type: "bar",
    data: { labels: ["0–1", "1–2", "2–3", "3–4", "4–5"],
            datasets: [{ label: th ? "จำนวนหน่วยงาน" : "Agencies", data: cfg.distribution, backgroundColor: "#1f4e8c" }] },
    options: { animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
  new window.Chart(document.getElementById("stage-chart"), {
    type: "bar",
    data: { labels: cfg.stages, datasets: [
      { label: th ? "เสร็จแล้ว" : "Done", data: cfg.done, backgroundColor: "#1b6e3a" },
      { label: th ? "กำลังดำเนินการ" : "In progress", data: cfg.current, backgroundColor: "#e0a000" }] },
    options: { animation: false, indexAxis: "y", scales: { x: { stacked: true, beginAtZero: true }, y: { stacked: true } } }
  });
  document.body.setAttribute("data-charts", "ready");
})();
