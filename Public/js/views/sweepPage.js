// One sweep (#/sweeps/{id}): status and progress, the leaderboard with error bars (mean and
// 95% CI over the seeds, the best highlighted, configurations indistinguishable from it
// marked, Welch p-values), each parameter against the metric, the curves of the top
// configurations, and links to its trials and results.csv. While the sweep runs the page
// reads it again every 2 s; it stops once the sweep and all its trials have finished.
import * as api from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { createLineChart } from '../chart.js';
import { formatNumber, formatTime } from '../format.js';
import { errorBox, toast } from '../components.js';
import { jobListHash } from './jobList.js';
import { sweepProgress } from './sweepList.js';
import { barDomain, categoryOf, configurationColor, errorBar, parameterAxis, scatterPlot } from './sweepPlots.js';

const REFRESH_MS = 2000;
const TOP_CURVES = 3;
/** Trial statuses after which a trial changes no more (pruned: stopped early by ASHA). */
const FINAL = new Set(['succeeded', 'failed', 'cancelled', 'pruned']);

/** "0.8123" as 4 significant digits; p-values below 1e-4 as "< 0.0001". */
export function formatPValue(p) {
  if (typeof p !== 'number' || !Number.isFinite(p)) return '—';
  return p < 1e-4 ? '< 0.0001' : Number(p.toPrecision(2)).toString();
}

/** A parameter value for a table: numbers to 4 significant digits, anything else as JSON. */
export const parameterText = (v) => (typeof v === 'number' ? formatNumber(v) : categoryOf(v));

/** Whether the page must keep reading the sweep: it runs, or a trial is still stopping. */
export function sweepIsLive(sweep) {
  return sweep.status === 'running' || (sweep.trials || []).some((t) => !FINAL.has(t.status));
}

