// what the CLI prints: aligned text for people, snake_case JSON for scripts

export interface Output {
  json: boolean;
  out(text: string): void;
  err(text: string): void;
  data(value: unknown): void;
}

export function consoleOutput(json: boolean, stdout: NodeJS.WritableStream = process.stdout, stderr: NodeJS.WritableStream = process.stderr): Output {
  return {
    json,
    out: (t) => void stdout.write(t.endsWith('\n') ? t : t + '\n'),
    err: (t) => void stderr.write(t.endsWith('\n') ? t : t + '\n'),
    data: (v) => void stdout.write(JSON.stringify(v, null, 2) + '\n'),
  };
}

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase()).replace(/([a-z])(\d)/g, '$1_$2');
}

/** camelCase keys to the data model's snake_case (properties and JSON values stay as they are) */
export function toWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toWire);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[snake(k)] = k === 'properties' || k === 'before' || k === 'after' || k === 'current' || k === 'snapshot' ? v : toWire(v);
  }
  return out;
}

export function table(headers: readonly string[], rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}

export function fields(pairs: readonly (readonly [string, unknown])[]): string {
  const w = Math.max(...pairs.map(([k]) => k.length));
  return pairs
    .map(([k, v]) => `${(k + ':').padEnd(w + 1)} ${v === null || v === undefined || v === '' ? '-' : Array.isArray(v) ? v.join(', ') || '-' : typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join('\n');
}
