// The sweeps (#/sweeps), newest first: status, progress and a link to each; read again every
// 3 s (the list reads no trial's metrics, so it is cheap).
import { listSweeps } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { formatAge, formatTime } from '../format.js';
import { errorBox } from '../components.js';
import { jobListHash } from './jobList.js';

const REFRESH_MS = 3000;

/** A sweep's progress bar: trials finished of all, then the count of each status present. */
export function sweepProgress(sweep) {
  const p = sweep.progress || {};
  const pct = p.trials ? Math.round((p.finished / p.trials) * 1000) / 10 : 0;
  const counts = Object.entries(p.by_status || {}).filter(([, n]) => n > 0).map(([st, n]) => `${n} ${st}`).join(' · ');
  return h('div', { class: 'progress-wrap' },
    h('div', { class: `progress status-${sweep.status === 'finished' ? 'succeeded' : sweep.status}`, role: 'progressbar',
      'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': pct, 'data-finished': p.finished ?? 0, 'data-trials': p.trials ?? 0 },
    h('div', { class: 'progress-fill', style: `width:${pct}%` })),
    h('span', { class: 'progress-text' }, `${p.finished ?? 0}/${p.trials ?? 0} trials finished${counts ? ` · ${counts}` : ''}`));
}

export function mountSweepList(root) {
  let stopped = false;
  let timer = null;
  const controller = new AbortController();
  const tbody = h('tbody', { 'data-testid': 'sweep-rows' });
  const message = h('div', { class: 'list-message' });
  const updated = h('span', { class: 'muted small', 'data-testid': 'sweeps-updated' });

  root.append(h('section', { class: 'page', 'data-testid': 'sweep-list' },
    h('div', { class: 'page-head' }, h('h1', {}, 'Sweeps'),
      h('div', { class: 'toolbar' }, h('a', { class: 'button primary', href: '#/sweeps/new', 'data-testid': 'new-sweep' }, 'New sweep'))),
    h('div', { class: 'table-wrap' }, h('table', { class: 'jobs' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Status'), h('th', { class: 'col-progress' }, 'Trials'),
        h('th', {}, 'Metric'), h('th', {}, 'Created'), h('th', {}, ''))),
      tbody)),
    message, h('div', { class: 'pager' }, updated)));

  function row(sw) {
    return h('tr', { 'data-testid': 'sweep-row', 'data-sweep-id': sw.id, 'data-status': sw.status },
      h('td', {}, h('a', { class: 'job-link', href: `#/sweeps/${encodeURIComponent(sw.id)}`, 'data-testid': 'sweep-link' }, sw.name || sw.id),
        h('div', { class: 'muted small mono' }, sw.id)),
      h('td', {}, h('span', { class: `badge sweep-status-${sw.status}`, 'data-status': sw.status }, sw.status)),
      h('td', { class: 'col-progress' }, sweepProgress(sw)),
      h('td', {}, sw.metric ? `${sw.metric.name} (${sw.metric.goal})` : '—'),
      h('td', { title: sw.created_at || '' }, formatAge(sw.created_at)),
      h('td', {}, h('a', { href: jobListHash({ sweep: sw.id }) }, 'trials')));
  }

  async function refresh() {
    clearTimeout(timer);
    try {
      const body = await listSweeps({}, controller.signal);
      if (stopped) return;
      const sweeps = body.sweeps || [];
      replaceChildren(tbody, sweeps.map(row));
      replaceChildren(message, sweeps.length ? null : h('p', { class: 'empty', 'data-testid': 'no-sweeps' },
        'No sweeps yet. ', h('a', { href: '#/sweeps/new' }, 'Start one.')));
      updated.textContent = `updated ${formatTime(new Date().toISOString())}`;
    } catch (err) {
      if (stopped || err.name === 'AbortError') return;
      replaceChildren(message, errorBox(err, 'sweeps-error'));
    }
    if (!stopped) timer = setTimeout(refresh, REFRESH_MS);
  }

  refresh();
  return () => { stopped = true; clearTimeout(timer); controller.abort(); };
}
