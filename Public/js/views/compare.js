// Compare several jobs: one metric's curves overlaid with a legend, their results side by
// side, and only the hyperparameters in which they differ.
import * as api from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { differingPaths } from '../jsonPaths.js';
import { createLineChart, PALETTE } from '../chart.js';
import { formatDuration, formatNumber, formatPercent, formatValue } from '../format.js';
import { errorBox, statusBadge } from '../components.js';

export const METRICS = [
  ['loss', 'Loss'], ['lr', 'Learning rate'], ['images_per_s', 'Throughput (images/s)'],
  ['knn_accuracy', 'kNN accuracy'], ['linear_accuracy', 'Linear-probe accuracy'],
  ['alignment', 'Alignment'], ['uniformity', 'Uniformity'],
];

const RESULT_ROWS = [
  ['knn_accuracy', 'kNN accuracy', formatPercent, 1], ['linear_accuracy', 'Linear-probe accuracy', formatPercent, 1],
  ['baseline_knn_accuracy', 'Baseline kNN accuracy', formatPercent, 0],
  ['raw_knn_accuracy', 'Raw-input kNN accuracy', formatPercent, 0],
  ['alignment', 'Alignment', formatNumber, -1], ['uniformity', 'Uniformity', formatNumber, -1],
  ['final_loss', 'Final loss', formatNumber, -1], ['seconds', 'Time', formatDuration, -1],
];

function parseIds(text) {
  return [...new Set((text || '').split(/[\s,]+/).map((x) => x.trim()).filter(Boolean))];
}

