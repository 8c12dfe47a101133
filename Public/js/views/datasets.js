// The datasets page: built-ins and uploads in one table, an upload form with a progress bar,
// the uploaded dataset's summary with a per-class count chart, and delete for uploads.
import * as api from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { errorBox, toast } from '../components.js';
import { classBarChart } from '../classChart.js';
import { formatNumber } from '../format.js';

const FORMATS = [
  ['csv', 'CSV (.csv, a label column)'],
  ['arff', 'ARFF (.arff, Weka / OpenML)'],
  ['npz', 'NumPy (.npz with x and y)'],
  ['imagefolder', 'Image folder (.zip, .tar, .tar.gz of class folders)'],
];
const NAME_PATTERN = '[A-Za-z0-9_\\-][A-Za-z0-9._\\-]{0,63}';

export function mountDatasets(root) {
  let stopped = false;
  let upload = null;

  const list = h('div', { 'data-testid': 'dataset-list' }, h('p', { class: 'muted' }, 'Loading…'));
  const detail = h('div', { 'data-testid': 'dataset-detail' });
  const nameInput = h('input', { name: 'name', required: true, pattern: NAME_PATTERN, maxlength: 64, 'data-testid': 'upload-name',
    placeholder: 'e.g. iris', autocomplete: 'off' });
  const formatSelect = h('select', { name: 'format', 'data-testid': 'upload-format' },
    FORMATS.map(([value, label]) => h('option', { value }, label)));
  const fileInput = h('input', { type: 'file', name: 'file', required: true, 'data-testid': 'upload-file' });
  const labelInput = h('input', { name: 'label_column', 'data-testid': 'upload-label', placeholder: 'label', autocomplete: 'off' });
  const replaceBox = h('input', { type: 'checkbox', name: 'replace', 'data-testid': 'upload-replace' });
  const fill = h('div', { class: 'progress-fill', style: 'width:0%' });
  const bar = h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0,
    'data-testid': 'upload-progress' }, fill);
  const barText = h('span', { class: 'progress-text', 'data-testid': 'upload-progress-text' }, '');
  const progressWrap = h('div', { class: 'progress-wrap', hidden: true }, bar, barText);
  const uploadButton = h('button', { type: 'submit', class: 'primary', 'data-testid': 'upload-submit' }, 'Upload');
  const cancelButton = h('button', { type: 'button', hidden: true, 'data-testid': 'upload-cancel',
    onclick: () => upload && upload.abort() }, 'Cancel');
  const result = h('div', { 'data-testid': 'upload-result', 'aria-live': 'polite' });

  // Fills the name from the file when it is still empty.
  fileInput.addEventListener('change', () => {
    const file = fileInput.files[0];
    if (!file || nameInput.value) return;
    nameInput.value = file.name.replace(/\.(tar\.gz|tgz|zip|tar|csv|arff|npz)$/i, '').replace(/[^A-Za-z0-9._-]/g, '-')
      .replace(/^\.+/, '').slice(0, 64);
    if (/\.(zip|tar|tgz|gz)$/i.test(file.name)) formatSelect.value = 'imagefolder';
    else if (/\.arff$/i.test(file.name)) formatSelect.value = 'arff';
    else if (/\.npz$/i.test(file.name)) formatSelect.value = 'npz';
    else if (/\.csv$/i.test(file.name)) formatSelect.value = 'csv';
  });

  root.append(h('section', { class: 'page datasets-page', 'data-testid': 'datasets-page' },
    h('div', { class: 'page-head' }, h('h1', {}, 'Datasets')),
    h('div', { class: 'datasets-layout' },
      h('div', {},
        h('h2', {}, 'Available'), list, detail),
      h('aside', { class: 'side-col' },
        h('h2', {}, 'Upload'),
        h('form', { class: 'upload-form', 'data-testid': 'upload-form', onsubmit: (ev) => { ev.preventDefault(); start(); } },
          h('label', {}, 'Name ', nameInput),
          h('label', {}, 'Format ', formatSelect),
          h('label', {}, 'File ', fileInput),
          h('label', {}, 'Label column (CSV, ARFF) ', labelInput),
          h('label', { class: 'check' }, replaceBox, ' Replace an upload of the same name'),
          h('div', { class: 'toolbar' }, uploadButton, cancelButton),
          progressWrap),
        result))));

  function setProgress(loaded, total) {
    const pct = total > 0 ? Math.min(100, Math.round((loaded / total) * 1000) / 10) : 0;
    fill.style.width = `${pct}%`;
    bar.setAttribute('aria-valuenow', String(pct));
    barText.textContent = pct >= 100 ? 'Sent; the server is checking the file…'
      : `${pct}% · ${formatNumber(loaded)} of ${formatNumber(total)} bytes`;
  }

  async function start() {
    const file = fileInput.files[0];
    if (!file) return;
    const name = nameInput.value.trim();
    const format = formatSelect.value;
    uploadButton.disabled = true;
    cancelButton.hidden = false;
    progressWrap.hidden = false;
    replaceChildren(result);
    setProgress(0, file.size);
    upload = api.uploadDataset(file, {
      name, format, replace: replaceBox.checked, labelColumn: labelInput.value.trim() || undefined,
    }, setProgress);
    try {
      const summary = await upload.promise;
      if (stopped) return;
      barText.textContent = 'Uploaded and checked.';
      replaceChildren(result, h('div', { class: 'alert alert-ok', 'data-testid': 'upload-done' },
        `Stored ${summary.name}: ${formatNumber(summary.rows)} ${format === 'imagefolder' ? 'images' : 'rows'}.`));
      toast(`Dataset ${summary.name} uploaded`, 'ok');
      showSummary(summary);
      await refresh();
    } catch (err) {
      if (stopped) return;
      barText.textContent = 'Not stored.';
      replaceChildren(result, errorBox(err, 'upload-error'));
    } finally {
      upload = null;
      uploadButton.disabled = false;
      cancelButton.hidden = true;
    }
  }

  function shapeOf(d) {
    if (d.shape) return d.shape.join('×');
    if (d.image_shape) return d.image_shape.join('×');
    if (d.features) return `${d.features} features`;
    return d.format === 'imagefolder' ? 'images' : '—';
  }

  function showSummary(d) {
    const facts = [
      ['Format', d.format], ['Rows', formatNumber(d.rows)],
      ['Train / test', d.train_rows !== undefined && d.train_rows !== null ? `${d.train_rows} / ${d.test_rows}` : '—'],
      ['Shape', shapeOf(d)], ['Classes', (d.classes || []).length],
      ['Missing values imputed', formatNumber(d.imputed_values ?? 0)],
      ['Dropped columns', (d.dropped_columns || []).join(', ') || 'none'],
      ['Checked', 'loaded by the engine'],
      ['Size', `${formatNumber(d.bytes)} bytes`], ['SHA-256', h('code', { 'data-testid': 'dataset-sha256' }, d.sha256)],
      ['In a job', h('code', {}, JSON.stringify({ dataset: { name: d.name } }))],
    ];
    replaceChildren(detail, h('div', { class: 'panel', 'data-testid': 'dataset-summary', 'data-dataset': d.name },
      h('h2', {}, d.name),
      h('dl', { class: 'facts' }, facts.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v)))),
      h('h3', {}, 'Per class'),
      classBarChart(d.classes || [], d.class_counts || [])));
  }

  async function remove(name, button) {
    if (button.dataset.confirm !== 'yes') {
      button.dataset.confirm = 'yes';
      button.textContent = 'Confirm delete';
      return;
    }
    button.disabled = true;
    try {
      await api.deleteDataset(name);
      toast(`Dataset ${name} deleted`, 'ok');
      if (detail.firstChild && detail.firstChild.dataset.dataset === name) replaceChildren(detail);
      await refresh();
    } catch (err) {
      button.disabled = false;
      replaceChildren(result, errorBox(err, 'delete-error'));
    }
  }

  async function refresh() {
    try {
      const body = await api.listDatasets();
      if (stopped) return;
      const rows = body.datasets || [];
      replaceChildren(list, h('div', { class: 'table-wrap' }, h('table', { class: 'jobs datasets-table' },
        h('thead', {}, h('tr', {}, ['Name', 'Kind', 'Shape', 'Classes', 'Rows', ''].map((t) => h('th', {}, t)))),
        h('tbody', {}, rows.map((d) => h('tr', { 'data-dataset': d.name, 'data-builtin': d.builtin ? 'true' : 'false' },
          h('td', {}, h('code', {}, d.name)),
          h('td', {}, d.builtin ? 'built-in' : `upload · ${d.format}`),
          h('td', {}, shapeOf(d)),
          h('td', { class: 'num' }, Array.isArray(d.classes) ? d.classes.length : (d.classes ?? '—')),
          h('td', { class: 'num' }, formatNumber(d.rows ?? ((d.train_count ?? 0) + (d.test_count ?? 0)))),
          h('td', {}, d.builtin ? (d.available ? '' : h('span', { class: 'badge status-cancelled' }, 'not here')) : [
            h('button', { type: 'button', class: 'link', 'data-testid': 'dataset-show', onclick: () => showSummary(d) }, 'Summary'),
            ' ',
            h('button', { type: 'button', class: 'danger', 'data-testid': 'dataset-delete',
              onclick: (ev) => remove(d.name, ev.currentTarget) }, 'Delete'),
          ])))))));
    } catch (err) {
      if (!stopped) replaceChildren(list, errorBox(err, 'datasets-error'));
    }
  }

  refresh();
  return () => { stopped = true; if (upload) upload.abort(); };
}
