// The submit form: a JSON editor prefilled with the server's defaults (or a job to clone),
// "Validate" through dry_run, and validation errors listed by dotted path and highlighted
// on their lines.
import * as api from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { lineOfPath, locatePaths } from '../jsonPaths.js';
import { errorBox, toast } from '../components.js';

const LINE_HEIGHT = 20;
const PAD_TOP = 8;

export function mountSubmit(root, route) {
  const from = route.query.get('from');
  let stopped = false;
  let problems = [];
  let relocateTimer = null;

  const textarea = h('textarea', {
    id: 'job-editor', class: 'editor-text', 'data-testid': 'job-editor', wrap: 'off', spellcheck: 'false',
    autocapitalize: 'off', autocomplete: 'off', 'aria-label': 'Job document (JSON)', 'aria-describedby': 'validation',
  });
  const gutter = h('div', { class: 'editor-gutter', 'aria-hidden': 'true' });
  const backdrop = h('div', { class: 'editor-backdrop', 'aria-hidden': 'true' });
  const status = h('div', { id: 'validation', class: 'validation', 'data-testid': 'validation', 'aria-live': 'polite' });
  const resolved = h('div', { 'data-testid': 'resolved' });
  const datasets = h('div', { 'data-testid': 'datasets' });
  const source = h('p', { class: 'muted', 'data-testid': 'editor-source' }, 'Loading defaults…');
  const validateButton = h('button', { type: 'button', 'data-testid': 'validate', onclick: () => send(true) }, 'Validate');
  const submitButton = h('button', { type: 'submit', class: 'primary', 'data-testid': 'submit' }, 'Submit job');

  root.append(h('section', { class: 'page submit-page', 'data-testid': 'submit-page' },
    h('div', { class: 'page-head' }, h('h1', {}, from ? 'Clone job' : 'New job')),
    source,
    h('form', { class: 'submit-layout', onsubmit: (ev) => { ev.preventDefault(); send(false); } },
      h('div', { class: 'editor-col' },
        h('div', { class: 'editor' }, gutter, h('div', { class: 'editor-body' }, backdrop, textarea)),
        h('div', { class: 'toolbar' }, validateButton, submitButton,
          h('button', { type: 'button', 'data-testid': 'format', onclick: formatText }, 'Format'),
          h('button', { type: 'button', class: 'subtle', 'data-testid': 'reset', onclick: loadDefaults }, 'Reset to defaults'))),
      h('aside', { class: 'side-col' }, h('h2', {}, 'Validation'), status, resolved, h('h2', {}, 'Datasets'), datasets))));

  function lineCount() { return textarea.value.split('\n').length; }

  function paintLines() {
    const bad = new Map();
    for (const p of problems) if (p.line) bad.set(p.line, [...(bad.get(p.line) || []), p]);
    const n = lineCount();
    const gutterRows = [];
    const backRows = [];
    for (let i = 1; i <= n; i++) {
      const errs = bad.get(i);
      gutterRows.push(h('div', { class: errs ? 'error' : null, 'data-line': i }, String(i)));
      backRows.push(h('div', { class: ['editor-line', errs ? 'error' : null], 'data-line': i,
        title: errs ? errs.map((e) => `${e.path}: ${e.reason}`).join('\n') : null }));
    }
    replaceChildren(gutter, gutterRows);
    replaceChildren(backdrop, backRows);
    textarea.setAttribute('aria-invalid', problems.length ? 'true' : 'false');
    syncScroll();
  }

  function syncScroll() {
    gutter.style.transform = `translateY(${-textarea.scrollTop}px)`;
    backdrop.style.transform = `translateY(${-textarea.scrollTop}px)`;
  }

  function goToLine(line) {
    const lines = textarea.value.split('\n');
    let start = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
    textarea.focus();
    textarea.setSelectionRange(start, start + (lines[line - 1] || '').length);
    textarea.scrollTop = Math.max(0, PAD_TOP + (line - 1) * LINE_HEIGHT - textarea.clientHeight / 3);
    syncScroll();
  }

  /** Puts each problem on the line of its path in the current text (when the text parses). */
  function locate() {
    let located = null;
    try { located = locatePaths(textarea.value); } catch { /* keep old lines */ }
    if (located) for (const p of problems) if (p.path !== undefined && p.path !== null) p.line = lineOfPath(located, p.path);
  }

  function showProblems(title, list) {
    problems = list.map((d) => ({ path: d.path ?? '', reason: d.reason ?? d.message ?? '', line: d.line }));
    locate();
    paintLines();
    replaceChildren(status,
      h('div', { class: 'alert alert-error', role: 'alert', 'data-testid': 'validation-failed' }, title),
      problems.length ? h('ul', { class: 'problems', 'data-testid': 'validation-errors' }, problems.map((p) =>
        h('li', { 'data-testid': 'validation-error', 'data-path': p.path, 'data-line': p.line ?? '' },
          h('button', { type: 'button', class: 'link', onclick: () => p.line && goToLine(p.line) },
            h('code', {}, p.path || '(document)'), p.line ? h('span', { class: 'muted' }, ` line ${p.line}`) : null),
          h('div', {}, p.reason)))) : null);
  }

  function clearProblems() {
    problems = [];
    paintLines();
    replaceChildren(status);
  }

  /** Checks the JSON syntax locally first, so the line of a typo is known exactly. */
  function parseLocally() {
    try {
      locatePaths(textarea.value);
      return true;
    } catch (err) {
      showProblems('The text is not valid JSON.', [{ path: '', reason: err.message, line: err.line }]);
      replaceChildren(resolved);
      return false;
    }
  }

  async function send(dryRun) {
    if (!parseLocally()) return;
    validateButton.disabled = true;
    submitButton.disabled = true;
    try {
      const body = await api.submitJob(textarea.value, { dryRun });
      if (stopped) return;
      if (dryRun) {
        clearProblems();
        replaceChildren(status, h('div', { class: 'alert alert-ok', 'data-testid': 'validation-ok' },
          '✓ Valid. Every default is filled in below.'));
        replaceChildren(resolved, h('details', { class: 'resolved' }, h('summary', {}, 'Resolved job document'),
          h('pre', { class: 'mono' }, JSON.stringify(body.job, null, 2))));
      } else {
        toast(`Job ${body.name || body.id} submitted.`, 'ok');
        location.hash = `#/jobs/${encodeURIComponent(body.id)}`;
      }
    } catch (err) {
      if (stopped) return;
      replaceChildren(resolved);
      if (err.status === 422 || (err.details && err.details.length)) {
        showProblems(err.message || 'The job document is invalid.', err.details || []);
      } else {
        problems = [];
        paintLines();
        replaceChildren(status, errorBox(err, 'validation-failed'));
      }
    } finally {
      validateButton.disabled = false;
      submitButton.disabled = false;
    }
  }

  function formatText() {
    try {
      textarea.value = JSON.stringify(JSON.parse(textarea.value), null, 2);
      locate();
      paintLines();
    } catch { parseLocally(); }
  }

  function setText(doc) {
    textarea.value = JSON.stringify(doc, null, 2);
    clearProblems();
  }

  async function loadDefaults() {
    try {
      const body = await api.getDefaults();
      if (stopped) return;
      setText(body.job);
      source.textContent = 'Prefilled with the server’s defaults. Edit, validate, submit.';
    } catch (err) {
      if (stopped) return;
      source.textContent = '';
      source.append(errorBox(err, 'defaults-error'));
      if (!textarea.value) setText({});
    }
  }

  async function loadClone() {
    try {
      const job = await api.getJob(from);
      if (stopped) return;
      const doc = { ...(job.job || {}) };
      if (doc.name || job.name) doc.name = `${doc.name || job.name}-clone`;
      setText(doc);
      replaceChildren(source, 'A copy of ', h('a', { href: `#/jobs/${encodeURIComponent(from)}` }, job.name || from),
        '. Edit it and submit a new job.');
    } catch (err) {
      if (stopped) return;
      replaceChildren(source, errorBox(err, 'clone-error'));
      await loadDefaults();
    }
  }

  /** Puts {"name": NAME} as the editor's dataset; the augment section goes (its defaults follow the data's kind). */
  function useDataset(d) {
    let doc;
    try { doc = JSON.parse(textarea.value); } catch { toast('Fix the JSON before choosing a dataset', 'error'); return; }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) doc = {};
    doc.dataset = { name: d.name };
    if (doc.augment && (d.builtin === false || !(d.shape && d.shape.length === 3))) delete doc.augment;
    textarea.value = JSON.stringify(doc, null, 2);
    problems = [];
    locate();
    paintLines();
    toast(`Dataset set to ${d.name}`);
  }

  async function loadDatasets() {
    try {
      const body = await api.listDatasets();
      if (stopped) return;
      const list = body.datasets || [];
      replaceChildren(datasets, h('table', { class: 'kv datasets' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Shape'), h('th', { class: 'num' }, 'Classes'),
          h('th', { class: 'num' }, 'Train / test'), h('th', {}, ''))),
        h('tbody', {}, list.map((d) => h('tr', { class: d.available ? null : 'unavailable', 'data-dataset': d.name },
          h('td', {}, h('code', {}, d.name), d.builtin === false ? h('span', { class: 'muted' }, ' (upload)') : null),
          h('td', {}, (d.shape || d.image_shape || (d.features ? [d.features] : [])).join('×')),
          h('td', { class: 'num' }, Array.isArray(d.classes) ? d.classes.length : (d.classes ?? '—')),
          h('td', { class: 'num' }, d.builtin === false ? `${d.train_rows ?? '?'} / ${d.test_rows ?? '?'}`
            : `${d.train_count ?? '?'} / ${d.test_count ?? '?'}`),
          h('td', {}, d.available
            ? h('button', { type: 'button', class: 'link', 'data-testid': 'use-dataset', onclick: () => useDataset(d) }, 'Use')
            : h('span', { class: 'badge status-cancelled' }, 'not here')))))),
        h('p', { class: 'muted' }, h('a', { href: '#/datasets' }, 'Upload a dataset…')));
    } catch (err) {
      if (!stopped) replaceChildren(datasets, errorBox(err, 'datasets-error'));
    }
  }

  textarea.addEventListener('scroll', syncScroll);
  textarea.addEventListener('input', () => {
    clearTimeout(relocateTimer);
    relocateTimer = setTimeout(() => { locate(); paintLines(); }, 200);
  });
  textarea.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      send(true);
    }
  });

  paintLines();
  if (from) loadClone(); else loadDefaults();
  loadDatasets();
  return () => { stopped = true; clearTimeout(relocateTimer); };
}
