// one VCF data line → one CSV row of `variants` (VARIANT_COLUMNS order), or the reason it is malformed
import type { InfoValue, SampleData, Samples } from '@gmod/vcf';
import { csvInt, csvJson, csvNumber, csvText } from './csv.ts';
import { extractSlim } from './extract.ts';
import { FORMAT_SAMPLE_LIMIT, type HeaderContext } from './header.ts';
import { OccurrenceCounter, variantId } from './ids.ts';

const POS_RE = /^\d{1,10}$/;
const MAX_POS = 2147483647;
const FLOAT_WORDS = /^[+-]?(nan|inf|infinity)$/i;

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

export class RecordWriter {
  private csv: string[] = [];
  private readonly occurrences = new OccurrenceCounter();
  records = 0;

  constructor(
    private readonly ctx: HeaderContext,
    private readonly orderId: string,
    private readonly fileId: string,
  ) {}

  get pendingRows(): number {
    return this.csv.length;
  }

  /** hands back the rows built so far as one CSV text */
  take(): string {
    const out = this.csv.length ? this.csv.join('\n') + '\n' : '';
    this.csv = [];
    return out;
  }

  /** adds one data line; returns why it is malformed, or null */
  add(line: string): string | null {
    if (line.includes('\0')) return 'NUL byte in record';
    const ctx = this.ctx;
    // the fixed columns and the column count, without splitting every sample
    const cols: string[] = [];
    let start = 0;
    let n = 1;
    for (let i = line.indexOf('\t'); i >= 0; i = line.indexOf('\t', i + 1)) {
      if (cols.length < 9) cols.push(line.slice(start, i));
      start = i + 1;
      n++;
    }
    if (cols.length < 9) cols.push(line.slice(start));
    if (n !== ctx.columns && n !== ctx.columnsAlt) {
      const hint = n < ctx.columns && line.includes(' ') ? ' (columns must be separated by tabs)' : '';
      return `expected ${ctx.columns} tab-separated columns, found ${n}${hint}`;
    }
    const [chrom = '', posText = '', idCol = '', ref = '', alt = '', qualText = '', filterCol = '', infoCol = ''] = cols;
    if (chrom === '' || /\s/.test(chrom)) return `CHROM ${quote(chrom)} is empty or contains whitespace`;
    if (!POS_RE.test(posText) || Number(posText) > MAX_POS) return `POS ${quote(posText)} is not a position`;
    const pos = Number(posText);
    if (ref === '' || /\s/.test(ref)) return `REF ${quote(ref)} is empty or contains whitespace`;
    if (alt === '' || /\s/.test(alt)) return `ALT ${quote(alt)} is empty or contains whitespace`;
    let qual: number | null = null;
    if (qualText !== '.' && qualText !== '') {
      qual = Number(qualText);
      if (Number.isNaN(qual) && !FLOAT_WORDS.test(qualText)) return `QUAL ${quote(qualText)} is not a number`;
    }

    const v = ctx.parser.parseLine(line);
    // an empty INFO column is read as missing ('.'), as for every other column
    const info: Record<string, InfoValue> = infoCol === '' ? {} : v.INFO;
    const infoProblem = this.checkInfo(info, infoCol);
    if (infoProblem) return infoProblem;

    let samples: Samples | null = null;
    let chosen: SampleData | undefined;
    if (ctx.samples.length > 0 && v.FORMAT) {
      samples = v.SAMPLES();
      const formatProblem = this.checkFormat(samples);
      if (formatProblem) return formatProblem;
      if (ctx.sample !== null) chosen = samples[ctx.sample];
    }
    let format: Samples | null = samples;
    if (samples && ctx.samples.length > FORMAT_SAMPLE_LIMIT) {
      format = ctx.sample !== null ? { [ctx.sample]: samples[ctx.sample] ?? {} } : null;
    }

    const slim = extractSlim(info, chosen, ctx);
    const base = variantId(this.orderId, chrom, pos, ref, alt);
    const k = this.occurrences.next(base);
    const id = k > 1 ? `${base}-${k}` : base;
    this.records++;
    const row = [
      id,
      this.fileId,
      this.orderId,
      String(this.records),
      csvText(chrom),
      String(pos),
      csvText(ref),
      csvText(alt),
      csvText(idCol === '.' || idCol === '' ? null : idCol),
      csvText(slim.gene),
      csvText(slim.hgvsC),
      csvText(slim.hgvsP),
      csvText(slim.consequence),
      slim.tier ?? '',
      csvText(slim.category),
      csvNumber(slim.vaf),
      csvInt(slim.readCount),
      csvInt(slim.depth),
      csvNumber(slim.popAf),
      csvText(slim.clinvar),
      csvText(filterCol === '.' || filterCol === '' ? null : filterCol),
      csvText(slim.alias),
      csvNumber(qual),
      csvJson(info),
      format ? csvJson(format) : '',
    ];
    this.csv.push(row.join(','));
    return null;
  }

  // typed values that do not parse would otherwise turn into null silently
  private checkInfo(info: Record<string, InfoValue>, infoCol: string): string | null {
    for (const key in info) {
      const type = this.ctx.infoTypes.get(key);
      if (type !== 'Integer' && type !== 'Float') continue;
      const vals = info[key];
      if (vals === true || vals === undefined) continue;
      for (const x of vals) {
        if (x === undefined) continue;
        const bad = type === 'Integer' ? !Number.isInteger(x) : Number.isNaN(x) && !this.nanAllowed(rawInfo(infoCol, key));
        if (bad) return `INFO/${key} value ${quote(rawInfo(infoCol, key))} is not ${type === 'Integer' ? 'an Integer' : 'a Float'}`;
      }
    }
    return null;
  }

  private nanAllowed(raw: string): boolean {
    return raw.split(',').every((x) => x === '.' || !Number.isNaN(Number(x)) || FLOAT_WORDS.test(x));
  }

  private checkFormat(samples: Samples): string | null {
    const types = this.ctx.formatTypes;
    for (const name in samples) {
      const data = samples[name];
      for (const key in data) {
        if (types.get(key) !== 'Integer') continue;
        for (const x of data[key] ?? []) {
          if (x !== undefined && !Number.isInteger(x)) return `FORMAT/${key} of sample ${name} is not an Integer`;
        }
      }
    }
    return null;
  }
}
