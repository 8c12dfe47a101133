// Metric series by name, kept sorted by step; a point at an existing step replaces it, so
// REST history and a replayed event stream can be merged without duplicates. A point keeps
// the time it was recorded (ms since the epoch) when the server sent one, for the time axis.

export class MetricStore {
  constructor() { this.series = new Map(); }

  /** `time` is RFC 3339 or absent; a null value (the API's non-finite one) is not kept. */
  add(name, step, value, time) {
    if (!name || !Number.isFinite(step) || typeof value !== 'number') return;
    const ms = typeof time === 'string' ? Date.parse(time) : NaN;
    const point = Number.isFinite(ms) ? { step, value, time: ms } : { step, value };
    let pts = this.series.get(name);
    if (!pts) { pts = []; this.series.set(name, pts); }
    const last = pts[pts.length - 1];
    if (!last || last.step < step) { pts.push(point); return; }
    let lo = 0;
    let hi = pts.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (pts[mid].step < step) lo = mid + 1; else hi = mid; }
    if (pts[lo] && pts[lo].step === step) pts[lo] = point; else pts.splice(lo, 0, point);
  }

  names() { return [...this.series.keys()]; }

  points(name) { return this.series.get(name) || []; }

  /** The earliest time of any point (ms), or null: the origin of the time axis. */
  firstTime() {
    let first = Infinity;
    for (const pts of this.series.values()) for (const p of pts) if (p.time < first) first = p.time;
    return Number.isFinite(first) ? first : null;
  }
}
