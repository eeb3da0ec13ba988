// Big-screen refresh: fetch the figures every N seconds and redraw; the page itself holds no data.
(function () {
  "use strict";
  var root = document.getElementById("screen");
  var url = root.dataset.url;
  var refresh = (parseInt(root.dataset.refresh, 10) || 15) * 1000;
  var COLORS = { red: "#ff5b5b", yellow: "#ffd43b", green: "#51cf66" };
  var charts = {};
  // The page's words in its language (screen.html renders them translated); Chinese when absent.
  var T = {
    red: "红灯", yellow: "黄灯", green: "绿灯", accepted: "受理", concluded: "办结", whole: "整个办件",
    noOverdue: "当前没有超期办件", noSteps: "本部门没有待办环节", denied: "无权查看",
    expired: "登录已过期，请重新登录", failed: "刷新失败：",
  };
  var labels = document.getElementById("screen-labels");
  if (labels) Object.assign(T, JSON.parse(labels.textContent));

  function chart(id) {
    var el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") return null;
    if (!charts[id]) charts[id] = echarts.init(el, "dark", { renderer: "canvas" });
    return charts[id];
  }

  function setText(id, value) {
    var el = document.getElementById(id);
    if (el) el.textContent = value;
  }

  function cell(row, text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    row.appendChild(td);
  }

  function fillTable(id, rows, columns, emptyText) {
    var table = document.getElementById(id);
    if (!table) return;
    var body = table.tBodies[0];
    body.replaceChildren();
    if (!rows.length) {
      var tr = document.createElement("tr");
      tr.className = "empty";
      cell(tr, emptyText);
      tr.firstChild.colSpan = columns.length;
      body.appendChild(tr);
      return;
    }
    rows.forEach(function (r) {
      var tr = document.createElement("tr");
      columns.forEach(function (c) { cell(tr, c[0](r), c[1]); });
      body.appendChild(tr);
    });
  }

  function drawLights(departments) {
    var c = chart("chart-lights");
    if (!c) return;
    var names = departments.map(function (d) { return d.department; });
    c.setOption({
      backgroundColor: "transparent",
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { data: [T.red, T.yellow, T.green], top: 0, right: 8 },
      grid: { left: 8, right: 16, bottom: 8, top: 40, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: names, inverse: true },
      series: [[T.red, "red"], [T.yellow, "yellow"], [T.green, "green"]].map(function (s) {
        return {
          name: s[0], type: "bar", stack: "lights", itemStyle: { color: COLORS[s[1]] },
          data: departments.map(function (d) { return d[s[1]]; }),
        };
      }),
    }, true);
  }

  function drawTrend(trend) {
    var c = chart("chart-trend");
    if (!c) return;
    c.setOption({
      backgroundColor: "transparent",
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { data: [T.accepted, T.concluded], top: 0, right: 8 },
      grid: { left: 8, right: 16, bottom: 8, top: 40, containLabel: true },
      xAxis: { type: "category", data: trend.days.map(function (d) { return d.slice(5); }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: T.accepted, type: "line", smooth: true, data: trend.accepted, itemStyle: { color: "#4dabf7" } },
        { name: T.concluded, type: "line", smooth: true, data: trend.concluded, itemStyle: { color: "#51cf66" } },
      ],
    }, true);
  }

  function render(data) {
    setText("data-at", data.at);
    setText("count-red", data.lights.total.red);
    setText("count-yellow", data.lights.total.yellow);
    setText("count-green", data.lights.total.green);
    setText("count-step-red", data.steps.total.red);
    setText("count-step-yellow", data.steps.total.yellow);
    setText("today-received", data.today.received);
    setText("today-concluded", data.today.concluded);
    drawLights(data.lights.departments);
    drawTrend(data.trend);
    fillTable("overdue", data.overdue, [
      [function (r) { return r.number; }],
      [function (r) { return r.item; }],
      [function (r) { return r.step || T.whole; }],
      [function (r) { return r.department; }],
      [function (r) { return r.due_at; }],
      [function (r) { return r.overdue; }, "late"],
    ], T.noOverdue);
    if (data.tasks) {
      fillTable("tasks", data.tasks.steps, [
        [function (r) { return r.step; }],
        [function (r) { return r.red; }, "late"],
        [function (r) { return r.yellow; }],
        [function (r) { return r.green; }],
      ], T.noSteps);
    }
  }

  function load() {
    var status = document.getElementById("status");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status === 403 ? T.denied : "HTTP " + r.status);
        if (r.redirected) throw new Error(T.expired);
        return r.json();
      })
      .then(function (data) {
        render(data);
        status.textContent = "";
        status.className = "";
        root.dataset.loaded = data.at;
      })
      .catch(function (err) {
        // Keep the last figures on screen; say the refresh failed.
        status.textContent = T.failed + err.message;
        status.className = "error";
      })
      .finally(function () { setTimeout(load, refresh); });
  }

  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
  });
  load();
})();
