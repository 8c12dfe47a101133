// Unit tests for the dashboard's DOM-free modules (node --test Tests/browser/unit_test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flatten, differingPaths, locatePaths, lineOfPath } from '../../Public/js/jsonPaths.js';
import { SSEParser } from '../../Public/js/sseParser.js';
import { MetricStore } from '../../Public/js/metricStore.js';
import { niceTicks, downsample } from '../../Public/js/chart.js';
import { formatDuration, formatNumber } from '../../Public/js/format.js';

test('flatten gives dotted paths with array indices', () => {
  const rows = flatten({ name: 'a', model: { hidden: [256, 128], encoder: 'mlp' }, eval: {}, x: [] });
  assert.deepEqual(rows, [['name', 'a'], ['model.hidden[0]', 256], ['model.hidden[1]', 128],
    ['model.encoder', 'mlp'], ['eval', {}], ['x', []]]);
});

test('differingPaths keeps only the paths whose values differ, missing ones included', () => {
  const rows = differingPaths([
    { loss: { kind: 'sscl', temperature: 0.5 }, model: { hidden: [256, 256] }, epochs: 10 },
    { loss: { kind: 'hcl', temperature: 0.5 }, model: { hidden: [256] }, epochs: 10 },
  ]);
  assert.deepEqual(rows, [
    { path: 'loss.kind', values: ['sscl', 'hcl'] },
    { path: 'model.hidden[1]', values: [256, undefined] },
  ]);
});

test('locatePaths maps each path to its line', () => {
  const text = '{\n  "name": "x",\n  "loss": {\n    "temperature": -1\n  },\n  "model": {"hidden": [\n    256,\n    0\n  ]}\n}';
  const at = locatePaths(text);
  assert.equal(at.get('name'), 2);
  assert.equal(at.get('loss'), 3);
  assert.equal(at.get('loss.temperature'), 4);
  assert.equal(at.get('model.hidden[1]'), 8);
  assert.equal(lineOfPath(at, 'model.hidden[1]'), 8);
  assert.equal(lineOfPath(at, 'loss.tau_plus'), 3, 'a missing field falls back to its parent');
  assert.equal(lineOfPath(at, 'nope.deeper'), 1);
  assert.equal(lineOfPath(at, ''), 1);
});

test('locatePaths reports the line of a syntax error', () => {
  assert.throws(() => locatePaths('{\n  "a": 1,\n  "b": 2,\n}'), (e) => e instanceof SyntaxError && e.line === 4);
  assert.throws(() => locatePaths('{\n  "a": tru\n}'), (e) => e.line === 2);
  assert.throws(() => locatePaths('{"a": 1} x'), SyntaxError);
  assert.deepEqual([...locatePaths('{"a\\"b": [1, -2.5e3, true, null, {}]}').keys()].sort(),
    ['', 'a"b', 'a"b[0]', 'a"b[1]', 'a"b[2]', 'a"b[3]', 'a"b[4]'].sort());
});

test('SSEParser handles split chunks, CRLF, multi-line data, comments and ids', () => {
  const events = [];
  const p = new SSEParser((e) => events.push(e));
  p.push(': hello\n\nid: 7\nevent: metric\nda');
  p.push('ta: {"name":"loss",\r\ndata: "step":1}\r');
  p.push('\n\r\nevent: log\ndata: x\n\n');
  p.push('retry: 500\nid: 9\n\n');
  assert.deepEqual(events, [
    { type: 'metric', data: '{"name":"loss",\n"step":1}', id: '7' },
    { type: 'log', data: 'x', id: '7' },
  ]);
  assert.equal(p.lastEventId, '9', 'an id without data still moves Last-Event-ID');
  assert.equal(p.retry, 500);
});

