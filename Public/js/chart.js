// A small reusable SVG line chart: several series over a shared x axis (training step),
// "nice" ticks, a legend, markers for sparse series and a hover readout. No libraries.
import { s, h, replaceChildren } from './dom.js';
import { formatNumber } from './format.js';

export const PALETTE = ['#1f5fbf', '#c2410c', '#2f7d32', '#8e3aa8', '#b91c1c', '#0e7490', '#6b7a00', '#a16207'];

const DEFAULT_W = 480;
const H = 230;
const M = { top: 12, right: 14, bottom: 32, left: 58 };
const MAX_DRAWN = 1200;

/** Up to `count` round tick values covering [min, max]. */
export function niceTicks(min, max, count = 5) {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((x) => x >= raw) ?? 10 * mag;
  const ticks = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) {
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  }
  return ticks;
}

/** Keeps the min and max of each x bucket so long series stay cheap but keep their shape. */
export function downsample(points, maxPoints = MAX_DRAWN) {
  if (points.length <= maxPoints) return points;
  const buckets = Math.floor(maxPoints / 2);
  const x0 = points[0].step;
  const span = points[points.length - 1].step - x0 || 1;
  const out = [];
  let current = -1;
  let lo = null;
  let hi = null;
  const flush = () => {
    if (!lo) return;
    if (lo === hi) out.push(lo); else if (lo.step <= hi.step) out.push(lo, hi); else out.push(hi, lo);
  };
  for (const p of points) {
    const b = Math.min(buckets - 1, Math.floor(((p.step - x0) / span) * buckets));
    if (b !== current) { flush(); current = b; lo = p; hi = p; continue; }
    if (p.value < lo.value) lo = p;
    if (p.value > hi.value) hi = p;
  }
  flush();
  return out;
}

function extent(series, key) {
  let min = Infinity;
  let max = -Infinity;
  for (const sr of series) for (const p of sr.points) {
    const v = p[key];
    if (Number.isFinite(v)) { if (v < min) min = v; if (v > max) max = v; }
  }
  return [min, max];
}

/**
 * Creates a chart. options: {testid, title, yFormat?}. Returns {element, update(series)} where
 * series is [{label, points: [{step, value}], color?}] with points sorted by step.
 */
