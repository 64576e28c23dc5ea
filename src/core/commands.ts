import { z } from 'zod';
import type { RejectionCode } from './result.ts';
import {
  AnalysisStatus,
  Curation,
  DisplayId,
  FacilityStatus,
  Json,
  LabflowStage,
  LabflowTransition,
  Mode,
  OrderFields,
  Priority,
  ReportVariant,
  SampleAdminFields,
  SampleFields,
  SampleRole,
  SampleType,
  Tag,
  Uuid,
  Workflow,
} from './schemas.ts';

const BaseVersion = z.number().int().min(0).optional();

export const OrderCreateFields = z.object({
  displayId: DisplayId,
  mode: Mode.default('hereditary'),
  priority: Priority.default('medium'),
  accession: z.string().max(200).nullable().default(null),
  externalId: z.string().max(200).nullable().default(null),
  description: z.string().max(10_000).nullable().default(null),
  clinicalIndication: z.string().max(10_000).nullable().default(null),
  orderingProvider: z.string().max(200).nullable().default(null),
  orderingFacility: z.string().max(200).nullable().default(null),
  tags: z.array(Tag).max(50).default([]),
  properties: Json.default({}),
});

export const SampleCreateFields = z.object({
  displayId: DisplayId,
  subjectId: z.string().max(200).nullable().default(null),
  sampleType: SampleType.default('unknown'),
  specimenType: z.string().max(200).nullable().default(null),
  sex: SampleFields.shape.sex.default(null),
  fastq1: z.string().max(1000).nullable().default(null),
  fastq2: z.string().max(1000).nullable().default(null),
  strandedness: SampleFields.shape.strandedness.default(null),
  accession: z.string().max(200).nullable().default(null),
  tags: z.array(Tag).max(50).default([]),
  properties: Json.default({}),
});

/** variant ids come from the variant cache: short, printable, no spaces */
export const VariantIdField = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a variant id');
const ReportVariants = z.array(ReportVariant).max(10_000);
const ReportSummary = z.string().max(20_000);

/** what a signature means, in the words of 21 CFR 11.50 */
export const SIGNATURE_MEANINGS = ['approval', 'review', 'responsibility', 'authorship'] as const;
export const SignatureMeaning = z.enum(SIGNATURE_MEANINGS);