test('MetricStore keeps points sorted by step and replaces duplicates', () => {
  const m = new MetricStore();
  for (const [s, v] of [[1, 5], [3, 3], [2, 4], [3, 2.9], [10, 1]]) m.add('loss', s, v);
  m.add('loss', 11, 'not a number');
  m.add(undefined, 12, 1);
  assert.deepEqual(m.points('loss').map((p) => [p.step, p.value]), [[1, 5], [2, 4], [3, 2.9], [10, 1]]);
  assert.deepEqual(m.names(), ['loss']);
  assert.deepEqual(m.points('lr'), []);
});

test('niceTicks gives round values inside the range', () => {
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(2.13, 5.2, 5), [3, 4, 5]);
  assert.deepEqual(niceTicks(-3.31, -1.42, 5), [-3, -2.5, -2, -1.5]);
  assert.deepEqual(niceTicks(3, 3), [3]);
});

test('downsample keeps the extremes of each bucket', () => {
  const pts = Array.from({ length: 10000 }, (_, i) => ({ step: i, value: i === 5000 ? 100 : Math.sin(i / 100) }));
  const out = downsample(pts, 500);
  assert.ok(out.length <= 500 && out.length > 200);
  assert.ok(out.some((p) => p.value === 100), 'the spike survives');
  assert.ok(out.every((p, i) => i === 0 || out[i - 1].step <= p.step), 'still sorted');
  assert.equal(downsample(pts.slice(0, 10), 500).length, 10);
});

test('formatting', () => {
  assert.equal(formatNumber(1234), '1,234');
  assert.equal(formatNumber(0.000012), '1.20e-5');
  assert.equal(formatNumber(null), '—');
  assert.equal(formatDuration(3725), '1 h 2 min');
  assert.equal(formatDuration(84.2), '1 min 24 s');
});

import { uploadContentType } from '../../Public/js/api.js';

test('uploadContentType: CSV as text/csv, archives by extension, the rest as bytes', () => {
  assert.equal(uploadContentType('csv', 'iris.csv'), 'text/csv');
  assert.equal(uploadContentType('npz', 'x.npz'), 'application/octet-stream');
  assert.equal(uploadContentType('arff', 'x.arff'), 'application/octet-stream');
  assert.equal(uploadContentType('imagefolder', 'Pets.ZIP'), 'application/zip');
  assert.equal(uploadContentType('imagefolder', 'pets.tar'), 'application/x-tar');
  assert.equal(uploadContentType('imagefolder', 'pets.tar.gz'), 'application/gzip');
  assert.equal(uploadContentType('imagefolder', 'pets.tgz'), 'application/gzip');
  assert.equal(uploadContentType('imagefolder', 'pets'), 'application/octet-stream');
});

// The sweep views' DOM-free parts (issue 10).
import { parameterAxis, barDomain, categoryOf } from '../../Public/js/views/sweepPlots.js';
import { formatPValue, sweepIsLive } from '../../Public/js/views/sweepPage.js';
import { valueAtPath } from '../../Public/js/views/sweepSubmit.js';
import { jobListHash } from '../../Public/js/views/jobList.js';

test('parameterAxis: log for log_uniform, linear for numbers, bands for anything else', () => {
  assert.deepEqual(parameterAxis({ distribution: 'log_uniform', min: 0.01, max: 1 }), { kind: 'log' });
  assert.deepEqual(parameterAxis({ distribution: 'int_uniform', min: 1, max: 9 }), { kind: 'linear' });
  assert.deepEqual(parameterAxis({ values: [0.5, 1, 2] }), { kind: 'linear' });
  assert.deepEqual(parameterAxis({ values: ['hcl', 'sscl', 'hcl'] }), { kind: 'categorical', categories: ['hcl', 'sscl'] });
  assert.deepEqual(parameterAxis({ values: [[32], [64, 32], true] }), { kind: 'categorical', categories: ['[32]', '[64,32]', 'true'] });
  assert.equal(categoryOf('sscl'), 'sscl');
  assert.equal(categoryOf(0.5), '0.5');
});

