// The sweep page's small SVG plots, DOM only (no API): a leaderboard row's mean ± 95% CI bar
// on an axis shared by all rows, and one parameter against the metric with one point per
// trial, coloured by configuration (log axis for log_uniform parameters, a band per value
// for categorical ones).
import { s, h } from '../dom.js';
import { logTicks, niceTicks, PALETTE } from '../chart.js';
import { formatNumber } from '../format.js';

/** One colour per configuration, the same on every plot of the page. */
export const configurationColor = (c) => PALETTE[((c % PALETTE.length) + PALETTE.length) % PALETTE.length];

/** A value of a configuration as the band (category) it falls in. */
export const categoryOf = (v) => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * How a parameter of the sweep document is drawn: 'log' for log_uniform, 'linear' for the
 * other distributions and for values that are all numbers, else 'categorical' with its values
 * as bands, in the document's order.
 */
export function parameterAxis(domain) {
  if (domain && domain.distribution === 'log_uniform') return { kind: 'log' };
  if (domain && typeof domain.distribution === 'string') return { kind: 'linear' };
  const values = Array.isArray(domain?.values) ? domain.values : [];
  if (values.length && values.every((v) => typeof v === 'number')) return { kind: 'linear' };
  return { kind: 'categorical', categories: [...new Set(values.map(categoryOf))] };
}

/** The x range shared by the leaderboard's bars: every CI (or lone mean), padded by 5 %. */
export function barDomain(rows) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of rows) {
    if (typeof r.mean !== 'number') continue;
    const [a, b] = Array.isArray(r.ci95) ? r.ci95 : [r.mean, r.mean];
    lo = Math.min(lo, a, r.mean);
    hi = Math.max(hi, b, r.mean);
  }
  if (!Number.isFinite(lo)) return null;
  if (lo === hi) { const pad = Math.abs(lo) * 0.01 || 0.01; lo -= pad; hi += pad; }
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

/**
 * A row's error bar: the mean as a dot, the 95% CI as a whiskered line (none with one seed),
 * and the best configuration's mean as a dashed line, all on `domain`.
 */
export function errorBar(row, domain, { bestMean = null, width = 200, height = 22, format = formatNumber } = {}) {
  const svg = s('svg', { class: 'error-bar', width, height, viewBox: `0 0 ${width} ${height}`, 'data-testid': 'error-bar',
    'data-configuration': row.configuration, role: 'img' });
  if (typeof row.mean !== 'number' || !domain) {
    svg.dataset.empty = 'true';
    svg.setAttribute('aria-label', 'no finished seed');
    return svg;
  }
  const [d0, d1] = domain;
  const x = (v) => 6 + ((v - d0) / (d1 - d0)) * (width - 12);
  const y = height / 2;
  const color = configurationColor(row.configuration);
  if (typeof bestMean === 'number') {
    svg.append(s('line', { class: 'error-bar-best', x1: x(bestMean), x2: x(bestMean), y1: 1, y2: height - 1 }));
  }
  svg.append(s('line', { class: 'error-bar-axis', x1: 6, x2: width - 6, y1: height - 2, y2: height - 2 }));
  let label = `mean ${format(row.mean)}`;
  if (Array.isArray(row.ci95)) {
    const [lo, hi] = row.ci95;
    svg.dataset.lo = String(lo);
    svg.dataset.hi = String(hi);
    svg.append(s('g', { class: 'error-bar-ci', stroke: color },
      s('line', { x1: x(lo), x2: x(hi), y1: y, y2: y }),
      s('line', { x1: x(lo), x2: x(lo), y1: y - 5, y2: y + 5 }),
      s('line', { x1: x(hi), x2: x(hi), y1: y - 5, y2: y + 5 })));
    label += `, 95% CI [${format(lo)}, ${format(hi)}]`;
  }
  svg.dataset.mean = String(row.mean);
  svg.append(s('circle', { class: 'error-bar-mean', cx: x(row.mean), cy: y, r: 4, fill: color }));
  svg.setAttribute('aria-label', label);
  svg.append(s('title', {}, label));
  return svg;
}

const SW = 360;
const SH = 220;
const SM = { top: 10, right: 12, bottom: 40, left: 56 };

/**
 * One parameter against the metric. points: [{x, y, configuration, trial, seed}] (x a number,
 * or any value for categorical axes). Returns a figure; its svg is data-testid=scatter and each
 * point a circle data-testid=scatter-point.
 */
