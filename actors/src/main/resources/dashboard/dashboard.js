/*
 * ctta live dashboard: polls GET api/series every second (format: docs/dashboard.md) and draws one
 * chart per metric with one line per pipeline, drift events marked on the quality charts.
 * Charts come from Chart.js, served from the org.webjars.npm:chart.js jar (see index.html).
 *
 * Hooks for tests (docs/dashboard.md): #dashboard[data-state] is loading | live | error;
 * [data-pipeline], [data-chart] and #dashboard carry data-points and data-drift-events counts;
 * #nodes-table[data-state] is loading | live | error, one tr[data-node] per cluster member.
 */
'use strict';

(function () {
  const POLL_MS = 1000;
  const MAX_POINTS = 3600; // per pipeline: an hour at one point per second
  const MAX_EVENTS = 500; // per pipeline
  const TABLE_ROWS = 50;
  const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];
  const LEVEL_COLOURS = { drift: '#c62828', warning: '#ef8f00' };

  /** The charts: which point field each plots, its y range, and whether drift events are marked on it. */
  const METRICS = [
    { key: 'accuracy', min: 0, max: 1, markers: true, format: (v) => (100 * v).toFixed(1) + ' %' },
    { key: 'entropy', min: 0, max: undefined, markers: true, format: (v) => v.toFixed(3) },
    { key: 'confidence', min: 0, max: 1, markers: true, format: (v) => (100 * v).toFixed(1) + ' %' },
    { key: 'throughput', min: 0, max: undefined, markers: false, format: (v) => v.toFixed(0) + ' /s' },
  ];

  const root = document.getElementById('dashboard');
  const statusEl = document.getElementById('status');
  const pipelinesEl = document.getElementById('pipelines');
  const eventsEl = document.getElementById('events');
  const nodesEl = document.getElementById('nodes');
  const nodesTable = document.getElementById('nodes-table');
  const NODES_POLL_MS = 5000;

  /** Everything received so far: pipeline name → { name, strategy, colour, points, drift, driftKeys, element }. */
  const pipelines = new Map();
  let lastNow = null;
  const charts = new Map(); // metric key → Chart

  function setStatus(text, error) {
    statusEl.textContent = text;
    statusEl.classList.toggle('error', Boolean(error));
  }

  function isNumber(v) {
    return typeof v === 'number' && Number.isFinite(v);
  }

  function createCharts() {
    if (typeof window.Chart !== 'function') {
      root.dataset.state = 'error';
      setStatus('Chart.js is missing: the page needs /webjars/chart.js/4.5.1/dist/chart.umd.js (org.webjars.npm:chart.js:4.5.1 on the classpath).', true);
      return false;
    }
    for (const metric of METRICS) {
      const canvas = document.getElementById('chart-' + metric.key);
      charts.set(metric.key, new window.Chart(canvas, {
        type: 'line',
        data: { datasets: [] },
        options: {
          animation: false,
          parsing: false,
          normalized: true,
          responsive: true,
          maintainAspectRatio: false,
          interaction: { mode: 'nearest', axis: 'x', intersect: false },
          scales: {
            x: { type: 'linear', title: { display: true, text: 'seconds since start' }, ticks: { maxTicksLimit: 10 } },
            y: { min: metric.min, max: metric.max, beginAtZero: true },
          },
          plugins: {
            legend: { labels: { filter: (item, data) => !data.datasets[item.datasetIndex].isMarker } },
            tooltip: {
              callbacks: {
                label: (ctx) => {
                  const raw = ctx.raw;
                  if (ctx.dataset.isMarker) {
                    return `${ctx.dataset.pipeline}: ${raw.level} (${raw.detector}, ${raw.signal}) at ${raw.x.toFixed(1)} s`;
                  }
                  return `${ctx.dataset.label}: ${isNumber(raw.y) ? metric.format(raw.y) : 'n/a'}`;
                },
              },
            },
          },
        },
      }));
    }
    return true;
  }

  function pipelineState(name, strategy) {
    let p = pipelines.get(name);
    if (!p) {
      const colour = PALETTE[pipelines.size % PALETTE.length];
      const element = document.createElement('li');
      element.dataset.pipeline = name;
      element.style.setProperty('--swatch', colour);
      pipelinesEl.appendChild(element);
      p = { name, strategy: strategy || '', colour, points: [], drift: [], driftKeys: new Set(), element };
      pipelines.set(name, p);
    }
    if (strategy) {
      p.strategy = strategy;
    }
    return p;
  }

  /** Appends what is new in one response; tolerates a server that ignores ?since= (duplicates are dropped). */
  function merge(series) {
    if (!series || !Array.isArray(series.pipelines)) {
      throw new Error('unexpected response: no "pipelines" array');
    }
    if (isNumber(series.now) && lastNow !== null && series.now < lastNow) {
      reset(); // the runtime restarted: its clock began again
    }
    for (const incoming of series.pipelines) {
      if (!incoming || typeof incoming.name !== 'string') {
        continue;
      }
      const p = pipelineState(incoming.name, incoming.strategy);
      const lastT = p.points.length ? p.points[p.points.length - 1].t : -Infinity;
      for (const point of incoming.points || []) {
        if (point && isNumber(point.t) && point.t > lastT) {
          p.points.push(point);
        }
      }
      if (p.points.length > MAX_POINTS) {
        p.points.splice(0, p.points.length - MAX_POINTS);
      }
      for (const event of incoming.drift || []) {
        if (!event || !isNumber(event.t)) {
          continue;
        }
        const key = `${event.t}|${event.detector}|${event.signal}|${event.level}`;
        if (!p.driftKeys.has(key)) {
          p.driftKeys.add(key);
          p.drift.push(event);
        }
      }
      p.drift.sort((a, b) => a.t - b.t);
      if (p.drift.length > MAX_EVENTS) {
        for (const old of p.drift.splice(0, p.drift.length - MAX_EVENTS)) {
          p.driftKeys.delete(`${old.t}|${old.detector}|${old.signal}|${old.level}`);
        }
      }
    }
    if (isNumber(series.now)) {
      lastNow = series.now;
    }
  }

  function reset() {
    pipelines.clear();
    pipelinesEl.replaceChildren();
    eventsEl.replaceChildren();
    lastNow = null;
  }

  /** The metric's value at the last point at or before t, else at the first one after it (points are sorted by t); null when none has one. */
  function valueAt(points, key, t) {
    let lo = 0;
    let hi = points.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (points[mid].t <= t) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    for (let i = found; i >= 0; i--) {
      if (isNumber(points[i][key])) {
        return points[i][key];
      }
    }
    // An event before the first point (a point closes a second after its records; a short or
    // fast stream may drift within its first second) is marked at the first value plotted.
    for (let i = found + 1; i < points.length; i++) {
      if (isNumber(points[i][key])) {
        return points[i][key];
      }
    }
    return null;
  }

  function render() {
    let totalPoints = 0;
    let totalEvents = 0;
    for (const metric of METRICS) {
      const chart = charts.get(metric.key);
      const datasets = [];
      let plotted = 0;
      let markers = 0;
      for (const p of pipelines.values()) {
        const data = [];
        for (const point of p.points) {
          const v = point[metric.key];
          data.push({ x: point.t, y: isNumber(v) ? v : null });
          if (isNumber(v)) {
            plotted++;
          }
        }
        datasets.push({
          label: `${p.name} (${p.strategy})`,
          data,
          borderColor: p.colour,
          backgroundColor: p.colour,
          borderWidth: 2,
          pointRadius: 0,
          spanGaps: false,
        });
        if (metric.markers) {
          const marks = [];
          for (const event of p.drift) {
            const y = valueAt(p.points, metric.key, event.t);
            if (y !== null) {
              marks.push({ x: event.t, y, level: event.level, detector: event.detector, signal: event.signal });
            }
          }
          markers += marks.length;
          datasets.push({
            type: 'scatter',
            isMarker: true,
            pipeline: p.name,
            label: `${p.name} drift events`,
            data: marks,
            showLine: false,
            pointStyle: (ctx) => (ctx.raw && ctx.raw.level === 'warning' ? 'rectRot' : 'triangle'),
            pointRadius: 7,
            pointHoverRadius: 9,
            backgroundColor: (ctx) => LEVEL_COLOURS[ctx.raw && ctx.raw.level] || LEVEL_COLOURS.drift,
            borderColor: p.colour,
            borderWidth: 2,
          });
        }
      }
      if (chart) {
        chart.data.datasets = datasets;
        chart.update('none');
      }
      const figure = document.querySelector(`[data-chart="${metric.key}"]`);
      figure.dataset.points = String(plotted);
      figure.dataset.driftEvents = String(markers);
    }
    for (const p of pipelines.values()) {
      totalPoints += p.points.length;
      totalEvents += p.drift.length;
      renderPipeline(p);
    }
    renderEvents();
    root.dataset.pipelines = String(pipelines.size);
    root.dataset.points = String(totalPoints);
    root.dataset.driftEvents = String(totalEvents);
    if (lastNow !== null) {
      root.dataset.updated = String(lastNow);
    }
  }

  function renderPipeline(p) {
    const last = p.points.length ? p.points[p.points.length - 1] : {};
    const parts = [];
    for (const metric of METRICS) {
      if (isNumber(last[metric.key])) {
        parts.push(`${metric.key} ${metric.format(last[metric.key])}`);
      }
    }
    if (isNumber(last.modelVersion)) {
      parts.push(`model v${last.modelVersion}`);
    }
    parts.push(`${p.drift.filter((e) => e.level === 'drift').length} drifts`);
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = p.name;
    const strategy = document.createElement('span');
    strategy.className = 'strategy';
    strategy.textContent = p.strategy;
    const stats = document.createElement('div');
    stats.className = 'stats';
    stats.textContent = parts.join(' · ');
    p.element.replaceChildren(name, strategy, stats);
    p.element.dataset.strategy = p.strategy;
    p.element.dataset.points = String(p.points.length);
    p.element.dataset.driftEvents = String(p.drift.length);
  }

  function renderEvents() {
    const all = [];
    for (const p of pipelines.values()) {
      for (const e of p.drift) {
        all.push([p.name, e]);
      }
    }
    all.sort((a, b) => b[1].t - a[1].t);
    const rows = all.slice(0, TABLE_ROWS).map(([name, e]) => {
      const tr = document.createElement('tr');
      tr.dataset.driftEvent = '';
      tr.dataset.level = e.level;
      const cells = [
        isNumber(e.t) ? e.t.toFixed(1) : '',
        name,
        e.detector || '',
        e.signal || '',
        e.level || '',
        isNumber(e.statistic) ? e.statistic.toPrecision(4) : '',
        isNumber(e.threshold) ? e.threshold.toPrecision(4) : '',
      ];
      cells.forEach((text, i) => {
        const td = document.createElement('td');
        td.textContent = text;
        if (i === 4) {
          td.className = 'level-' + text;
        }
        tr.appendChild(td);
      });
      return tr;
    });
    eventsEl.replaceChildren(...rows);
  }

  async function poll() {
    const url = 'api/series' + (lastNow !== null ? '?since=' + encodeURIComponent(lastNow) : '');
    try {
      const response = await fetch(url, { cache: 'no-store', headers: { Accept: 'application/json' } });
      if (!response.ok) {
        throw new Error(`${url}: HTTP ${response.status}`);
      }
      merge(await response.json());
      render();
      root.dataset.state = 'live';
      const t = lastNow !== null ? ` · t = ${lastNow.toFixed(0)} s` : '';
      setStatus(`${pipelines.size} pipeline${pipelines.size === 1 ? '' : 's'}${t} · updated ${new Date().toLocaleTimeString()}`, false);
    } catch (err) {
      root.dataset.state = 'error';
      setStatus(`cannot read ${url}: ${err.message}; retrying`, true);
    } finally {
      window.setTimeout(poll, POLL_MS);
    }
  }

  /** One row per cluster member: its status, roles and models (format: docs/dashboard.md, "Nodes"). */
  function renderNodes(view) {
    const rows = view.nodes.map((n) => {
      const tr = document.createElement('tr');
      tr.dataset.node = n.address;
      tr.dataset.status = n.status;
      tr.dataset.answered = String(n.answered);
      tr.dataset.models = String(n.models.length);
      const models = n.answered
        ? n.models.map((m) => [
          // A partition's model: pipeline#N; a partition-scoped pipeline with none here says so.
          m.pipeline + (m.partition === null || m.partition === undefined ? '' : '#' + m.partition),
          m.scope === 'partition' && m.model === null ? 'no partition here' : '',
          m.strategy, 'v' + m.modelVersion, m.scope === 'key' ? m.keys + ' keys' : '', m.state,
          m.scope !== 'partition' && m.assigned.length ? 'partitions ' + m.assigned.join(',') : '',
        ].filter((x) => x !== '').join(' ')).join('; ')
        : 'not answering: ' + (n.error || 'unknown');
      const cells = [
        n.address + (n.self ? ' (this node)' : ''),
        n.status + (n.reachable ? '' : ', unreachable'),
        n.roles.join(', '),
        models,
      ];
      cells.forEach((text, i) => {
        const td = document.createElement('td');
        td.textContent = text;
        if ((i === 1 && !n.reachable) || (i === 3 && !n.answered)) {
          td.className = 'trouble';
        }
        tr.appendChild(td);
      });
      return tr;
    });
    nodesEl.replaceChildren(...rows);
    nodesTable.dataset.nodes = String(rows.length);
  }

  async function pollNodes() {
    try {
      const response = await fetch('api/cluster', { cache: 'no-store', headers: { Accept: 'application/json' } });
      if (!response.ok) {
        throw new Error(`api/cluster: HTTP ${response.status}`);
      }
      renderNodes(await response.json());
      nodesTable.dataset.state = 'live';
    } catch (err) {
      // The charts go on without the node list; the table says it is stale.
      nodesTable.dataset.state = 'error';
    } finally {
      window.setTimeout(pollNodes, NODES_POLL_MS);
    }
  }

  if (createCharts()) {
    poll();
  }
  pollNodes();
})();
