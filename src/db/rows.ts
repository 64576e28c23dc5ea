import type {
  Labflow,
  Membership,
  Order,
  OrderSample,
  OrderStage,
  Project,
  Sample,
  StatusNote,
  TransitionRecord,
  User,
} from '../core/index.ts';
import { DEFAULT_SETTINGS } from '../core/index.ts';

// rows read back are a trust boundary too: map column by column, timestamps to ISO UTC

type Row = Record<string, unknown>;

export function iso(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string') return new Date(v).toISOString();
  throw new Error(`expected a timestamp, got ${typeof v}`);
}

function isoOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : iso(v);
}

function str(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

function json(v: unknown): Record<string, unknown> {
  if (typeof v === 'string') return JSON.parse(v) as Record<string, unknown>;
  return (v ?? {}) as Record<string, unknown>;
}

export function toProject(r: Row): Project {
  return {
    id: String(r.id),
    name: String(r.name),
    orgId: str(r.org_id),
    settings: { ...DEFAULT_SETTINGS, ...json(r.settings) },
  };
}

export function toUser(r: Row): User {
  return {
    id: String(r.id),
    name: String(r.name),
    displayName: String(r.display_name),
    superadmin: Boolean(r.superadmin),
    orgRole: (str(r.org_role) as User['orgRole']) ?? null,
    departmentId: str(r.department_id),
    revokedAt: isoOrNull(r.revoked_at),
  };
}

export function toMembership(r: Row): Membership {
  return {
    projectId: String(r.project_id),
    userId: String(r.user_id),
    role: (str(r.role) as Membership['role']) ?? null,
    facilityRole: (str(r.facility_role) as Membership['facilityRole']) ?? null,
  };
}

export function toLabflow(r: Row): Labflow {
  return {
    id: String(r.id),
    scope: r.scope as Labflow['scope'],
    scopeRef: str(r.scope_ref),
    code: String(r.code),
    name: String(r.name),
    version: Number(r.version),
    published: Boolean(r.published),
    immutable: Boolean(r.immutable),
    parentId: str(r.parent_id),
    stages: r.stages as Labflow['stages'],
    transitions: r.transitions as Labflow['transitions'],
  };
}

export function toOrder(r: Row): Order {
  return {
    id: String(r.id),
    projectId: String(r.project_id),
    displayId: String(r.display_id),
    slug: String(r.slug),
    workflow: r.workflow as Order['workflow'],
    status: String(r.status),
    mode: r.mode as Order['mode'],
    priority: r.priority as Order['priority'],
    accession: str(r.accession),
    externalId: str(r.external_id),
    description: str(r.description),
    clinicalIndication: str(r.clinical_indication),
    orderingProvider: str(r.ordering_provider),
    orderingFacility: str(r.ordering_facility),
    tags: (r.tags as string[]) ?? [],
    properties: json(r.properties),
    adminNotes: str(r.admin_notes),
    labflowId: str(r.labflow_id),
    createdBy: String(r.created_by),
    departmentId: str(r.department_id),
    slugFrozen: Boolean(r.slug_frozen),
    version: Number(r.version),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

export function toSample(r: Row): Sample {
  return {
    id: String(r.id),
    projectId: String(r.project_id),
    displayId: String(r.display_id),
    subjectId: str(r.subject_id),
    sampleType: r.sample_type as Sample['sampleType'],
    specimenType: str(r.specimen_type),
    sex: (str(r.sex) as Sample['sex']) ?? null,
    fastq1: str(r.fastq_1),
    fastq2: str(r.fastq_2),
    strandedness: (str(r.strandedness) as Sample['strandedness']) ?? null,
    accession: str(r.accession),
    tags: (r.tags as string[]) ?? [],
    properties: json(r.properties),
    qcResult: str(r.qc_result),
    sampleNotes: str(r.sample_notes),
    createdBy: String(r.created_by),
    createdAt: iso(r.created_at),
    version: Number(r.version),
  };
}

export function toOrderSample(r: Row): OrderSample {
  return { orderId: String(r.order_id), sampleId: String(r.sample_id), role: r.role as OrderSample['role'] };
}

export function toStage(r: Row): OrderStage {
  return {
    orderId: String(r.order_id),
    stageCode: String(r.stage_code),
    position: Number(r.position),
    state: r.state as OrderStage['state'],
    assigneeId: str(r.assignee_id),
    updatedAt: iso(r.updated_at),
  };
}

export function toNote(r: Row): StatusNote {
  return {
    id: String(r.id),
    orderId: String(r.order_id),
    kind: r.kind as StatusNote['kind'],
    fromStatus: str(r.from_status),
    toStatus: str(r.to_status),
    text: str(r.text),
    authorId: String(r.author_id),
    createdAt: iso(r.created_at),
  };
}

export function toTransition(r: Row): TransitionRecord & { seq: number } {
  return {
    seq: Number(r.seq),
    orderId: String(r.order_id),
    fromStage: str(r.from_stage),
    toStage: String(r.to_stage),
    fromState: (str(r.from_state) as TransitionRecord['fromState']) ?? null,
    toState: r.to_state as TransitionRecord['toState'],
    transitionId: str(r.transition_id),
    transitionedBy: String(r.transitioned_by),
    transitionedAt: iso(r.transitioned_at),
    notes: str(r.notes),
    tags: (r.tags as string[]) ?? [],
    properties: json(r.properties),
  };
}

/** a json value from a query: drivers hand json back parsed, or as text */
export function jsonValue(v: unknown): unknown {
  return typeof v === 'string' ? JSON.parse(v) : v;
}

/** a row built in SQL with row_to_json, for the row mappers */
export function jsonRow(v: unknown): Row {
  return (jsonValue(v) ?? {}) as Row;
}

/** rows built in SQL with json_agg (empty when there were none) */
export function jsonRows(v: unknown): Row[] {
  return (jsonValue(v) ?? []) as Row[];
}
