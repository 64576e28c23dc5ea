// one VCF data line → its slim record (the browser's columns), or the reason it is
// malformed. The hot path reads only the INFO keys the slim columns need and checks
// typed values without building objects; anything it is unsure of goes through
// @gmod/vcf's full parse, which also words every message. recordDetail() is the full
// INFO/FORMAT a record had, for the detail pane.
import type { InfoValue, SampleData, Samples } from '@gmod/vcf';
import { extractSlim, SLIM_FORMAT_KEYS, SLIM_INFO_KEYS, type SlimFields } from './extract.ts';
import { FORMAT_SAMPLE_LIMIT, type HeaderContext } from './header.ts';
import { variantKey } from './ids.ts';

const MAX_POS = 2147483647;
const FLOAT_WORDS = /^[+-]?(nan|inf|infinity)$/i;
const WS_RE = /\s/;

/** a record as the cache keeps it */
export interface SlimRecord extends SlimFields {
  ordinal: number;
  /** what the record's id hashes (variantKey); the batch it goes into gives it its id (FileIds) */
  key: string;
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

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * Number(s.slice(a, b)) without the slice for plain decimals ([-]digits[.digits], at
 * most 15 digits: the mantissa and 10^k are exact, so one division rounds as Number()
 * does); anything else goes to Number() itself
 */
function numberAt(s: string, a: number, b: number, decode = false): number {
  let i = a;
  let neg = false;
  if (i < b && s.charCodeAt(i) === 45) {
    neg = true;
    i++;
  }
  let m = 0;
  let digits = 0;
  let dot = -1;
  for (; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
    } else if (c === 46 && dot < 0) dot = i;
    else return slowNumber(s.slice(a, b), decode);
  }
  if (digits === 0 || digits > 15) return slowNumber(s.slice(a, b), decode);
  const v = dot < 0 ? m : m / (POW10[b - dot - 1] ?? 1);
  return neg ? -v : v;
}

/** the first ',' of s at or after i, past the end when there is none */
function nextComma(s: string, i: number): number {
  const c = s.indexOf(',', i);
  return c < 0 ? s.length + 1 : c;
}

function slowNumber(s: string, decode: boolean): number {
  return Number(decode ? decodeNoThrow(s) : s);
}

/** CHROM, REF, ALT: empty or with whitespace (what /\s/ matches) */
function badAllele(s: string): boolean {
  if (s === '') return true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32) {
      if (c === 32 || (c >= 9 && c <= 13)) return true;
    } else if (c >= 0xa0 && WS_RE.test(s)) return true;
  }
  return false;
}

/** POS: 1 to 10 digits (then at most 2^31 - 1) */
function posDigits(s: string): boolean {
  if (s.length === 0 || s.length > 10) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** what a FORMAT column says, kept while consecutive records share it */
interface FormatInfo {
  col: string;
  keys: string[];
  /** per position: 1 Integer, 2 Float, 0 anything else */
  nums: number[];
  ints: boolean;
  wanted: boolean[];
}

/**
 * where the character `code` first is in s[from, to), else `to`; a sample's fields are
 * short, and indexOf() would run on into the next samples (quadratic in a cohort file)
 */
function indexIn(s: string, code: number, from: number, to: number): number {
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === code) return i;
  return to;
}

/** a sample's Integer FORMAT values (line[a, b)) are whole numbers (every position, duplicates too) */
function integersOk(line: string, a: number, b: number, f: FormatInfo): boolean {
  const n = f.keys.length;
  let start = a;
  for (let j = 0; j < n && start <= b; j++) {
    const end = indexIn(line, 58, start, b);
    if (f.nums[j] === 1 && !intsOk(line, start, end)) return false;
    start = end + 1;
  }
  return true;
}

