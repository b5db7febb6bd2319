// The statistics pages' charts (ECharts, served from our own static files). Every figure comes
// from the page itself (json_script "stats-data"), so the charts show what the tables show; the
// map's boundaries come from the same origin (map.json). Nothing is loaded from elsewhere.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("stats-data");
  if (!source || typeof echarts === "undefined") return;
  const data = JSON.parse(source.textContent);
  const font = { fontFamily: getComputedStyle(document.body).fontFamily };
  const charts = [];
  const missing = (v) => v === null || v === undefined || Number.isNaN(Number(v));
  const fmt = (v, places) =>
    missing(v)
      ? "—"
      : Number(v).toLocaleString(undefined, { minimumFractionDigits: places, maximumFractionDigits: places });
  const init = (id) => {
    const element = document.getElementById(id);
    if (!element) return null;
    const chart = echarts.init(element);
    charts.push(chart);
    return chart;
  };
  const draw = (id, option) => {
    const chart = init(id);
    if (chart) chart.setOption({ textStyle: font, ...option });
    return chart;
  };
  const go = (url) => {
    if (url) window.location.href = url;
  };

  // Trend lines, one small chart per indicator: their units differ (people, %, yuan).
  const trend = data.trend || { years: [], series: [] };
  trend.series.forEach((s) => {
    draw(`chart-trend-${s.key}`, {
      title: {
        text: s.unit ? `${s.name} (${s.unit})` : s.name,
        left: 0,
        textStyle: { fontSize: 13, fontWeight: "normal", fontFamily: font.fontFamily },
      },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", valueFormatter: (v) => fmt(v, s.places) },
      xAxis: { type: "category", data: trend.years.map(String), boundaryGap: false },
      yAxis: { type: "value" },
      series: [{ type: "line", name: s.name, data: s.values, symbolSize: 6, itemStyle: { color: "#b71c1c" } }],
    });
  });

  // Compositions.
  const pie = (id, parts) =>
    draw(id, {
      tooltip: { trigger: "item" },
      legend: { bottom: 0, type: "scroll" },
      series: [
        {
          type: "pie",
          radius: ["35%", "62%"],
          center: ["50%", "44%"],
          data: parts.map((p) => ({ name: p.name, value: p.value })),
          label: { formatter: "{b}: {c}" },
        },
      ],
    });
  // Bar charts grow with their rows, so a few bars stay slim and many stay readable.
  const bars = (id, labels, values, places, color) => {
    const element = document.getElementById(id);
    if (!element) return null;
    element.style.height = `${Math.max(160, labels.length * 30 + 60)}px`;
    return draw(id, {
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", valueFormatter: (v) => fmt(v, places) },
      xAxis: { type: "value" },
      // Long names (湘西土家族苗族自治州) are cut rather than pushed off the chart's left edge.
      yAxis: { type: "category", data: labels, inverse: true, axisLabel: { width: 96, overflow: "truncate" } },
      series: [
        {
          type: "bar",
          data: values,
          barMaxWidth: 18,
          itemStyle: { color },
          label: { show: true, position: "right", formatter: (p) => fmt(p.value, places) },
        },
      ],
    });
  };
  const composition = data.composition || {};
  if (composition.income?.length) pie("chart-income", composition.income);
  if (composition.monitored?.length) pie("chart-monitored", composition.monitored);
  for (const [id, parts] of [
    ["chart-causes", composition.causes],
    ["chart-shortfalls", composition.shortfalls],
  ]) {
    if (parts?.length) bars(id, parts.map((p) => p.name), parts.map((p) => p.value), 0, "#5c6bc0");
  }

  // The ranking of the sub-areas: a bar opens that sub-area, like the table's link.
  const ranking = data.ranking || [];
  if (ranking.length && data.indicator) {
    const chart = bars(
      "chart-ranking",
      ranking.map((r) => r.name),
      ranking.map((r) => r.value),
      data.indicator.places,
      "#e65100",
    );
    if (chart) chart.on("click", (p) => go(ranking[p.dataIndex]?.url));
  }

  // The county map: boundaries registered locally under the area's code, matched by adcode.
  if (data.map && document.getElementById("chart-map")) {
    const element = document.getElementById("chart-map");
    fetch(data.map.url, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((geo) => {
        echarts.registerMap(data.code, geo);
        const names = Object.fromEntries(geo.features.map((f) => [f.properties.adcode, f.properties.name]));
        const places = data.indicator.places;
        const bands = data.map.bands || [];
        const chart = init("chart-map");
        chart.on("finished", () => {
          element.dataset.ready = "1";
        });
        chart.setOption({
          textStyle: font,
          tooltip: { trigger: "item", formatter: (p) => `${names[p.name] || p.name}: ${fmt(p.value, places)}` },
          // The legend says numbers: the server's bands (lowest to highest county value),
          // each with its bounds; the same bands are listed under the map in the page.
          visualMap: bands.length
            ? {
                type: "piecewise",
                pieces: bands.map((b) =>
                  b.last
                    ? { gte: b.min, lte: b.max, label: b.label, color: b.color }
                    : { gte: b.min, lt: b.max, label: b.label, color: b.color },
                ),
                left: 0,
                bottom: 0,
                itemWidth: 14,
                itemHeight: 10,
                textStyle: { fontSize: 11 },
              }
            : { show: false, min: 0, max: 1, inRange: { color: ["#eceff1"] } },
          series: [
            {
              type: "map",
              map: data.code,
              nameProperty: "adcode",
              roam: false,
              selectedMode: false,
              layoutCenter: ["50%", "50%"],
              layoutSize: "95%",
              data: data.map.data.map((d) => ({ name: d.name, value: missing(d.value) ? NaN : d.value })),
              // Names on the regions only where they fit (a prefecture, not a province's 122).
              label: { show: geo.features.length <= 20, fontSize: 10, formatter: (p) => names[p.name] || "" },
              emphasis: { label: { show: true, formatter: (p) => names[p.name] || "" } },
              itemStyle: { borderColor: "#fff", borderWidth: 0.5, areaColor: "#eceff1" },
            },
          ],
        });
        chart.on("click", (p) => go(data.map.links[p.name]));
      })
      .catch(() => {
        element.dataset.failed = "1";
      });
  }

  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
});