export const Command = z.discriminatedUnion('type', [
  z.object({ type: z.literal('order.create'), orderId: Uuid, workflow: Workflow.default('clinical'), fields: OrderCreateFields }),
  z.object({
    type: z.literal('order.update'),
    orderId: Uuid,
    baseVersion: BaseVersion,
    patch: OrderFields.partial().refine((p) => Object.keys(p).length > 0, 'nothing to change'),
  }),
  z.object({
    type: z.literal('order.transition'),
    orderId: Uuid,
    to: z.string().min(1),
    baseVersion: BaseVersion,
    reason: z.string().max(2000).optional(),
  }),
  z.object({ type: z.literal('order.delete'), orderId: Uuid, baseVersion: BaseVersion }),
  z.object({ type: z.literal('order.addSample'), orderId: Uuid, sampleId: Uuid, role: SampleRole, baseVersion: BaseVersion }),
  z.object({ type: z.literal('order.removeSample'), orderId: Uuid, sampleId: Uuid, baseVersion: BaseVersion }),
  z.object({ type: z.literal('sample.create'), sampleId: Uuid, fields: SampleCreateFields }),
  z.object({
    type: z.literal('sample.update'),
    sampleId: Uuid,
    baseVersion: BaseVersion,
    patch: SampleFields.partial()
      .merge(SampleAdminFields.partial())
      .refine((p) => Object.keys(p).length > 0, 'nothing to change'),
  }),
  z.object({
    type: z.literal('stage.assign'),
    orderId: Uuid,
    stageCode: z.string().optional(),
    userId: Uuid,
    baseVersion: BaseVersion,
  }),
  z.object({
    type: z.literal('stage.transition'),
    orderId: Uuid,
    stageCode: z.string().optional(),
    action: z.enum(['start', 'hold', 'resume', 'complete', 'skip']),
    note: z.string().max(2000).optional(),
    baseVersion: BaseVersion,
  }),
  z.object({ type: z.literal('note.samplesSent'), orderId: Uuid, text: z.string().max(2000).optional() }),
  z.object({
    type: z.literal('settings.set'),
    key: z.enum(['allowDeleteSubmitted', 'departmentSharing']),
    value: z.boolean(),
  }),
  z.object({
    type: z.literal('labflow.clone'),
    labflowId: z.string(),
    newId: z.string().min(1).max(80),
    scope: z.enum(['org', 'project']).default('project'),
  }),
  z.object({
    type: z.literal('labflow.update'),
    labflowId: z.string(),
    name: z.string().min(1).optional(),
    stages: z.array(LabflowStage).min(1).optional(),
    transitions: z.array(LabflowTransition).optional(),
  }),
  z.object({ type: z.literal('labflow.publish'), labflowId: z.string(), immutable: z.boolean().default(true) }),
  // variants, reports and analyses (DESIGN.md §1 "Analyses, VCFs and reports"); a field left out keeps its value, null clears it
  z.object({
    type: z.literal('variant.curate'),
    orderId: Uuid,
    variantId: VariantIdField,
    tierOverride: Curation.shape.tierOverride.optional(),
    acmgClass: Curation.shape.acmgClass.optional(),
    reportable: z.boolean().nullable().optional(),
    note: z.string().max(10_000).nullable().optional(),
    /** the curation's version as read (0: none yet) */
    baseVersion: BaseVersion,
  }),
  z.object({
    type: z.literal('report.createDraft'),
    orderId: Uuid,
    reportId: Uuid,
    variants: ReportVariants,
    summary: ReportSummary.optional(),
  }),
  z.object({
    type: z.literal('report.setVariants'),
    orderId: Uuid,
    reportId: Uuid,
    variants: ReportVariants,
    summary: ReportSummary.nullable().optional(),
    /** the report's row version as read */
    baseVersion: z.number().int().min(1),
  }),
  z.object({ type: z.literal('report.submit'), orderId: Uuid, reportId: Uuid, baseVersion: BaseVersion }),
  z.object({ type: z.literal('report.approveAndSign'), orderId: Uuid, reportId: Uuid, meaning: SignatureMeaning, baseVersion: BaseVersion }),
  z.object({
    type: z.literal('report.amend'),
    orderId: Uuid,
    reportId: Uuid,
    amendsReportId: Uuid,
    reason: z.string().trim().min(1, 'must say why').max(2000),
  }),
  z.object({
    type: z.literal('vcf.ingested'),
    orderId: Uuid,
    fileSha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex'),
    records: z.number().int().min(0),
    sample: z.string().max(200).optional(),
  }),
  z.object({
    type: z.literal('analysis.submit'),
    analysisId: Uuid,
    displayId: DisplayId,
    pipeline: z.string().trim().min(1).max(200),
    /** the order the run feeds; not `orderId`, which every command that has it must name */
    forOrderId: Uuid.optional(),
    sampleIds: z.array(Uuid).max(1000).default([]),
    inputs: Json.default({}),
    logsUrl: z.string().max(2000).optional(),
  }),
  z.object({
    type: z.literal('analysis.transition'),
    analysisId: Uuid,
    to: AnalysisStatus,
    outputs: Json.optional(),
    metrics: Json.optional(),
    logsUrl: z.string().max(2000).optional(),
    baseVersion: BaseVersion,
  }),
  z.object({ type: z.literal('analysis.createOrder'), analysisId: Uuid, orderId: Uuid, displayId: DisplayId }),
]);
export type Command = z.infer<typeof Command>;
export type CommandInput = z.input<typeof Command>;
export type CommandType = Command['type'];

/** what travels: the command plus its idempotency key and ordering */
export const CommandEnvelope = z.object({
  mid: z.string().regex(/^[A-Za-z0-9_-]{1,64}:\d{1,12}$/, 'must be clientId:seq'),
  clientId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  seq: z.number().int().min(1),
  clientTime: z.string(),
  command: Command,
});
export type CommandEnvelope = z.infer<typeof CommandEnvelope>;

export function makeMid(clientId: string, seq: number): string {
  return `${clientId}:${seq}`;
}

// re-exported for callers building facility transitions
export { FacilityStatus };

/** what the processor answers for one command; stored, and published in the project document */
export interface CommandResult {
  mid: string;
  clientId: string;
  seq: number;
  status: 'accepted' | 'rejected';
  code: RejectionCode | null;
  message: string | null;
  commandType: string | null;
  entityType: string | null;
  entityId: string | null;
  entityVersion: number | null;
  serverSeq: number;
  serverTime: string;
  /** on rejection: the entity's current state, to show what the command conflicted with */
  current: unknown;
}
