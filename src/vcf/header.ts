// the VCF header: meta lines, the #CHROM line, and what extraction needs from them
import VCF from '@gmod/vcf';

export const FIXED_COLUMNS = ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO'] as const;

/** above this many samples, FORMAT values are kept for the chosen sample only */
export const FORMAT_SAMPLE_LIMIT = 16;

/** snpEff's ANN layout, used when the header does not spell it out */
const ANN_DEFAULT = [
  'Allele', 'Annotation', 'Annotation_Impact', 'Gene_Name', 'Gene_ID', 'Feature_Type', 'Feature_ID',
  'Transcript_BioType', 'Rank', 'HGVS.c', 'HGVS.p', 'cDNA.pos / cDNA.length', 'CDS.pos / CDS.length',
  'AA.pos / AA.length', 'Distance', 'ERRORS / WARNINGS / INFO',
];

/** population allele frequency INFO fields, first present wins (matched case-insensitively) */
export const POP_AF_INFO_KEYS = [
  'gnomAD_AF', 'gnomADg_AF', 'gnomADe_AF', 'gnomAD_genomes_AF', 'gnomAD_exomes_AF', 'gnomAD_genome_AF', 'gnomAD_exome_AF',
];
/** the same inside a VEP CSQ entry */
export const POP_AF_CSQ_KEYS = ['gnomADg_AF', 'gnomADe_AF', 'gnomAD_AF', 'MAX_AF'];

export type MetaValue = string | number | string[] | null | undefined;
export type MetaRecord = Record<string, MetaValue>;

/** what is stored in vcf_files.header */
export interface HeaderJson {
  fileformat: string | null;
  /** structured header sections as declared (INFO, FORMAT, FILTER, ALT, contig, …) */
  meta: Record<string, unknown>;
  /** ##SAMPLE and ##SAMPLE_METADATA lines by ID, values as @gmod/vcf returns them */
  sampleMetadata: Record<string, MetaRecord>;
  samples: string[];
  /** the sample whose FORMAT values fill the slim columns (null: no samples) */
  sample: string | null;
  /** true when FORMAT is kept for `sample` only (more than FORMAT_SAMPLE_LIMIT samples) */
  formatChosenSampleOnly: boolean;
  /** the ## lines as they were in the file */
  lines: string[];
}

export interface HeaderContext {
  parser: VCF;
  samples: string[];
  sampleIndex: number;
  sample: string | null;
  /** columns a record must have */
  columns: number;
  /** a file with a FORMAT column and no samples may also leave it off */
  columnsAlt: number;
  infoTypes: Map<string, string>;
  formatTypes: Map<string, string>;
  /** field name → position in a CSQ / ANN entry */
  csqIndex: ReadonlyMap<string, number> | null;
  annIndex: ReadonlyMap<string, number>;
  popAfKeys: string[];
  json: HeaderJson;
}

export type HeaderProblem = { line: number; reason: string; code?: 'unknown_sample' };

const STRUCTURED = /^##([^=]+)=<ID=([^,>]*)/;

/** keys a structured ## line declares, so reserved defaults @gmod/vcf adds can be left out */
function declared(lines: readonly string[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const l of lines) {
    const m = STRUCTURED.exec(l);
    if (!m) continue;
    const [, section = '', id = ''] = m;
    let s = out.get(section);
    if (!s) out.set(section, (s = new Set()));
    s.add(id);
  }
  return out;
}

function fieldList(desc: unknown, marker: RegExp): string[] | null {
  if (typeof desc !== 'string') return null;
  const m = marker.exec(desc);
  if (!m?.[1]) return null;
  return m[1].split('|').map((s) => s.trim());
}

function positions(fields: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  fields.forEach((f, i) => {
    if (!m.has(f)) m.set(f, i);
  });
  return m;
}

/**
 * splits the #CHROM line: tabs as the spec says; when that does not give the fixed
 * columns, any whitespace (some writers pad the header with spaces)
 */
export function splitColumnLine(line: string): string[] | null {
  const byTab = line.replace(/[\r\n]+$/, '').split('\t');
  const fixedOk = (cols: string[]) => FIXED_COLUMNS.every((c, i) => cols[i]?.trim() === c);
  if (fixedOk(byTab)) {
    // a trailing tab is not a sample
    while (byTab.length > 8 && byTab[byTab.length - 1] === '') byTab.pop();
    return byTab.map((c, i) => (i < 9 ? c.trim() : c));
  }
  const byWs = line.trim().split(/\s+/);
  return fixedOk(byWs) ? byWs : null;
}

/**
 * builds the parsing context from the ## lines and the #CHROM line (1-based line
 * number columnLineNo); a problem is returned, never thrown
 */
