// Metric series by name, kept sorted by step; a point at an existing step replaces it, so
// REST history and a replayed event stream can be merged without duplicates.

export class MetricStore {
  constructor() { this.series = new Map(); }

  add(name, step, value) {
    if (!name || !Number.isFinite(step) || typeof value !== 'number') return;
    let pts = this.series.get(name);
    if (!pts) { pts = []; this.series.set(name, pts); }
    const last = pts[pts.length - 1];
    if (!last || last.step < step) { pts.push({ step, value }); return; }
    let lo = 0;
    let hi = pts.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (pts[mid].step < step) lo = mid + 1; else hi = mid; }
    if (pts[lo] && pts[lo].step === step) pts[lo] = { step, value }; else pts.splice(lo, 0, { step, value });
  }

  names() { return [...this.series.keys()]; }

  points(name) { return this.series.get(name) || []; }
}