test('barDomain spans every CI and lone mean, padded by 5 %', () => {
  const d = barDomain([{ mean: 0.8, ci95: [0.7, 0.9] }, { mean: 0.6, ci95: null }, { mean: null }]);
  assert.ok(Math.abs(d[0] - (0.6 - 0.015)) < 1e-12 && Math.abs(d[1] - (0.9 + 0.015)) < 1e-12, String(d));
  assert.equal(barDomain([{ mean: null }]), null);
  const one = barDomain([{ mean: 0.5, ci95: null }]);
  assert.ok(one[0] < 0.5 && one[1] > 0.5);
});

test('logTicks: 1-2-5 steps over a short range, powers of ten over a long one', () => {
  assert.deepEqual(logTicks(0.01, 1), [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1]);
  assert.deepEqual(logTicks(0.001, 100), [0.001, 0.01, 0.1, 1, 10, 100]);
});

test('formatPValue, sweepIsLive, valueAtPath and the job list hash', () => {
  assert.equal(formatPValue(0.04567), '0.046');
  assert.equal(formatPValue(3e-7), '< 0.0001');
  assert.equal(formatPValue(null), '—');
  assert.equal(sweepIsLive({ status: 'running', trials: [] }), true);
  assert.equal(sweepIsLive({ status: 'cancelled', trials: [{ status: 'running' }] }), true, 'a trial is still stopping');
  assert.equal(sweepIsLive({ status: 'finished', trials: [{ status: 'succeeded' }, { status: 'pruned' }, { status: 'failed' }] }), false);
  assert.equal(valueAtPath({ loss: { beta: 2 } }, 'loss.beta'), 2);
  assert.equal(valueAtPath({ loss: { beta: 2 } }, 'optimizer.lr'), undefined);
  assert.equal(jobListHash({}), '#/');
  assert.equal(jobListHash({ status: 'running' }), '#/?status=running');
  assert.equal(jobListHash({ sweep: 'swp_x', status: 'failed' }), '#/jobs?sweep=swp_x&status=failed');
});

import { ema, logTicks } from '../../Public/js/chart.js';
import { metricsCSV, csvField } from '../../Public/js/metricsCsv.js';
import { xAxis, stepsPerEpoch, formatClock } from '../../Public/js/xAxes.js';
import { nearestPoint, className } from '../../Public/js/scatter.js';
import { rowNormalise } from '../../Public/js/confusion.js';
import { shares } from '../../Public/js/histogram.js';

test('ema is the debiased exponential moving average, skipping non-finite values', () => {
  // By hand, w = 0.5: s1 = 0.5 → 1; s2 = 0.25 + 1.5 = 1.75 → 1.75 / 0.75; s3 = 0.875 + 2.5 = 3.375 → 3.375 / 0.875.
  const out = ema([{ step: 1, value: 1 }, { step: 2, value: 3 }, { step: 3, value: NaN }, { step: 4, value: 5 }], 0.5);
  assert.deepEqual(out.map((p) => p.step), [1, 2, 3, 4]);
  assert.equal(out[0].value, 1);
  assert.ok(Math.abs(out[1].value - 7 / 3) < 1e-12);
  assert.ok(Number.isNaN(out[2].value));
  assert.ok(Math.abs(out[3].value - 27 / 7) < 1e-12);
  const flat = ema(Array.from({ length: 50 }, (_, i) => ({ step: i, value: 2 })), 0.9);
  assert.ok(flat.every((p) => Math.abs(p.value - 2) < 1e-12), 'a constant stays constant (no pull towards 0)');
  const pts = [{ step: 1, value: 4 }];
  assert.equal(ema(pts, 0), pts, 'weight 0: the points themselves');
});

test('logTicks: powers of ten, 1-2-5 when few, linear inside one short stretch', () => {
  assert.deepEqual(logTicks(0.001, 100), [0.001, 0.01, 0.1, 1, 10, 100]);
  assert.deepEqual(logTicks(0.3, 30), [0.5, 1, 2, 5, 10, 20]);
  assert.deepEqual(logTicks(4.1, 4.6), [4.2, 4.4, 4.6]);
  assert.deepEqual(logTicks(0, 10), [], 'no log axis through zero');
});

