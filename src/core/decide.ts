import { analysisSampleRoles, isAnalysisTransitionAllowed, ANALYSIS_TRANSITIONS } from './analyses.ts';
import { OrderCreateFields, type Command } from './commands.ts';
import {
  canSeeFacilityOrder,
  isFacilityAdmin,
  requireFacilityDelete,
  requireFacilityEdit,
  requireFacilityTransition,
  requireSamplesSent,
} from './facility.ts';
import {
  cloneLabflow,
  defaultForward,
  findStage,
  findTransition,
  firstStage,
  resolveLabflow,
  stageCapabilities,
  validateLabflow,
} from './labflow.ts';
import { normalizeStatus, requiresSignature, TERMINAL_STATUSES } from './order-machine.ts';
import {
  actorFrom,
  can,
  canManage,
  hasProjectRole,
  requireAssigned,
  requireCapability,
  requireRole,
  type Actor,
  type CapabilityFlag,
} from './rbac.ts';
import { isReportEditable, isReportOpen, isReportSignable, mergeReportVariants, type UnsealedSignature } from './reports.ts';
import { fail, ok, type Rejection, type Result } from './result.ts';
import type {
  Analysis,
  Curation,
  Labflow,
  Membership,
  Order,
  OrderSample,
  OrderStage,
  Project,
  ProjectSettings,
  Report,
  ReportVariant,
  Sample,
  StageState,
  StatusNote,
  TransitionRecord,
  User,
} from './schemas.ts';
import { slugify } from './slug.ts';
import { isStageTransitionAllowed, STAGE_ACTIONS } from './stage-machine.ts';

/** an order with everything the rules look at */
export interface OrderAggregate {
  order: Order;
  stages: OrderStage[];
  samples: OrderSample[];
  labflow: Labflow | null;
  hasSignedReport: boolean;
  samplesSentRecorded: boolean;
}

/** the slice of state one command needs, loaded by the caller (see `needs`) */
export interface DecideState {
  /** server time at processing; the only time that counts */
  now: string;
  project: Project;
  actor: Actor;
  order?: OrderAggregate | null;
  sample?: Sample | null;
  /** statuses of the facility orders the sample sits on */
  sampleFacilityStatuses?: string[];
  /** another order (or sample) already uses this display id */
  displayIdTaken?: boolean;
  labflows?: Labflow[];
  target?: { user: User; membership: Membership | null } | null;
  /** the order's reports, oldest version first */
  reports?: Report[];
  /** the curation of the variant a command names */
  curation?: Curation | null;
  analysis?: Analysis | null;
  /** another analysis already uses this display id */
  analysisDisplayIdTaken?: boolean;
  /** of the sample ids a command names, the ones that exist in this project */
  knownSampleIds?: string[];
  /** the acting user's printed name, for a signature */
  actorDisplayName?: string;
}

export interface Needs {
  orderId?: string;
  sampleId?: string;
  displayId?: { kind: 'order' | 'sample'; value: string; exceptId?: string };
  labflows?: boolean;
  userId?: string;
  /** the reports of `orderId` */
  reports?: boolean;
  curation?: { orderId: string; variantId: string };
  analysisId?: string;
  analysisDisplayId?: string;
  sampleIds?: string[];
  actorDisplayName?: boolean;
}

export function needs(command: Command): Needs {
  switch (command.type) {
    case 'order.create':
      return { displayId: { kind: 'order', value: command.fields.displayId }, labflows: true };
    case 'order.update':
      return {
        orderId: command.orderId,
        ...(command.patch.displayId !== undefined
          ? { displayId: { kind: 'order' as const, value: command.patch.displayId, exceptId: command.orderId } }
          : {}),
      };
    case 'order.addSample':
    case 'order.removeSample':
      return { orderId: command.orderId, sampleId: command.sampleId };
    case 'stage.assign':
      return { orderId: command.orderId, userId: command.userId };
    case 'order.transition':
    case 'order.delete':
    case 'stage.transition':
    case 'note.samplesSent':
      return { orderId: command.orderId };
    case 'sample.create':
      return { displayId: { kind: 'sample', value: command.fields.displayId } };
    case 'sample.update':
      return {
        sampleId: command.sampleId,
        ...(command.patch.displayId !== undefined
          ? { displayId: { kind: 'sample' as const, value: command.patch.displayId, exceptId: command.sampleId } }
          : {}),
      };
    case 'settings.set':
      return {};
    case 'labflow.clone':
    case 'labflow.update':
    case 'labflow.publish':
      return { labflows: true };
    case 'variant.curate':
      return { orderId: command.orderId, curation: { orderId: command.orderId, variantId: command.variantId } };
    case 'report.createDraft':
    case 'report.setVariants':
    case 'report.submit':
    case 'report.amend':
      return { orderId: command.orderId, reports: true };
    case 'report.approveAndSign':
      return { orderId: command.orderId, reports: true, actorDisplayName: true };
    case 'vcf.ingested':
      return { orderId: command.orderId };
    case 'analysis.submit':
      return {
        analysisId: command.analysisId,
        analysisDisplayId: command.displayId,
        sampleIds: command.sampleIds,
        ...(command.forOrderId !== undefined ? { orderId: command.forOrderId } : {}),
      };
    case 'analysis.transition':
      return { analysisId: command.analysisId };
    case 'analysis.createOrder':
      return { analysisId: command.analysisId, displayId: { kind: 'order', value: command.displayId }, labflows: true };
  }
}

export type Event =
  | { type: 'order.created'; order: Order; stages: OrderStage[] }
  | { type: 'order.updated'; orderId: string; patch: Partial<Order>; version: number; updatedAt: string }
  | { type: 'order.deleted'; orderId: string }
  | { type: 'stage.updated'; stage: OrderStage }
  | { type: 'transition.recorded'; record: TransitionRecord }
  | { type: 'order.sampleAdded'; link: OrderSample }
  | { type: 'order.sampleRemoved'; orderId: string; sampleId: string }
  | { type: 'sample.created'; sample: Sample }
  | { type: 'sample.updated'; sampleId: string; patch: Partial<Sample>; version: number }
  | { type: 'note.added'; note: Omit<StatusNote, 'id'> }
  | { type: 'settings.updated'; settings: ProjectSettings }
  | { type: 'labflow.saved'; labflow: Labflow }
  | { type: 'curation.saved'; curation: Curation }
  | { type: 'report.created'; report: Report }
  | {
      type: 'report.updated';
      orderId: string;
      reportId: string;
      patch: Partial<Pick<Report, 'variants' | 'summary' | 'status'>>;
      rowVersion: number;
      updatedAt: string;
    }
  /**
   * the report as signed (status signed, no rendering yet) and the order it was rendered
   * with; the store renders it with renderReport, hashes the text and seals the signature
   */
  | { type: 'report.signed'; report: Report; order: Order; signature: UnsealedSignature; amendsVersion: number | null }
  | { type: 'analysis.created'; analysis: Analysis }
  | { type: 'analysis.updated'; analysisId: string; patch: Partial<Analysis>; version: number; updatedAt: string };