export function mountSweepPage(root, route) {
  const id = route.id;
  let stopped = false;
  let timer = null;
  const controller = new AbortController();
  /** Metric series by trial id: {status, points}; a trial read after it finished is not read again. */
  const curves = new Map();
  let curveKey = '';

  const title = h('h1', {}, id);
  const badge = h('span', { class: 'badge', 'data-testid': 'sweep-status' });
  const cancelButton = h('button', { type: 'button', class: 'danger', 'data-testid': 'sweep-cancel', disabled: true, onclick: cancel },
    'Cancel sweep');
  const resultsLink = h('a', { class: 'button', href: api.sweepResultsURL(id), download: `${id}-results.csv`,
    'data-testid': 'sweep-results', onclick: downloadResults }, 'results.csv');
  const trialsLink = h('a', { class: 'button', href: jobListHash({ sweep: id }), 'data-testid': 'sweep-trials-link' }, 'Trials in the job list');
  const facts = h('dl', { class: 'facts', 'data-testid': 'sweep-facts' });
  const progress = h('div', { 'data-testid': 'sweep-progress' });
  const board = h('div', { 'data-testid': 'leaderboard-wrap' });
  const scatters = h('div', { class: 'scatter-grid', 'data-testid': 'scatters' });
  const chart = createLineChart({ testid: 'sweep-curves', title: 'Metric of the top configurations, per trial' });
  const chartNote = h('p', { class: 'muted small', 'data-testid': 'sweep-curves-note' });
  const message = h('div');
  const live = h('span', { class: 'muted small', 'data-testid': 'sweep-live' });

  root.append(h('section', { class: 'page sweep-page', 'data-testid': 'sweep-page', 'data-sweep-id': id },
    h('p', { class: 'crumbs' }, h('a', { href: '#/sweeps' }, '← Sweeps')),
    h('div', { class: 'page-head' },
      h('div', {}, h('div', { class: 'title-row' }, title, ' ', badge), h('div', { class: 'muted small mono' }, id)),
      h('div', { class: 'toolbar' }, trialsLink, resultsLink, cancelButton)),
    message, facts, progress,
    h('h2', {}, 'Leaderboard'), board,
    h('h2', {}, 'Parameters against the metric'),
    h('p', { class: 'muted small' }, 'One point per finished trial, coloured by configuration.'), scatters,
    h('h2', {}, 'Curves of the top configurations'), chartNote, chart.element,
    h('p', {}, live)));

  async function cancel() {
    cancelButton.disabled = true;
    try {
      render(await api.cancelSweep(id));
      toast('Sweep cancelled; its running trials are told to stop.');
      schedule();
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  async function downloadResults(ev) {
    if (!api.needsAuthenticatedDownload()) return;  // the plain link works
    ev.preventDefault();
    try { await api.downloadSweepResults(id); } catch (err) { toast(err.message, 'error'); }
  }

  function fact(label, value, testid) {
    return h('div', {}, h('dt', {}, label), h('dd', { 'data-testid': testid }, value));
  }

  function renderHead(sweep) {
    title.textContent = sweep.name || sweep.id;
    document.title = `${sweep.name || sweep.id} · sweep · sscl`;
    badge.textContent = sweep.status;
    badge.className = `badge sweep-status-${sweep.status}`;
    badge.dataset.status = sweep.status;
    cancelButton.disabled = sweep.status !== 'running';
    const doc = sweep.sweep || {};
    const metric = sweep.metric || {};
    replaceChildren(facts,
      fact('Metric', `${metric.name} (${metric.goal})`, 'sweep-metric'),
      fact('Method', doc.method || 'grid'),
      fact('Seeds', Array.isArray(doc.seeds) ? doc.seeds.join(', ') : '—'),
      fact('Max concurrent', String(sweep.max_concurrent ?? '—')),
      sweep.asha ? fact('Early stopping', `ASHA, η = ${sweep.asha.reduction_factor}, from epoch ${sweep.asha.min_epochs}`
        + ` · ${(sweep.asha.decisions || []).filter((d) => d.decision === 'prune').length} pruned`, 'sweep-asha') : null,
      fact('Created', formatTime(sweep.created_at)),
      fact('Finished', formatTime(sweep.finished_at)));
    replaceChildren(progress, sweepProgress(sweep));
  }

  /** ASHA's last decision on a configuration (early-stopping sweeps only). */
  function ashaTag(asha) {
    if (!asha || asha.decision !== 'prune') return null;
    return h('span', { class: 'tag tag-pruned', 'data-testid': 'tag-pruned',
      title: `ASHA stopped it at rung ${asha.rung}: its mean over seeds there was ${formatNumber(asha.mean)}` },
    `pruned at epoch ${asha.epoch ?? '?'}`);
  }

  function renderBoard(sweep) {
    const rows = sweep.leaderboard || [];
    const seedsOf = new Map();
    for (const t of sweep.trials || []) seedsOf.set(t.configuration, (seedsOf.get(t.configuration) || 0) + 1);
    const domain = barDomain(rows);
    const best = rows.find((r) => r.best);
    const names = Object.keys(sweep.sweep?.parameters || {});
    replaceChildren(board, h('div', { class: 'table-wrap' }, h('table', { class: 'jobs leaderboard', 'data-testid': 'leaderboard' },
      h('thead', {}, h('tr', {},
        h('th', { class: 'num' }, '#'), h('th', {}, 'Configuration'),
        names.map((n) => h('th', {}, h('code', {}, n))),
        h('th', { class: 'num' }, 'Seeds'), h('th', { class: 'num' }, 'Mean ± std'), h('th', { class: 'num' }, '95% CI'),
        h('th', {}, 'Mean and 95% CI'), h('th', { class: 'num' }, 'p vs best'), h('th', {}, ''))),
      h('tbody', {}, rows.map((r, i) => h('tr', {
        class: ['leaderboard-row', r.best ? 'is-best' : null, r.indistinguishable_from_best && !r.best ? 'is-tied' : null],
        'data-testid': 'leaderboard-row', 'data-configuration': r.configuration, 'data-finished-seeds': r.finished_seeds,
        'data-best': String(!!r.best), 'data-indistinguishable': String(!!r.indistinguishable_from_best),
      },
      h('td', { class: 'num' }, String(i + 1)),
      h('td', {}, h('span', { class: 'swatch', style: `background:${configurationColor(r.configuration)}` }), `#${r.configuration}`),
      names.map((n) => h('td', { class: 'mono' }, r.parameters && n in r.parameters ? parameterText(r.parameters[n]) : '—')),
      h('td', { class: 'num', 'data-testid': 'finished-seeds' }, `${r.finished_seeds}/${seedsOf.get(r.configuration) ?? '?'}`,
        r.pruned_seeds ? h('div', { class: 'muted small' }, `${r.pruned_seeds} pruned`) : null),
      h('td', { class: 'num' }, typeof r.mean === 'number'
        ? `${formatNumber(r.mean)}${typeof r.std === 'number' ? ` ± ${formatNumber(r.std, 2)}` : ''}` : '—'),
      h('td', { class: 'num' }, Array.isArray(r.ci95) ? `[${formatNumber(r.ci95[0])}, ${formatNumber(r.ci95[1])}]` : '—'),
      h('td', {}, errorBar(r, domain, { bestMean: best?.mean ?? null })),
      h('td', { class: 'num', 'data-testid': 'p-value' }, r.best ? '—' : formatPValue(r.p_value)),
      h('td', {}, r.best ? h('span', { class: 'tag tag-best', 'data-testid': 'tag-best' }, 'best')
        : r.indistinguishable_from_best ? h('span', { class: 'tag tag-tied', 'data-testid': 'tag-indistinguishable',
          title: 'p ≥ 0.05: the gap to the best is within seed noise' }, 'indistinguishable from best') : null,
      ashaTag(r.asha))))))),
    h('p', { class: 'muted small' }, 'p: Welch\'s t-test of each configuration against the best; ',
      '"indistinguishable from best" when p ≥ 0.05. The dashed line is the best mean.'));
  }

  function renderScatters(sweep) {
    const parameters = sweep.sweep?.parameters || {};
    const byConfiguration = new Map((sweep.leaderboard || []).map((r) => [r.configuration, r.parameters || {}]));
    const finished = (sweep.trials || []).filter((t) => typeof t.metric === 'number');
    const metricName = sweep.metric?.name || 'metric';
    const plots = Object.entries(parameters).map(([path, domain]) => scatterPlot(path, parameterAxis(domain),
      finished.map((t) => ({ x: byConfiguration.get(t.configuration)?.[path], y: t.metric, configuration: t.configuration,
        trial: t.id, seed: t.seed })), { metricName }));
    replaceChildren(scatters, plots.length ? plots : h('p', { class: 'muted' }, 'This sweep searches no parameter.'));
  }

  /** The top configurations (ranked, with a mean; else the first rows) and their started trials. */
  async function renderCurves(sweep) {
    const rows = sweep.leaderboard || [];
    const ranked = rows.filter((r) => typeof r.mean === 'number');
    const top = (ranked.length ? ranked : rows).slice(0, TOP_CURVES).map((r) => r.configuration);
    const name = sweep.metric?.name || 'knn_accuracy';
    const trials = (sweep.trials || []).filter((t) => top.includes(t.configuration) && t.status !== 'queued');
    await Promise.all(trials.map(async (t) => {
      const cached = curves.get(t.id);
      if (cached && FINAL.has(cached.status)) return;
      try {
        const body = await api.getMetrics(t.id, { name, maxPoints: 1000 }, controller.signal);
        const series = (body.metrics || []).find((m) => m.name === name);
        curves.set(t.id, { status: t.status, points: (series?.points || []).map((p) => ({ step: p.step, value: p.value })) });
      } catch (err) {
        if (err.name !== 'AbortError') console.warn(`metrics of ${t.id}`, err);
      }
    }));
    if (stopped) return;
    const series = trials.filter((t) => curves.has(t.id)).map((t) => ({
      label: `#${t.configuration} seed ${t.seed}`, color: configurationColor(t.configuration), points: curves.get(t.id).points,
    }));
    const key = JSON.stringify(series.map((s) => [s.label, s.points.length]));
    if (key !== curveKey) { curveKey = key; chart.update(series); }
    chartNote.textContent = top.length
      ? `${name} of the trials of configuration${top.length > 1 ? 's' : ''} ${top.map((c) => `#${c}`).join(', ')}, one line per seed.`
      : '';
  }

  function render(sweep) {
    renderHead(sweep);
    renderBoard(sweep);
    renderScatters(sweep);
    renderCurves(sweep);
  }

  function schedule() {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(refresh, REFRESH_MS);
  }

  async function refresh() {
    clearTimeout(timer);
    try {
      const sweep = await api.getSweep(id, controller.signal);
      if (stopped) return;
      replaceChildren(message);
      render(sweep);
      const going = sweepIsLive(sweep);
      live.dataset.live = String(going);
      live.textContent = going ? `Live: read every ${REFRESH_MS / 1000} s · updated ${formatTime(new Date().toISOString())}`
        : `The sweep has ${sweep.status === 'cancelled' ? 'been cancelled' : 'finished'}; not refreshing.`;
      if (going) schedule();
    } catch (err) {
      if (stopped || err.name === 'AbortError') return;
      replaceChildren(message, errorBox(err, 'sweep-error'));
      // A missing sweep stays missing; anything else (the server restarting) is tried again.
      if (err.status !== 404) schedule();
    }
  }

  refresh();
  return () => { stopped = true; clearTimeout(timer); controller.abort(); };
}
