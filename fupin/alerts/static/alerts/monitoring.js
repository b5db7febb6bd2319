// The monitoring dashboard's charts (ECharts, served from our own static files). The figures
// come from the page itself (json_script), so the charts show exactly what the tables show.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("monitoring-charts");
  if (!source || typeof echarts === "undefined") return;
  const data = JSON.parse(source.textContent);
  const font = { fontFamily: getComputedStyle(document.body).fontFamily };
  const charts = [];
  const draw = (id, option, rows) => {
    const element = document.getElementById(id);
    if (!element) return;
    // Bar charts grow with their rows, so a few bars stay slim and many stay readable.
    if (rows !== undefined) element.style.height = `${Math.max(160, rows * 36 + 70)}px`;
    const chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption({ textStyle: font, ...option });
    charts.push(chart);
  };
  const bars = (labels) => ({
    grid: { left: 16, right: 24, top: 32, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis" },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: labels, inverse: true, axisLabel: { fontFamily: font.fontFamily } },
  });
  draw("chart-rule", {
    ...bars(data.by_rule.labels),
    series: [
      { type: "bar", name: data.names.active, data: data.by_rule.values, barMaxWidth: 22, itemStyle: { color: "#e65100" } },
    ],
  }, data.by_rule.labels.length);
  draw("chart-place", {
    ...bars(data.by_place.labels),
    legend: { top: 0 },
    series: [
      { type: "bar", name: data.names.active, data: data.by_place.active, barMaxWidth: 14, itemStyle: { color: "#90a4ae" } },
      { type: "bar", name: data.names.overdue, data: data.by_place.overdue, barMaxWidth: 14, itemStyle: { color: "#c62828" } },
    ],
  }, data.by_place.labels.length);
  draw("chart-category", {
    tooltip: { trigger: "item" },
    legend: { bottom: 0 },
    series: [{ type: "pie", radius: ["40%", "70%"], data: data.categories, label: { formatter: "{b}: {c}" } }],
  });
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
});
