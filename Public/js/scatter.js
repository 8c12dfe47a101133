// The 2-D projection of a job's test embeddings: an SVG scatter coloured by class with a
// legend; hovering a point shows the item (a canvas thumbnail for images, the values for rows)
// and its nearest train neighbours, which the caller loads (`loadItem`).
import { s, h, replaceChildren } from './dom.js';
import { niceTicks } from './chart.js';
import { formatNumber } from './format.js';

/** Tableau 10, then hues a golden angle apart for more classes. */
const CLASS_COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
export const classColor = (i) => CLASS_COLORS[i] ?? `hsl(${Math.round((i * 137.508) % 360)} 55% 48%)`;

/** The name of class `i`: the given names, else "class i". */
export const className = (names, i) => (Array.isArray(names) && typeof names[i] === 'string' ? names[i] : `class ${i}`);

const W = 520;
const H = 420;
const PAD = 14;
const HOVER_PX = 10;
const MAX_VALUES = 24;

/** Index of the point nearest (x, y) in screen units within `radius`, or -1. */
export function nearestPoint(screen, x, y, radius = HOVER_PX) {
  let best = -1;
  let bestD = radius * radius;
  for (let i = 0; i < screen.length; i++) {
    const dx = screen[i][0] - x;
    const dy = screen[i][1] - y;
    const d = dx * dx + dy * dy;
    if (d <= bestD) { bestD = d; best = i; }
  }
  return best;
}

/**
 * RGBA bytes of an item's image: pixels are [channels, height, width] (planar, as the service
 * keeps rows), 0-255; one channel is grey.
 */
