// admission thresholds of an order's sample, from its VCF header (DESIGN.md §1)
import { parseSampleThresholds, type AdmissionThresholds } from '../core/admission.ts';
import type { Sql } from '../db/sql.ts';
import type { HeaderJson } from './header.ts';
import { currentVcfFile } from './query.ts';

/** thresholds for `sample` (default the file's chosen sample) from ##SAMPLE / ##SAMPLE_METADATA SAMPLE_INFO_JSON */
export function sampleThresholds(header: HeaderJson, sample: string | null = header.sample): AdmissionThresholds {
  const meta = sample !== null ? header.sampleMetadata[sample] : undefined;
  const value = meta?.SAMPLE_INFO_JSON;
  return parseSampleThresholds(typeof value === 'string' ? value : undefined);
}

/** thresholds for the order's current file and its chosen sample (defaults when there is none) */
export async function orderAdmissionThresholds(sql: Sql, orderId: string): Promise<AdmissionThresholds> {
  const file = await currentVcfFile(sql, orderId);
  return file ? sampleThresholds(file.header, file.sample) : parseSampleThresholds(undefined);
}
