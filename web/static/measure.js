/* The % of requests completed within the SLA time, month by month, per service (Chart.js served by the app). */
(function () {
  var node = document.getElementById("measure-chart");
  var cfg = document.getElementById("measure-config");
  if (!node || !cfg || !window.Chart) return;
  var data = JSON.parse(cfg.textContent);
  var colours = ["#1f4e8c", "#1b6e3a", "#b36b00", "#7a3e9d", "#b3261e"];
  new window.Chart(node, {
    type: "line",
    data: { labels: data.months, datasets: data.series.map(function (name, i) {
      return { label: name, data: data.values[i].map(function (v) { return v === null ? null : Number(v); }),
               borderColor: colours[i % colours.length], spanGaps: true };
    }) },
    options: { scales: { y: { min: 0, max: 100 } } }
  });
  document.body.setAttribute("data-measure-chart", "ready");
})();