test('metricsCSV writes one row per point with the API values and the derived epoch', () => {
  const text = metricsCSV([
    { name: 'loss', points: [{ step: 5, value: 2.5, time: '2026-01-01T00:00:01.000Z' }, { step: 10, value: null, time: '2026-01-01T00:00:02.000Z' }] },
    { name: 'a,"b"', points: [{ step: 10, value: 0.75, time: '2026-01-01T00:00:02.000Z' }] },
  ], (step) => step / 4);
  assert.equal(text, 'metric,step,epoch,time,value\r\n'
    + 'loss,5,1.25,2026-01-01T00:00:01.000Z,2.5\r\n'
    + 'loss,10,2.5,2026-01-01T00:00:02.000Z,\r\n'
    + '"a,""b""",10,2.5,2026-01-01T00:00:02.000Z,0.75\r\n');
  assert.equal(metricsCSV([{ name: 'lr', points: [{ step: 1, value: 0.1 }] }]), 'metric,step,epoch,time,value\r\nlr,1,,,0.1\r\n');
  assert.equal(csvField('x\ny'), '"x\ny"');
});

test('x axes: epoch from steps per epoch, time from the first point', () => {
  assert.equal(stepsPerEpoch({ steps: 400, epochs: 10 }), 40);
  assert.equal(stepsPerEpoch(null), null);
  assert.equal(xAxis('epoch', { perEpoch: 40 }).of({ step: 60 }), 1.5);
  assert.ok(Number.isNaN(xAxis('epoch').of({ step: 60 })));
  assert.equal(xAxis('time', { origin: 1000 }).of({ step: 1, time: 91_000 }), 90);
  assert.ok(Number.isNaN(xAxis('time', { origin: 1000 }).of({ step: 1 })));
  assert.equal(xAxis('step').of({ step: 7 }), 7);
  assert.equal(formatClock(65), '1:05');
  assert.equal(formatClock(3725), '1:02:05');
});

test('MetricStore keeps the time of a point and the earliest time', () => {
  const m = new MetricStore();
  m.add('loss', 2, 1.5, '2026-01-01T00:00:02Z');
  m.add('knn_accuracy', 1, 0.5, '2026-01-01T00:00:01Z');
  m.add('lr', 3, 0.1);
  assert.equal(m.points('loss')[0].time, Date.parse('2026-01-01T00:00:02Z'));
  assert.equal(m.points('lr')[0].time, undefined);
  assert.equal(m.firstTime(), Date.parse('2026-01-01T00:00:01Z'));
});

test('scatter, confusion and histogram helpers', () => {
  assert.equal(nearestPoint([[0, 0], [10, 10], [12, 11]], 11.5, 11, 5), 2);
  assert.equal(nearestPoint([[0, 0]], 50, 50, 5), -1);
  assert.equal(className(['cat', 'dog'], 1), 'dog');
  assert.equal(className(null, 3), 'class 3');
  assert.deepEqual(rowNormalise([[3, 1], [0, 0]]), [[0.75, 0.25], [0, 0]]);
  assert.deepEqual(shares([1, 3, 0]), [0.25, 0.75, 0]);
  assert.deepEqual(shares([0, 0]), [0, 0]);
});

import { imageRGBA } from '../../Public/js/scatter.js';

test('imageRGBA reads planar [channels, height, width] pixels; one channel is grey', () => {
  // 2x1 RGB: red plane [10, 20], green [30, 40], blue [50, 60].
  assert.deepEqual([...imageRGBA({ width: 2, height: 1, channels: 3, pixels: [10, 20, 30, 40, 50, 60] })],
    [10, 30, 50, 255, 20, 40, 60, 255]);
  assert.deepEqual([...imageRGBA({ width: 1, height: 2, channels: 1, pixels: [7, 9] })], [7, 7, 7, 255, 9, 9, 9, 255]);
});
