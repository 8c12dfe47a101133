// Metric points as CSV, one row per point (long format: it holds series sampled at different
// steps, such as the loss every step and the accuracy every evaluation, without gaps), in the
// API's order and with its values: `metric,step,epoch,time,value`.

/** RFC 4180 quoting where needed. */
export function csvField(v) {
  const text = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * series: [{name, points: [{step, value, time}]}] as `GET /v1/jobs/{id}/metrics` returns them;
 * epochOf(step) → the fractional epoch or NaN when unknown. A null (non-finite) value is an
 * empty field.
 */
export function metricsCSV(series, epochOf = () => NaN) {
  const lines = ['metric,step,epoch,time,value'];
  for (const sr of series) {
    for (const p of sr.points || []) {
      const epoch = epochOf(p.step);
      lines.push([sr.name, p.step, Number.isFinite(epoch) ? Number(epoch.toPrecision(10)) : '', p.time ?? '',
        p.value === null || p.value === undefined ? '' : p.value].map(csvField).join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