export function imageRGBA({ width, height, channels, pixels }) {
  const plane = width * height;
  const out = new Uint8ClampedArray(plane * 4);
  for (let i = 0; i < plane; i++) {
    const r = pixels[i];
    out[i * 4] = r;
    out[i * 4 + 1] = channels >= 3 ? pixels[plane + i] : r;
    out[i * 4 + 2] = channels >= 3 ? pixels[2 * plane + i] : r;
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** A canvas showing an item's image, scaled up to about `size` pixels wide. */
export function imageCanvas(image, size = 96) {
  const { width, height } = image;
  const zoom = Math.max(1, Math.floor(size / Math.max(width, height)));
  const canvas = h('canvas', { width, height, class: 'item-thumb', 'data-testid': 'item-image',
    style: `width:${width * zoom}px;height:${height * zoom}px` });
  const ctx = canvas.getContext('2d');
  if (!ctx) return canvas;
  const data = ctx.createImageData(width, height);
  data.data.set(imageRGBA(image));
  ctx.putImageData(data, 0, 0);
  return canvas;
}

/**
 * Creates the scatter. loadItem(index, split) → Promise of the items endpoint's answer. Returns
 * {element, update(projection)} where projection is the projection endpoint's answer.
 */
export function createScatter({ loadItem }) {
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'scatter-svg', 'data-testid': 'projection', role: 'img',
    'aria-label': 'Projection of the test embeddings, coloured by class' });
  const legend = h('ul', { class: 'chart-legend scatter-legend', 'data-testid': 'projection-legend' });
  const caption = h('p', { class: 'muted small', 'data-testid': 'projection-caption' });
  const panel = h('div', { class: 'scatter-item', 'data-testid': 'projection-item', 'aria-live': 'polite' },
    h('p', { class: 'muted small' }, 'Hover a point to see the item and its nearest train neighbours.'));
  const element = h('div', { class: 'scatter' },
    h('div', { class: 'scatter-plot' }, svg, legend, caption), panel);
  let points = [];
  let names = [];
  let screen = [];      // [x, y] in viewBox units, per point
  let hovered = -1;
  let hoverTimer = null;
  let asked = 0;

  function update(projection) {
    points = Array.isArray(projection?.points) ? projection.points : [];
    names = projection?.class_names || [];
    replaceChildren(svg);
    replaceChildren(legend);
    svg.dataset.points = String(points.length);
    svg.dataset.step = String(projection?.step ?? '');
    const ev = projection?.explained_variance || [];
    replaceChildren(caption, `${(projection?.method || 'pca').toUpperCase()} of ${formatNumber(points.length)} test embeddings`,
      projection?.step !== undefined ? ` at step ${formatNumber(projection.step)}` : '',
      ev.length >= 2 ? ` · variance explained ${(ev[0] * 100).toFixed(1)} % + ${(ev[1] * 100).toFixed(1)} %` : '');
    if (points.length === 0) {
      svg.append(s('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'chart-empty' }, 'No projection yet'));
      screen = [];
      return;
    }
    let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
    for (const p of points) {
      if (p.x < x0) x0 = p.x; if (p.x > x1) x1 = p.x;
      if (p.y < y0) y0 = p.y; if (p.y > y1) y1 = p.y;
    }
    if (!(x1 > x0)) { x0 -= 1; x1 += 1; }
    if (!(y1 > y0)) { y0 -= 1; y1 += 1; }
    const px = (x) => PAD + ((x - x0) / (x1 - x0)) * (W - 2 * PAD);
    const py = (y) => H - PAD - ((y - y0) / (y1 - y0)) * (H - 2 * PAD);
    const grid = s('g', { class: 'chart-grid' });
    for (const t of niceTicks(x0, x1, 6)) grid.append(s('line', { x1: px(t), x2: px(t), y1: PAD, y2: H - PAD }));
    for (const t of niceTicks(y0, y1, 6)) grid.append(s('line', { x1: PAD, x2: W - PAD, y1: py(t), y2: py(t) }));
    svg.append(grid);
    screen = points.map((p) => [px(p.x), py(p.y)]);
    const dots = s('g', { class: 'scatter-dots' });
    points.forEach((p, i) => dots.append(s('circle', {
      cx: screen[i][0].toFixed(1), cy: screen[i][1].toFixed(1), r: 2.6, fill: classColor(p.label), 'data-index': p.index,
    })));
    svg.append(dots);
    svg.append(s('circle', { class: 'scatter-hover', r: 6, cx: 0, cy: 0, visibility: 'hidden' }));
    const counts = new Map();
    for (const p of points) counts.set(p.label, (counts.get(p.label) || 0) + 1);
    for (const label of [...counts.keys()].sort((a, b) => a - b)) {
      legend.append(h('li', { 'data-class': label },
        h('span', { class: 'swatch', style: `background:${classColor(label)}` }), className(names, label),
        h('span', { class: 'legend-last' }, ` ${counts.get(label)}`)));
    }
    if (hovered >= 0) hovered = -1;
  }

  function showItem(item, point) {
    const values = Array.isArray(item.values) ? item.values : null;
    const neighbors = (item.neighbors || []).map((n) => h('li', {
      'data-index': n.index, 'data-label': n.label, class: n.label === item.label ? 'same' : 'other',
    }, h('span', { class: 'swatch', style: `background:${classColor(n.label)}` }), ' ',
    n.class_name || className(names, n.label), h('span', { class: 'muted' }, ` #${n.index} · cos ${formatNumber(n.similarity, 3)}`)));
    replaceChildren(panel,
      h('p', {}, h('span', { class: 'swatch', style: `background:${classColor(item.label)}` }), ' ',
        h('strong', {}, item.class_name || className(names, item.label)), ` · test item ${item.index}`),
      item.image ? imageCanvas(item.image) : null,
      values ? h('table', { class: 'kv item-values', 'data-testid': 'item-values' }, h('tbody', {},
        values.slice(0, MAX_VALUES).map((v, i) => h('tr', {}, h('th', { scope: 'row' }, `x${i}`), h('td', { class: 'num' }, formatNumber(v)))),
        values.length > MAX_VALUES ? h('tr', {}, h('td', { colspan: 2, class: 'muted' }, `… ${values.length - MAX_VALUES} more`)) : null)) : null,
      h('h4', {}, 'Nearest train items'),
      h('ol', { class: 'neighbors', 'data-testid': 'projection-neighbors' }, neighbors));
    panel.dataset.index = String(point.index);
    // Images: the neighbours' own thumbnails, asked after the item is shown.
    if (item.image) {
      (item.neighbors || []).forEach((n, i) => {
        loadItem(n.index, 'train').then((train) => {
          if (panel.dataset.index === String(point.index) && train.image) neighbors[i].prepend(imageCanvas(train.image, 36));
        }).catch(() => { /* the list still names it */ });
      });
    }
  }

  svg.addEventListener('mousemove', (ev) => {
    if (screen.length === 0) return;
    const box = svg.getBoundingClientRect();
    const x = ((ev.clientX - box.left) / box.width) * W;
    const y = ((ev.clientY - box.top) / box.height) * H;
    const i = nearestPoint(screen, x, y, (HOVER_PX * W) / box.width);
    if (i < 0 || i === hovered) return;
    hovered = i;
    const ring = svg.querySelector('.scatter-hover');
    ring.setAttribute('cx', screen[i][0]);
    ring.setAttribute('cy', screen[i][1]);
    ring.setAttribute('visibility', 'visible');
    clearTimeout(hoverTimer);
    // A short pause first: sweeping across the plot asks for the item under the mouse only.
    hoverTimer = setTimeout(async () => {
      const point = points[i];
      const ticket = ++asked;
      panel.dataset.loading = 'true';
      try {
        const item = await loadItem(point.index, 'test');
        if (ticket === asked) showItem(item, point);
      } catch (err) {
        if (ticket === asked) replaceChildren(panel, h('p', { class: 'muted' }, `Item ${point.index}: ${err.message}`));
      } finally {
        if (ticket === asked) delete panel.dataset.loading;
      }
    }, 120);
  });

  update(null);
  return { element, update };
}