export function createLineChart({ testid, title, yFormat = formatNumber }) {
  // The viewBox follows the rendered width, so text keeps its size however wide the chart is.
  let W = DEFAULT_W;
  const svg = s('svg', {
    viewBox: `0 0 ${W} ${H}`, height: H, class: 'chart-svg', 'data-testid': testid, role: 'img', 'aria-label': title,
  });
  const legend = h('ul', { class: 'chart-legend' });
  const readout = h('div', { class: 'chart-readout', 'aria-live': 'off' });
  const element = h('figure', { class: 'chart' },
    h('figcaption', { class: 'chart-title' }, title), svg, legend, readout);
  let current = [];
  let scales = null;

  function update(series) {
    current = series.map((sr, i) => ({ ...sr, color: sr.color || PALETTE[i % PALETTE.length] }));
    draw();
  }

  function draw() {
    const width = Math.round(svg.getBoundingClientRect().width);
    if (width > 0) W = width;
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    replaceChildren(svg);
    replaceChildren(legend);
    const withData = current.filter((sr) => sr.points.length > 0);
    if (withData.length === 0) {
      svg.append(s('text', { x: W / 2, y: H / 2, class: 'chart-empty', 'text-anchor': 'middle' }, 'No data yet'));
      scales = null;
      svg.dataset.points = '0';
      svg.dataset.held = '0';
      return;
    }
    let [x0, x1] = extent(withData, 'step');
    let [y0, y1] = extent(withData, 'value');
    if (x0 === x1) { x0 -= 1; x1 += 1; }
    if (y0 === y1) { const pad = Math.abs(y0) * 0.1 || 1; y0 -= pad; y1 += pad; }
    const yPad = (y1 - y0) * 0.06;
    y0 -= yPad; y1 += yPad;
    const px = (x) => M.left + ((x - x0) / (x1 - x0)) * (W - M.left - M.right);
    const py = (y) => H - M.bottom - ((y - y0) / (y1 - y0)) * (H - M.top - M.bottom);
    scales = { px, py, x0, x1 };

    const grid = s('g', { class: 'chart-grid' });
    for (const t of niceTicks(y0, y1)) {
      grid.append(s('line', { x1: M.left, x2: W - M.right, y1: py(t), y2: py(t) }));
      grid.append(s('text', { x: M.left - 6, y: py(t) + 4, 'text-anchor': 'end' }, yFormat(t)));
    }
    for (const t of niceTicks(x0, x1, 6)) {
      if (t < x0 || t > x1) continue;
      grid.append(s('line', { class: 'chart-xtick', x1: px(t), x2: px(t), y1: H - M.bottom, y2: H - M.bottom + 4 }));
      grid.append(s('text', { x: px(t), y: H - M.bottom + 17, 'text-anchor': 'middle' }, formatNumber(t)));
    }
    grid.append(s('text', { x: W - M.right, y: H - 4, 'text-anchor': 'end', class: 'chart-axis-label' }, 'step'));
    grid.append(s('line', { class: 'chart-axis', x1: M.left, x2: W - M.right, y1: H - M.bottom, y2: H - M.bottom }));
    svg.append(grid);

    let total = 0;
    for (const sr of current) {
      const pts = downsample(sr.points.filter((p) => Number.isFinite(p.value)));
      total += pts.length;
      const d = pts.map((p, i) => `${i ? 'L' : 'M'}${px(p.step).toFixed(1)},${py(p.value).toFixed(1)}`).join('');
      svg.append(s('path', {
        class: 'chart-line', d: d || 'M0,0', stroke: sr.color, fill: 'none',
        'data-series': sr.label, 'data-points': pts.length,
      }));
      if (pts.length > 0 && pts.length <= 40) {
        const dots = s('g', { class: 'chart-dots', fill: sr.color });
        for (const p of pts) dots.append(s('circle', { cx: px(p.step).toFixed(1), cy: py(p.value).toFixed(1), r: 2.8 }));
        svg.append(dots);
      }
      const last = sr.points[sr.points.length - 1];
      legend.append(h('li', {},
        h('span', { class: 'swatch', style: `background:${sr.color}` }),
        `${sr.label}`, last ? h('span', { class: 'legend-last' }, ` ${yFormat(last.value)}`) : null));
    }
    svg.dataset.points = String(total);
    // Every point held (before drawing thins them), for readers and tests that count them.
    svg.dataset.held = String(current.reduce((n, sr) => n + sr.points.length, 0));
    svg.append(s('line', { class: 'chart-cursor', x1: 0, x2: 0, y1: M.top, y2: H - M.bottom, visibility: 'hidden' }));
  }

  function nearest(points, step) {
    let lo = 0;
    let hi = points.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (points[mid].step < step) lo = mid + 1; else hi = mid;
    }
    const a = points[lo];
    const b = points[lo - 1];
    return b && Math.abs(b.step - step) < Math.abs(a.step - step) ? b : a;
  }

  svg.addEventListener('mousemove', (ev) => {
    if (!scales) return;
    const box = svg.getBoundingClientRect();
    const x = ((ev.clientX - box.left) / box.width) * W;
    const step = scales.x0 + ((x - M.left) / (W - M.left - M.right)) * (scales.x1 - scales.x0);
    const cursor = svg.querySelector('.chart-cursor');
    const parts = [];
    let at = null;
    for (const sr of current) {
      if (sr.points.length === 0) continue;
      const p = nearest(sr.points, step);
      at = at ?? p.step;
      parts.push(h('span', { style: `color:${sr.color}` }, `${sr.label}: ${yFormat(p.value)}`));
    }
    if (at === null) return;
    cursor.setAttribute('x1', scales.px(at));
    cursor.setAttribute('x2', scales.px(at));
    cursor.setAttribute('visibility', 'visible');
    replaceChildren(readout, `step ${formatNumber(at)} · `, parts.flatMap((p, i) => (i ? [' · ', p] : [p])));
  });
  svg.addEventListener('mouseleave', () => {
    svg.querySelector('.chart-cursor')?.setAttribute('visibility', 'hidden');
    replaceChildren(readout);
  });

  if (typeof ResizeObserver === 'function') {
    let lastWidth = 0;
    new ResizeObserver((entries) => {
      const width = Math.round(entries[0].contentRect.width);
      if (width > 0 && width !== lastWidth) { lastWidth = width; draw(); }
    }).observe(svg);
  }

  update([]);
  return { element, update };
}
