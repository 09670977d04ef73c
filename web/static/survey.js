/* Survey results: satisfied and dissatisfied % per service (Chart.js served by the app). */
(function () {
  var node = document.getElementById("survey-chart");
  var cfg = document.getElementById("survey-chart-config");
  if (!node || !cfg || !window.Chart) return;
  var data = JSON.parse(cfg.textContent);
  new window.Chart(node, {
    type: "bar",
    data: { labels: data.labels, datasets: [
      { label: "%", data: data.satisfied, backgroundColor: "#1b6e3a" },
      { label: "%", data: data.dissatisfied, backgroundColor: "#b3261e" } ] },
    options: { indexAxis: "y", scales: { x: { min: 0, max: 100 } }, plugins: { legend: { display: false } } }
  });
  document.body.setAttribute("data-survey-chart", "ready");
})();
