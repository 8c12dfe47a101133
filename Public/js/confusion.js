// The kNN evaluation per class: a bar chart of each class's accuracy and the confusion matrix
// as a heat-map table (counts, shaded by the row's share: the fraction of a true class that
// the kNN classifier gave each prediction).
import { s, h } from './dom.js';
import { className, classColor } from './scatter.js';

/** Each row divided by its sum (a row of zeros stays zeros). */
export function rowNormalise(matrix) {
  return matrix.map((row) => {
    const sum = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (sum > 0 ? v / sum : 0));
  });
}

/** accuracies: one fraction per class; names: class names (or none). */
export function perClassAccuracyChart(accuracies, names) {
  const BAR = 16;
  const GAP = 5;
  const W = 480;
  const LABEL_W = 130;
  const VALUE_W = 60;
  const span = W - LABEL_W - VALUE_W;
  const height = accuracies.length * (BAR + GAP) + GAP;
  return s('svg', { class: 'class-chart', viewBox: `0 0 ${W} ${height}`, width: '100%', role: 'img',
    'data-testid': 'per-class-accuracy', 'aria-label': 'kNN accuracy per class' },
  accuracies.map((a, i) => {
    const y = GAP + i * (BAR + GAP);
    const name = className(names, i);
    const value = Number.isFinite(a) ? a : 0;
    return s('g', { 'data-class': name, 'data-accuracy': a },
      s('text', { x: LABEL_W - 6, y: y + BAR * 0.75, 'text-anchor': 'end', 'font-size': 12, fill: '#1c2330' },
        name.length > 18 ? `${name.slice(0, 17)}…` : name),
      s('rect', { x: LABEL_W, y, width: Math.max(1, value * span), height: BAR, rx: 3, fill: classColor(i) },
        s('title', {}, `${name}: ${(value * 100).toFixed(1)} %`)),
      s('text', { x: LABEL_W + value * span + 6, y: y + BAR * 0.75, 'font-size': 12, fill: '#5a6472' },
        Number.isFinite(a) ? `${(a * 100).toFixed(1)} %` : '—'));
  }));
}

/** matrix[true][predicted] counts as a table; the shade of a cell is its row share. */
export function confusionTable(matrix, names) {
  const shares = rowNormalise(matrix);
  const short = (i) => { const n = className(names, i); return n.length > 10 ? `${n.slice(0, 9)}…` : n; };
  return h('div', { class: 'confusion-wrap' }, h('table', { class: 'confusion', 'data-testid': 'confusion-matrix' },
    h('thead', {},
      h('tr', {}, h('th', { class: 'corner' }, 'true ↓ · predicted →'),
        matrix.map((_, j) => h('th', { scope: 'col', title: className(names, j) }, short(j))))),
    h('tbody', {}, matrix.map((row, i) => h('tr', {},
      h('th', { scope: 'row', title: className(names, i) }, short(i)),
      row.map((count, j) => {
        const share = shares[i][j];
        // Correct predictions in blue, confusions in red; the alpha is the row share.
        const rgb = i === j ? '31, 95, 191' : '185, 28, 28';
        return h('td', {
          class: ['num', i === j ? 'diag' : '', share > 0.5 ? 'dark' : ''], 'data-count': count, 'data-share': share.toFixed(4),
          style: `background: rgba(${rgb}, ${(share * 0.85).toFixed(3)})`,
          title: `${className(names, i)} → ${className(names, j)}: ${count} (${(share * 100).toFixed(1)} % of the row)`,
        }, String(count));
      }))))));
}