export type OrderUpdatedEvent = Extract<Event, { type: 'order.updated' }>;
export type StageUpdatedEvent = Extract<Event, { type: 'stage.updated' }>;

/** an order after a field update: the patch's values, the new version and time */
export function withOrderUpdate(order: Order, e: OrderUpdatedEvent): Order {
  return { ...order, ...e.patch, version: e.version, updatedAt: e.updatedAt };
}

export interface AuditEntry {
  action: string;
  entityType: 'order' | 'sample' | 'project' | 'labflow' | 'user' | 'analysis';
  entityId: string;
  before: unknown;
  after: unknown;
  reason: string | null;
}

export interface Decision {
  events: Event[];
  audit: AuditEntry;
  /** the touched entity's version after the change, when it has one */
  entityVersion: number | null;
}

type Decided = Result<Decision>;

export function decide(state: DecideState, command: Command): Decided {
  switch (command.type) {
    case 'order.create':
      return createOrder(state, command);
    case 'order.update':
      return withOrder(state, command.orderId, command.baseVersion, (agg) => updateOrder(state, agg, command));
    case 'order.transition':
      return withOrder(state, command.orderId, command.baseVersion, (agg) =>
        agg.order.workflow === 'facility'
          ? transitionFacility(state, agg, command.to, command.reason ?? null)
          : transitionClinical(state, agg, command.to, command.reason ?? null),
      );
    case 'order.delete':
      return withOrder(state, command.orderId, command.baseVersion, (agg) => deleteOrder(state, agg));
    case 'order.addSample':
    case 'order.removeSample':
      return withOrder(state, command.orderId, command.baseVersion, (agg) => changeSamples(state, agg, command));
    case 'sample.create':
      return createSample(state, command);
    case 'sample.update':
      return updateSample(state, command);
    case 'stage.assign':
      return withOrder(state, command.orderId, command.baseVersion, (agg) => assignStage(state, agg, command));
    case 'stage.transition':
      return withOrder(state, command.orderId, command.baseVersion, (agg) => transitionStage(state, agg, command));
    case 'note.samplesSent':
      return withOrder(state, command.orderId, undefined, (agg) => samplesSent(state, agg, command.text ?? null));
    case 'settings.set':
      return setSetting(state, command);
    case 'labflow.clone':
    case 'labflow.update':
    case 'labflow.publish':
      return changeLabflow(state, command);
    case 'variant.curate':
      return withOrder(state, command.orderId, undefined, (agg) => curateVariant(state, agg, command));
    case 'report.createDraft':
      return withOrder(state, command.orderId, undefined, (agg) => createReportDraft(state, agg, command));
    case 'report.setVariants':
    case 'report.submit':
      return withOrder(state, command.orderId, undefined, (agg) => editReport(state, agg, command));
    case 'report.approveAndSign':
      return withOrder(state, command.orderId, undefined, (agg) => approveAndSign(state, agg, command));
    case 'report.amend':
      return withOrder(state, command.orderId, undefined, (agg) => amendReport(state, agg, command));
    case 'vcf.ingested':
      return withOrder(state, command.orderId, undefined, (agg) => vcfIngested(state, agg, command));
    case 'analysis.submit':
      return submitAnalysis(state, command);
    case 'analysis.transition':
      return transitionAnalysis(state, command);
    case 'analysis.createOrder':
      return createOrderFromAnalysis(state, command);
  }
}

// --- visibility ----------------------------------------------------------------------

export function canSeeOrder(actor: Actor, order: Order, settings: ProjectSettings): boolean {
  if (order.workflow === 'facility') return canSeeFacilityOrder(actor, order, settings);
  return can(actor, 'orders:read');
}

function withOrder(
  state: DecideState,
  orderId: string,
  baseVersion: number | undefined,
  fn: (agg: OrderAggregate) => Decided,
): Decided {
  const agg = state.order;
  // an order the actor may not see does not exist for them
  if (!agg || agg.order.id !== orderId || !canSeeOrder(state.actor, agg.order, state.project.settings))
    return fail('not_found', `Not found: order ${orderId}`);
  const r = fn(agg);
  // a refusal by the rules says more than a version mismatch; check the version last
  if (r.success && baseVersion !== undefined && baseVersion !== agg.order.version)
    return fail(
      'stale_version',
      `Stale version: order ${agg.order.displayId} changed since you read it (your version ${baseVersion}, now ${agg.order.version}, status ${agg.order.status})`,
      { current: currentOf(agg) },
    );
  if (!r.success && r.error.current === undefined) r.error.current = currentOf(agg);
  return r;
}

function currentOf(agg: OrderAggregate): Record<string, unknown> {
  const stage = currentStage(agg);
  return {
    displayId: agg.order.displayId,
    status: agg.order.status,
    version: agg.order.version,
    updatedAt: agg.order.updatedAt,
    stage: stage ? { code: stage.stageCode, state: stage.state, assigneeId: stage.assigneeId } : null,
  };
}

export function currentStage(agg: Pick<OrderAggregate, 'order' | 'stages'>): OrderStage | undefined {
  const status = normalizeStatus(agg.order.status);
  return agg.stages.find((s) => s.stageCode === status);
}

function bump(state: DecideState, order: Order, patch: Partial<Order> = {}): Event {
  return { type: 'order.updated', orderId: order.id, patch, version: order.version + 1, updatedAt: state.now };
}

/** zod's partial() allows explicit undefined; stored patches carry only real values */
export function defined<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}

function decision(events: Event[], audit: AuditEntry, entityVersion: number | null): Decided {
  return ok({ events, audit, entityVersion });
}

// --- orders --------------------------------------------------------------------------

