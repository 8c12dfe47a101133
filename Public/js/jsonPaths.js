// Dotted paths into job documents: flattening for tables and diffs, and locating a path's
// line in JSON text so validation errors can be shown where they are.

/** Flattens a JSON value to [[dottedPath, leafValue], ...] ("loss.temperature", "model.hidden[1]").
 *  Empty objects and arrays are kept as leaves so they still show up in tables. */
export function flatten(value, prefix = '') {
  const out = [];
  const walk = (v, path) => {
    if (Array.isArray(v)) {
      if (v.length === 0) { out.push([path, v]); return; }
      v.forEach((item, i) => walk(item, `${path}[${i}]`));
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      if (keys.length === 0 && path) { out.push([path, v]); return; }
      for (const k of keys) walk(v[k], path ? `${path}.${k}` : k);
    } else {
      out.push([path, v]);
    }
  };
  walk(value, prefix);
  return out;
}

/** Rows of paths whose values differ between documents: [{path, values: [...]}] (missing → undefined). */
export function differingPaths(docs) {
  const maps = docs.map((d) => new Map(flatten(d)));
  const order = [];
  const seen = new Set();
  for (const m of maps) for (const k of m.keys()) if (!seen.has(k)) { seen.add(k); order.push(k); }
  const rows = [];
  for (const path of order) {
    const values = maps.map((m) => m.get(path));
    const first = JSON.stringify(values[0]);
    if (values.some((v) => JSON.stringify(v) !== first)) rows.push({ path, values });
  }
  return rows;
}

/** Parses JSON text and returns Map(path → 1-based line) for every value (objects and arrays too).
 *  The root is "". Throws a SyntaxError with a `line` property on malformed text. */
export function locatePaths(text) {
  const lines = new Map();
  let i = 0;
  let line = 1;
  const fail = (msg) => { const e = new SyntaxError(`${msg} (line ${line})`); e.line = line; throw e; };
  const ws = () => {
    while (i < text.length) {
      const c = text[i];
      if (c === '\n') { line++; i++; } else if (c === ' ' || c === '\t' || c === '\r') i++; else break;
    }
  };
  const str = () => {
    if (text[i] !== '"') fail('expected a string');
    i++;
    let s = '';
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\n') fail('unterminated string');
      if (text[i] === '\\') { s += text.slice(i, i + 2); i += 2; } else { s += text[i]; i++; }
    }
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(`"${s}"`);
  };
  const value = (path) => {
    ws();
    lines.set(path, line);
    const c = text[i];
    if (c === '{') {
      i++; ws();
      if (text[i] === '}') { i++; return; }
      for (;;) {
        ws();
        const keyLine = line;
        const key = str();
        const child = path ? `${path}.${key}` : key;
        ws();
        if (text[i] !== ':') fail('expected ":"');
        i++;
        value(child);
        lines.set(child, keyLine);
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return; }
        fail('expected "," or "}"');
      }
    } else if (c === '[') {
      i++; ws();
      if (text[i] === ']') { i++; return; }
      for (let n = 0; ; n++) {
        value(`${path}[${n}]`);
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return; }
        fail('expected "," or "]"');
      }
    } else if (c === '"') {
      str();
    } else {
      const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
      if (!m) fail(c === undefined ? 'unexpected end of text' : `unexpected "${c}"`);
      i += m[0].length;
    }
  };
  value('');
  ws();
  if (i < text.length) fail('unexpected text after the document');
  return lines;
}

/** The line of `path` in the located map, falling back to its nearest located ancestor. */
export function lineOfPath(located, path) {
  let p = path;
  while (p) {
    if (located.has(p)) return located.get(p);
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    p = cut > 0 ? p.slice(0, cut) : '';
  }
  return located.get('') ?? 1;
}
