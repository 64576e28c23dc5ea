// one VCF data line → its slim record (the browser's columns), or the reason it is
// malformed. The hot path reads only the INFO keys the slim columns need and checks
// typed values without building objects; anything it is unsure of goes through
// @gmod/vcf's full parse, which also words every message. recordDetail() is the full
// INFO/FORMAT a record had, for the detail pane.
import type { InfoValue, SampleData, Samples } from '@gmod/vcf';
import { extractSlim, SLIM_FORMAT_KEYS, SLIM_INFO_KEYS, type SlimFields } from './extract.ts';
import { FORMAT_SAMPLE_LIMIT, type HeaderContext } from './header.ts';
import { OccurrenceCounter, variantId } from './ids.ts';

const POS_RE = /^\d{1,10}$/;
const MAX_POS = 2147483647;
const FLOAT_WORDS = /^[+-]?(nan|inf|infinity)$/i;
const WS_RE = /\s/;

/** a record as the cache keeps it */
export interface SlimRecord extends SlimFields {
  ordinal: number;
  id: string;
  chrom: string;
  pos: number;
  ref: string;
  alt: string;
  vcfId: string | null;
  filter: string | null;
  qual: number | null;
}

/** the raw text of one INFO key, for messages and for telling "nan" from garbage */
function rawInfo(infoCol: string, key: string): string {
  for (const pair of infoCol.split(';')) {
    const eq = pair.indexOf('=');
    if ((eq < 0 ? pair : pair.slice(0, eq)) === key) return eq < 0 ? '' : pair.slice(eq + 1);
  }
  return '';
}

function quote(s: string): string {
  return s.length > 40 ? `"${s.slice(0, 40)}…"` : `"${s}"`;
}

