import type { AnalysisStatus, SampleRole } from './schemas.ts';

// one pipeline run (DESIGN.md §1 "Analyses, VCFs and reports"):
// queued → running → succeeded | failed; anything not finished may be cancelled
export const ANALYSIS_TRANSITIONS: Readonly<Record<AnalysisStatus, readonly AnalysisStatus[]>> = {
  queued: ['running', 'cancelled'],
  running: ['succeeded', 'failed', 'cancelled'],
  succeeded: [],
  failed: [],
  cancelled: [],
};

export function isAnalysisTransitionAllowed(from: AnalysisStatus, to: AnalysisStatus): boolean {
  return ANALYSIS_TRANSITIONS[from].includes(to);
}

export function isAnalysisTerminal(status: AnalysisStatus): boolean {
  return ANALYSIS_TRANSITIONS[status].length === 0;
}

/** the input naming the VCF a succeeded analysis puts into its order's variant cache */
export const SAMPLE_VCF_INPUT = 'sample_vcf';

/** the VCF path among an analysis' inputs, when it names one */
export function sampleVcfOf(inputs: Record<string, unknown>): string | null {
  const v = inputs[SAMPLE_VCF_INPUT];
  return typeof v === 'string' && v.trim() !== '' ? v : null;
}

/**
 * the roles an order created from an analysis gives its samples: an analysis does not
 * say who is who, so the first sample is the proband and the rest are "other" until a
 * curator says otherwise
 */
export function analysisSampleRoles(sampleIds: readonly string[]): { sampleId: string; role: SampleRole }[] {
  return sampleIds.map((sampleId, i) => ({ sampleId, role: i === 0 ? 'proband' : 'other' }));
}