export function mountCompare(root, route) {
  const ids = parseIds(route.query.get('ids'));
  let metric = route.query.get('metric') || 'loss';
  let stopped = false;
  const controller = new AbortController();
  const jobs = new Map();
  const cache = new Map();

  const idsInput = h('input', { type: 'text', value: ids.join(', '), 'data-testid': 'compare-ids', size: 48,
    'aria-label': 'Job ids, separated by commas', placeholder: 'job ids, comma separated' });
  const select = h('select', { 'data-testid': 'compare-metric', 'aria-label': 'Metric',
    onchange: () => { metric = select.value; setHash(); drawChart(); } },
  METRICS.map(([k, label]) => h('option', { value: k, selected: k === metric }, label)));
  const isAccuracy = (name) => name.endsWith('accuracy');
  const percentFormat = (v) => `${Number((v * 100).toFixed(1))}%`;
  const charts = new Map();
  const chartBox = h('div', { class: 'compare-chart' });
  const chartFor = (name) => {
    if (!charts.has(name)) {
      charts.set(name, createLineChart({ testid: 'chart-compare', title: METRICS.find(([k]) => k === name)?.[1] || name,
        yFormat: isAccuracy(name) ? percentFormat : undefined }));
    }
    return charts.get(name);
  };
  const errors = h('div');
  const results = h('div', { 'data-testid': 'compare-results' });
  const diff = h('div', { 'data-testid': 'compare-diff' });
  const body = h('div');

  function setHash() {
    const q = `#/compare?ids=${ids.map(encodeURIComponent).join(',')}&metric=${metric}`;
    history.replaceState(null, '', q);
  }

  root.append(h('section', { class: 'page compare-page', 'data-testid': 'compare-page' },
    h('div', { class: 'page-head' }, h('h1', {}, 'Compare jobs')),
    h('form', { class: 'toolbar', onsubmit: (ev) => {
      ev.preventDefault();
      location.hash = `#/compare?ids=${parseIds(idsInput.value).map(encodeURIComponent).join(',')}&metric=${metric}`;
    } }, h('label', {}, 'Jobs ', idsInput), h('button', { type: 'submit' }, 'Show'), h('label', {}, 'Metric ', select)),
    errors, body));

  if (ids.length === 0) {
    body.append(h('p', { class: 'muted' }, 'Choose jobs to compare:'));
    pickFromRecent();
    return () => { stopped = true; controller.abort(); };
  }
  body.append(chartBox, h('h2', {}, 'Results'), results, h('h2', {}, 'Hyperparameters that differ'), diff);

  async function pickFromRecent() {
    try {
      const list = (await api.listJobs({ limit: 30 }, controller.signal)).jobs || [];
      if (stopped) return;
      const chosen = new Set();
      const go = h('button', { type: 'button', class: 'primary', disabled: true,
        onclick: () => { location.hash = `#/compare?ids=${[...chosen].map(encodeURIComponent).join(',')}`; } }, 'Compare');
      body.append(h('ul', { class: 'pick-list' }, list.map((j) => {
        const box = h('input', { type: 'checkbox', onchange: () => {
          if (box.checked) chosen.add(j.id); else chosen.delete(j.id);
          go.disabled = chosen.size < 2;
        } });
        return h('li', {}, h('label', {}, box, ` ${j.name || j.id} `, statusBadge(j.status), h('span', { class: 'muted small mono' }, ` ${j.id}`)));
      })), go);
    } catch (err) {
      if (!stopped && err.name !== 'AbortError') errors.append(errorBox(err));
    }
  }

  const loaded = () => ids.filter((id) => jobs.has(id));
  const colorOf = (id) => PALETTE[ids.indexOf(id) % PALETTE.length];
  const labelOf = (id) => {
    const j = jobs.get(id);
    const same = loaded().filter((x) => jobs.get(x).name === j.name).length > 1;
    return same ? `${j.name} (${id})` : (j.name || id);
  };

  async function points(id, name) {
    const key = `${id}\n${name}`;
    if (!cache.has(key)) {
      cache.set(key, api.getMetrics(id, { name, maxPoints: 1000 }, controller.signal)
        .then((b) => ((b.metrics || []).find((m) => m.name === name) || { points: [] }).points)
        .catch(() => []));
    }
    return cache.get(key);
  }

  async function drawChart() {
    const want = metric;
    const series = await Promise.all(loaded().map(async (id) => ({
      label: labelOf(id), color: colorOf(id), points: (await points(id, want)).map((p) => ({ step: p.step, value: p.value })),
    })));
    if (stopped || want !== metric) return;
    const chart = chartFor(want);
    replaceChildren(chartBox, chart.element);
    chart.update(series);
  }

  function renderTables() {
    const ok = loaded();
    const head = h('tr', {}, h('th', {}, ''), ok.map((id) => h('th', { scope: 'col' },
      h('span', { class: 'swatch', style: `background:${colorOf(id)}` }),
      h('a', { href: `#/jobs/${encodeURIComponent(id)}` }, labelOf(id)), ' ', statusBadge(jobs.get(id).status))));
    const resRows = RESULT_ROWS.filter(([k]) => ok.some((id) => jobs.get(id).result?.[k] !== undefined)).map(([k, label, fmt, better]) => {
      const vals = ok.map((id) => jobs.get(id).result?.[k]);
      const nums = vals.filter((v) => typeof v === 'number');
      const best = better === 0 || nums.length < 2 ? null : (better > 0 ? Math.max(...nums) : Math.min(...nums));
      return h('tr', { 'data-metric': k }, h('th', { scope: 'row' }, label),
        vals.map((v) => h('td', { class: ['num', v === best ? 'best' : null] }, v === undefined ? '—' : fmt(v))));
    });
    replaceChildren(results, resRows.length
      ? h('table', { class: 'kv compare-table', 'data-testid': 'compare-results-table' }, h('thead', {}, head), h('tbody', {}, resRows))
      : h('p', { class: 'muted' }, 'No results yet.'));
    const rows = differingPaths(ok.map((id) => {
      const { name, ...doc } = jobs.get(id).job || {};
      return doc;
    }));
    replaceChildren(diff, rows.length
      ? h('table', { class: 'kv compare-table', 'data-testid': 'diff-table' }, h('thead', {}, head.cloneNode(true)),
        h('tbody', {}, rows.map((r) => h('tr', { 'data-testid': 'diff-row', 'data-path': r.path },
          h('th', { scope: 'row' }, h('code', {}, r.path)), r.values.map((v) => h('td', { class: 'mono' }, formatValue(v)))))))
      : h('p', { class: 'muted', 'data-testid': 'no-diff' }, ok.length < 2 ? 'Add another job to compare.' : 'The jobs have identical hyperparameters.'));
  }

  (async () => {
    const got = await Promise.allSettled(ids.map((id) => api.getJob(id, controller.signal)));
    if (stopped) return;
    got.forEach((g, i) => {
      if (g.status === 'fulfilled') jobs.set(ids[i], g.value);
      else if (g.reason?.name !== 'AbortError') errors.append(errorBox({ ...g.reason, message: `${ids[i]}: ${g.reason.message}` }));
    });
    renderTables();
    drawChart();
  })();

  return () => { stopped = true; controller.abort(); };
}
