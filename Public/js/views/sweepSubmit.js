// Starting a sweep (#/sweeps/new): a JSON editor prefilled with an example, "Preview trials"
// (the server's dry run: every trial validated, listed with its configuration, seed and
// parameter values) and "Start sweep", which opens the new sweep's page.
import * as api from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { errorBox, toast } from '../components.js';
import { parameterText } from './sweepPage.js';

export const EXAMPLE_SWEEP = {
  name: 'beta-vs-method',
  base: { dataset: { name: 'fashion-mnist-mini', train_limit: 1024 }, epochs: 5 },
  parameters: {
    'loss.kind': { values: ['hcl', 'sscl'] },
    'loss.beta': { values: [0.5, 1, 2] },
  },
  method: 'grid',
  seeds: [0, 1, 2],
  metric: { name: 'knn_accuracy', goal: 'maximize' },
  max_concurrent: 1,
};

/** The value at a dotted path of a job document ("loss.beta"), or undefined. */
export function valueAtPath(doc, path) {
  let v = doc;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object' || !(key in v)) return undefined;
    v = v[key];
  }
  return v;
}

export function mountSweepSubmit(root) {
  let stopped = false;
  const textarea = h('textarea', {
    class: 'sweep-editor', 'data-testid': 'sweep-editor', wrap: 'off', spellcheck: 'false', autocapitalize: 'off',
    autocomplete: 'off', rows: 24, 'aria-label': 'Sweep document (JSON)', 'aria-describedby': 'sweep-validation',
  });
  textarea.value = JSON.stringify(EXAMPLE_SWEEP, null, 2);
  const status = h('div', { id: 'sweep-validation', 'data-testid': 'sweep-validation', 'aria-live': 'polite' });
  const preview = h('div', { 'data-testid': 'sweep-preview' });
  const previewButton = h('button', { type: 'button', 'data-testid': 'sweep-dry-run', onclick: () => send(true) }, 'Preview trials');
  const submitButton = h('button', { type: 'submit', class: 'primary', 'data-testid': 'sweep-submit' }, 'Start sweep');

  root.append(h('section', { class: 'page sweep-submit', 'data-testid': 'sweep-submit-page' },
    h('p', { class: 'crumbs' }, h('a', { href: '#/sweeps' }, '← Sweeps')),
    h('div', { class: 'page-head' }, h('h1', {}, 'New sweep')),
    h('p', { class: 'muted' }, 'base is a job document; parameters map its dotted paths to ',
      h('code', {}, '{"values": [...]}'), ' or ', h('code', {}, '{"distribution": "uniform" | "log_uniform" | "int_uniform", "min", "max"}'),
      '. Each configuration runs once per seed. Preview lists the trials without queueing anything.'),
    h('form', { class: 'submit-layout', onsubmit: (ev) => { ev.preventDefault(); send(false); } },
      h('div', { class: 'editor-col' }, textarea,
        h('div', { class: 'toolbar' }, previewButton, submitButton,
          h('button', { type: 'button', class: 'subtle', 'data-testid': 'sweep-reset',
            onclick: () => { textarea.value = JSON.stringify(EXAMPLE_SWEEP, null, 2); replaceChildren(status); replaceChildren(preview); } },
          'Reset to the example'))),
      h('aside', { class: 'side-col' }, h('h2', {}, 'Validation'), status)),
    h('h2', {}, 'Trials'), preview));

  /** The dry run's trials; each parameter's value comes from the trial's configuration (else its job). */
  function showPreview(body, doc) {
    const paths = Object.keys(doc?.parameters || {});
    const values = new Map((body.sweep?.configurations || []).map((c) => [c.index, c.parameters || {}]));
    const valueOf = (t, p) => (values.get(t.configuration) && p in values.get(t.configuration)
      ? values.get(t.configuration)[p] : valueAtPath(t.job, p));
    const trials = body.trials || [];
    const configurations = new Set(trials.map((t) => t.configuration)).size;
    replaceChildren(preview,
      h('p', { 'data-testid': 'sweep-preview-count' }, `${trials.length} trials: ${configurations} configuration${configurations === 1 ? '' : 's'}`,
        ` × ${trials.length && configurations ? Math.round(trials.length / configurations) : 0} seeds.`),
      h('div', { class: 'table-wrap' }, h('table', { class: 'jobs' },
        h('thead', {}, h('tr', {}, h('th', { class: 'num' }, '#'), h('th', { class: 'num' }, 'Configuration'), h('th', { class: 'num' }, 'Seed'),
          paths.map((p) => h('th', {}, h('code', {}, p))))),
        h('tbody', {}, trials.map((t, i) => h('tr', { 'data-testid': 'sweep-preview-row', 'data-configuration': t.configuration },
          h('td', { class: 'num' }, String(i + 1)), h('td', { class: 'num' }, `#${t.configuration}`), h('td', { class: 'num' }, String(t.seed)),
          paths.map((p) => h('td', { class: 'mono' }, parameterText(valueOf(t, p) ?? null)))))))));
  }

  async function send(dryRun) {
    let doc;
    try { doc = JSON.parse(textarea.value); } catch (err) {
      replaceChildren(status, errorBox({ code: 'malformed_json', message: `The text is not valid JSON: ${err.message}` }, 'sweep-invalid'));
      return;
    }
    previewButton.disabled = true;
    submitButton.disabled = true;
    try {
      const body = await api.submitSweep(textarea.value, { dryRun });
      if (stopped) return;
      if (dryRun) {
        replaceChildren(status, h('div', { class: 'alert alert-ok', 'data-testid': 'sweep-valid' }, '✓ Valid: every trial passed the job validation.'));
        showPreview(body, doc);
      } else {
        toast(`Sweep ${body.name || body.id} started.`, 'ok');
        location.hash = `#/sweeps/${encodeURIComponent(body.id)}`;
      }
    } catch (err) {
      if (stopped) return;
      replaceChildren(preview);
      replaceChildren(status, errorBox(err, 'sweep-invalid'));
    } finally {
      previewButton.disabled = false;
      submitButton.disabled = false;
    }
  }

  return () => { stopped = true; };
}