function createOrder(state: DecideState, command: Extract<Command, { type: 'order.create' }>): Decided {
  const { actor, project, now } = state;
  const f = command.fields;
  if (command.workflow === 'clinical') {
    const role = requireRole(actor, 'project_editor', 'creating an order');
    if (!role.success) return role;
  } else if (!actor.facilityRole && !actor.superadmin) {
    return fail('permission_denied', 'Permission denied: creating a facility order requires researcher or facility_admin');
  }
  if (state.displayIdTaken) return fail('conflict', `Conflict: display id ${f.displayId} (slug ${slugify(f.displayId)}) is already used in this project`, { path: ['displayId'] });
  let labflow: Labflow | undefined;
  if (command.workflow === 'clinical') {
    labflow = resolveLabflow(state.labflows ?? [], 'clinical', { projectId: project.id, orgId: project.orgId });
    if (!labflow) return fail('not_found', 'Not found: no published clinical labflow applies to this project');
  }
  const first = labflow ? firstStage(labflow) : undefined;
  const order: Order = {
    ...f,
    adminNotes: null,
    id: command.orderId,
    projectId: project.id,
    slug: slugify(f.displayId),
    workflow: command.workflow,
    status: first ? first.code : 'draft',
    labflowId: labflow?.id ?? null,
    createdBy: actor.userId,
    departmentId: actor.departmentId,
    slugFrozen: false,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  if (slugify(f.displayId) === '') return fail('invalid_input', 'Invalid input: display id has no letters or digits', { path: ['displayId'] });
  // a new order's first stage is assigned to its creator
  const stages: OrderStage[] = (labflow?.stages ?? []).map((s) => ({
    orderId: order.id,
    stageCode: s.code,
    position: s.position,
    state: s.code === first?.code ? 'pending' : 'unassigned',
    assigneeId: s.code === first?.code ? actor.userId : null,
    updatedAt: now,
  }));
  const events: Event[] = [{ type: 'order.created', order, stages }];
  if (first)
    events.push(record(state, order.id, null, first.code, null, 'pending', null, 'created and assigned to creator'));
  return decision(events, audit('order.create', 'order', order.id, null, order, null), 1);
}

function record(
  state: DecideState,
  orderId: string,
  fromStage: string | null,
  toStage: string,
  fromState: StageState | null,
  toState: StageState,
  transitionId: string | null,
  notes: string | null,
): Event {
  return {
    type: 'transition.recorded',
    record: {
      orderId,
      fromStage,
      toStage,
      fromState,
      toState,
      transitionId,
      transitionedBy: state.actor.userId,
      transitionedAt: state.now,
      notes,
      tags: [],
      properties: {},
    },
  };
}

function audit(
  action: string,
  entityType: AuditEntry['entityType'],
  entityId: string,
  before: unknown,
  after: unknown,
  reason: string | null,
): AuditEntry {
  return { action, entityType, entityId, before, after, reason };
}

function requireOrderEditable(state: DecideState, agg: OrderAggregate, doing: string): Result<void> {
  if (TERMINAL_STATUSES.has(normalizeStatus(agg.order.status)))
    return fail('conflict', `Conflict: order ${agg.order.displayId} is ${agg.order.status}; its fields are read-only`);
  return requireAssigned(state.actor, currentStage(agg), doing);
}

function updateOrder(state: DecideState, agg: OrderAggregate, command: Extract<Command, { type: 'order.update' }>): Decided {
  const { order } = agg;
  const patch = defined(command.patch);
  if (order.workflow === 'facility') {
    const { adminNotes, ...rest } = patch;
    if (adminNotes !== undefined) {
      const r = requireFacilityEdit(state.actor, order, 'admin_notes');
      if (!r.success) return r;
    }
    if (Object.keys(rest).length > 0) {
      const r = requireFacilityEdit(state.actor, order, 'metadata');
      if (!r.success) return r;
    }
  } else {
    const r = requireOrderEditable(state, agg, 'editing an order');
    if (!r.success) return r;
  }
  if (patch.displayId !== undefined && patch.displayId !== order.displayId) {
    if (order.slugFrozen)
      return fail('conflict', `Conflict: order ${order.displayId} cannot be renamed: files have been written under its slug ${order.slug}`, {
        path: ['displayId'],
      });
    if (state.displayIdTaken) return fail('conflict', `Conflict: display id ${patch.displayId} (slug ${slugify(patch.displayId)}) is already used in this project`, { path: ['displayId'] });
  }
  const full: Partial<Order> = { ...patch };
  if (patch.displayId !== undefined) full.slug = slugify(patch.displayId);
  const before: Record<string, unknown> = {};
  for (const k of Object.keys(full) as (keyof Order)[]) before[k] = order[k];
  return decision([bump(state, order, full)], audit('order.update', 'order', order.id, before, full, null), order.version + 1);
}

function transitionClinical(state: DecideState, agg: OrderAggregate, to: string, reason: string | null): Decided {
  const { order, labflow } = agg;
  const from = normalizeStatus(order.status);
  if (!labflow) return fail('not_found', `Not found: labflow of order ${order.displayId}`);
  const transition = findTransition(labflow, from, to);
  if (!transition) {
    const allowed = labflow.transitions.filter((t) => t.from === from).map((t) => t.to);
    return fail(
      'invalid_transition',
      `Invalid transition: ${from} → ${to}${allowed.length ? ` (allowed from ${from}: ${allowed.join(', ')})` : ` (${from} is terminal)`}`,
    );
  }
  if (requiresSignature(from, to))
    return fail(
      'invalid_transition',
      `Invalid transition: ${from} → ${to}: an order is completed only by approving and signing its report (curio report sign)`,
    );
  return moveOrder(state, agg, transition.id, to, reason, 'order.transition');
}

/** completes (or, on cancel, skips) the current stage and opens the target stage */
function moveOrder(
  state: DecideState,
  agg: OrderAggregate,
  transitionId: string,
  to: string,
  reason: string | null,
  action: string,
  leaveAs: 'completed' | 'skipped' = to === 'cancelled' ? 'skipped' : 'completed',
  /** more order fields that change with the move (approve-and-sign freezes the slug) */
  alsoPatch: Partial<Order> = {},
): Decided {
  const { order, labflow } = agg;
  const { actor } = state;
  const from = normalizeStatus(order.status);
  const cur = currentStage(agg);
  if (to === 'cancelled') {
    const r = requireRole(actor, 'project_admin', 'cancelling an order');
    if (!r.success) return r;
  } else {
    const r = requireAssigned(actor, cur, `moving order ${order.displayId} from ${from}`);
    if (!r.success) return r;
  }
  // a held stage may still be skipped or cancelled (on_hold → skipped), not completed
  if (cur?.state === 'on_hold' && leaveAs === 'completed')
    return fail('invalid_transition', `Invalid transition: ${from} → ${to}: stage ${from} is on hold (resume it first)`);
  const target = labflow ? findStage(labflow, to) : undefined;
  if (!target) return fail('invalid_transition', `Invalid transition: ${from} → ${to}: no such stage`);
  const next = agg.stages.find((s) => s.stageCode === to);
  // completed and skipped stages are never reversed (DESIGN.md §1 "Labflows")
  if (next && (next.state === 'completed' || next.state === 'skipped'))
    return fail('invalid_transition', `Invalid transition: ${from} → ${to}: stage ${to} is ${next.state}`);
  const events: Event[] = [];
  if (cur && cur.state !== 'completed' && cur.state !== 'skipped') {
    events.push({ type: 'stage.updated', stage: { ...cur, state: leaveAs, updatedAt: state.now } });
    events.push(record(state, order.id, from, from, cur.state, leaveAs, transitionId, reason));
  }
  if (next) {
    // a stage assigned (or held) ahead of time keeps its state and assignee; nothing moves back to unassigned
    const opened: StageState = target.terminal ? 'completed' : next.state;
    events.push({ type: 'stage.updated', stage: { ...next, state: opened, updatedAt: state.now } });
    events.push(record(state, order.id, from, to, next.state, opened, transitionId, reason));
  }
  events.push(bump(state, order, { ...alsoPatch, status: to }));
  return decision(
    events,
    audit(action, 'order', order.id, { status: order.status }, { status: to }, reason),
    order.version + 1,
  );
}

function transitionFacility(state: DecideState, agg: OrderAggregate, to: string, reason: string | null): Decided {
  const { order } = agg;
  const r = requireFacilityTransition(state.actor, order, to);
  if (!r.success) return r;
  const note: Omit<StatusNote, 'id'> = {
    orderId: order.id,
    kind: 'STATUS_CHANGE',
    fromStatus: order.status,
    toStatus: to,
    text: reason,
    authorId: state.actor.userId,
    createdAt: state.now,
  };
  return decision(
    [bump(state, order, { status: to }), { type: 'note.added', note }],
    audit('order.transition', 'order', order.id, { status: order.status }, { status: to }, reason),
    order.version + 1,
  );
}

function deleteOrder(state: DecideState, agg: OrderAggregate): Decided {
  const { order } = agg;
  if (order.workflow === 'facility') {
    const r = requireFacilityDelete(state.actor, order, state.project.settings);
    if (!r.success) return r;
  } else {
    if (agg.hasSignedReport) return fail('conflict', `Conflict: order ${order.displayId} has a signed report and cannot be deleted`);
    const r = requireRole(state.actor, 'project_admin', 'deleting an order');
    if (!r.success) return r;
  }
  return decision([{ type: 'order.deleted', orderId: order.id }], audit('order.delete', 'order', order.id, order, null, null), null);
}

function changeSamples(
  state: DecideState,
  agg: OrderAggregate,
  command: Extract<Command, { type: 'order.addSample' | 'order.removeSample' }>,
): Decided {
  const { order } = agg;
  const r =
    order.workflow === 'facility'
      ? requireFacilityEdit(state.actor, order, 'samples')
      : requireOrderEditable(state, agg, 'changing the samples of an order');
  if (!r.success) return r;
  const existing = agg.samples.find((s) => s.sampleId === command.sampleId);
  if (command.type === 'order.removeSample') {
    if (!existing) return fail('not_found', `Not found: sample ${state.sample?.displayId ?? command.sampleId} is not on order ${order.displayId}`);
    return decision(
      [{ type: 'order.sampleRemoved', orderId: order.id, sampleId: command.sampleId }, bump(state, order)],
      audit('order.removeSample', 'order', order.id, existing, null, null),
      order.version + 1,
    );
  }
  if (!state.sample || state.sample.id !== command.sampleId || state.sample.projectId !== order.projectId)
    return fail('not_found', `Not found: sample ${command.sampleId}`);
  if (existing)
    return fail('conflict', `Conflict: sample ${state.sample.displayId} is already on order ${order.displayId} as ${existing.role}`);
  const link: OrderSample = { orderId: order.id, sampleId: command.sampleId, role: command.role };
  return decision(
    [{ type: 'order.sampleAdded', link }, bump(state, order)],
    audit('order.addSample', 'order', order.id, null, link, null),
    order.version + 1,
  );
}

function samplesSent(state: DecideState, agg: OrderAggregate, text: string | null): Decided {
  const { order } = agg;
  if (order.workflow !== 'facility') return fail('invalid_input', 'Invalid input: samples-sent notes belong to facility orders');
  const r = requireSamplesSent(state.actor, order, agg.samplesSentRecorded);
  if (!r.success) return r;
  const note: Omit<StatusNote, 'id'> = {
    orderId: order.id,
    kind: 'SAMPLES_SENT',
    fromStatus: null,
    toStatus: null,
    text,
    authorId: state.actor.userId,
    createdAt: state.now,
  };
  return decision(
    [{ type: 'note.added', note }, bump(state, order)],
    audit('note.samplesSent', 'order', order.id, null, note, null),
    order.version + 1,
  );
}

// --- samples -------------------------------------------------------------------------

function requireSampleWriter(actor: Actor): Result<void> {
  if (hasProjectRole(actor, 'project_editor') || actor.facilityRole) return ok(undefined);
  return fail('permission_denied', 'Permission denied: samples are created by project_editor, researcher or higher');
}

function createSample(state: DecideState, command: Extract<Command, { type: 'sample.create' }>): Decided {
  const r = requireSampleWriter(state.actor);
  if (!r.success) return r;
  if (state.displayIdTaken)
    return fail('conflict', `Conflict: sample display id ${command.fields.displayId} is already used in this project`, { path: ['displayId'] });
  const sample: Sample = {
    ...command.fields,
    qcResult: null,
    sampleNotes: null,
    id: command.sampleId,
    projectId: state.project.id,
    createdBy: state.actor.userId,
    createdAt: state.now,
    version: 1,
  };
  return decision([{ type: 'sample.created', sample }], audit('sample.create', 'sample', sample.id, null, sample, null), 1);
}

const SAMPLE_ADMIN_KEYS = new Set(['qcResult', 'sampleNotes']);

function updateSample(state: DecideState, command: Extract<Command, { type: 'sample.update' }>): Decided {
  const sample = state.sample;
  if (!sample || sample.id !== command.sampleId) return fail('not_found', `Not found: sample ${command.sampleId}`);
  const keys = Object.keys(command.patch);
  const adminOnly = keys.filter((k) => SAMPLE_ADMIN_KEYS.has(k));
  const regular = keys.filter((k) => !SAMPLE_ADMIN_KEYS.has(k));
  if (adminOnly.length > 0 && !isFacilityAdmin(state.actor))
    return fail('permission_denied', `Permission denied: ${adminOnly.join(', ')} are edited by a facility_admin`);
  if (regular.length > 0) {
    const r = requireSampleWriter(state.actor);
    if (!r.success) return r;
    const locked = (state.sampleFacilityStatuses ?? []).find((s) => s !== 'draft');
    if (locked) return fail('conflict', `Conflict: sample ${sample.displayId} is on a ${locked} facility order; its data is read-only`);
  }
  if (command.patch.displayId !== undefined && command.patch.displayId !== sample.displayId && state.displayIdTaken)
    return fail('conflict', `Conflict: sample display id ${command.patch.displayId} is already used in this project`);
  if (command.baseVersion !== undefined && command.baseVersion !== sample.version)
    return fail('stale_version', `Stale version: sample ${sample.displayId} changed since you read it`, { current: sample });
  const before: Record<string, unknown> = {};
  for (const k of keys) before[k] = sample[k as keyof Sample];
  return decision(
    [{ type: 'sample.updated', sampleId: sample.id, patch: defined(command.patch), version: sample.version + 1 }],
    audit('sample.update', 'sample', sample.id, before, defined(command.patch), null),
    sample.version + 1,
  );
}

// --- stages --------------------------------------------------------------------------

function stageOf(agg: OrderAggregate, code: string | undefined): Result<OrderStage> {
  const stage = code === undefined ? currentStage(agg) : agg.stages.find((s) => s.stageCode === code);
  if (!stage) return fail('not_found', `Not found: stage ${code ?? agg.order.status} on order ${agg.order.displayId}`);
  return ok(stage);
}

function assignStage(state: DecideState, agg: OrderAggregate, command: Extract<Command, { type: 'stage.assign' }>): Decided {
  const { actor } = state;
  const { order, labflow } = agg;
  if (order.workflow === 'facility') return fail('invalid_input', 'Invalid input: facility orders have no stages to assign');
  const s = stageOf(agg, command.stageCode);
  if (!s.success) return s;
  const stage = s.data;
  if (stage.state === 'completed' || stage.state === 'skipped' || (labflow && findStage(labflow, stage.stageCode)?.terminal))
    return fail('invalid_transition', `Invalid transition: stage ${stage.stageCode} is ${stage.state}; it cannot be assigned`);
  const target = state.target;
  if (!target || target.user.id !== command.userId || target.user.revokedAt)
    return fail('not_found', `Not found: user ${command.userId}`);
  const targetActor = actorFrom(target.user, target.membership);
  const self = command.userId === actor.userId;
  // a user without the role to take a stage is refused as such, not as a bad target
  if (self && !can(actor, 'orders:write_any')) {
    const r = requireRole(actor, 'project_editor', 'self-assigning a stage');
    if (!r.success) return r;
  }
  if (!hasProjectRole(targetActor, 'project_editor'))
    return fail('invalid_input', `Invalid input: ${target.user.name} cannot be assigned: needs project_editor or higher`);
  if (!can(actor, 'orders:write_any')) {
    if (!self) return fail('permission_denied', 'Permission denied: assigning someone else requires orders:write_any (project_admin)');
    const r = requireRole(actor, 'project_editor', 'self-assigning a stage');
    if (!r.success) return r;
    if (stage.assigneeId !== null && stage.assigneeId !== actor.userId)
      return fail('permission_denied', `Permission denied: stage ${stage.stageCode} is assigned to someone else; reassigning requires orders:write_any`);
  }
  if (stage.assigneeId === command.userId && stage.state !== 'unassigned')
    return fail('conflict', `Conflict: ${target.user.name} is already assigned to stage ${stage.stageCode}`);
  const toState: StageState = stage.state === 'unassigned' ? 'pending' : stage.state;
  const updated: OrderStage = { ...stage, assigneeId: command.userId, state: toState, updatedAt: state.now };
  return decision(
    [
      { type: 'stage.updated', stage: updated },
      record(state, order.id, stage.stageCode, stage.stageCode, stage.state, toState, null, `assigned to ${target.user.name}`),
      bump(state, order),
    ],
    audit('stage.assign', 'order', order.id, { stage: stage.stageCode, assigneeId: stage.assigneeId }, { stage: stage.stageCode, assigneeId: command.userId }, null),
    order.version + 1,
  );
}

function transitionStage(state: DecideState, agg: OrderAggregate, command: Extract<Command, { type: 'stage.transition' }>): Decided {
  const { actor, now } = state;
  const { order, labflow } = agg;
  if (order.workflow === 'facility' || !labflow) return fail('invalid_input', 'Invalid input: facility orders have no stages');
  const s = stageOf(agg, command.stageCode);
  if (!s.success) return s;
  const stage = s.data;
  // the end stages are entered only by moving the order (cancel, approve-and-sign), as in assignStage
  if (findStage(labflow, stage.stageCode)?.terminal)
    return fail('invalid_transition', `Invalid transition: stage ${stage.stageCode} ends the order; it is entered only by moving the order`);
  const to = STAGE_ACTIONS[command.action];
  const isCurrent = stage.stageCode === normalizeStatus(order.status);
  const note = command.note ?? null;
  if (command.action === 'resume' && stage.state !== 'on_hold')
    return fail('invalid_transition', `Invalid transition: stage ${stage.stageCode} is ${stage.state}, not on hold`);
  if (!isStageTransitionAllowed(stage.state, to))
    return fail('invalid_transition', `Invalid transition: stage ${stage.stageCode} ${stage.state} → ${to}`);
  if (command.action === 'skip') {
    const r = requireRole(actor, 'project_admin', 'skipping a stage');
    if (!r.success) return r;
  } else {
    const r = requireAssigned(actor, stage, `${command.action} on stage ${stage.stageCode}`);
    if (!r.success) return r;
  }
  if ((command.action === 'start' || command.action === 'complete') && !isCurrent)
    return fail('invalid_transition', `Invalid transition: stage ${stage.stageCode} is not the order's current stage (${order.status})`);
  if (to === 'in_progress' && stage.assigneeId === null)
    return fail('invalid_transition', `Invalid transition: stage ${stage.stageCode} has nobody assigned; assign it first`);
  // completing or skipping the current stage moves the order along its default-forward transition
  if ((to === 'completed' || to === 'skipped') && isCurrent) {
    const forward = defaultForward(labflow, stage.stageCode);
    if (!forward) return fail('invalid_transition', `Invalid transition: stage ${stage.stageCode} has no default-forward transition`);
    if (requiresSignature(stage.stageCode, forward.to))
      return fail(
        'invalid_transition',
        `Invalid transition: ${stage.stageCode} → ${forward.to}: an order is completed only by approving and signing its report (curio report sign)`,
      );
    return moveOrder(state, agg, forward.id, forward.to, note, `stage.${command.action}`, to);
  }
  const updated: OrderStage = { ...stage, state: to, updatedAt: now };
  return decision(
    [
      { type: 'stage.updated', stage: updated },
      record(state, order.id, stage.stageCode, stage.stageCode, stage.state, to, null, note),
      bump(state, order),
    ],
    audit(`stage.${command.action}`, 'order', order.id, { stage: stage.stageCode, state: stage.state }, { stage: stage.stageCode, state: to }, note),
    order.version + 1,
  );
}

// --- project settings and labflows -----------------------------------------------------

function setSetting(state: DecideState, command: Extract<Command, { type: 'settings.set' }>): Decided {
  if (!canManage(state.actor) && !isFacilityAdmin(state.actor))
    return fail('permission_denied', 'Permission denied: settings are changed by project_admin or facility_admin');
  const before = state.project.settings;
  const settings = { ...before, [command.key]: command.value };
  return decision(
    [{ type: 'settings.updated', settings }],
    audit('settings.set', 'project', state.project.id, before, settings, null),
    null,
  );
}

function changeLabflow(state: DecideState, command: Extract<Command, { type: `labflow.${string}` }>): Decided {
  const r = requireRole(state.actor, 'project_admin', 'changing labflows');
  if (!r.success) return r;
  const all = state.labflows ?? [];
  const source = all.find((l) => l.id === command.labflowId);
  if (!source) return fail('not_found', `Not found: labflow ${command.labflowId}`);
  let next: Labflow;
  switch (command.type) {
    case 'labflow.clone': {
      if (all.some((l) => l.id === command.newId)) return fail('conflict', `Conflict: labflow ${command.newId} already exists`);
      const scopeRef = command.scope === 'project' ? state.project.id : state.project.orgId;
      if (scopeRef === null) return fail('invalid_input', 'Invalid input: this project belongs to no org; clone with --scope project');
      const version = Math.max(0, ...all.filter((l) => l.code === source.code).map((l) => l.version)) + 1;
      next = cloneLabflow(source, { id: command.newId, version, scope: command.scope, scopeRef });
      break;
    }
    case 'labflow.update': {
      if (source.immutable) return fail('conflict', `Conflict: labflow ${source.id} is immutable; clone it into a new version to change it`);
      if (source.scope === 'system') return fail('conflict', 'Conflict: system labflows are edited only by cloning');
      next = {
        ...source,
        ...(command.name !== undefined ? { name: command.name } : {}),
        ...(command.stages !== undefined ? { stages: command.stages } : {}),
        ...(command.transitions !== undefined ? { transitions: command.transitions } : {}),
      };
      break;
    }
    case 'labflow.publish': {
      if (source.published && (source.immutable || !command.immutable))
        return fail('conflict', `Conflict: labflow ${source.id} is already published`);
      next = { ...source, published: true, immutable: source.immutable || command.immutable };
      break;
    }
    default:
      return fail('invalid_input', 'Invalid input: unknown labflow command');
  }
  const valid = validateLabflow(next);
  if (!valid.success) return valid;
  return decision([{ type: 'labflow.saved', labflow: next }], audit(command.type, 'labflow', next.id, source, next, null), next.version);
}

// --- variants and reports (DESIGN.md §1 "Analyses, VCFs and reports") ---------------------

function requireClinical(agg: OrderAggregate): Result<Labflow> {
  if (agg.order.workflow !== 'clinical' || !agg.labflow)
    return fail('invalid_input', `Invalid input: order ${agg.order.displayId} is a facility order; it has no variants or reports`);
  return ok(agg.labflow);
}

/** role ∩ assignment ∩ the current stage's capability flag (write_any skips the last two) */
function requireStageCapability(state: DecideState, agg: OrderAggregate, labflow: Labflow, flag: CapabilityFlag, doing: string): Result<void> {
  const caps = stageCapabilities(labflow, normalizeStatus(agg.order.status));
  return requireCapability(state.actor, currentStage(agg), caps, flag, doing);
}

function reportsOf(state: DecideState, agg: OrderAggregate): Report[] {
  return (state.reports ?? []).filter((r) => r.orderId === agg.order.id).sort((a, b) => a.version - b.version);
}

function reportOf(state: DecideState, agg: OrderAggregate, reportId: string): Result<Report> {
  const report = reportsOf(state, agg).find((r) => r.id === reportId);
  if (!report) return fail('not_found', `Not found: report ${reportId} on order ${agg.order.displayId}`);
  return ok(report);
}

function nextReportVersion(reports: readonly Report[]): number {
  return Math.max(0, ...reports.map((r) => r.version)) + 1;
}

function staleReport(report: Report, baseVersion: number | undefined): Rejection | null {
  if (baseVersion === undefined || baseVersion === report.rowVersion) return null;
  return {
    code: 'stale_version',
    message: `Stale version: report version ${report.version} changed since you read it (your row version ${baseVersion}, now ${report.rowVersion}, status ${report.status})`,
    current: { reportId: report.id, version: report.version, status: report.status, rowVersion: report.rowVersion, updatedAt: report.updatedAt },
  };
}

/** which variants an edit adds, removes and restores: what the audit trail keeps */
function variantChanges(before: readonly ReportVariant[], after: readonly ReportVariant[]) {
  const old = new Map(before.map((v) => [v.variantId, v]));
  const added: string[] = [];
  const removed: string[] = [];
  const restored: string[] = [];
  for (const v of after) {
    const o = old.get(v.variantId);
    if (!o) added.push(v.variantId);
    else if (!o.removed && v.removed) removed.push(v.variantId);
    else if (o.removed && !v.removed) restored.push(v.variantId);
  }
  return { added, removed, restored };
}

function reportFacts(r: Report) {
  return { reportId: r.id, version: r.version, status: r.status, variants: r.variants.filter((v) => !v.removed).length };
}

function curateVariant(state: DecideState, agg: OrderAggregate, command: Extract<Command, { type: 'variant.curate' }>): Decided {
  const { order } = agg;
  const lf = requireClinical(agg);
  if (!lf.success) return lf;
  const r = requireStageCapability(state, agg, lf.data, 'browser_editable', `curating variants of order ${order.displayId}`);
  if (!r.success) return r;
  const c = state.curation;
  const existing = c && c.orderId === order.id && c.variantId === command.variantId ? c : null;
  const { tierOverride, acmgClass, reportable, note } = command;
  if (tierOverride === undefined && acmgClass === undefined && reportable === undefined && note === undefined)
    return fail('invalid_input', 'Invalid input: nothing to change: give a tier override, ACMG class, reportable or note');
  const version = existing?.version ?? 0;
  if (command.baseVersion !== undefined && command.baseVersion !== version)
    return fail(
      'stale_version',
      `Stale version: the curation of variant ${command.variantId} changed since you read it (your version ${command.baseVersion}, now ${version})`,
      { current: existing },
    );
  const curation: Curation = {
    orderId: order.id,
    variantId: command.variantId,
    tierOverride: tierOverride !== undefined ? tierOverride : (existing?.tierOverride ?? null),
    acmgClass: acmgClass !== undefined ? acmgClass : (existing?.acmgClass ?? null),
    reportable: reportable !== undefined ? reportable : (existing?.reportable ?? null),
    note: note !== undefined ? note : (existing?.note ?? null),
    curatedBy: state.actor.userId,
    curatedAt: state.now,
    version: version + 1,
  };
  const fieldsOf = (x: Curation | null) =>
    x && { variantId: x.variantId, tierOverride: x.tierOverride, acmgClass: x.acmgClass, reportable: x.reportable, note: x.note, version: x.version };
  return decision(
    [{ type: 'curation.saved', curation }],
    audit('variant.curate', 'order', order.id, fieldsOf(existing), fieldsOf(curation), null),
    curation.version,
  );
}

function createReportDraft(state: DecideState, agg: OrderAggregate, command: Extract<Command, { type: 'report.createDraft' }>): Decided {
  const { order } = agg;
  const lf = requireClinical(agg);
  if (!lf.success) return lf;
  const status = normalizeStatus(order.status);
  if (status === 'cancelled') return fail('conflict', `Conflict: order ${order.displayId} is cancelled; it gets no report`);
  // a completed order was signed off: what changes now is an amendment
  if (status === 'completed')
    return fail('conflict', `Conflict: order ${order.displayId} is completed; a correction of its report is an amendment (curio report amend)`);
  const r = requireStageCapability(state, agg, lf.data, 'report_editable', `drafting a report for order ${order.displayId}`);
  if (!r.success) return r;
  const reports = reportsOf(state, agg);
  if (reports.some((x) => x.id === command.reportId)) return fail('conflict', `Conflict: report ${command.reportId} already exists`);
  const open = reports.find((x) => isReportOpen(x.status));
  if (open)
    return fail('conflict', `Conflict: order ${order.displayId} already has an open report (version ${open.version}, ${open.status}); edit that one`);
  const signed = [...reports].reverse().find((x) => x.status === 'signed');
  if (signed)
    return fail('conflict', `Conflict: order ${order.displayId} has a signed report (version ${signed.version}); a correction is an amendment (curio report amend)`);
  const merged = mergeReportVariants([], command.variants);
  if (!merged.ok) return fail('invalid_input', `Invalid input: ${merged.problem}`, { path: ['variants'] });
  const report: Report = {
    id: command.reportId,
    orderId: order.id,
    version: nextReportVersion(reports),
    status: 'draft',
    amendsReportId: null,
    amendReason: null,
    variants: merged.variants,
    summary: command.summary ?? null,
    signature: null,
    renderedText: null,
    createdBy: state.actor.userId,
    createdAt: state.now,
    updatedAt: state.now,
    rowVersion: 1,
  };
  return decision(
    [{ type: 'report.created', report }],
    audit('report.createDraft', 'order', order.id, null, { ...reportFacts(report), added: report.variants.map((v) => v.variantId) }, null),
    report.rowVersion,
  );
}

function editReport(
  state: DecideState,
  agg: OrderAggregate,
  command: Extract<Command, { type: 'report.setVariants' | 'report.submit' }>,
): Decided {
  const { order } = agg;
  const lf = requireClinical(agg);
  if (!lf.success) return lf;
  const doing = command.type === 'report.submit' ? `submitting the report of order ${order.displayId}` : `editing the report of order ${order.displayId}`;
  const r = requireStageCapability(state, agg, lf.data, 'report_editable', doing);
  if (!r.success) return r;
  const found = reportOf(state, agg, command.reportId);
  if (!found.success) return found;
  const report = found.data;
  let patch: Extract<Event, { type: 'report.updated' }>['patch'];
  let after: Record<string, unknown>;
  if (command.type === 'report.submit') {
    if (report.status !== 'draft')
      return fail('invalid_transition', `Invalid transition: report version ${report.version} ${report.status} → pending_review (only a draft is submitted)`);
    patch = { status: 'pending_review' };
    after = { ...reportFacts(report), status: 'pending_review' };
  } else {
    if (!isReportEditable(report.status))
      return fail(
        'conflict',
        report.status === 'signed'
          ? `Conflict: report version ${report.version} is signed; a signed report never changes (curio report amend)`
          : `Conflict: report version ${report.version} is ${report.status}; it is no longer edited`,
      );
    const merged = mergeReportVariants(report.variants, command.variants);
    if (!merged.ok) return fail('invalid_input', `Invalid input: ${merged.problem}`, { path: ['variants'] });
    // editing a report under review withdraws it: what is signed is what was reviewed
    patch = {
      variants: merged.variants,
      ...(command.summary !== undefined ? { summary: command.summary } : {}),
      ...(report.status !== 'draft' ? { status: 'draft' as const } : {}),
    };
    after = { ...reportFacts(report), status: patch.status ?? report.status, ...variantChanges(report.variants, merged.variants) };
  }
  const stale = staleReport(report, command.baseVersion);
  if (stale) return { success: false, error: stale };
  return decision(
    [{ type: 'report.updated', orderId: order.id, reportId: report.id, patch, rowVersion: report.rowVersion + 1, updatedAt: state.now }],
    audit(command.type, 'order', order.id, reportFacts(report), after, null),
    report.rowVersion + 1,
  );
}

/**
 * Approve-and-Sign: the report becomes signed and the order moves sign_off → completed
 * in one decision (an amendment is signed on its completed order); the slug freezes
 */
function approveAndSign(state: DecideState, agg: OrderAggregate, command: Extract<Command, { type: 'report.approveAndSign' }>): Decided {
  const { order } = agg;
  const lf = requireClinical(agg);
  if (!lf.success) return lf;
  const role = requireRole(state.actor, 'project_admin', 'approving and signing a report');
  if (!role.success) return role;
  const found = reportOf(state, agg, command.reportId);
  if (!found.success) return found;
  const report = found.data;
  if (!isReportSignable(report.status))
    return fail(
      'invalid_transition',
      report.status === 'signed'
        ? `Invalid transition: report version ${report.version} is already signed`
        : `Invalid transition: report version ${report.version} ${report.status} → signed (submit it for review first)`,
    );
  const signature: UnsealedSignature = {
    signerId: state.actor.userId,
    signerName: state.actorDisplayName ?? state.actor.name,
    signedAt: state.now,
    meaning: command.meaning,
  };
  const signed: Report = { ...report, status: 'signed', signature: null, renderedText: null, updatedAt: state.now, rowVersion: report.rowVersion + 1 };
  const amendsVersion = report.amendsReportId === null ? null : (reportsOf(state, agg).find((r) => r.id === report.amendsReportId)?.version ?? null);
  const sign: Event = { type: 'report.signed', report: signed, order, signature, amendsVersion };
  const from = normalizeStatus(order.status);
  let events: Event[];
  let toStatus = order.status;
  if (report.amendsReportId === null) {
    const transition = findTransition(lf.data, from, 'completed');
    if (!requiresSignature(from, 'completed') || !transition)
      return fail('invalid_transition', `Invalid transition: order ${order.displayId} is ${order.status}; a report is signed while the order is in sign_off`);
    const moved = moveOrder(state, agg, transition.id, 'completed', `report version ${report.version} signed (${command.meaning})`, 'report.approveAndSign', 'completed', {
      slugFrozen: true,
    });
    if (!moved.success) return moved;
    events = [sign, ...moved.data.events];
    toStatus = 'completed';
  } else {
    if (from !== 'completed')
      return fail('invalid_transition', `Invalid transition: order ${order.displayId} is ${order.status}; an amendment is signed on a completed order`);
    events = [sign, ...(order.slugFrozen ? [] : [bump(state, order, { slugFrozen: true })])];
  }
  const stale = staleReport(report, command.baseVersion);
  if (stale) return { success: false, error: stale };
  const orderVersion = events.some((e) => e.type === 'order.updated') ? order.version + 1 : order.version;
  return decision(
    events,
    audit(
      'report.approveAndSign',
      'order',
      order.id,
      { ...reportFacts(report), orderStatus: order.status },
      { ...reportFacts(signed), orderStatus: toStatus, signature },
      null,
    ),
    orderVersion,
  );
}

function amendReport(state: DecideState, agg: OrderAggregate, command: Extract<Command, { type: 'report.amend' }>): Decided {
  const { order } = agg;
  const lf = requireClinical(agg);
  if (!lf.success) return lf;
  const r = requireStageCapability(state, agg, lf.data, 'report_editable', `amending the report of order ${order.displayId}`);
  if (!r.success) return r;
  const reports = reportsOf(state, agg);
  const found = reportOf(state, agg, command.amendsReportId);
  if (!found.success) return found;
  const original = found.data;
  if (original.status !== 'signed')
    return fail('conflict', `Conflict: report version ${original.version} is ${original.status}, not signed; edit it instead of amending it`);
  if (reports.some((x) => x.id === command.reportId)) return fail('conflict', `Conflict: report ${command.reportId} already exists`);
  const open = reports.find((x) => isReportOpen(x.status));
  if (open) return fail('conflict', `Conflict: order ${order.displayId} already has an open report (version ${open.version}, ${open.status})`);
  const later = reports.find((x) => x.status === 'signed' && x.version > original.version);
  if (later) return fail('conflict', `Conflict: report version ${original.version} was amended by version ${later.version}; amend that one`);
  const report: Report = {
    id: command.reportId,
    orderId: order.id,
    version: nextReportVersion(reports),
    status: 'draft',
    amendsReportId: original.id,
    amendReason: command.reason,
    // the correction starts from what was signed, removed variants included
    variants: original.variants.map((v) => ({ ...v })),
    summary: original.summary,
    signature: null,
    renderedText: null,
    createdBy: state.actor.userId,
    createdAt: state.now,
    updatedAt: state.now,
    rowVersion: 1,
  };
  return decision(
    [{ type: 'report.created', report }],
    audit('report.amend', 'order', order.id, reportFacts(original), { ...reportFacts(report), amends: original.version }, command.reason),
    report.rowVersion,
  );
}

/** an ingested VCF puts files under the order's slug: the slug freezes */
function vcfIngested(state: DecideState, agg: OrderAggregate, command: Extract<Command, { type: 'vcf.ingested' }>): Decided {
  const { order } = agg;
  const lf = requireClinical(agg);
  if (!lf.success) return lf;
  const role = requireRole(state.actor, 'project_editor', 'ingesting a VCF');
  if (!role.success) return role;
  if (normalizeStatus(order.status) === 'cancelled') return fail('conflict', `Conflict: order ${order.displayId} is cancelled`);
  const events = order.slugFrozen ? [] : [bump(state, order, { slugFrozen: true })];
  return decision(
    events,
    audit('vcf.ingested', 'order', order.id, null, { fileSha256: command.fileSha256, records: command.records, sample: command.sample ?? null }, null),
    order.version + (events.length ? 1 : 0),
  );
}

// --- analyses ---------------------------------------------------------------------------

function analysisOf(state: DecideState, analysisId: string): Result<Analysis> {
  const a = state.analysis;
  if (!a || a.id !== analysisId || a.projectId !== state.project.id) return fail('not_found', `Not found: analysis ${analysisId}`);
  return ok(a);
}

function submitAnalysis(state: DecideState, command: Extract<Command, { type: 'analysis.submit' }>): Decided {
  const role = requireRole(state.actor, 'project_editor', 'submitting an analysis');
  if (!role.success) return role;
  if (state.analysis) return fail('conflict', `Conflict: analysis ${command.analysisId} already exists`);
  if (state.analysisDisplayIdTaken)
    return fail('conflict', `Conflict: analysis display id ${command.displayId} is already used in this project`, { path: ['displayId'] });
  if (command.forOrderId !== undefined) {
    const agg = state.order;
    if (!agg || agg.order.id !== command.forOrderId || !canSeeOrder(state.actor, agg.order, state.project.settings))
      return fail('not_found', `Not found: order ${command.forOrderId}`);
    if (agg.order.workflow !== 'clinical') return fail('invalid_input', `Invalid input: order ${agg.order.displayId} is a facility order; analyses feed clinical orders`);
  }
  const sampleIds = [...new Set(command.sampleIds)];
  const known = new Set(state.knownSampleIds ?? []);
  const unknown = sampleIds.find((id) => !known.has(id));
  if (unknown) return fail('not_found', `Not found: sample ${unknown}`, { path: ['sampleIds'] });
  const analysis: Analysis = {
    id: command.analysisId,
    projectId: state.project.id,
    displayId: command.displayId,
    orderId: command.forOrderId ?? null,
    status: 'queued',
    pipeline: command.pipeline,
    inputs: command.inputs,
    outputs: {},
    metrics: {},
    logsUrl: command.logsUrl ?? null,
    sampleIds,
    createdBy: state.actor.userId,
    createdAt: state.now,
    updatedAt: state.now,
    version: 1,
  };
  return decision([{ type: 'analysis.created', analysis }], audit('analysis.submit', 'analysis', analysis.id, null, analysis, null), 1);
}

function transitionAnalysis(state: DecideState, command: Extract<Command, { type: 'analysis.transition' }>): Decided {
  const role = requireRole(state.actor, 'project_editor', 'moving an analysis');
  if (!role.success) return role;
  const found = analysisOf(state, command.analysisId);
  if (!found.success) return found;
  const a = found.data;
  if (!isAnalysisTransitionAllowed(a.status, command.to)) {
    const allowed = ANALYSIS_TRANSITIONS[a.status];
    return fail(
      'invalid_transition',
      `Invalid transition: analysis ${a.displayId} ${a.status} → ${command.to}${allowed.length ? ` (allowed from ${a.status}: ${allowed.join(', ')})` : ` (${a.status} is final)`}`,
      { current: { displayId: a.displayId, status: a.status, version: a.version } },
    );
  }
  if (command.baseVersion !== undefined && command.baseVersion !== a.version)
    return fail('stale_version', `Stale version: analysis ${a.displayId} changed since you read it (your version ${command.baseVersion}, now ${a.version})`, {
      current: { displayId: a.displayId, status: a.status, version: a.version },
    });
  const patch: Partial<Analysis> = {
    status: command.to,
    ...(command.outputs !== undefined ? { outputs: command.outputs } : {}),
    ...(command.metrics !== undefined ? { metrics: command.metrics } : {}),
    ...(command.logsUrl !== undefined ? { logsUrl: command.logsUrl } : {}),
  };
  return decision(
    [{ type: 'analysis.updated', analysisId: a.id, patch, version: a.version + 1, updatedAt: state.now }],
    audit('analysis.transition', 'analysis', a.id, { status: a.status }, patch, null),
    a.version + 1,
  );
}

/** one decision: the order, pre-filled with the analysis' samples, and the analysis linked to it */
function createOrderFromAnalysis(state: DecideState, command: Extract<Command, { type: 'analysis.createOrder' }>): Decided {
  const found = analysisOf(state, command.analysisId);
  if (!found.success) return found;
  const a = found.data;
  if (a.status !== 'succeeded')
    return fail('invalid_transition', `Invalid transition: analysis ${a.displayId} is ${a.status}; an order is created only from a succeeded analysis`);
  if (a.orderId !== null) return fail('conflict', `Conflict: analysis ${a.displayId} already belongs to an order`);
  const created = createOrder(state, {
    type: 'order.create',
    orderId: command.orderId,
    workflow: 'clinical',
    fields: OrderCreateFields.parse({ displayId: command.displayId }),
  });
  if (!created.success) return created;
  const links: Event[] = analysisSampleRoles(a.sampleIds).map(({ sampleId, role }) => ({
    type: 'order.sampleAdded',
    link: { orderId: command.orderId, sampleId, role },
  }));
  const order = created.data.events.find((e): e is Extract<Event, { type: 'order.created' }> => e.type === 'order.created')?.order;
  return decision(
    [
      ...created.data.events,
      ...links,
      { type: 'analysis.updated', analysisId: a.id, patch: { orderId: command.orderId }, version: a.version + 1, updatedAt: state.now },
    ],
    audit('analysis.createOrder', 'order', command.orderId, null, { order, analysis: a.displayId, sampleIds: a.sampleIds }, null),
    1,
  );
}


export type { Rejection };
