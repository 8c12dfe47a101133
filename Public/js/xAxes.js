// The x axes a job's charts offer: the training step; the epoch, derived from the step (every
// epoch has the same number of steps, progress.steps / progress.epochs, so no point needs to
// carry it); and the time since the job's first point, from the time each point carries.
import { STEP_AXIS } from './chart.js';
import { formatNumber } from './format.js';

/** "1:05" or "1:02:05" for seconds. */
export function formatClock(seconds) {
  if (!Number.isFinite(seconds)) return '—';
  const t = Math.round(seconds);
  const sign = t < 0 ? '-' : '';
  const a = Math.abs(t);
  const p = (n) => String(n).padStart(2, '0');
  return a >= 3600 ? `${sign}${Math.floor(a / 3600)}:${p(Math.floor((a % 3600) / 60))}:${p(a % 60)}`
    : `${sign}${Math.floor(a / 60)}:${p(a % 60)}`;
}

/** Steps per epoch from a job's progress ({steps, epochs}), or null when unknown. */
export function stepsPerEpoch(progress) {
  return progress && progress.steps > 0 && progress.epochs > 0 ? progress.steps / progress.epochs : null;
}

/**
 * The axis named `key` ('step', 'epoch' or 'time'). perEpoch: steps per epoch (null: epochs
 * unknown, every x is NaN); origin: ms of the time axis' zero (null: unknown).
 */
export function xAxis(key, { perEpoch = null, origin = null } = {}) {
  if (key === 'epoch') {
    return { key, label: 'epoch', of: (p) => (perEpoch ? p.step / perEpoch : NaN), format: (v) => formatNumber(v, 3) };
  }
  if (key === 'time') {
    return { key, label: 'time (m:s)', of: (p) => (origin !== null && Number.isFinite(p.time) ? (p.time - origin) / 1000 : NaN),
      format: formatClock };
  }
  return STEP_AXIS;
}
