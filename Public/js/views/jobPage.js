// One job: status, progress, live charts (smoothing, log scale, zoom, x axis, CSV), the
// false-negative diagnostics, the embedding projection and the kNN evaluation per class,
// results against baselines, the resolved hyperparameters, logs, actions and downloads. Loads
// its state over REST, then follows the event stream while the job is queued or running.
import * as api from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { flatten } from '../jsonPaths.js';
import { createLineChart } from '../chart.js';
import { formatNumber, formatPercent, formatTime, formatValue, formatDuration } from '../format.js';
import { errorBox, isFinished, progressBar, statusBadge, toast } from '../components.js';
import { MetricStore } from '../metricStore.js';
import { stepsPerEpoch, xAxis } from '../xAxes.js';
import { metricsCSV } from '../metricsCsv.js';
import { saveText } from '../saveFile.js';
import { createScatter } from '../scatter.js';
import { confusionTable, perClassAccuracyChart } from '../confusion.js';
import { createHistogram } from '../histogram.js';

const percent = (v) => `${Number((v * 100).toFixed(1))}%`;

/** The charts of a job page; metrics not listed here get a chart of their own. */
export const CHARTS = [
  { key: 'loss', title: 'Loss', series: [['loss', 'loss']] },
  { key: 'lr', title: 'Learning rate', series: [['lr', 'lr']] },
  { key: 'images_per_s', title: 'Throughput (images/s)', series: [['images_per_s', 'images/s']] },
  { key: 'accuracy', title: 'kNN and linear-probe accuracy', yFormat: percent,
    note: 'kNN at each evaluation on the evaluation sample (at most 10,000 train and 2,000 test rows; all of smaller '
      + 'splits), the last point on the whole splits: on larger data a step up there comes from the larger train set.',
    series: [['knn_accuracy', 'kNN'], ['linear_accuracy', 'linear probe']] },
  { key: 'alignment', title: 'Alignment (lower is better)', series: [['alignment', 'alignment']] },
  { key: 'uniformity', title: 'Uniformity (lower is better)', series: [['uniformity', 'uniformity']] },
];

/** The loss's false-negative diagnostics: one chart of their own, shown when a job has them. */
export const DIAGNOSTICS = {
  key: 'diagnostics', title: 'Same-class share (false negatives)', yFormat: percent,
  series: [['fn_rate_all', 'all negatives'], ['fn_rate_hard', 'hard negatives'],
    ['fn_rate_synthetic_one', 'synthetic: one parent'], ['fn_rate_synthetic_both', 'synthetic: both parents'],
    ['fn_weight_share', 'share of negative weight']],
};

const MAX_LOG_LINES = 3000;
/** Keep-alives come every 15 s: this long without a byte means the stream is not live. */
export const STALE_AFTER_MS = 40_000;
const POLL_MS = 5_000;

