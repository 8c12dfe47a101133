// A small reusable SVG line chart: several series over a shared x axis (step, epoch or time),
// "nice" ticks, a legend, markers for sparse series and a hover readout; EMA smoothing with
// the raw curve faint behind, a log-scale y option, and zoom by dragging an x range (reset by
// the button or a double click). No libraries.
import { s, h, replaceChildren } from './dom.js';
import { formatNumber } from './format.js';

export const PALETTE = ['#1f5fbf', '#c2410c', '#2f7d32', '#8e3aa8', '#b91c1c', '#0e7490', '#6b7a00', '#a16207'];

const DEFAULT_W = 480;
const H = 230;
const M = { top: 12, right: 14, bottom: 32, left: 58 };
const MAX_DRAWN = 1200;
/** Drags narrower than this many pixels are clicks, not zooms. */
const MIN_DRAG_PX = 6;
/** Sparser series (an evaluation every few epochs) are not smoothed: an EMA over a handful of
 * points only lags behind them. */
const MIN_SMOOTHED = 30;

/** The training step as x: the default axis. */
export const STEP_AXIS = { key: 'step', label: 'step', of: (p) => p.step, format: (v) => formatNumber(v) };

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
export function downsample(points, maxPoints = MAX_DRAWN, xKey = 'step') {
  if (points.length <= maxPoints) return points;
  const buckets = Math.floor(maxPoints / 2);
  const x0 = points[0][xKey];
  const span = points[points.length - 1][xKey] - x0 || 1;
  const out = [];
  let current = -1;
  let lo = null;
  let hi = null;
  const flush = () => {
    if (!lo) return;
    if (lo === hi) out.push(lo); else if (lo[xKey] <= hi[xKey]) out.push(lo, hi); else out.push(hi, lo);
  };
  for (const p of points) {
    const b = Math.min(buckets - 1, Math.floor(((p[xKey] - x0) / span) * buckets));
    if (b !== current) { flush(); current = b; lo = p; hi = p; continue; }
    if (p.value < lo.value) lo = p;
    if (p.value > hi.value) hi = p;
  }
  flush();
  return out;
}

/**
 * Exponential moving average, debiased as TensorBoard does, so the first points are not pulled
 * towards zero: s_t = w·s_{t-1} + (1−w)·v_t, shown as s_t / (1 − w^t) (Adam's bias correction,
 * Kingma & Ba 2015, §3). Non-finite values pass through and do not enter the average.
 */
export function ema(points, weight) {
  if (!(weight > 0) || weight >= 1) return points;
  let acc = 0;
  let n = 0;
  return points.map((p) => {
    if (!Number.isFinite(p.value)) return p;
    acc = weight * acc + (1 - weight) * p.value;
    n += 1;
    return { ...p, value: acc / (1 - weight ** n) };
  });
}

/**
 * Ticks of a log axis over [min, max] (both > 0): 1, 2 and 5 times powers of ten, only the
 * powers when those would be many, and round linear ticks inside one short stretch of a decade.
 * The job charts and the sweep scatters share it.
 */
export function logTicks(min, max) {
  if (!(min > 0) || !(max >= min)) return [];
  const inside = (v) => v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9);
  const all = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (inside(v)) all.push({ v, power: m === 1 });
    }
  }
  const powers = all.filter((t) => t.power);
  const ticks = (all.length > 7 && powers.length >= 2 ? powers : all).map((t) => t.v);
  return ticks.length >= 2 ? ticks : niceTicks(min, max, 4).filter((v) => v > 0 && inside(v));
}

function extent(series, key) {
  let min = Infinity;
  let max = -Infinity;
  for (const sr of series) for (const p of sr) {
    const v = p[key];
    if (Number.isFinite(v)) { if (v < min) min = v; if (v > max) max = v; }
  }
  return [min, max];
}

/** Index of the point whose x is nearest `x` in points sorted by x. */
function nearestIndex(points, x) {
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid].x < x) lo = mid + 1; else hi = mid;
  }
  return lo > 0 && Math.abs(points[lo - 1].x - x) < Math.abs(points[lo].x - x) ? lo - 1 : lo;
}

