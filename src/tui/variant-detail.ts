import type { Curation } from '../core/index.ts';
import type { VariantDetail } from '../vcf/index.ts';
import { shortTime } from './format.ts';
import { fit, type Line, type Span } from './kit/index.ts';
import { fraction, locusText } from './variant-columns.ts';

// the detail pane of the variant browser: the slim columns, the curation, then every
// INFO and FORMAT field of the record as the file gave it, one value per line

/** a field value as text: arrays comma-joined, flags as "flag", missing as "." */
export function valueText(v: unknown): string {
  if (v === null || v === undefined) return '.';
  if (v === true) return 'flag';
  if (Array.isArray(v)) return v.map(valueText).join(',');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** breaks a long value into pieces of `width` cells at most, at separators where it can */
export function chunks(text: string, width: number): string[] {
  const w = Math.max(8, width);
  const out: string[] = [];
  let rest = text;
  while ([...rest].length > w) {
    const head = [...rest].slice(0, w).join('');
    const cut = Math.max(head.lastIndexOf(','), head.lastIndexOf('|'), head.lastIndexOf(';'), head.lastIndexOf(' '));
    const at = cut >= w / 2 ? cut + 1 : w;
    out.push([...rest].slice(0, at).join(''));
    rest = [...rest].slice(at).join('');
  }
  out.push(rest);
  return out;
}

function field(name: string, value: string, nameWidth: number, width: number, tone?: Span['tone']): Line[] {
  const room = Math.max(8, width - nameWidth - 4);
  // ANN and CSQ hold one annotation per allele and transcript: each on its own lines
  const entries = value.length > room && /^[^,]*\|/.test(value) ? value.split(',') : [value];
  const lines: Line[] = [];
  for (const entry of entries) {
    for (const piece of chunks(entry, room)) {
      const first = lines.length === 0;
      lines.push([{ text: '  ' }, { text: fit(first ? name : '', nameWidth), tone: 'muted' }, { text: '  ' }, tone ? { text: piece, tone } : { text: piece }]);
    }
  }
  return lines;
}

export function curationText(c: Curation | null | undefined, fileTier: string | null): string {
  if (!c) return `not curated · tier ${fileTier ?? '—'} (file) · reportable by the rules`;
  const tier = c.tierOverride ? `tier ${c.tierOverride}* (file ${fileTier ?? '—'})` : `tier ${fileTier ?? '—'} (file)`;
  const reportable = c.reportable === true ? 'reportable ✓' : c.reportable === false ? 'not reportable ✗' : 'reportable by the rules';
  return `${tier} · ACMG ${c.acmgClass ?? '—'} · ${reportable}`;
}

export function variantDetailLines(v: VariantDetail, curation: Curation | null | undefined, userName: (id: string | null) => string | null, width: number): Line[] {
  const lines: Line[] = [];
  const nameWidth = Math.min(20, Math.max(10, ...Object.keys(v.info).map((k) => k.length)));
  const add = (name: string, value: string | number | null) => lines.push(...field(name, value === null ? '—' : String(value), nameWidth, width));
  lines.push([{ text: `${locusText(v)}${v.vcfId ? `  ${v.vcfId}` : ''}`, tone: 'title' }, { text: `  id ${v.id}`, tone: 'muted' }]);
  add('gene', v.gene);
  add('HGVS c.', v.hgvsC);
  add('HGVS p.', v.hgvsP);
  add('consequence', v.consequence);
  add('tier · category', `${v.tier ?? '—'} · ${v.category ?? '—'}${v.alias ? ` · ${v.alias}` : ''}`);
  add('VAF · reads · depth', `${fraction(v.vaf)} · ${v.readCount ?? '—'} · ${v.depth ?? '—'}`);
  add('pop AF · ClinVar', `${fraction(v.popAf)} · ${v.clinvar ?? '—'}`);
  add('QUAL · FILTER', `${v.qual ?? '.'} · ${v.filter ?? '.'}`);
  lines.push(' ', [{ text: 'Curation', tone: 'header' }]);
  for (const piece of chunks(curationText(curation, v.tier), width - 2)) lines.push([{ text: `  ${piece}` }]);
  if (curation) {
    if (curation.note) lines.push(...field('note', curation.note, nameWidth, width));
    lines.push(...field('by', `${userName(curation.curatedBy) ?? curation.curatedBy} at ${shortTime(curation.curatedAt)} (version ${curation.version})`, nameWidth, width, 'muted'));
  }
  if (v.detailError) {
    // the slim columns above are right; only the full record could not be read back
    lines.push(' ');
    for (const piece of chunks(v.detailError.message, width - 4)) lines.push([{ text: `! ${piece}`, tone: 'warn' }]);
    return lines;
  }
  const info = Object.entries(v.info);
  lines.push(' ', [{ text: `INFO (${info.length})`, tone: 'header' }]);
  if (info.length === 0) lines.push([{ text: '  none', tone: 'muted' }]);
  for (const [key, value] of info) lines.push(...field(key, valueText(value), nameWidth, width));
  const samples = Object.entries(v.format ?? {});
  if (samples.length === 0) lines.push(' ', [{ text: 'FORMAT: the file has no samples', tone: 'muted' }]);
  for (const [sample, values] of samples) {
    lines.push(' ', [{ text: `FORMAT · sample ${sample}`, tone: 'header' }]);
    for (const [key, value] of Object.entries(values)) lines.push(...field(key, valueText(value), nameWidth, width));
  }
  return lines;
}