function decodeNoThrow(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// INFO key kinds for the hot path
const INT = 1;
const FLOAT = 2;
const WANTED = 4;
const FLAG = 8;

/** the fixed columns and the column count of a line, without splitting every sample */
function splitFixed(line: string): { cols: string[]; n: number; restStart: number } {
  const cols: string[] = [];
  let start = 0;
  let n = 1;
  let restStart = line.length;
  for (let i = line.indexOf('\t'); i >= 0; i = line.indexOf('\t', i + 1)) {
    if (cols.length < 9) {
      cols.push(line.slice(start, i));
      if (cols.length === 9) restStart = i + 1;
    }
    start = i + 1;
    n++;
  }
  if (cols.length < 9) cols.push(line.slice(start));
  return { cols, n, restStart };
}

/** a sample's Integer FORMAT values are whole numbers (every position, duplicates too) */
function integersOk(sampleStr: string, types: readonly (string | undefined)[]): boolean {
  const fields = sampleStr.split(':');
  const n = Math.min(fields.length, types.length);
  for (let j = 0; j < n; j++) {
    if (types[j] !== 'Integer') continue;
    const val = fields[j] ?? '';
    if (val === '' || val === '.') continue;
    for (const x of val.split(',')) if (x !== '.' && !Number.isInteger(+x)) return false;
  }
  return true;
}

/**
 * the chosen sample's FORMAT values that extraction reads, as @gmod/vcf's SAMPLES()
 * reads them; null when an Integer value is not one
 */
function chosenSample(sampleStr: string, keys: readonly string[], types: readonly (string | undefined)[], wanted: readonly boolean[]): SampleData | null {
  const out: SampleData = {};
  const fields = sampleStr.split(':');
  const n = Math.min(fields.length, keys.length);
  for (let j = 0; j < n; j++) {
    const type = types[j];
    if (!wanted[j] && type !== 'Integer') continue;
    const val = fields[j] ?? '';
    const isNum = type === 'Integer' || type === 'Float';
    let v: (string | number | undefined)[] | undefined;
    if (val === '' || val === '.') v = undefined;
    else if (!val.includes(',')) v = [isNum ? +val : val];
    else v = val.split(',').map((x) => (x === '.' ? undefined : isNum ? +x : x));
    if (type === 'Integer' && v) for (const x of v) if (x !== undefined && !Number.isInteger(x)) return null;
    if (wanted[j]) out[keys[j] ?? ''] = v;
  }
  return out;
}

export class RecordReader {
  private readonly occurrences = new OccurrenceCounter();
  private readonly infoKinds = new Map<string, number>();
  /** the last FORMAT column and what it says, since consecutive records share it */
  private format: { col: string; keys: string[]; types: (string | undefined)[]; ints: boolean; wanted: boolean[] } | null = null;
  records = 0;

  constructor(
    private readonly ctx: HeaderContext,
    private readonly orderId: string,
    /** every record through @gmod/vcf's full parse (the reference the hot path is tested against) */
    private readonly opts: { fullParse?: boolean } = {},
  ) {
    for (const [key, type] of ctx.infoTypes) {
      this.infoKinds.set(key, type === 'Integer' ? INT : type === 'Float' ? FLOAT : type === 'Flag' ? FLAG : 0);
    }
    for (const key of [...SLIM_INFO_KEYS, ...ctx.popAfKeys]) this.infoKinds.set(key, (this.infoKinds.get(key) ?? 0) | WANTED);
  }

  /** reads one data line; returns its record, or why it is malformed */
  read(line: string): SlimRecord | string {
    if (line.includes('\0')) return 'NUL byte in record';
    const ctx = this.ctx;
    const { cols, n, restStart } = splitFixed(line);
    if (n !== ctx.columns && n !== ctx.columnsAlt) {
      const hint = n < ctx.columns && line.includes(' ') ? ' (columns must be separated by tabs)' : '';
      return `expected ${ctx.columns} tab-separated columns, found ${n}${hint}`;
    }
    const [chrom = '', posText = '', idCol = '', ref = '', alt = '', qualText = '', filterCol = '', infoCol = '', formatCol] = cols;
    if (chrom === '' || WS_RE.test(chrom)) return `CHROM ${quote(chrom)} is empty or contains whitespace`;
    if (!POS_RE.test(posText) || Number(posText) > MAX_POS) return `POS ${quote(posText)} is not a position`;
    const pos = Number(posText);
    if (ref === '' || WS_RE.test(ref)) return `REF ${quote(ref)} is empty or contains whitespace`;
    if (alt === '' || WS_RE.test(alt)) return `ALT ${quote(alt)} is empty or contains whitespace`;
    let qual: number | null = null;
    if (qualText !== '.' && qualText !== '') {
      qual = Number(qualText);
      if (Number.isNaN(qual) && !FLOAT_WORDS.test(qualText)) return `QUAL ${quote(qualText)} is not a number`;
    }

    const withSamples = ctx.samples.length > 0 && !!formatCol;
    const fast = this.opts.fullParse ? null : this.fastFields(infoCol, withSamples ? formatCol : undefined, line, restStart);
    const fields = fast ?? this.fullFields(line, infoCol);
    if (typeof fields === 'string') return fields;
    const slim = extractSlim(fields.info, fields.chosen, ctx);

    const base = variantId(this.orderId, chrom, pos, ref, alt);
    const k = this.occurrences.next(base);
    this.records++;
    return {
      ordinal: this.records,
      id: k > 1 ? `${base}-${k}` : base,
      chrom,
      pos,
      ref,
      alt,
      vcfId: idCol === '.' || idCol === '' ? null : idCol,
      filter: filterCol === '.' || filterCol === '' ? null : filterCol,
      qual: qual !== null && Number.isFinite(qual) ? qual : null,
      ...slim,
    };
  }

  /**
   * the INFO keys extraction reads and the chosen sample, parsed as @gmod/vcf would, with
   * every typed INFO value and every Integer FORMAT value checked; null when a value
   * looks wrong (the full parse then decides and words the message)
   */
  private fastFields(
    infoCol: string,
    formatCol: string | undefined,
    line: string,
    restStart: number,
  ): { info: Record<string, InfoValue>; chosen: SampleData | undefined } | null {
    const info: Record<string, InfoValue> = {};
    if (infoCol !== '' && infoCol !== '.' && !this.readInfo(infoCol, info)) return null;
    let chosen: SampleData | undefined;
    if (formatCol !== undefined) {
      const ctx = this.ctx;
      let f = this.format;
      if (f?.col !== formatCol) {
        const keys = formatCol.split(':');
        const types = keys.map((k) => ctx.formatTypes.get(k));
        f = this.format = {
          col: formatCol,
          keys,
          types,
          ints: types.some((t) => t === 'Integer'),
          wanted: keys.map((k) => (SLIM_FORMAT_KEYS as readonly string[]).includes(k)),
        };
      }
      let i = 0;
      for (let at = restStart; i < ctx.samples.length; i++) {
        let tab = line.indexOf('\t', at);
        if (tab < 0) tab = line.length;
        const s = at <= line.length ? line.slice(at, tab) : '';
        at = tab + 1;
        if (i === ctx.sampleIndex) {
          const data = chosenSample(s, f.keys, f.types, f.wanted);
          if (!data) return null;
          chosen = data;
        } else if (f.ints && !integersOk(s, f.types)) return null;
      }
    }
    return { info, chosen };
  }

  /**
   * INFO as @gmod/vcf's parseInfo reads it, keeping only the keys extraction needs and
   * checking every Integer/Float value on the way; false when a value does not parse
   */
  private readInfo(s: string, info: Record<string, InfoValue>): boolean {
    const decode = s.includes('%');
    // split() and a Map beat a hand-written scan: V8's builtins read the string once
    for (const pair of s.split(';')) {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      const kind = this.infoKinds.get(key);
      if (!kind) continue;
      // `KEY` and `KEY=` are flags to @gmod/vcf, whatever the header says
      if (kind & FLAG || eq < 0 || eq === pair.length - 1) {
        if (kind & WANTED) info[key] = true;
        continue;
      }
      const val = pair.slice(eq + 1);
      if (kind & (INT | FLOAT)) {
        const items = val.includes(',') ? val.split(',') : [val];
        const out: (number | undefined)[] = [];
        for (const item of items) {
          if (item === '.') {
            out.push(undefined);
            continue;
          }
          const x = Number(decode ? decodeNoThrow(item) : item);
          if (kind & INT ? !Number.isInteger(x) : Number.isNaN(x)) return false;
          out.push(x);
        }
        if (kind & WANTED) info[key] = out;
      } else {
        info[key] = val.split(',').map((x) => (x === '.' ? undefined : decode ? decodeNoThrow(x) : x));
      }
    }
    return true;
  }

  /** the full parse: what the hot path leaves to it, and every message about INFO/FORMAT values */
  private fullFields(line: string, infoCol: string): { info: Record<string, InfoValue>; chosen: SampleData | undefined } | string {
    const ctx = this.ctx;
    const v = ctx.parser.parseLine(line);
    // an empty INFO column is read as missing ('.'), as for every other column
    const info: Record<string, InfoValue> = infoCol === '' ? {} : v.INFO;
    const infoProblem = checkInfo(ctx, info, infoCol);
    if (infoProblem) return infoProblem;
    let chosen: SampleData | undefined;
    if (ctx.samples.length > 0 && v.FORMAT) {
      const samples = v.SAMPLES();
      const formatProblem = checkFormat(ctx, samples);
      if (formatProblem) return formatProblem;
      if (ctx.sample !== null) chosen = samples[ctx.sample];
    }
    return { info, chosen };
  }
}

// typed values that do not parse would otherwise turn into null silently
function checkInfo(ctx: HeaderContext, info: Record<string, InfoValue>, infoCol: string): string | null {
  for (const key in info) {
    const type = ctx.infoTypes.get(key);
    if (type !== 'Integer' && type !== 'Float') continue;
    const vals = info[key];
    if (vals === true || vals === undefined) continue;
    for (const x of vals) {
      if (x === undefined) continue;
      const bad = type === 'Integer' ? !Number.isInteger(x) : Number.isNaN(x) && !nanAllowed(rawInfo(infoCol, key));
      if (bad) return `INFO/${key} value ${quote(rawInfo(infoCol, key))} is not ${type === 'Integer' ? 'an Integer' : 'a Float'}`;
    }
  }
  return null;
}

function nanAllowed(raw: string): boolean {
  return raw.split(',').every((x) => x === '.' || !Number.isNaN(Number(x)) || FLOAT_WORDS.test(x));
}

function checkFormat(ctx: HeaderContext, samples: Samples): string | null {
  for (const name in samples) {
    const data = samples[name];
    for (const key in data) {
      if (ctx.formatTypes.get(key) !== 'Integer') continue;
      for (const x of data[key] ?? []) {
        if (x !== undefined && !Number.isInteger(x)) return `FORMAT/${key} of sample ${name} is not an Integer`;
      }
    }
  }
  return null;
}

/** what the detail pane shows of a record: every INFO and FORMAT value */
export interface RecordDetail {
  info: Record<string, unknown>;
  /** FORMAT values by sample name (the chosen sample only above FORMAT_SAMPLE_LIMIT samples); null without samples */
  format: Record<string, Record<string, unknown>> | null;
}

/**
 * the full INFO and FORMAT of a record line, as @gmod/vcf parses them and as a JSON
 * value: arrays of values, true for flags, null for '.' (undefined and NaN have no JSON
 * form, so keys read as missing drop out, as they always did in the cache)
 */
export function recordDetail(ctx: HeaderContext, line: string): RecordDetail {
  const clean = line.endsWith('\r') ? line.slice(0, -1) : line;
  const v = ctx.parser.parseLine(clean);
  const infoCol = splitFixed(clean).cols[7] ?? '';
  const info = infoCol === '' ? {} : v.INFO;
  let format: Samples | null = null;
  if (ctx.samples.length > 0 && v.FORMAT) {
    const samples = v.SAMPLES();
    format = samples;
    if (ctx.samples.length > FORMAT_SAMPLE_LIMIT) format = ctx.sample !== null ? { [ctx.sample]: samples[ctx.sample] ?? {} } : null;
  }
  return JSON.parse(JSON.stringify({ info, format })) as RecordDetail;
}