let chartCount = 0;

/**
 * Creates a chart. options: {testid, title, yFormat?, logScale? (offer the log toggle, default
 * true)}. Returns {element, update(series, view?), setView(view), setLog(on),
 * resetZoom()}: series is [{label, points: [{step, value, time?}], color?}] sorted by step;
 * view is {xAxis?, smoothing?}: xAxis is {key, label, of(point) → x or NaN, format(x)} (STEP_AXIS by default); smoothing is
 * the EMA weight in [0, 1).
 * The svg carries data-held (points held), data-points (drawn), data-scale, data-x-axis,
 * data-x-min/data-x-max (the shown x range) and data-zoomed, for readers and tests.
 */
export function createLineChart({ testid, title, note = null, yFormat = formatNumber, logScale = true }) {
  // The viewBox follows the rendered width, so text keeps its size however wide the chart is.
  let W = DEFAULT_W;
  const clipID = `chart-clip-${++chartCount}`;
  const svg = s('svg', {
    viewBox: `0 0 ${W} ${H}`, height: H, class: 'chart-svg', 'data-testid': testid, role: 'img', 'aria-label': title,
  });
  const legend = h('ul', { class: 'chart-legend' });
  const readout = h('div', { class: 'chart-readout', 'aria-live': 'off' });
  const logBox = h('input', { type: 'checkbox', 'data-testid': `${testid}-log`,
    onchange: () => { log = logBox.checked; draw(); } });
  const reset = h('button', { type: 'button', class: 'chart-reset subtle', 'data-testid': `${testid}-reset`, hidden: true,
    title: 'Show the whole x range (or double-click the chart)', onclick: () => resetZoom() }, 'Reset zoom');
  const element = h('figure', { class: 'chart' },
    h('figcaption', { class: 'chart-head' }, h('span', { class: 'chart-title' }, title),
      h('span', { class: 'chart-controls' }, reset,
        logScale ? h('label', { class: 'chart-log', title: 'Logarithmic y axis' }, logBox, ' log') : null)),
    note ? h('p', { class: 'chart-note muted' }, note) : null, svg, legend, readout);
  let current = [];
  let xAxis = STEP_AXIS;
  let smoothing = 0;
  let log = false;
  let zoom = null;       // [x0, x1] in axis units, or null for everything
  let scales = null;
  let shown = [];        // per series: its raw points in the shown range as {x, value, p}
  let drag = null;

  /** New series, and optionally a new view ({xAxis, smoothing}) drawn with them at once. */
  function update(series, view) {
    current = series.map((sr, i) => ({ ...sr, color: sr.color || PALETTE[i % PALETTE.length] }));
    if (view) applyView(view);
    draw();
  }

  function applyView({ xAxis: axis, smoothing: weight } = {}) {
    if (axis && axis.key !== xAxis.key) zoom = null;  // a range in steps means nothing in seconds
    if (axis) xAxis = axis;
    if (weight !== undefined) smoothing = weight;
  }

  function setView(view) { applyView(view); draw(); }

  function setLog(on) { log = Boolean(on); logBox.checked = log; draw(); }

  function resetZoom() { zoom = null; draw(); }

  function draw() {
    const width = Math.round(svg.getBoundingClientRect().width);
    if (width > 0) W = width;
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    replaceChildren(svg);
    replaceChildren(legend);
    reset.hidden = zoom === null;
    svg.dataset.scale = log ? 'log' : 'linear';
    svg.dataset.xAxis = xAxis.key;
    svg.dataset.zoomed = String(zoom !== null);
    svg.dataset.held = String(current.reduce((n, sr) => n + sr.points.length, 0));
    // Each series in axis units; a log axis cannot show values <= 0.
    const usable = current.map((sr) => {
      const raw = sr.points.map((p) => ({ x: xAxis.of(p), value: p.value, p }))
        .filter((q) => Number.isFinite(q.x) && Number.isFinite(q.value) && (!log || q.value > 0));
      const smooth = smoothing > 0 && raw.length >= MIN_SMOOTHED ? ema(raw, smoothing).filter((q) => !log || q.value > 0) : null;
      return { sr, raw, smooth };
    });
    let [x0, x1] = zoom ?? extent(usable.map((u) => u.raw), 'x');
    const inRange = (q) => q.x >= x0 && q.x <= x1;
    shown = usable.map((u) => u.raw.filter(inRange));
    if (!(x1 >= x0) || shown.every((pts) => pts.length === 0)) {
      svg.append(s('text', { x: W / 2, y: H / 2, class: 'chart-empty', 'text-anchor': 'middle' },
        current.some((sr) => sr.points.length) ? (log ? 'No positive values to show' : 'No points in this range') : 'No data yet'));
      scales = null;
      svg.dataset.points = '0';
      delete svg.dataset.xMin;
      delete svg.dataset.xMax;
      for (const sr of current) legendItem(sr);
      return;
    }
    if (x0 === x1) { x0 -= 1; x1 += 1; }
    svg.dataset.xMin = String(x0);
    svg.dataset.xMax = String(x1);
    const ty = log ? Math.log10 : (v) => v;
    let [y0, y1] = extent(shown, 'value');
    let t0 = ty(y0);
    let t1 = ty(y1);
    if (t0 === t1) { const pad = Math.abs(t0) * 0.1 || 1; t0 -= pad; t1 += pad; }
    const yPad = (t1 - t0) * 0.06;
    t0 -= yPad; t1 += yPad;
    const px = (x) => M.left + ((x - x0) / (x1 - x0)) * (W - M.left - M.right);
    const py = (y) => H - M.bottom - ((ty(y) - t0) / (t1 - t0)) * (H - M.top - M.bottom);
    scales = { px, x0, x1 };
    [y0, y1] = log ? [10 ** t0, 10 ** t1] : [t0, t1];

    const grid = s('g', { class: 'chart-grid' });
    for (const t of log ? logTicks(y0, y1) : niceTicks(y0, y1)) {
      grid.append(s('line', { x1: M.left, x2: W - M.right, y1: py(t), y2: py(t) }));
      grid.append(s('text', { class: 'chart-ytick', x: M.left - 6, y: py(t) + 4, 'text-anchor': 'end', 'data-value': t }, yFormat(t)));
    }
    for (const t of niceTicks(x0, x1, 6)) {
      if (t < x0 || t > x1) continue;
      grid.append(s('line', { class: 'chart-xtick', x1: px(t), x2: px(t), y1: H - M.bottom, y2: H - M.bottom + 4 }));
      grid.append(s('text', { x: px(t), y: H - M.bottom + 17, 'text-anchor': 'middle' }, xAxis.format(t)));
    }
    grid.append(s('text', { x: W - M.right, y: H - 4, 'text-anchor': 'end', class: 'chart-axis-label' }, xAxis.label));
    grid.append(s('line', { class: 'chart-axis', x1: M.left, x2: W - M.right, y1: H - M.bottom, y2: H - M.bottom }));
    svg.append(grid);
    svg.append(s('clipPath', { id: clipID }, s('rect', { x: M.left, y: M.top - 4, width: W - M.left - M.right, height: H - M.top - M.bottom + 8 })));

    // One point either side of the range keeps the line running to the edge (the clip cuts it).
    const widened = (pts) => {
      const i = pts.findIndex(inRange);
      if (i < 0) return [];
      let j = i;
      while (j + 1 < pts.length && inRange(pts[j + 1])) j++;
      return pts.slice(Math.max(0, i - 1), Math.min(pts.length, j + 2));
    };
    const path = (pts) => pts.map((q, i) => `${i ? 'L' : 'M'}${px(q.x).toFixed(1)},${py(q.value).toFixed(1)}`).join('') || 'M0,0';
    const lines = s('g', { 'clip-path': `url(#${clipID})` });
    let total = 0;
    usable.forEach(({ sr, raw, smooth }, k) => {
      const pts = downsample(widened(raw), MAX_DRAWN, 'x');
      total += pts.length;
      if (smooth) {
        lines.append(s('path', { class: 'chart-line chart-raw', d: path(pts), stroke: sr.color, fill: 'none', 'data-series': sr.label }));
        const sm = downsample(widened(smooth), MAX_DRAWN, 'x');
        lines.append(s('path', { class: 'chart-line chart-smooth', d: path(sm), stroke: sr.color, fill: 'none',
          'data-series': sr.label, 'data-points': sm.length }));
      } else {
        lines.append(s('path', { class: 'chart-line', d: path(pts), stroke: sr.color, fill: 'none',
          'data-series': sr.label, 'data-points': pts.length }));
      }
      const visible = shown[k];
      if (visible.length > 0 && visible.length <= 40 && !smooth) {
        const dots = s('g', { class: 'chart-dots', fill: sr.color });
        for (const q of visible) dots.append(s('circle', { cx: px(q.x).toFixed(1), cy: py(q.value).toFixed(1), r: 2.8 }));
        lines.append(dots);
      }
      legendItem(sr);
    });
    svg.append(lines);
    svg.dataset.points = String(total);
    svg.append(s('line', { class: 'chart-cursor', x1: 0, x2: 0, y1: M.top, y2: H - M.bottom, visibility: 'hidden' }));
    svg.append(s('rect', { class: 'chart-selection', x: 0, y: M.top, width: 0, height: H - M.top - M.bottom, visibility: 'hidden' }));
  }

  function legendItem(sr) {
    const last = sr.points[sr.points.length - 1];
    legend.append(h('li', {},
      h('span', { class: 'swatch', style: `background:${sr.color}` }),
      `${sr.label}`, last ? h('span', { class: 'legend-last' }, ` ${yFormat(last.value)}`) : null));
  }

  /** The svg x coordinate of a mouse event. */
  const svgX = (ev) => {
    const box = svg.getBoundingClientRect();
    return ((ev.clientX - box.left) / box.width) * W;
  };
  const clampX = (x) => Math.min(W - M.right, Math.max(M.left, x));
  const dataX = (x) => scales.x0 + ((x - M.left) / (W - M.left - M.right)) * (scales.x1 - scales.x0);

  svg.addEventListener('mousedown', (ev) => {
    if (!scales || ev.button !== 0) return;
    ev.preventDefault();  // no text selection while dragging
    drag = { from: clampX(svgX(ev)) };
  });
  window.addEventListener('mouseup', (ev) => {
    if (!drag) return;
    const from = drag.from;
    const to = clampX(svgX(ev));
    drag = null;
    svg.querySelector('.chart-selection')?.setAttribute('visibility', 'hidden');
    if (!scales || Math.abs(to - from) < MIN_DRAG_PX) return;
    zoom = [dataX(Math.min(from, to)), dataX(Math.max(from, to))];
    draw();
  });
  svg.addEventListener('dblclick', () => { if (zoom) resetZoom(); });

  svg.addEventListener('mousemove', (ev) => {
    if (!scales) return;
    if (drag) {
      const sel = svg.querySelector('.chart-selection');
      const to = clampX(svgX(ev));
      sel?.setAttribute('x', Math.min(drag.from, to));
      sel?.setAttribute('width', Math.abs(to - drag.from));
      sel?.setAttribute('visibility', 'visible');
    }
    const x = dataX(svgX(ev));
    const cursor = svg.querySelector('.chart-cursor');
    const parts = [];
    let at = null;
    current.forEach((sr, k) => {
      const pts = shown[k] || [];
      if (pts.length === 0) return;
      const q = pts[nearestIndex(pts, x)];
      at = at ?? q;
      parts.push(h('span', { style: `color:${sr.color}` }, `${sr.label}: ${yFormat(q.value)}`));
    });
    if (at === null) return;
    cursor.setAttribute('x1', scales.px(at.x));
    cursor.setAttribute('x2', scales.px(at.x));
    cursor.setAttribute('visibility', 'visible');
    const where = xAxis.key === 'step' ? `step ${formatNumber(at.p.step)}` : `${xAxis.label} ${xAxis.format(at.x)} (step ${formatNumber(at.p.step)})`;
    replaceChildren(readout, `${where} · `, parts.flatMap((p, i) => (i ? [' · ', p] : [p])));
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
  return { element, update, setView, setLog, resetZoom };
}