export function mountJobPage(root, route) {
  const id = route.id;
  let job = null;
  let stream = null;
  let stopped = false;
  let drawTimer = null;
  let cursor = null;        // the event id the REST snapshot was read at: the stream continues after it
  let lastHeard = Date.now();
  let stale = false;
  let pollTimer = null;
  const controller = new AbortController();
  const metrics = new MetricStore();
  const logKeys = new Set();
  const charts = new Map();
  const view = { axis: 'step', smoothing: 0 };
  let projectionTimer = null;
  let projectionStep = null;
  let classNames = null;     // from the projection or the dataset, when known
  let datasetClassesAsked = false;
  const items = new Map();   // `${projection step}:${index}` → Promise of the item

  const head = h('div', { class: 'page-head job-head' });
  const actions = h('div', { class: 'actions', 'data-testid': 'job-actions' });
  const alerts = h('div');
  const progress = h('div', { class: 'job-progress' });
  const live = h('span', { class: 'live muted small', 'data-testid': 'stream-state' });
  const chartGrid = h('div', { class: 'chart-grid', 'data-testid': 'charts' });
  const axisSelect = h('select', { 'data-testid': 'chart-x-axis', onchange: () => { view.axis = axisSelect.value; drawCharts(); } },
    h('option', { value: 'step' }, 'step'), h('option', { value: 'epoch' }, 'epoch'), h('option', { value: 'time' }, 'time'));
  const smoothingValue = h('output', { 'data-testid': 'chart-smoothing-value' }, '0');
  const smoothing = h('input', { type: 'range', min: 0, max: 0.99, step: 0.01, value: 0, 'data-testid': 'chart-smoothing',
    'aria-label': 'Smoothing (EMA weight)',
    oninput: () => { view.smoothing = Number(smoothing.value); smoothingValue.textContent = smoothing.value; drawCharts(); } });
  const csvButton = h('button', { type: 'button', 'data-testid': 'download-metrics-csv', onclick: () => downloadCSV() }, 'Metrics (.csv)');
  const chartBar = h('div', { class: 'chart-toolbar', 'data-testid': 'chart-toolbar' },
    h('label', {}, 'x axis ', axisSelect),
    h('label', { title: 'Exponential moving average; the raw curve stays faint behind' }, 'smoothing ', smoothing, ' ', smoothingValue),
    h('span', { class: 'muted small' }, 'drag across a chart to zoom'), csvButton);
  const diagnosticsGrid = h('div', { class: 'chart-grid' });
  const histogram = createHistogram();
  diagnosticsGrid.append(histogram.element);
  const diagnostics = h('section', { class: 'job-diagnostics', 'data-testid': 'diagnostics', hidden: true },
    h('h2', {}, 'False-negative diagnostics'),
    h('p', { class: 'muted small' }, 'Measured with the batch labels (never used to train): the share of same-class rows among '
      + 'the negatives, the hardest negatives and the synthetic negatives\' parents, and the share of the loss\'s negative weight on them.'),
    diagnosticsGrid);
  const scatter = createScatter({ loadItem });
  const projectionBox = h('div', { class: 'projection', 'data-testid': 'projection-section', hidden: true },
    h('h3', {}, 'Projection of the test embeddings'), scatter.element);
  const perClassBox = h('div', { 'data-testid': 'per-class', hidden: true });
  const representation = h('section', { class: 'job-representation', 'data-testid': 'representation', hidden: true },
    h('h2', {}, 'The representation'), projectionBox, perClassBox);
  const resultBox = h('div', { 'data-testid': 'result' });
  const params = h('div', { 'data-testid': 'hyperparameters' });
  const logs = h('pre', { class: 'logs', 'data-testid': 'logs', tabindex: 0, 'aria-label': 'Logs' });
  const section = h('section', { class: 'page job-page', 'data-testid': 'job-page', 'data-job-id': id },
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, '← Jobs')),
    head, alerts, h('div', { class: 'job-bar' }, progress, actions),
    h('h2', {}, 'Training curves ', live), chartBar, chartGrid, diagnostics, representation,
    h('div', { class: 'two-col' },
      h('div', {}, h('h2', {}, 'Result'), resultBox),
      h('div', {}, h('h2', {}, 'Hyperparameters'), params)),
    h('h2', {}, 'Logs'), logs);
  root.append(section);

  for (const c of CHARTS) addChart(c);
  addChart(DIAGNOSTICS, diagnosticsGrid);

  function addChart(c, grid = chartGrid) {
    const chart = createLineChart({ testid: `chart-${c.key}`, title: c.title, note: c.note, yFormat: c.yFormat });
    charts.set(c.key, { ...c, chart });
    if (grid === diagnosticsGrid) grid.prepend(chart.element); else grid.append(chart.element);
  }

  function drawCharts() {
    drawTimer = null;
    const known = new Set([...CHARTS, DIAGNOSTICS].flatMap((c) => c.series.map(([name]) => name)));
    for (const name of metrics.names()) {
      if (!known.has(name) && !charts.has(name)) addChart({ key: name, title: name, series: [[name, name]] });
    }
    const axis = xAxis(view.axis, { perEpoch: stepsPerEpoch(job?.progress), origin: metrics.firstTime() });
    for (const c of charts.values()) {
      c.chart.update(c.series.map(([name, label]) => ({ label, points: metrics.points(name) })),
        { xAxis: axis, smoothing: view.smoothing });
    }
    if (DIAGNOSTICS.series.some(([name]) => metrics.points(name).length > 0)) diagnostics.hidden = false;
  }

  /** Every point of every metric (not the page's thinned copy) as CSV, for a spreadsheet or pandas. */
  async function downloadCSV() {
    csvButton.disabled = true;
    try {
      const m = await api.getMetrics(id, {}, controller.signal);
      const perEpoch = stepsPerEpoch(job?.progress);
      const text = metricsCSV(m.metrics || [], (step) => (perEpoch ? step / perEpoch : NaN));
      saveText(`${(job?.name || id).replace(/[^\w.-]+/g, '_')}-metrics.csv`, text, 'text/csv');
    } catch (err) {
      toast(`Download failed: ${err.message}`, 'error');
    } finally {
      csvButton.disabled = false;
    }
  }

  function addPoints(series) {
    for (const sr of series || []) for (const p of sr.points || []) metrics.add(sr.name, p.step, p.value, p.time);
  }

  /** The test item under the mouse in the scatter, with its neighbours in the model of that
   * projection; or a train item (a neighbour, for its thumbnail: one neighbour is the least asked). */
  function loadItem(index, split = 'test') {
    const key = `${projectionStep}:${split}:${index}`;
    if (!items.has(key)) {
      const p = api.getItem(id, index, { split, k: split === 'test' ? 5 : 1 }, controller.signal);
      p.catch(() => items.delete(key));
      items.set(key, p);
    }
    return items.get(key);
  }

  /** Reads the projection again (after an evaluation, and once the job has finished). */
  async function loadProjection() {
    projectionTimer = null;
    try {
      const projection = await api.getProjection(id, controller.signal);
      if (stopped || !Array.isArray(projection?.points)) return;
      if (projection.step !== projectionStep) items.clear();
      projectionStep = projection.step;
      if (Array.isArray(projection.class_names) && projection.class_names.length) classNames = projection.class_names;
      scatter.update({ ...projection, class_names: classNames });
      projectionBox.hidden = projection.points.length === 0;
      representation.hidden = projectionBox.hidden && perClassBox.hidden;
      if (job?.result) renderPerClass();
    } catch { /* none yet (before the first evaluation), or not served: the section stays as it was */ }
  }

  function scheduleProjection(delay = 600) {
    if (!projectionTimer && !stopped) projectionTimer = setTimeout(loadProjection, delay);
  }

  async function loadHistograms() {
    try {
      const res = await api.getSimilarityHistograms(id, { last: 200 }, controller.signal);
      for (const hist of res?.histograms || []) showHistogram(hist);
    } catch { /* none, or not served */ }
  }

  function showHistogram(hist) {
    if (!hist || !Array.isArray(hist.bin_edges)) return;
    histogram.push(hist);
    diagnostics.hidden = false;
  }

  /** Class names for the per-class views: the projection's, else an uploaded dataset's. */
  async function askDatasetClasses() {
    const name = job?.job?.dataset?.name;
    if (datasetClassesAsked || classNames || !name) return;
    datasetClassesAsked = true;
    try {
      const d = await api.getDataset(name, controller.signal);
      if (Array.isArray(d?.classes) && d.classes.length && !classNames) { classNames = d.classes; renderPerClass(); }
    } catch { /* a built-in set (no names served): "class N" */ }
  }

  function renderPerClass() {
    const r = job?.result;
    const acc = Array.isArray(r?.per_class_knn_accuracy) ? r.per_class_knn_accuracy : null;
    const cm = Array.isArray(r?.confusion_matrix) ? r.confusion_matrix : null;
    perClassBox.hidden = !acc && !cm;
    representation.hidden = projectionBox.hidden && perClassBox.hidden;
    if (perClassBox.hidden) return;
    askDatasetClasses();
    replaceChildren(perClassBox, h('div', { class: 'two-col' },
      acc ? h('div', {}, h('h3', {}, 'kNN accuracy per class'), perClassAccuracyChart(acc, classNames)) : null,
      cm ? h('div', {}, h('h3', {}, 'Confusion matrix (kNN, test split)'),
        h('p', { class: 'muted small' }, 'Rows: true class; columns: predicted. Shading: the share of the row.'),
        confusionTable(cm, classNames)) : null));
  }

  function scheduleDraw() {
    if (!drawTimer) drawTimer = setTimeout(drawCharts, 250);
  }

  function renderHead() {
    const doc = job.job || {};
    replaceChildren(head,
      h('div', {},
        h('h1', { 'data-testid': 'job-name' }, job.name || doc.name || job.id),
        h('p', { class: 'muted' }, 'id ', h('code', { 'data-testid': 'job-id' }, job.id),
          doc.dataset?.name ? [' · dataset ', h('strong', {}, doc.dataset.name)] : null,
          doc.model?.encoder ? [' · ', doc.model.encoder] : null,
          doc.loss?.kind ? [' · loss ', doc.loss.kind] : null)),
      h('dl', { class: 'facts' },
        h('div', {}, h('dt', {}, 'Status'), h('dd', {}, statusBadge(job.status))),
        h('div', {}, h('dt', {}, 'Attempt'), h('dd', { 'data-testid': 'job-attempt' }, String(job.attempt ?? 1))),
        h('div', {}, h('dt', {}, 'Created'), h('dd', { title: job.created_at || '' }, formatTime(job.created_at))),
        h('div', {}, h('dt', {}, 'Started'), h('dd', { title: job.started_at || '' }, formatTime(job.started_at))),
        h('div', {}, h('dt', {}, 'Finished'), h('dd', { title: job.finished_at || '' }, formatTime(job.finished_at)))));
    replaceChildren(alerts, job.error ? errorBox(job.error, 'job-error') : null);
    renderProgress();
    renderActions();
    renderResult();
    renderPerClass();
  }

  function renderProgress() {
    replaceChildren(progress, progressBar(job, { detailed: true, eta: !stale }));
  }

  function renderLive(state) {
    if (state !== undefined) live.dataset.state = state;
    const st = live.dataset.state;
    live.classList.toggle('stale', stale);
    live.textContent = stale ? `no updates for ${Math.round((Date.now() - lastHeard) / 1000)} s · polling`
      : st === 'open' ? '● live' : st === 'reconnecting' ? 'reconnecting…' : '';
  }

  function actionButton(label, testid, run, cls = '') {
    const b = h('button', { type: 'button', class: cls, 'data-testid': testid, onclick: async () => {
      b.disabled = true;
      try { await run(); } catch (err) { toast(`${label} failed: ${err.message}`, 'error'); } finally { b.disabled = false; }
    } }, label);
    return b;
  }

  function downloadLink(file, label, filename) {
    return h('a', { class: 'button', href: api.downloadURL(job.id, file), download: filename, 'data-testid': `download-${file}`,
      onclick: (ev) => {
        if (!api.needsAuthenticatedDownload()) return;
        ev.preventDefault();
        api.download(job.id, file, filename).catch((err) => toast(`Download failed: ${err.message}`, 'error'));
      } }, label);
  }

  function renderActions() {
    const st = job.status;
    const base = (job.name || job.id).replace(/[^\w.-]+/g, '_');
    replaceChildren(actions,
      st === 'queued' || st === 'running'
        ? actionButton('Cancel', 'cancel', async () => { applyJob(await api.cancelJob(job.id)); toast('Cancel requested.'); }, 'danger')
        : null,
      st === 'failed' || st === 'cancelled'
        ? [actionButton('Retry', 'retry', async () => { applyJob(await api.retryJob(job.id)); toast('Job queued again.'); }),
          actionButton('Retry from scratch', 'retry-fresh', async () => { applyJob(await api.retryJob(job.id, { fresh: true })); toast('Job queued from scratch.'); })]
        : null,
      h('a', { class: 'button', href: `#/new?from=${encodeURIComponent(job.id)}`, 'data-testid': 'clone' }, 'Clone with edits'),
      h('a', { class: 'button', href: `#/compare?ids=${encodeURIComponent(job.id)}`, 'data-testid': 'compare-this' }, 'Compare…'),
      st === 'succeeded' ? downloadLink('model.safetensors', 'Model (.safetensors)', `${base}.safetensors`) : null,
      isFinished(st) || st === 'running' ? downloadLink('checkpoint', 'Checkpoint', `${base}.checkpoint`) : null,
      isFinished(st)
        ? actionButton('Delete', 'delete', async () => {
          if (!window.confirm(`Delete job ${job.name || job.id} and its files?`)) return;
          await api.deleteJob(job.id);
          toast('Job deleted.');
          location.hash = '#/';
        }, 'danger subtle')
        : null);
  }

  function renderResult() {
    const r = job.result;
    if (!r) {
      replaceChildren(resultBox, h('p', { class: 'muted' }, isFinished(job.status) ? 'No result.' : 'Available when the job finishes.'));
      return;
    }
    const used = new Set();
    // The baselines (random encoder, raw inputs) are measured on the evaluation sample, and the
    // gains compare this model's kNN on the same rows: sample_knn_accuracy (older results lack
    // it; their baselines were whole-split, like knn_accuracy).
    const sampleKey = r.sample_knn_accuracy === undefined ? 'knn_accuracy' : 'sample_knn_accuracy';
    const partial = r.sample_train_count < r.train_count || r.sample_test_count < r.test_count;
    const where = partial ? ` (sample of ${r.sample_train_count} train / ${r.sample_test_count} test rows)` : '';
    const pairs = [
      [partial ? 'kNN accuracy (whole splits)' : 'kNN accuracy', 'knn_accuracy', null],
      [`kNN against the random encoder${where}`, sampleKey, 'baseline_knn_accuracy'],
      [`kNN against the raw inputs${where}`, sampleKey, 'raw_knn_accuracy'],
      ['Linear-probe accuracy', 'linear_accuracy', 'baseline_linear_accuracy'],
    ];
    used.add('sample_train_count'); used.add('sample_test_count');
    const accRows = [];
    for (const [label, key, baseKey] of pairs) {
      used.add(key); if (baseKey) used.add(baseKey);
      if (r[key] == null && (baseKey === null || r[baseKey] == null)) continue;   // null or absent: nothing to show
      const v = r[key];
      const b = baseKey ? r[baseKey] : undefined;
      const delta = typeof v === 'number' && typeof b === 'number' ? v - b : null;
      accRows.push(h('tr', { 'data-metric': baseKey ? `${key}-${baseKey}` : key },
        h('th', { scope: 'row' }, label), h('td', { class: 'num' }, formatPercent(v)),
        h('td', { class: 'num' }, b === undefined ? '—' : formatPercent(b)),
        h('td', { class: ['num', delta > 0 ? 'good' : delta < 0 ? 'bad' : ''] },
          delta === null ? '—' : `${delta >= 0 ? '+' : ''}${(delta * 100).toFixed(2)} pt`)));
    }
    used.add('warnings');
    used.add('per_class_knn_accuracy');
    used.add('confusion_matrix');
    const warnings = Array.isArray(r.warnings) ? r.warnings : [];
    // The run's last similarity histogram (result.diagnostics.histogram) is drawn above, not listed bin by bin.
    const other = flatten(r).filter(([k]) => !used.has(k.split(/[.[]/)[0]) && !k.startsWith('diagnostics.histogram'));
    replaceChildren(resultBox,
      warnings.length ? h('div', { class: 'alert alert-warning', role: 'status', 'data-testid': 'result-warnings' },
        h('strong', {}, 'Training may not have helped: '), h('ul', {}, warnings.map((w) => h('li', {}, w)))) : null,
      accRows.length ? h('table', { class: 'kv result-table', 'data-testid': 'result-table' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Metric'), h('th', { class: 'num' }, 'This model'),
          h('th', { class: 'num' }, 'Baseline'), h('th', { class: 'num' }, 'Δ'))),
        h('tbody', {}, accRows)) : null,
      h('table', { class: 'kv' }, h('tbody', {}, other.map(([k, v]) => h('tr', { 'data-metric': k },
        h('th', { scope: 'row' }, k),
        h('td', { class: 'num' }, k === 'seconds' ? formatDuration(v) : typeof v === 'number' ? formatNumber(v) : formatValue(v)))))));
  }

  function renderParams() {
    const rows = flatten(job.job || {});
    replaceChildren(params, h('table', { class: 'kv params', 'data-testid': 'params-table' },
      h('tbody', {}, rows.map(([k, v]) => h('tr', { 'data-path': k }, h('th', { scope: 'row' }, h('code', {}, k)),
        h('td', { class: 'mono' }, formatValue(v)))))));
  }

  function addLog(entry) {
    const key = entry.id !== undefined ? `id:${entry.id}` : `${entry.time}|${entry.line}`;
    const alt = `${entry.time}|${entry.line}`;
    if (logKeys.has(key) || logKeys.has(alt)) return;
    logKeys.add(key); logKeys.add(alt);
    const atBottom = logs.scrollHeight - logs.scrollTop - logs.clientHeight < 24;
    logs.append(h('div', { class: 'log-line' },
      entry.time ? h('span', { class: 'log-time' }, `${formatTime(entry.time)} `) : null, entry.line));
    while (logs.childElementCount > MAX_LOG_LINES) logs.firstElementChild.remove();
    if (atBottom) logs.scrollTop = logs.scrollHeight;
  }

  /** Takes a newer job state (from an action, a status event or a poll). */
  function applyJob(next) {
    if (!next || stopped) return;
    const docChanged = JSON.stringify(next.job) !== JSON.stringify(job?.job);
    const wasFinished = job && isFinished(job.status);
    job = next;
    renderHead();
    if (docChanged) renderParams();
    if (isFinished(job.status)) stopPolling();
    if (isFinished(job.status) && !wasFinished && !job.job) refresh();
    ensureStream();
  }

  /** A `status` event: the job head (status, attempt, times, error) as the job document has it. */
  function applyStatus(snapshot) {
    if (!snapshot || typeof snapshot !== 'object' || !snapshot.status) return;
    const next = { ...job, ...snapshot };
    if (snapshot.status !== 'queued') delete next.queue_position;
    const finishing = isFinished(snapshot.status) && !isFinished(job.status);
    applyJob(next);
    if (finishing) { refresh(); scheduleProjection(0); }  // the result, final metrics and projection
  }

  /** Reads the job again over REST (after it finished, or while the stream is silent). */
  async function refresh() {
    try {
      const next = await api.getJob(id, controller.signal);
      if (!stopped) applyJob(next);
    } catch { /* the stream or the next poll tries again */ }
  }

  function heard() {
    lastHeard = Date.now();
    if (stale) { stale = false; stopPolling(); renderProgress(); }
    renderLive();
  }

  function stopPolling() {
    clearInterval(pollTimer);
    pollTimer = null;
  }

  /** Silent too long: say so, poll the job and its new points, and reopen the stream. */
  function checkStale() {
    if (stopped || !job || isFinished(job.status) || !stream) return;
    if (Date.now() - lastHeard < STALE_AFTER_MS) return;
    if (!stale) {
      stale = true;
      renderProgress();
      stream.restart();
      pollTimer = setInterval(poll, POLL_MS);
      poll();
    }
    renderLive();
  }

  async function poll() {
    if (stopped || !stale) return;
    await refresh();
    try {
      const steps = metrics.names().map((n) => metrics.points(n).at(-1)?.step ?? 0);
      const afterStep = steps.length ? Math.min(...steps) : undefined;
      const m = await api.getMetrics(id, { afterStep }, controller.signal);
      addPoints(m.metrics);
      scheduleDraw();
    } catch { /* next poll */ }
    renderLive();
  }

  function ensureStream() {
    if (stream || stopped || isFinished(job.status)) return;
    lastHeard = Date.now();
    stream = api.streamEvents(job.id, {
      after: cursor,
      onEvent: (type, data) => {
        if (type === 'status') applyStatus(data);
        else if (type === 'progress' && data) { job = { ...job, progress: data }; renderProgress(); }
        else if (type === 'metric' && data) {
          const pts = Array.isArray(data.points) ? data.points : [data];
          for (const p of pts) metrics.add(p.name ?? data.name, p.step, p.value, p.time);
          // An evaluation: the projection was recomputed with it.
          if (pts.some((p) => (p.name ?? data.name) === 'knn_accuracy')) scheduleProjection();
          scheduleDraw();
        } else if (type === 'similarity_histogram' && data) {
          showHistogram(data);
        } else if (type === 'log' && data) addLog(typeof data === 'string' ? { line: data } : data);
      },
      onActivity: heard,
      onState: (state) => {
        renderLive(state);
        if (state === 'closed') stream = null;
      },
      // Asked at every end of the response: a finished job ends its stream, so look before reconnecting.
      shouldReconnect: async () => {
        if (stopped || isFinished(job.status)) return false;
        await refresh();
        return !stopped && !isFinished(job.status);
      },
    });
  }

  async function load() {
    try {
      job = await api.getJob(id, controller.signal);
      cursor = job.last_event_id ?? null;
    } catch (err) {
      if (stopped || err.name === 'AbortError') return;
      replaceChildren(head, h('h1', {}, 'Job ', h('code', {}, id)));
      replaceChildren(alerts, errorBox(err, 'job-load-error'));
      return;
    }
    renderHead();
    renderParams();
    const [m, l] = await Promise.allSettled([
      api.getMetrics(id, { maxPoints: 2000 }, controller.signal),
      api.getLogs(id, controller.signal),
    ]);
    if (stopped) return;
    if (m.status === 'fulfilled') addPoints(m.value.metrics);
    drawCharts();
    if (job.status !== 'queued') { loadProjection(); loadHistograms(); }
    if (l.status === 'fulfilled') for (const line of l.value.lines || []) addLog(line);
    if (l.status === 'fulfilled' && (l.value.lines || []).length === 0) logs.dataset.empty = 'true';
    ensureStream();
  }

  load();
  const staleTimer = setInterval(checkStale, 1000);
  return () => {
    stopped = true;
    controller.abort();
    clearTimeout(drawTimer);
    clearTimeout(projectionTimer);
    clearInterval(staleTimer);
    stopPolling();
    stream?.close();
  };
}
