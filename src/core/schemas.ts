import { z } from 'zod';

// --- enumerations ---------------------------------------------------------------

export const PROJECT_ROLES = ['project_viewer', 'project_editor', 'project_admin'] as const;
export const ProjectRole = z.enum(PROJECT_ROLES);
export type ProjectRole = z.infer<typeof ProjectRole>;

export const ORG_ROLES = ['org_member', 'org_admin', 'org_owner'] as const;
export const OrgRole = z.enum(ORG_ROLES);
export type OrgRole = z.infer<typeof OrgRole>;

export const FACILITY_ROLES = ['researcher', 'facility_admin'] as const;
export const FacilityRole = z.enum(FACILITY_ROLES);
export type FacilityRole = z.infer<typeof FacilityRole>;

export const CLINICAL_STATUSES = ['created', 'analyzing', 'review', 'sign_off', 'completed', 'cancelled'] as const;
export const ClinicalStatus = z.enum(CLINICAL_STATUSES);
export type ClinicalStatus = z.infer<typeof ClinicalStatus>;

export const FACILITY_STATUSES = ['draft', 'submitted', 'completed'] as const;
export const FacilityStatus = z.enum(FACILITY_STATUSES);
export type FacilityStatus = z.infer<typeof FacilityStatus>;

export const WORKFLOWS = ['clinical', 'facility'] as const;
export const Workflow = z.enum(WORKFLOWS);
export type Workflow = z.infer<typeof Workflow>;

export const MODES = ['hereditary', 'somatic'] as const;
export const Mode = z.enum(MODES);
export const PRIORITIES = ['low', 'medium', 'high'] as const;
export const Priority = z.enum(PRIORITIES);
export type Priority = z.infer<typeof Priority>;

export const SAMPLE_ROLES = ['proband', 'mother', 'father', 'sibling', 'tumour', 'normal', 'other'] as const;
export const SampleRole = z.enum(SAMPLE_ROLES);
export type SampleRole = z.infer<typeof SampleRole>;

export const SAMPLE_TYPES = ['germline', 'somatic', 'ffpe', 'liquid_biopsy', 'unknown'] as const;
export const SampleType = z.enum(SAMPLE_TYPES);

export const STAGE_STATES = ['unassigned', 'pending', 'in_progress', 'on_hold', 'completed', 'skipped'] as const;
export const StageState = z.enum(STAGE_STATES);
export type StageState = z.infer<typeof StageState>;

export const ANALYSIS_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export const AnalysisStatus = z.enum(ANALYSIS_STATUSES);
export type AnalysisStatus = z.infer<typeof AnalysisStatus>;

export const LABFLOW_SCOPES = ['system', 'org', 'project'] as const;
export const LabflowScope = z.enum(LABFLOW_SCOPES);
export type LabflowScope = z.infer<typeof LabflowScope>;

export const NOTE_KINDS = ['STATUS_CHANGE', 'SAMPLES_SENT'] as const;
export const NoteKind = z.enum(NOTE_KINDS);

export const REPORT_STATUSES = ['draft', 'pending_review', 'approved', 'signed'] as const;
export const ReportStatus = z.enum(REPORT_STATUSES);
export type ReportStatus = z.infer<typeof ReportStatus>;

// --- shared pieces ---------------------------------------------------------------

export const Uuid = z.uuid();
/** the shape of a UUID (any version): tells an id from a display id or slug before a query casts it */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const Timestamp = z.string(); // ISO 8601, UTC
export const Json = z.record(z.string(), z.unknown());

/** display ids: printable, no control characters, at most 64 characters */
export const DisplayId = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._\- ]*$/, 'must start with a letter or digit and use only letters, digits, . _ - and spaces')
  .refine((s) => /[A-Za-z0-9]/.test(s), 'must contain a letter or digit');

export const Tag = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(40, 'must be at most 40 characters')
  .regex(/^[^\s,]+$/, 'must not contain spaces or commas');

const ShortText = z.string().max(200, 'must be at most 200 characters');
const LongText = z.string().max(10_000, 'must be at most 10000 characters');

