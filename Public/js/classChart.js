// A horizontal SVG bar chart of images or rows per class, in the line chart's palette and type.
import { s } from './dom.js';
import { PALETTE } from './chart.js';
import { formatNumber } from './format.js';

const BAR = 18;
const GAP = 6;
const W = 480;
const LABEL_W = 120;
const COUNT_W = 64;

/** classes: names; counts: one number per class. At most `max` bars (the rest summed). */
export function classBarChart(classes, counts, { max = 40 } = {}) {
  let names = classes.slice(0, max);
  let values = counts.slice(0, max);
  if (classes.length > max) {
    names = [...names, `… ${classes.length - max} more`];
    values = [...values, counts.slice(max).reduce((a, b) => a + b, 0)];
  }
  const top = Math.max(1, ...values);
  const height = names.length * (BAR + GAP) + GAP;
  const span = W - LABEL_W - COUNT_W;
  return s('svg', {
    class: 'class-chart', viewBox: `0 0 ${W} ${height}`, width: '100%', role: 'img',
    'aria-label': `Count per class: ${names.map((n, i) => `${n} ${values[i]}`).join(', ')}`, 'data-testid': 'class-chart',
  }, names.map((name, i) => {
    const y = GAP + i * (BAR + GAP);
    const w = Math.max(1, Math.round((values[i] / top) * span));
    return s('g', { 'data-class': name, 'data-count': values[i] },
      s('text', { x: LABEL_W - 6, y: y + BAR * 0.72, 'text-anchor': 'end', 'font-size': 12, fill: '#1c2330' },
        name.length > 18 ? `${name.slice(0, 17)}…` : name),
      s('rect', { x: LABEL_W, y, width: w, height: BAR, rx: 3, fill: PALETTE[i % PALETTE.length] },
        s('title', {}, `${name}: ${values[i]}`)),
      s('text', { x: LABEL_W + w + 6, y: y + BAR * 0.72, 'font-size': 12, fill: '#5a6472' }, formatNumber(values[i])));
  }));
}
