import { fail, ok, type Result } from './result.ts';
import type { OrderSample, Sample } from './schemas.ts';

// nf-core style samplesheet
export const SAMPLESHEET_COLUMNS = ['sample', 'fastq_1', 'fastq_2', 'strandedness', 'specimen_type', 'sex', 'accession_id'] as const;

function csvField(v: string | null): string {
  if (v === null) return '';
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function renderSamplesheet(links: readonly OrderSample[], samples: ReadonlyMap<string, Sample>): string {
  const lines = [SAMPLESHEET_COLUMNS.join(',')];
  for (const link of links) {
    const s = samples.get(link.sampleId);
    if (!s) continue;
    lines.push(
      [s.displayId, s.fastq1, s.fastq2, s.strandedness, s.specimenType, s.sex, s.accession].map(csvField).join(','),
    );
  }
  return lines.join('\n') + '\n';
}

export interface SamplesheetRow {
  sample: string;
  fastq_1: string | null;
  fastq_2: string | null;
  strandedness: string | null;
  specimen_type: string | null;
  sex: string | null;
  accession_id: string | null;
}

/**
 * the non-blank records of a CSV text with the line each starts on; a quoted field may hold
 * line breaks (renderSamplesheet writes them), and blank lines still count
 */
function csvRecords(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let start = 0;
  let startLine = 1;
  let line = 1;
  let quoted = false;
  const push = (end: number) => {
    const record = text.slice(start, end).replace(/\r$/, '');
    if (record.trim() !== '') out.push({ line: startLine, text: record });
  };
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (text[i] === '\n') {
      line++;
      if (!quoted) {
        push(i);
        start = i + 1;
        startLine = line;
      }
    }
  }
  push(text.length);
  return out;
}

/** parses a samplesheet; errors name the line and column */
export function parseSamplesheet(text: string): Result<SamplesheetRow[]> {
  const records = csvRecords(text);
  const first = records[0];
  const header = first?.text.split(',').map((h) => h.trim());
  if (!first || !header) return fail('invalid_input', 'samplesheet: line 1: missing header');
  for (const col of SAMPLESHEET_COLUMNS)
    if (!header.includes(col)) return fail('invalid_input', `samplesheet: line ${first.line}: missing column ${col}`);
  const rows: SamplesheetRow[] = [];
  for (const { line, text: record } of records.slice(1)) {
    const cells = splitCsvLine(record);
    if (cells === null) return fail('invalid_input', `samplesheet: line ${line}: unterminated quote`);
    if (cells.length !== header.length)
      return fail('invalid_input', `samplesheet: line ${line}: expected ${header.length} fields, found ${cells.length}`);
    const get = (c: string) => {
      const v = cells[header.indexOf(c)]!.trim();
      return v === '' ? null : v;
    };
    const sample = get('sample');
    if (!sample) return fail('invalid_input', `samplesheet: line ${line}: column sample is empty`);
    rows.push({
      sample,
      fastq_1: get('fastq_1'),
      fastq_2: get('fastq_2'),
      strandedness: get('strandedness'),
      specimen_type: get('specimen_type'),
      sex: get('sex'),
      accession_id: get('accession_id'),
    });
  }
  return ok(rows);
}

function splitCsvLine(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let s = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return null;
        s += line.slice(i, q);
        if (line[q + 1] === '"') {
          s += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(s);
    } else {
      const c = line.indexOf(',', i);
      out.push(c < 0 ? line.slice(i) : line.slice(i, c));
      i = c < 0 ? line.length : c;
    }
    if (line[i] === ',') i++;
    else return out;
  }
}