// --- entities ----------------------------------------------------------------------

export const User = z.object({
  id: Uuid,
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,39}$/, 'must be 1-40 lowercase letters, digits, . _ -'),
  displayName: z.string(),
  superadmin: z.boolean(),
  orgRole: OrgRole.nullable(),
  departmentId: z.string().nullable(),
  revokedAt: Timestamp.nullable(),
});
export type User = z.infer<typeof User>;

export const Membership = z.object({
  projectId: Uuid,
  userId: Uuid,
  role: ProjectRole.nullable(),
  facilityRole: FacilityRole.nullable(),
});
export type Membership = z.infer<typeof Membership>;

export const Department = z.object({ id: z.string(), name: z.string() });
export type Department = z.infer<typeof Department>;

export const ProjectSettings = z.object({
  allowDeleteSubmitted: z.boolean(),
  departmentSharing: z.boolean(),
});
export type ProjectSettings = z.infer<typeof ProjectSettings>;
export const DEFAULT_SETTINGS: ProjectSettings = { allowDeleteSubmitted: false, departmentSharing: false };

export const Project = z.object({
  id: Uuid,
  name: z.string(),
  orgId: z.string().nullable(),
  settings: ProjectSettings,
});
export type Project = z.infer<typeof Project>;

export const OrderFields = z.object({
  displayId: DisplayId,
  mode: Mode,
  priority: Priority,
  accession: ShortText.nullable(),
  externalId: ShortText.nullable(),
  description: LongText.nullable(),
  clinicalIndication: LongText.nullable(),
  orderingProvider: ShortText.nullable(),
  orderingFacility: ShortText.nullable(),
  tags: z.array(Tag).max(50),
  properties: Json,
  adminNotes: LongText.nullable(),
});
export type OrderFields = z.infer<typeof OrderFields>;

