// The only module that talks to the server. Adds the bearer token (asked for once on a 401
// and kept in sessionStorage for the tab) and reads event streams with fetch, because
// EventSource cannot send an Authorization header.
import { SSEParser } from './sseParser.js';

const TOKEN_KEY = 'sscl.token';
let tokenRequest = null;

/** An error answer of the API: HTTP status plus the body's {code, message, details}. */
export class ApiError extends Error {
  constructor(status, code, message, details = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

function token() {
  try { return sessionStorage.getItem(TOKEN_KEY); } catch { return null; }
}

function authHeaders(extra = {}) {
  const t = token();
  return t ? { ...extra, Authorization: `Bearer ${t}` } : extra;
}

/** Shows the token dialog once, however many requests got a 401 at the same time. */
function askForToken() {
  if (!tokenRequest) {
    // A 401 while a token is kept means the server refused that token: say so in the dialog.
    const refused = token() !== null;
    if (refused) { try { sessionStorage.removeItem(TOKEN_KEY); } catch { /* private mode */ } }
    tokenRequest = promptForToken(refused).finally(() => { tokenRequest = null; });
  }
  return tokenRequest;
}

function promptForToken(refused) {
  const dialog = document.getElementById('token-dialog');
  if (!dialog || typeof dialog.showModal !== 'function') return Promise.resolve(false);
  const form = dialog.querySelector('form');
  const input = dialog.querySelector('input');
  const message = dialog.querySelector('[data-testid=token-refused]');
  if (message) message.hidden = !refused;
  input.value = '';
  return new Promise((resolve) => {
    const done = () => {
      dialog.removeEventListener('close', done);
      const value = input.value.trim();
      if (dialog.returnValue === 'ok' && value) {
        try { sessionStorage.setItem(TOKEN_KEY, value); } catch { /* private mode */ }
        resolve(true);
      } else {
        resolve(false);
      }
    };
    dialog.addEventListener('close', done);
    form.onsubmit = () => { dialog.returnValue = 'ok'; };
    dialog.returnValue = '';
    dialog.showModal();
    input.focus();
  });
}

function url(path, query = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function errorFrom(res) {
  let body = null;
  try { body = await res.json(); } catch { /* not JSON */ }
  const e = body && body.error ? body.error : {};
  return new ApiError(res.status, e.code || `http_${res.status}`, e.message || res.statusText || 'request failed',
    Array.isArray(e.details) ? e.details : []);
}

async function request(method, path, { query, body, signal } = {}) {
  for (let attempt = 0; ; attempt++) {
    const headers = authHeaders(body !== undefined ? { 'Content-Type': 'application/json' } : {});
    let res;
    try {
      res = await fetch(url(path, query), {
        method, headers, signal,
        body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
      });
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      throw new ApiError(0, 'network_error', `The server cannot be reached (${err.message}).`);
    }
    if (res.status === 401 && attempt < 3 && await askForToken()) continue;
    if (!res.ok) throw await errorFrom(res);
    if (res.status === 204) return null;
    return res.json();
  }
}

export const listJobs = ({ status, sweep, limit, cursor } = {}, signal) =>
  request('GET', '/v1/jobs', { query: { status, sweep, limit, cursor }, signal });
export const getJob = (id, signal) => request('GET', `/v1/jobs/${encodeURIComponent(id)}`, { signal });
/** `text` is sent as typed so the server reports its own parse errors. */
export const submitJob = (text, { dryRun = false } = {}) =>
  request('POST', '/v1/jobs', { query: dryRun ? { dry_run: 'true' } : {}, body: text });
export const getMetrics = (id, { name, afterStep, maxPoints } = {}, signal) =>
  request('GET', `/v1/jobs/${encodeURIComponent(id)}/metrics`,
    { query: { name, after_step: afterStep, max_points: maxPoints }, signal });
export const getLogs = (id, signal) => request('GET', `/v1/jobs/${encodeURIComponent(id)}/logs`, { signal });
export const cancelJob = (id) => request('POST', `/v1/jobs/${encodeURIComponent(id)}/cancel`, { body: {} });
export const retryJob = (id, { fresh = false } = {}) =>
  request('POST', `/v1/jobs/${encodeURIComponent(id)}/retry`, { body: fresh ? { fresh: true } : {} });
export const deleteJob = (id) => request('DELETE', `/v1/jobs/${encodeURIComponent(id)}`);
export const listDatasets = () => request('GET', '/v1/datasets');
export const getDataset = (name, signal) => request('GET', `/v1/datasets/${encodeURIComponent(name)}`, { signal });
export const deleteDataset = (name) => request('DELETE', `/v1/datasets/${encodeURIComponent(name)}`);

/** The Content-Type of an upload: CSV as text/csv, archives by their extension. */
export function uploadContentType(format, fileName = '') {
  const lower = fileName.toLowerCase();
  if (format === 'csv') return 'text/csv';
  if (format !== 'imagefolder') return 'application/octet-stream';
  if (lower.endsWith('.zip')) return 'application/zip';
  if (lower.endsWith('.tar')) return 'application/x-tar';
  if (lower.endsWith('.gz') || lower.endsWith('.tgz')) return 'application/gzip';
  return 'application/octet-stream';
}

/**
 * Uploads a dataset file as the raw body of POST /v1/datasets, with XMLHttpRequest because
 * fetch reports no upload progress. options: name, format, replace, labelColumn, kind;
 * onProgress(loaded, total). Resolves to the dataset's summary; rejects with an ApiError.
 * Returns {promise, abort}.
 */
export function uploadDataset(file, { name, format, replace = false, labelColumn, kind } = {}, onProgress = () => {}) {
  let xhr = null;
  let aborted = false;
  const target = url('/v1/datasets', { name, format, replace: replace ? 'true' : '', label_column: labelColumn, kind });
  const once = () => new Promise((resolve) => {
    xhr = new XMLHttpRequest();
    xhr.open('POST', target);
    const headers = authHeaders({ 'Content-Type': uploadContentType(format, file.name) });
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (ev) => onProgress(ev.loaded, ev.lengthComputable ? ev.total : file.size);
    xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText });
    xhr.onerror = () => resolve({ status: 0, text: '' });
    xhr.onabort = () => resolve({ status: -1, text: '' });
    xhr.send(file);
  });
  const promise = (async () => {
    for (let attempt = 0; ; attempt++) {
      const res = await once();
      if (res.status === 401 && attempt < 3 && !aborted && await askForToken()) continue;
      let body = null;
      try { body = JSON.parse(res.text); } catch { /* not JSON */ }
      if (res.status >= 200 && res.status < 300) return body;
      if (res.status === -1) throw new ApiError(0, 'aborted', 'The upload was cancelled.');
      if (res.status === 0) throw new ApiError(0, 'network_error', 'The server cannot be reached (or closed the connection).');
      const e = body && body.error ? body.error : {};
      throw new ApiError(res.status, e.code || `http_${res.status}`, e.message || 'upload failed',
        Array.isArray(e.details) ? e.details : []);
    }
  })();
  return { promise, abort() { aborted = true; if (xhr) xhr.abort(); } };
}
export const getDefaults = () => request('GET', '/v1/defaults');

/** The URL of a download: "model.safetensors" or "checkpoint". */
export const downloadURL = (id, file) => `/v1/jobs/${encodeURIComponent(id)}/${file}`;

/** Whether downloads must go through `download` (a plain link cannot send the token). */
export const needsAuthenticatedDownload = () => token() !== null;

/** Downloads with the token: fetch, then save the blob under `filename`. */
export const download = (id, file, filename) => downloadFrom(downloadURL(id, file), filename);

async function downloadFrom(target, filename) {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(target, { headers: authHeaders() });
    if (res.status === 401 && attempt === 0 && await askForToken()) continue;
    if (!res.ok) throw await errorFrom(res);
    const href = URL.createObjectURL(await res.blob());
    const a = Object.assign(document.createElement('a'), { href, download: filename });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(href), 10_000);
    return;
  }
}

