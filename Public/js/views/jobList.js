// The job list: newest first, a status filter, cursor pagination, live refresh every 2 s,
// and a selection that opens the compare view.
import { listJobs } from '../api.js';
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

export function mountJobList(root, route) {
  const status = route.query.get('status') || '';
  const cursors = [null];
  let page = 0;
  let nextCursor = null;
  let timer = null;
  let stopped = false;
  let controller = null;
  const selected = new Set();

  const filter = h('select', { id: 'status-filter', 'data-testid': 'status-filter', 'aria-label': 'Status filter',
    onchange: () => { location.hash = filter.value ? `#/?status=${filter.value}` : '#/'; } },
  h('option', { value: '' }, 'All statuses'),
  STATUSES.map((st) => h('option', { value: st, selected: st === status }, st)));
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
        h('h1', {}, 'Jobs'),
        h('div', { class: 'toolbar' }, filter, compareButton, h('a', { class: 'button primary', href: '#/new' }, 'New job'))),
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
        job.name || job.id), h('div', { class: 'muted small mono' }, job.id)),
      h('td', {}, statusBadge(job.status), job.attempt > 1 ? h('span', { class: 'muted small' }, ` attempt ${job.attempt}`) : null),
      h('td', { class: 'col-progress' }, progressBar(job)),
      h('td', { class: 'num' }, formatNumber(loss)),
      h('td', { class: 'num' }, typeof knn === 'number' ? formatPercent(knn) : '—'),
      h('td', { title: job.created_at || '' }, formatAge(job.created_at)),
      h('td', { class: 'num' }, duration(job)));
  }

  async function refresh() {
    clearTimeout(timer);
    controller?.abort();
    controller = new AbortController();
    try {
      const body = await listJobs({ status, limit: PAGE_SIZE, cursor: cursors[page] }, controller.signal);
      if (stopped) return;
      nextCursor = body.next_cursor || null;
      const jobs = body.jobs || [];
      replaceChildren(tbody, jobs.map(row));
      replaceChildren(message, jobs.length ? null : h('p', { class: 'empty', 'data-testid': 'no-jobs' },
        status ? `No ${status} jobs.` : 'No jobs yet. ', status ? null : h('a', { href: '#/new' }, 'Submit one.')));
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
  return () => { stopped = true; clearTimeout(timer); controller?.abort(); };
}