export const Order = OrderFields.extend({
  id: Uuid,
  projectId: Uuid,
  slug: z.string(),
  workflow: Workflow,
  status: z.string(),
  labflowId: z.string().nullable(),
  createdBy: Uuid,
  departmentId: z.string().nullable(),
  slugFrozen: z.boolean(),
  version: z.number().int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Order = z.infer<typeof Order>;

export const SampleFields = z.object({
  displayId: DisplayId,
  subjectId: ShortText.nullable(),
  sampleType: SampleType,
  specimenType: ShortText.nullable(),
  sex: z.enum(['female', 'male', 'unknown', 'other']).nullable(),
  fastq1: z.string().max(1000).nullable(),
  fastq2: z.string().max(1000).nullable(),
  strandedness: z.enum(['forward', 'reverse', 'unstranded', 'auto']).nullable(),
  accession: ShortText.nullable(),
  tags: z.array(Tag).max(50),
  properties: Json,
});
export type SampleFields = z.infer<typeof SampleFields>;

/** sample fields only a facility admin edits once an order is submitted */
export const SampleAdminFields = z.object({
  qcResult: ShortText.nullable(),
  sampleNotes: LongText.nullable(),
});
export type SampleAdminFields = z.infer<typeof SampleAdminFields>;

export const Sample = SampleFields.merge(SampleAdminFields).extend({
  id: Uuid,
  projectId: Uuid,
  createdBy: Uuid,
  createdAt: Timestamp,
  version: z.number().int(),
});
export type Sample = z.infer<typeof Sample>;

export const OrderSample = z.object({ orderId: Uuid, sampleId: Uuid, role: SampleRole });
export type OrderSample = z.infer<typeof OrderSample>;

export const Analysis = z.object({
  id: Uuid,
  projectId: Uuid,
  displayId: z.string(),
  orderId: Uuid.nullable(),
  status: AnalysisStatus,
  pipeline: z.string(),
  inputs: Json,
  outputs: Json,
  metrics: Json,
  logsUrl: z.string().nullable(),
  sampleIds: z.array(Uuid),
  createdBy: Uuid,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  version: z.number().int(),
});
export type Analysis = z.infer<typeof Analysis>;

export const StageCapabilities = z.object({
  browser_viewable: z.boolean(),
  browser_editable: z.boolean(),
  report_viewable: z.boolean(),
  report_editable: z.boolean(),
});
export type StageCapabilities = z.infer<typeof StageCapabilities>;

export const StageCode = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be a lowercase code');

export const LabflowStage = StageCapabilities.extend({
  code: StageCode,
  name: z.string().min(1),
  position: z.number().int(),
  colour: z.string(),
  icon: z.string(),
  /** the order ends here (completed, cancelled) */
  terminal: z.boolean(),
});
export type LabflowStage = z.infer<typeof LabflowStage>;

export const LabflowTransition = z.object({
  id: z.string().min(1),
  from: StageCode,
  to: StageCode,
  label: z.string(),
  defaultForward: z.boolean(),
});
export type LabflowTransition = z.infer<typeof LabflowTransition>;

export const Labflow = z.object({
  id: z.string().min(1),
  scope: LabflowScope,
  /** org id or project id; null for system */
  scopeRef: z.string().nullable(),
  code: z.string().min(1),
  name: z.string(),
  version: z.number().int().min(1),
  published: z.boolean(),
  immutable: z.boolean(),
  parentId: z.string().nullable(),
  stages: z.array(LabflowStage).min(1),
  transitions: z.array(LabflowTransition),
});
export type Labflow = z.infer<typeof Labflow>;

export const OrderStage = z.object({
  orderId: Uuid,
  stageCode: StageCode,
  position: z.number().int(),
  state: StageState,
  assigneeId: Uuid.nullable(),
  updatedAt: Timestamp,
});
export type OrderStage = z.infer<typeof OrderStage>;

export const TransitionRecord = z.object({
  orderId: Uuid,
  fromStage: z.string().nullable(),
  toStage: z.string(),
  fromState: StageState.nullable(),
  toState: StageState,
  transitionId: z.string().nullable(),
  transitionedBy: Uuid,
  transitionedAt: Timestamp,
  notes: z.string().nullable(),
  tags: z.array(z.string()),
  properties: Json,
});
export type TransitionRecord = z.infer<typeof TransitionRecord>;

export const StatusNote = z.object({
  id: z.string(),
  orderId: Uuid,
  kind: NoteKind,
  fromStatus: z.string().nullable(),
  toStatus: z.string().nullable(),
  text: z.string().nullable(),
  authorId: Uuid,
  createdAt: Timestamp,
});
export type StatusNote = z.infer<typeof StatusNote>;

export const ReportVariant = z.object({
  variantId: z.string(),
  /** the variant as it was when it entered the report */
  snapshot: Json,
  reason: z.string(),
  removed: z.boolean(),
});
export type ReportVariant = z.infer<typeof ReportVariant>;

export const Signature = z.object({
  signerId: Uuid,
  signerName: z.string(),
  signedAt: Timestamp,
  meaning: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type Signature = z.infer<typeof Signature>;

export const Report = z.object({
  id: Uuid,
  orderId: Uuid,
  version: z.number().int().min(1),
  status: ReportStatus,
  amendsReportId: Uuid.nullable(),
  amendReason: z.string().nullable(),
  variants: z.array(ReportVariant),
  summary: z.string().nullable(),
  signature: Signature.nullable(),
  renderedText: z.string().nullable(),
  createdBy: Uuid,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  rowVersion: z.number().int(),
});
export type Report = z.infer<typeof Report>;

export const Curation = z.object({
  orderId: Uuid,
  variantId: z.string(),
  tierOverride: z.enum(['IA', 'IB', 'IIC', 'IID', 'III', 'IV']).nullable(),
  acmgClass: z.enum(['P', 'LP', 'VUS', 'LB', 'B']).nullable(),
  reportable: z.boolean().nullable(),
  note: z.string().max(10_000).nullable(),
  curatedBy: Uuid,
  curatedAt: Timestamp,
  version: z.number().int(),
});
export type Curation = z.infer<typeof Curation>;