/**
 * Follows a job's event stream; reconnects with Last-Event-ID after a drop.
 * options: after (an event id to continue after, e.g. a REST response's last_event_id),
 * onEvent(type, data, id), onState('open'|'reconnecting'|'closed'), onActivity() (any bytes,
 * keep-alive comments included), shouldReconnect() → bool or Promise<bool> (asked after every
 * end of the response, a clean one included).
 * Returns {close(), restart()}: restart drops the connection and reconnects at once.
 */
export function streamEvents(id, { after = null, onEvent, onState = () => {}, onActivity = () => {}, shouldReconnect = () => true }) {
  let controller = new AbortController();
  let closed = false;
  let lastEventId = after === null || after === undefined ? null : String(after);
  let retryMs = 2000;
  let skipWait = false;

  const run = async () => {
    let asked = false;
    while (!closed) {
      try {
        const headers = authHeaders({ Accept: 'text/event-stream' });
        if (lastEventId !== null) headers['Last-Event-ID'] = lastEventId;
        const res = await fetch(`/v1/jobs/${encodeURIComponent(id)}/events`,
          { headers, signal: controller.signal, cache: 'no-store' });
        if (res.status === 401 && !asked) { asked = true; if (await askForToken()) continue; }
        if (res.status === 404 || res.status === 401) break;
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        onState('open');
        onActivity();
        const parser = new SSEParser((ev) => {
          if (ev.id !== null) lastEventId = ev.id;
          let data = ev.data;
          try { data = JSON.parse(ev.data); } catch { /* plain text */ }
          onEvent(ev.type, data, ev.id);
        });
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          onActivity();
          parser.push(decoder.decode(value, { stream: true }));
          if (parser.retry !== null) retryMs = parser.retry;
        }
      } catch (err) {
        if (closed) break;
        if (err.name === 'AbortError') {
          if (!skipWait) break;
          controller = new AbortController();
        }
      }
      if (closed || !(await shouldReconnect())) break;
      if (skipWait) { skipWait = false; continue; }
      onState('reconnecting');
      await new Promise((r) => setTimeout(r, retryMs));
    }
    onState('closed');
  };
  run();
  return {
    close() {
      closed = true;
      controller.abort();
    },
    restart() {
      skipWait = true;
      controller.abort();
    },
  };
}

