// Small pieces shared by the views: status badges, progress bars, error boxes, toasts.
import { h } from './dom.js';
import { formatDuration, formatNumber } from './format.js';

export const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'pruned'];
export const isFinished = (status) => status === 'succeeded' || status === 'failed' || status === 'cancelled' || status === 'pruned';

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}`, 'data-testid': 'job-status', 'data-status': status }, status);
}

/** Fraction done in [0, 1], from steps when known, else epochs. */
export function progressFraction(progress) {
  if (!progress) return null;
  if (progress.steps > 0) return Math.min(1, (progress.step || 0) / progress.steps);
  if (progress.epochs > 0) return Math.min(1, (progress.epoch || 0) / progress.epochs);
  return null;
}

export function progressBar(job, { detailed = false, eta = true } = {}) {
  const p = job.progress;
  let fraction = progressFraction(p);
  if (job.status === 'succeeded') fraction = 1;
  const pct = fraction === null ? null : Math.round(fraction * 1000) / 10;
  const bar = h('div', {
    class: `progress status-${job.status}`, role: 'progressbar', 'data-testid': 'progress',
    'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': pct ?? undefined,
  }, h('div', { class: 'progress-fill', style: `width:${pct ?? 0}%` }));
  const parts = [];
  if (p) {
    if (p.epochs) parts.push(`epoch ${p.epoch ?? 0}/${p.epochs}`);
    if (p.steps) parts.push(`step ${formatNumber(p.step ?? 0)}/${formatNumber(p.steps)}`);
    if (detailed && p.images_per_s) parts.push(`${formatNumber(p.images_per_s, 3)} img/s`);
    if (detailed && eta && job.status === 'running' && Number.isFinite(p.eta_s)) parts.push(`ETA ${formatDuration(p.eta_s)}`);
  }
  if (job.status === 'queued' && job.queue_position !== undefined && job.queue_position !== null) {
    parts.push(`queue position ${job.queue_position}`);
  }
  return h('div', { class: 'progress-wrap' }, bar,
    h('span', { class: 'progress-text' }, pct === null ? parts.join(' · ') : [`${pct}%`, ...parts].join(' · ')));
}

export function errorBox(err, testid = 'error') {
  const details = Array.isArray(err.details) ? err.details : [];
  return h('div', { class: 'alert alert-error', role: 'alert', 'data-testid': testid },
    h('strong', {}, err.code ? `${err.code}: ` : ''), err.message || String(err),
    details.length ? h('ul', {}, details.map((d) => h('li', {}, h('code', {}, d.path), ` — ${d.reason}`))) : null);
}

export function toast(message, kind = 'info') {
  const box = document.getElementById('toasts');
  if (!box) return;
  const el = h('div', { class: `toast toast-${kind}` }, message);
  box.append(el);
  setTimeout(() => el.remove(), 4000);
}