/** comma-separated Integer values in s[a, b): each '.' or a whole number; '' and '.' alone are missing */
function intsOk(s: string, a: number, b: number): boolean {
  if (a === b || (b === a + 1 && s.charCodeAt(a) === 46)) return true;
  for (let start = a; start <= b; ) {
    const end = indexIn(s, 44, start, b);
    if (!(end === start + 1 && s.charCodeAt(start) === 46) && !Number.isInteger(numberAt(s, start, end))) return false;
    start = end + 1;
  }
  return true;
}

/**
 * the chosen sample's FORMAT values (line[a, b)) that extraction reads, as @gmod/vcf's
 * SAMPLES() reads them; null when an Integer value is not one
 */
function chosenSample(line: string, a: number, b: number, f: FormatInfo): SampleData | null {
  const out: SampleData = {};
  const n = f.keys.length;
  let start = a;
  for (let j = 0; j < n && start <= b; j++) {
    const end = indexIn(line, 58, start, b);
    const num = f.nums[j] ?? 0;
    const wanted = f.wanted[j];
    if (wanted || num === 1) {
      let v: (string | number | undefined)[] | undefined;
      if (end === start || (end === start + 1 && line.charCodeAt(start) === 46)) v = undefined;
      else {
        v = [];
        for (let i = start; i <= end; ) {
          const c = indexIn(line, 44, i, end);
          if (c === i + 1 && line.charCodeAt(i) === 46) v.push(undefined);
          else if (num) {
            const x = numberAt(line, i, c);
            if (num === 1 && !Number.isInteger(x)) return null;
            v.push(x);
          } else v.push(line.slice(i, c));
          i = c + 1;
        }
      }
      if (wanted) out[f.keys[j] ?? ''] = v;
    }
    start = end + 1;
  }
  return out;
}

export class RecordReader {
  /** the INFO keys the hot path looks at (a kind other than 0), by key length */
  private readonly infoByLength: { key: string; kind: number }[][] = [];
  /** the last FORMAT column and what it says, since consecutive records share it */
  private format: FormatInfo | null = null;
  records = 0;

  constructor(
    private readonly ctx: HeaderContext,
    /** every record through @gmod/vcf's full parse (the reference the hot path is tested against) */
    private readonly opts: { fullParse?: boolean } = {},
  ) {
    const kinds = new Map<string, number>();
    for (const [key, type] of ctx.infoTypes) kinds.set(key, type === 'Integer' ? INT : type === 'Float' ? FLOAT : type === 'Flag' ? FLAG : 0);
    for (const key of [...SLIM_INFO_KEYS, ...ctx.popAfKeys]) kinds.set(key, (kinds.get(key) ?? 0) | WANTED);
    for (const [key, kind] of kinds) {
      if (!kind) continue;
      (this.infoByLength[key.length] ??= []).push({ key, kind });
    }
  }

  /** the INFO key s[a, b) and its kind, undefined when the hot path skips it */
  private infoKey(s: string, a: number, b: number): { key: string; kind: number } | undefined {
    const keys = this.infoByLength[b - a];
    if (keys === undefined) return undefined;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as { key: string; kind: number };
      if (s.startsWith(k.key, a)) return k;
    }
    return undefined;
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
    if (badAllele(chrom)) return `CHROM ${quote(chrom)} is empty or contains whitespace`;
    if (!posDigits(posText) || Number(posText) > MAX_POS) return `POS ${quote(posText)} is not a position`;
    const pos = Number(posText);
    if (badAllele(ref)) return `REF ${quote(ref)} is empty or contains whitespace`;
    if (badAllele(alt)) return `ALT ${quote(alt)} is empty or contains whitespace`;
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