export function readHeader(
  metaLines: readonly string[],
  columnLine: string,
  columnLineNo: number,
  wantedSample: string | undefined,
): HeaderContext | HeaderProblem {
  const cols = splitColumnLine(columnLine);
  if (!cols) {
    return {
      line: columnLineNo,
      reason: 'the #CHROM line must start with #CHROM POS ID REF ALT QUAL FILTER INFO, separated by tabs',
    };
  }
  const hasFormat = cols.length > 8;
  if (hasFormat && cols[8] !== 'FORMAT') {
    return { line: columnLineNo, reason: `the ninth column of the #CHROM line must be FORMAT, not "${cols[8]}"` };
  }
  const samples = cols.slice(9);
  const seen = new Set<string>();
  for (const s of samples) {
    if (s === '') return { line: columnLineNo, reason: 'empty sample name in the #CHROM line' };
    if (seen.has(s)) return { line: columnLineNo, reason: `duplicate sample name "${s}"` };
    seen.add(s);
  }
  // lines without KEY=VALUE are kept in `lines` but not handed to the parser
  const usable = metaLines.filter((l) => /^##[^=]+=/.test(l));
  let parser: VCF;
  try {
    parser = new VCF({ header: [...usable, cols.join('\t')].join('\n'), strict: false });
  } catch (e) {
    return { line: columnLineNo, reason: `unreadable header: ${(e as Error).message.split('\n')[0]}` };
  }
  let sampleIndex = samples.length > 0 ? 0 : -1;
  if (wantedSample !== undefined) {
    sampleIndex = samples.indexOf(wantedSample);
    if (sampleIndex < 0) {
      const list = samples.length === 0 ? 'the file has no samples' : `samples: ${samples.slice(0, 10).join(', ')}${samples.length > 10 ? ', …' : ''}`;
      return { line: columnLineNo, reason: `sample "${wantedSample}" is not in the file (${list})`, code: 'unknown_sample' };
    }
  }
  const sample = sampleIndex >= 0 ? (samples[sampleIndex] ?? null) : null;

  const all = parser.getMetadata() as Record<string, unknown>;
  const decl = declared(usable);
  const meta: Record<string, unknown> = {};
  for (const [section, value] of Object.entries(all)) {
    if (section === 'INFO' || section === 'FORMAT' || section === 'ALT' || section === 'FILTER') {
      const ids = decl.get(section);
      if (!ids || typeof value !== 'object' || value === null) continue;
      meta[section] = Object.fromEntries(Object.entries(value).filter(([k]) => ids.has(k)));
    } else {
      meta[section] = value;
    }
  }
  const sampleMetadata: Record<string, MetaRecord> = {};
  for (const section of ['SAMPLE_METADATA', 'SAMPLE']) {
    const v = all[section];
    if (typeof v !== 'object' || v === null) continue;
    for (const [id, rec] of Object.entries(v as Record<string, MetaRecord>)) {
      // ##SAMPLE wins over ##SAMPLE_METADATA key by key
      sampleMetadata[id] = { ...sampleMetadata[id], ...rec };
    }
  }

  const types = (section: 'INFO' | 'FORMAT') => {
    const m = new Map<string, string>();
    const s = all[section];
    if (typeof s === 'object' && s !== null) {
      for (const [k, v] of Object.entries(s as Record<string, MetaRecord>)) {
        if (typeof v?.Type === 'string') m.set(k, v.Type);
      }
    }
    return m;
  };
  const infoTypes = types('INFO');
  const infoMeta = (all.INFO ?? {}) as Record<string, MetaRecord>;
  const csqFields = fieldList(infoMeta.CSQ?.Description, /Format:\s*([^"']+)/);
  const annFields = fieldList(infoMeta.ANN?.Description, /'([^']+)'/) ?? ANN_DEFAULT;
  const lower = new Map([...infoTypes.keys()].map((k) => [k.toLowerCase(), k]));
  const popAfKeys = POP_AF_INFO_KEYS.map((k) => lower.get(k.toLowerCase()) ?? k);

  const fileformat = typeof all.fileformat === 'string' ? all.fileformat : null;
  return {
    parser,
    samples,
    sampleIndex,
    sample,
    columns: hasFormat ? 9 + samples.length : 8,
    columnsAlt: hasFormat && samples.length === 0 ? 8 : hasFormat ? 9 + samples.length : 8,
    infoTypes,
    formatTypes: types('FORMAT'),
    csqIndex: csqFields ? positions(csqFields) : null,
    annIndex: positions(annFields),
    popAfKeys,
    json: {
      fileformat,
      meta,
      sampleMetadata,
      samples,
      sample,
      formatChosenSampleOnly: samples.length > FORMAT_SAMPLE_LIMIT,
      lines: [...metaLines],
    },
  };
}

export function isHeaderProblem(h: HeaderContext | HeaderProblem): h is HeaderProblem {
  return 'reason' in h;
}