export function scatterPlot(path, axis, points, { metricName = 'metric', format = formatNumber } = {}) {
  const svg = s('svg', { class: 'chart-svg scatter', viewBox: `0 0 ${SW} ${SH}`, width: SW, height: SH,
    'data-testid': 'scatter', 'data-parameter': path, 'data-axis': axis.kind, role: 'img',
    'aria-label': `${metricName} against ${path}` });
  const figure = h('figure', { class: 'chart scatter-figure' }, h('figcaption', { class: 'chart-title' }, h('code', {}, path)), svg);
  const usable = points.filter((p) => Number.isFinite(p.y)
    && (axis.kind === 'categorical' || (Number.isFinite(p.x) && (axis.kind !== 'log' || p.x > 0))));
  svg.dataset.points = String(usable.length);
  if (usable.length === 0) {
    svg.append(s('text', { x: SW / 2, y: SH / 2, class: 'chart-empty', 'text-anchor': 'middle' }, 'No finished trial yet'));
    return figure;
  }
  const ys = usable.map((p) => p.y);
  let y0 = Math.min(...ys);
  let y1 = Math.max(...ys);
  if (y0 === y1) { const pad = Math.abs(y0) * 0.01 || 0.01; y0 -= pad; y1 += pad; }
  const yPad = (y1 - y0) * 0.08;
  y0 -= yPad; y1 += yPad;
  const py = (v) => SH - SM.bottom - ((v - y0) / (y1 - y0)) * (SH - SM.top - SM.bottom);
  const plotW = SW - SM.left - SM.right;

  const grid = s('g', { class: 'chart-grid' });
  for (const t of niceTicks(y0, y1, 4)) {
    grid.append(s('line', { x1: SM.left, x2: SW - SM.right, y1: py(t), y2: py(t) }));
    grid.append(s('text', { x: SM.left - 6, y: py(t) + 4, 'text-anchor': 'end' }, format(t)));
  }
  let px;
  if (axis.kind === 'categorical') {
    const categories = [...(axis.categories || [])];
    for (const p of usable) if (!categories.includes(categoryOf(p.x))) categories.push(categoryOf(p.x));
    const band = plotW / categories.length;
    categories.forEach((c, i) => {
      if (i % 2 === 1) grid.append(s('rect', { class: 'scatter-band', x: SM.left + i * band, y: SM.top, width: band, height: SH - SM.top - SM.bottom }));
      grid.append(s('text', { x: SM.left + (i + 0.5) * band, y: SH - SM.bottom + 16, 'text-anchor': 'middle' }, c));
    });
    // Trials of one band spread across its middle half, by seed, so seeds do not hide each other.
    const seeds = [...new Set(usable.map((p) => String(p.seed)))].sort();
    const spread = (p) => (seeds.length < 2 ? 0 : (seeds.indexOf(String(p.seed)) / (seeds.length - 1) - 0.5) * 0.5);
    px = (p) => SM.left + (categories.indexOf(categoryOf(p.x)) + 0.5 + spread(p)) * band;
  } else {
    const xs = usable.map((p) => p.x);
    const log = axis.kind === 'log';
    const f = log ? Math.log10 : (v) => v;
    let x0 = f(Math.min(...xs));
    let x1 = f(Math.max(...xs));
    if (x0 === x1) { const pad = log ? 0.5 : (Math.abs(x0) * 0.1 || 1); x0 -= pad; x1 += pad; }
    const xPad = (x1 - x0) * 0.06;
    x0 -= xPad; x1 += xPad;
    const sx = (v) => SM.left + ((f(v) - x0) / (x1 - x0)) * plotW;
    const ticks = log ? logTicks(10 ** x0, 10 ** x1) : niceTicks(x0, x1, 5).filter((t) => t >= x0 && t <= x1);
    for (const t of ticks) {
      grid.append(s('line', { class: 'chart-xtick', x1: sx(t), x2: sx(t), y1: SH - SM.bottom, y2: SH - SM.bottom + 4 }));
      grid.append(s('text', { x: sx(t), y: SH - SM.bottom + 16, 'text-anchor': 'middle' }, formatNumber(t)));
    }
    px = (p) => sx(p.x);
  }
  grid.append(s('line', { class: 'chart-axis', x1: SM.left, x2: SW - SM.right, y1: SH - SM.bottom, y2: SH - SM.bottom }));
  grid.append(s('text', { x: SW - SM.right, y: SH - 4, 'text-anchor': 'end', class: 'chart-axis-label' },
    axis.kind === 'log' ? `${path} (log)` : path));
  svg.append(grid);
  const dots = s('g', { class: 'scatter-points' });
  for (const p of usable) {
    dots.append(s('circle', {
      cx: px(p).toFixed(1), cy: py(p.y).toFixed(1), r: 4.5, fill: configurationColor(p.configuration),
      'data-testid': 'scatter-point', 'data-trial': p.trial, 'data-configuration': p.configuration,
    }, s('title', {}, `${p.trial} · configuration ${p.configuration} · seed ${p.seed} · ${path} ${categoryOf(p.x)} · ${metricName} ${format(p.y)}`)));
  }
  svg.append(dots);
  return figure;
}