    this.records++;
    return {
      ordinal: this.records,
      key: variantKey(chrom, pos, ref, alt),
      chrom,
      pos,
      ref,
      alt,
      vcfId: idCol === '.' || idCol === '' ? null : idCol,
      filter: filterCol === '.' || filterCol === '' ? null : filterCol,
      qual: qual !== null && Number.isFinite(qual) ? qual : null,
      gene: slim.gene,
      hgvsC: slim.hgvsC,
      hgvsP: slim.hgvsP,
      consequence: slim.consequence,
      tier: slim.tier,
      category: slim.category,
      vaf: slim.vaf,
      readCount: slim.readCount,
      depth: slim.depth,
      popAf: slim.popAf,
      clinvar: slim.clinvar,
      alias: slim.alias,
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
        const nums = keys.map((k) => {
          const t = ctx.formatTypes.get(k);
          return t === 'Integer' ? 1 : t === 'Float' ? 2 : 0;
        });
        f = this.format = {
          col: formatCol,
          keys,
          nums,
          ints: nums.includes(1),
          wanted: keys.map((k) => (SLIM_FORMAT_KEYS as readonly string[]).includes(k)),
        };
      }
      let i = 0;
      for (let at = restStart; i < ctx.samples.length; i++) {
        let tab = line.indexOf('\t', at);
        if (tab < 0) tab = line.length;
        // past the end of the line: an empty sample
        const a = at <= line.length ? at : tab;
        at = tab + 1;
        if (i === ctx.sampleIndex) {
          const data = chosenSample(line, a, tab, f);
          if (!data) return null;
          chosen = data;
        } else if (f.ints && !integersOk(line, a, tab, f)) return null;
      }
    }
    return { info, chosen };
  }

  /**
   * INFO as @gmod/vcf's parseInfo reads it, keeping only the keys extraction needs and
   * checking every Integer/Float value on the way; false when a value does not parse
   */
  private readInfo(s: string, info: Record<string, InfoValue>): boolean {
    const len = s.length;
    // one pass over the column: pairs end at ';', keys at the pair's first '='; no key is
    // cut out of it, only the values of keys the hot path looks at. eq, comma and pct are
    // the next '=', ',' and '%' at or after the scan (searched again only once passed, so
    // the column is read once however many pairs it has). indexOf() beats a charCodeAt()
    // loop here (one over every character made the whole parse 15% slower). An item
    // without '%' decodes to itself, so only items with one are decoded.
    let eq = -1;
    let comma = -1;
    let pct = s.indexOf('%');
    if (pct < 0) pct = len + 1;
    for (let start = 0; start <= len; ) {
      let end = s.indexOf(';', start);
      if (end < 0) end = len;
      if (eq < start) {
        eq = s.indexOf('=', start);
        if (eq < 0) eq = len + 1;
      }
      const hasEq = eq < end;
      const k = this.infoKey(s, start, hasEq ? eq : end);
      start = end + 1;
      if (k === undefined) continue;
      const kind = k.kind;
      // `KEY` and `KEY=` are flags to @gmod/vcf, whatever the header says
      if (kind & FLAG || !hasEq || eq === end - 1) {
        if (kind & WANTED) info[k.key] = true;
        continue;
      }
      const v0 = eq + 1;
      if (kind & (INT | FLOAT)) {
        const out: (number | undefined)[] | null = kind & WANTED ? [] : null;
        for (let i = v0; i <= end; ) {
          if (comma < i) comma = nextComma(s, i);
          const c = comma < end ? comma : end;
          if (c === i + 1 && s.charCodeAt(i) === 46) out?.push(undefined);
          else {
            // numberAt leaves anything but plain decimals, a '%' too, to Number(): decoded first
            const x = numberAt(s, i, c, true);
            if (kind & INT ? !Number.isInteger(x) : Number.isNaN(x)) return false;
            out?.push(x);
          }
          i = c + 1;
        }
        if (out) info[k.key] = out;
      } else {
        const out: (string | undefined)[] = [];
        for (let i = v0; i <= end; ) {
          if (comma < i) comma = nextComma(s, i);
          const c = comma < end ? comma : end;
          if (c === i + 1 && s.charCodeAt(i) === 46) out.push(undefined);
          else {
            if (pct < i) {
              pct = s.indexOf('%', i);
              if (pct < 0) pct = len + 1;
            }
            out.push(pct < c ? decodeNoThrow(s.slice(i, c)) : s.slice(i, c));
          }
          i = c + 1;
        }
        info[k.key] = out;
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
