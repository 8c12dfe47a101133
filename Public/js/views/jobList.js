// The job list: newest first, a status filter, a sweep filter (the hash carries both:
// #/jobs?sweep=ID&status=running), cursor pagination, live refresh every 2 s, and a selection
// that opens the compare view. A sweep's trials name their sweep and configuration.
import { listJobs, listSweeps } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { formatAge, formatDuration, formatNumber, formatPercent, formatTime } from '../format.js';
import { STATUSES, errorBox, progressBar, statusBadge } from '../components.js';

const PAGE_SIZE = 25;
const REFRESH_MS = 2000;

function duration(job) {
  if (!job.started_at) return '—';
  const end = job.finished_at ? new Date(job.finished_at) : new Date();
  return formatDuration((end - new Date(job.started_at)) / 1000);
}

/** The list's hash for these filters ("#/" without any). */
export function jobListHash({ status = '', sweep = '' } = {}) {
  const q = new URLSearchParams();
  if (sweep) q.set('sweep', sweep);
  if (status) q.set('status', status);
  const qs = q.toString();
  if (!qs) return '#/';
  return sweep ? `#/jobs?${qs}` : `#/?${qs}`;
}

export function mountJobList(root, route) {
  const status = route.query.get('status') || '';
  const sweep = route.query.get('sweep') || '';
  const sweepNames = new Map();
  const sweepsController = new AbortController();
  const cursors = [null];
  let page = 0;
  let nextCursor = null;
  let timer = null;
  let stopped = false;
  let controller = null;
  const selected = new Set();

  const filter = h('select', { id: 'status-filter', 'data-testid': 'status-filter', 'aria-label': 'Status filter',
    onchange: () => { location.hash = jobListHash({ status: filter.value, sweep }); } },
  h('option', { value: '' }, 'All statuses'),
  STATUSES.map((st) => h('option', { value: st, selected: st === status }, st)));
  const sweepFilter = h('select', { id: 'sweep-filter', 'data-testid': 'sweep-filter', 'aria-label': 'Sweep filter',
    onchange: () => { location.hash = jobListHash({ status, sweep: sweepFilter.value }); } },
  h('option', { value: '' }, 'All jobs'),
  sweep ? h('option', { value: sweep, selected: true }, sweep) : null);
  const compareButton = h('button', { type: 'button', 'data-testid': 'compare-selected', disabled: true,
    onclick: () => { location.hash = `#/compare?ids=${[...selected].map(encodeURIComponent).join(',')}`; } },
  'Compare selected');
  const newer = h('button', { type: 'button', 'data-testid': 'page-newer', disabled: true,
    onclick: () => { if (page > 0) { page--; refresh(); } } }, '← Newer');
  const older = h('button', { type: 'button', 'data-testid': 'page-older', disabled: true,
    onclick: () => { if (nextCursor) { cursors[page + 1] = nextCursor; page++; refresh(); } } }, 'Older →');
  const pageLabel = h('span', { class: 'muted' });
  const tbody = h('tbody', { 'data-testid': 'job-rows' });
  const message = h('div', { class: 'list-message' });
  const updated = h('span', { class: 'muted small', 'data-testid': 'list-updated' });

  root.append(
    h('section', { class: 'page', 'data-testid': 'job-list' },
      h('div', { class: 'page-head' },
        h('div', {}, h('h1', {}, sweep ? 'Sweep trials' : 'Jobs'),
          sweep ? h('p', { class: 'muted', 'data-testid': 'sweep-filter-note' }, 'The trials of sweep ',
            h('a', { href: `#/sweeps/${encodeURIComponent(sweep)}`, 'data-testid': 'sweep-filter-link' }, sweep), '.') : null),
        h('div', { class: 'toolbar' }, sweepFilter, filter, compareButton, h('a', { class: 'button primary', href: '#/new' }, 'New job'))),
      h('div', { class: 'table-wrap' },
        h('table', { class: 'jobs' },
          h('thead', {}, h('tr', {},
            h('th', { class: 'col-select' }, h('span', { class: 'sr-only' }, 'Select')),
            h('th', {}, 'Name'), h('th', {}, 'Status'), h('th', { class: 'col-progress' }, 'Progress'),
            h('th', { class: 'num' }, 'Loss'), h('th', { class: 'num' }, 'kNN acc.'),
            h('th', {}, 'Created'), h('th', { class: 'num' }, 'Duration'))),
          tbody)),
      message,
      h('div', { class: 'pager' }, newer, pageLabel, older, updated)));

  function updateSelection() {
    compareButton.disabled = selected.size < 2;
    compareButton.textContent = selected.size ? `Compare selected (${selected.size})` : 'Compare selected';
  }

  function row(job) {
    const metrics = job.metrics || {};
    const result = job.result || {};
    const loss = metrics.loss ?? result.final_loss;
    const knn = result.knn_accuracy ?? metrics.knn_accuracy;
    const box = h('input', { type: 'checkbox', 'aria-label': `Select ${job.name || job.id}`, checked: selected.has(job.id),
      onchange: () => { if (box.checked) selected.add(job.id); else selected.delete(job.id); updateSelection(); } });
    return h('tr', { 'data-testid': 'job-row', 'data-job-id': job.id, 'data-status': job.status },
      h('td', { class: 'col-select' }, box),
      h('td', {}, h('a', { href: `#/jobs/${encodeURIComponent(job.id)}`, class: 'job-link', 'data-testid': 'job-link' },
        job.name || job.id), h('div', { class: 'muted small mono' }, job.id), job.sweep ? sweepTag(job.sweep) : null),
      h('td', {}, statusBadge(job.status), job.attempt > 1 ? h('span', { class: 'muted small' }, ` attempt ${job.attempt}`) : null),
      h('td', { class: 'col-progress' }, progressBar(job)),
      h('td', { class: 'num' }, formatNumber(loss)),
      h('td', { class: 'num' }, typeof knn === 'number' ? formatPercent(knn) : '—'),
      h('td', { title: job.created_at || '' }, formatAge(job.created_at)),
      h('td', { class: 'num' }, duration(job)));
  }

  function sweepTag(tag) {
    return h('div', { class: 'small sweep-tag', 'data-testid': 'job-sweep', 'data-sweep-id': tag.id },
      'sweep ', h('a', { href: `#/sweeps/${encodeURIComponent(tag.id)}` }, sweepNames.get(tag.id) || tag.id),
      ` · configuration ${tag.configuration}`);
  }

  /** The sweep filter's options (newest 100 sweeps), and the names the rows show. */
  async function loadSweeps() {
    try {
      const body = await listSweeps({ limit: 100 }, sweepsController.signal);
      if (stopped) return;
      const sweeps = body.sweeps || [];
      for (const sw of sweeps) sweepNames.set(sw.id, sw.name || sw.id);
      const options = sweeps.map((sw) => h('option', { value: sw.id, selected: sw.id === sweep },
        `${sw.name || sw.id} (${sw.id})`));
      if (sweep && !sweepNames.has(sweep)) options.unshift(h('option', { value: sweep, selected: true }, sweep));
      replaceChildren(sweepFilter, h('option', { value: '' }, 'All jobs'), options);
      sweepFilter.value = sweep;
      for (const tag of tbody.querySelectorAll('[data-testid=job-sweep] a')) {
        const id = tag.closest('[data-sweep-id]').dataset.sweepId;
        if (sweepNames.has(id)) tag.textContent = sweepNames.get(id);
      }
    } catch (err) {
      if (!stopped && err.name !== 'AbortError') console.warn('sweeps not listed', err);
    }
  }

  async function refresh() {
    clearTimeout(timer);
    controller?.abort();
    controller = new AbortController();
    try {
      const body = await listJobs({ status, sweep, limit: PAGE_SIZE, cursor: cursors[page] }, controller.signal);
      if (stopped) return;
      nextCursor = body.next_cursor || null;
      const jobs = body.jobs || [];
      replaceChildren(tbody, jobs.map(row));
      const filtered = status || sweep;
      replaceChildren(message, jobs.length ? null : h('p', { class: 'empty', 'data-testid': 'no-jobs' },
        filtered ? `No ${status ? `${status} ` : ''}${sweep ? 'trials of this sweep' : 'jobs'}.` : 'No jobs yet. ',
        filtered ? null : h('a', { href: '#/new' }, 'Submit one.')));
      newer.disabled = page === 0;
      older.disabled = !nextCursor;
      pageLabel.textContent = `Page ${page + 1}`;
      updated.textContent = `updated ${formatTime(new Date().toISOString())}`;
    } catch (err) {
      if (stopped || err.name === 'AbortError') return;
      replaceChildren(message, errorBox(err, 'list-error'));
    }
    if (!stopped) timer = setTimeout(refresh, REFRESH_MS);
  }

  refresh();
  loadSweeps();
  return () => { stopped = true; clearTimeout(timer); controller?.abort(); sweepsController.abort(); };
}
