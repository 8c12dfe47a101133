// A view of one similarity histogram (the loss's diagnostics): counts per bin of cosine
// similarity for positives, negatives, hard and synthetic negatives, overlaid as step lines,
// each normalised to its own total so groups of very different sizes share one y axis.
import { s, h, replaceChildren } from './dom.js';
import { niceTicks, PALETTE } from './chart.js';
import { formatNumber } from './format.js';

export const GROUPS = [
  ['positives', 'positives', PALETTE[2]], ['negatives', 'all negatives', PALETTE[0]],
  ['hard', 'hard negatives', PALETTE[1]], ['synthetic', 'synthetic negatives', PALETTE[3]],
];

const W = 480;
const H = 230;
const M = { top: 12, right: 14, bottom: 32, left: 50 };

/** Each count divided by the total of its group (zeros when the group is empty). */
export function shares(counts) {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total > 0 ? c / total : 0));
}

/** At most this many histograms are kept for the step slider (the service thins old ones too). */
const MAX_HISTORY = 500;

/**
 * Returns {element, push(histogram)}: histograms as the `similarity_histogram` event carries
 * them, in any order (one per step, the later replacing). The newest is shown, unless the user
 * moved the slider back to an earlier step.
 */
export function createHistogram() {
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart-svg', 'data-testid': 'similarity-histogram', role: 'img',
    'aria-label': 'Histogram of cosine similarities' });
  const title = h('span', { class: 'chart-title' }, 'Cosine similarity (share of each group)');
  const legend = h('ul', { class: 'chart-legend' });
  let history = [];   // oldest first, one per step
  let pinned = null;  // the step the user chose, or null to follow the newest
  const slider = h('input', { type: 'range', min: 0, max: 0, step: 1, value: 0, hidden: true, class: 'histogram-slider',
    'data-testid': 'histogram-step', 'aria-label': 'Training step of the histogram',
    oninput: () => {
      const i = Number(slider.value);
      pinned = i >= history.length - 1 ? null : history[i].step;
      show();
    } });
  const element = h('figure', { class: 'chart' }, h('figcaption', { class: 'chart-head' }, title), svg, slider, legend);

  function push(hist) {
    if (!hist || !Number.isFinite(hist.step)) return;
    const i = history.findIndex((x) => x.step >= hist.step);
    if (i < 0) history.push(hist); else if (history[i].step === hist.step) history[i] = hist; else history.splice(i, 0, hist);
    if (history.length > MAX_HISTORY) history = history.slice(history.length - MAX_HISTORY);
    show();
  }

  function show() {
    let i = pinned === null ? history.length - 1 : history.findIndex((x) => x.step === pinned);
    if (i < 0) { pinned = null; i = history.length - 1; }
    slider.max = String(Math.max(0, history.length - 1));
    slider.value = String(Math.max(0, i));
    slider.hidden = history.length < 2;
    svg.dataset.count = String(history.length);
    draw(history[i] ?? null);
  }

  function draw(hist) {
    replaceChildren(svg);
    replaceChildren(legend);
    const edges = hist?.bin_edges || [];
    const groups = GROUPS.filter(([key]) => Array.isArray(hist?.[key]) && hist[key].length === edges.length - 1);
    svg.dataset.step = String(hist?.step ?? '');
    svg.dataset.groups = groups.map(([key]) => key).join(',');
    if (edges.length < 2 || groups.length === 0) {
      svg.append(s('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'chart-empty' }, 'No histogram yet'));
      return;
    }
    replaceChildren(title, `Cosine similarity at step ${formatNumber(hist.step)}`,
      Number.isFinite(hist.epoch) ? ` (epoch ${hist.epoch})` : '', ' · share of each group');
    const x0 = edges[0];
    const x1 = edges[edges.length - 1];
    const fractions = groups.map(([key]) => shares(hist[key]));
    const top = Math.max(1e-9, ...fractions.flat()) * 1.08;
    const px = (x) => M.left + ((x - x0) / (x1 - x0)) * (W - M.left - M.right);
    const py = (y) => H - M.bottom - (y / top) * (H - M.top - M.bottom);
    const grid = s('g', { class: 'chart-grid' });
    for (const t of niceTicks(0, top, 4)) {
      grid.append(s('line', { x1: M.left, x2: W - M.right, y1: py(t), y2: py(t) }));
      grid.append(s('text', { x: M.left - 6, y: py(t) + 4, 'text-anchor': 'end' }, `${Number((t * 100).toPrecision(3))}%`));
    }
    for (const t of niceTicks(x0, x1, 8)) {
      grid.append(s('text', { x: px(t), y: H - M.bottom + 17, 'text-anchor': 'middle' }, formatNumber(t)));
    }
    grid.append(s('line', { class: 'chart-axis', x1: M.left, x2: W - M.right, y1: H - M.bottom, y2: H - M.bottom }));
    svg.append(grid);
    groups.forEach(([key, label, color], g) => {
      const f = fractions[g];
      let d = `M${px(x0).toFixed(1)},${py(0).toFixed(1)}`;
      f.forEach((v, i) => { d += `L${px(edges[i]).toFixed(1)},${py(v).toFixed(1)}L${px(edges[i + 1]).toFixed(1)},${py(v).toFixed(1)}`; });
      d += `L${px(x1).toFixed(1)},${py(0).toFixed(1)}`;
      const total = hist[key].reduce((a, b) => a + b, 0);
      svg.append(s('path', { class: 'histogram-line', d, stroke: color, fill: color, 'fill-opacity': 0.12,
        'data-group': key, 'data-total': total }));
      legend.append(h('li', {}, h('span', { class: 'swatch', style: `background:${color}` }), label,
        h('span', { class: 'legend-last' }, ` ${formatNumber(total)}`)));
    });
  }

  draw(null);
  return { element, push };
}
