// Entry point: hash routing between the views. Each view mounts into #app and returns an
// unmount function that stops its timers and streams.
import { mountJobList } from './views/jobList.js';
import { mountJobPage } from './views/jobPage.js';
import { mountSubmit } from './views/submit.js';
import { mountCompare } from './views/compare.js';
import { mountDatasets } from './views/datasets.js';
import { mountSweepList } from './views/sweepList.js';
import { mountSweepPage } from './views/sweepPage.js';
import { mountSweepSubmit } from './views/sweepSubmit.js';

/** "#/jobs/abc?x=1" → {name: 'job', id: 'abc', query: URLSearchParams} */
export function parseRoute(hash) {
  const raw = (hash || '').replace(/^#/, '') || '/';
  const [path, qs = ''] = raw.split('?');
  const query = new URLSearchParams(qs);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'jobs' && parts[1]) return { name: 'job', id: parts[1], query };
  if (parts[0] === 'new') return { name: 'new', query };
  if (parts[0] === 'compare') return { name: 'compare', query };
  if (parts[0] === 'datasets') return { name: 'datasets', query };
  if (parts[0] === 'sweeps' && parts[1] === 'new') return { name: 'sweepNew', nav: 'sweeps', query };
  if (parts[0] === 'sweeps' && parts[1]) return { name: 'sweep', nav: 'sweeps', id: parts[1], query };
  if (parts[0] === 'sweeps') return { name: 'sweeps', query };
  return { name: 'list', query };
}

const views = { list: mountJobList, job: mountJobPage, new: mountSubmit, compare: mountCompare, datasets: mountDatasets,
  sweeps: mountSweepList, sweep: mountSweepPage, sweepNew: mountSweepSubmit };
let unmount = null;

function render() {
  const route = parseRoute(location.hash);
  if (unmount) { try { unmount(); } catch (e) { console.error(e); } }
  const root = document.getElementById('app');
  root.textContent = '';
  root.dataset.view = route.name;
  for (const a of document.querySelectorAll('[data-nav]')) {
    a.toggleAttribute('aria-current', a.dataset.nav === (route.nav || route.name));
  }
  unmount = views[route.name](root, route) || null;
}

window.addEventListener('hashchange', render);
render();