// Sweeps (issue 10).
export const listSweeps = ({ limit } = {}, signal) => request('GET', '/v1/sweeps', { query: { limit }, signal });
export const getSweep = (id, signal) => request('GET', `/v1/sweeps/${encodeURIComponent(id)}`, { signal });
/** `text` is sent as typed so the server reports its own parse errors; dry_run answers the trial list. */
export const submitSweep = (text, { dryRun = false } = {}) =>
  request('POST', '/v1/sweeps', { query: dryRun ? { dry_run: 'true' } : {}, body: text });
export const cancelSweep = (id) => request('POST', `/v1/sweeps/${encodeURIComponent(id)}/cancel`);
/** The URL of a sweep's results.csv (a plain link works when the server needs no token). */
export const sweepResultsURL = (id) => `/v1/sweeps/${encodeURIComponent(id)}/results.csv`;
/** Downloads results.csv with the token. */
export const downloadSweepResults = (id) => downloadFrom(sweepResultsURL(id), `${id}-results.csv`);

// The representation and diagnostics of a job (issue 11).
/** The 2-D projection of up to 2,000 test embeddings: {method, step, explained_variance, points, class_names}. */
export const getProjection = (id, signal) => request('GET', `/v1/jobs/${encodeURIComponent(id)}/projection`, { signal });
/** One item of a split with its `k` nearest train neighbours. */
export const getItem = (id, index, { split = 'test', k = 5 } = {}, signal) =>
  request('GET', `/v1/jobs/${encodeURIComponent(id)}/items/${encodeURIComponent(index)}`, { query: { split, k }, signal });
/** The latest `last` similarity histograms: {histograms: [...]}. */
export const getSimilarityHistograms = (id, { last = 1 } = {}, signal) =>
  request('GET', `/v1/jobs/${encodeURIComponent(id)}/similarity_histograms`, { query: { last }, signal });
