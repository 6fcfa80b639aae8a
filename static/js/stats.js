// Draws the dashboard's charts from the JSON the page carries; each chart has its table beside it.
(function () {
  "use strict";
  const source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const kinds = { per_day: "line", services: "bar", prevented: "bar", per_lawyer: "bar" };
  Object.keys(kinds).forEach(function (name) {
    const canvas = document.getElementById("chart-" + name);
    if (!canvas || !data[name]) return;
    new Chart(canvas, {
      type: kinds[name],
      data: { labels: data[name].labels, datasets: [{ data: data[name].values, backgroundColor: "#1f6feb", borderColor: "#1f6feb" }] },
      options: { animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
    });
  });
})();
