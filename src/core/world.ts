import type { Command } from './commands.ts';
import { decide, needs, withOrderUpdate, type Decision, type DecideState, type Event, type OrderAggregate } from './decide.ts';
import { actorFrom, type Actor } from './rbac.ts';
import { fail, type Result } from './result.ts';
import { slugify } from './slug.ts';
import type {
  Analysis,
  Curation,
  Labflow,
  Membership,
  Order,
  OrderSample,
  OrderStage,
  Project,
  Report,
  Sample,
  StatusNote,
  TransitionRecord,
  User,
} from './schemas.ts';

/**
 * an in-memory projection of one project, built by applying events; the pending overlay
 * of a replica and the property tests use it to run `decide` without a database
 */
export interface World {
  project: Project;
  users: Map<string, User>;
  memberships: Map<string, Membership>;
  labflows: Map<string, Labflow>;
  orders: Map<string, Order>;
  stages: Map<string, OrderStage[]>;
  orderSamples: OrderSample[];
  samples: Map<string, Sample>;
  notes: StatusNote[];
  history: TransitionRecord[];
  signedReportOrders: Set<string>;
  reports: Map<string, Report>;
  /** keyed by curationKey(orderId, variantId) */
  curations: Map<string, Curation>;
  analyses: Map<string, Analysis>;
}

export function curationKey(orderId: string, variantId: string): string {
  return `${orderId}:${variantId}`;
}

export function emptyWorld(project: Project, labflows: Labflow[] = []): World {
  return {
    project,
    users: new Map(),
    memberships: new Map(),
    labflows: new Map(labflows.map((l) => [l.id, l])),
    orders: new Map(),
    stages: new Map(),
    orderSamples: [],
    samples: new Map(),
    notes: [],
    history: [],
    signedReportOrders: new Set(),
    reports: new Map(),
    curations: new Map(),
    analyses: new Map(),
  };
}

export function actorOf(world: World, userId: string): Actor | undefined {
  const user = world.users.get(userId);
  if (!user || user.revokedAt) return undefined;
  return actorFrom(user, world.memberships.get(userId) ?? null);
}

export function aggregateOf(world: World, orderId: string): OrderAggregate | null {
  const order = world.orders.get(orderId);
  if (!order) return null;
  return {
    order,
    stages: world.stages.get(orderId) ?? [],
    samples: world.orderSamples.filter((s) => s.orderId === orderId),
    labflow: order.labflowId ? (world.labflows.get(order.labflowId) ?? null) : null,
    hasSignedReport: world.signedReportOrders.has(orderId),
    samplesSentRecorded: world.notes.some((n) => n.orderId === orderId && n.kind === 'SAMPLES_SENT'),
  };
}

/** loads what `needs(command)` asks for from the world */
export function stateFor(world: World, actor: Actor, command: Command, now: string): DecideState {
  const n = needs(command);
  const state: DecideState = { now, project: world.project, actor };
  if (n.orderId) state.order = aggregateOf(world, n.orderId);
  if (n.sampleId) {
    const sample = world.samples.get(n.sampleId) ?? null;
    state.sample = sample;
    state.sampleFacilityStatuses = world.orderSamples
      .filter((l) => l.sampleId === n.sampleId)
      .map((l) => world.orders.get(l.orderId))
      .filter((o): o is Order => o?.workflow === 'facility')
      .map((o) => o.status);
  }
  if (n.displayId) {
    const { kind, value, exceptId } = n.displayId;
    const pool: Iterable<{ id: string; displayId: string }> = kind === 'order' ? world.orders.values() : world.samples.values();
    // orders are unique by slug too: files are written under it
    const same = (e: { displayId: string }) => e.displayId === value || (kind === 'order' && slugify(e.displayId) === slugify(value));
    state.displayIdTaken = [...pool].some((e) => same(e) && e.id !== exceptId);
  }
  if (n.labflows) state.labflows = [...world.labflows.values()];
  if (n.userId) {
    const user = world.users.get(n.userId);
    state.target = user ? { user, membership: world.memberships.get(user.id) ?? null } : null;
  }
  if (n.reports && n.orderId) {
    const orderId = n.orderId;
    state.reports = [...world.reports.values()].filter((r) => r.orderId === orderId).sort((a, b) => a.version - b.version);
  }
  if (n.curation) state.curation = world.curations.get(curationKey(n.curation.orderId, n.curation.variantId)) ?? null;
  if (n.analysisId) state.analysis = world.analyses.get(n.analysisId) ?? null;
  if (n.analysisDisplayId) {
    const value = n.analysisDisplayId;
    state.analysisDisplayIdTaken = [...world.analyses.values()].some((a) => a.displayId === value);
  }
  if (n.sampleIds) state.knownSampleIds = n.sampleIds.filter((id) => world.samples.has(id));
  if (n.actorDisplayName) state.actorDisplayName = world.users.get(actor.userId)?.displayName ?? actor.name;
  return state;
}

/** decide against the world as the given user */
export function decideIn(world: World, userId: string, command: Command, now: string): Result<Decision> {
  const actor = actorOf(world, userId);
  if (!actor) return fail('permission_denied', 'Permission denied: unknown or revoked user');
  return decide(stateFor(world, actor, command, now), command);
}

let noteSeq = 0;

export function applyEvents(world: World, events: readonly Event[]): void {
  for (const e of events) applyEvent(world, e);
}

function applyEvent(world: World, e: Event): void {
  switch (e.type) {
    case 'order.created':
      world.orders.set(e.order.id, e.order);
      world.stages.set(e.order.id, e.stages.map((s) => ({ ...s })));
      return;
    case 'order.updated': {
      const o = world.orders.get(e.orderId);
      if (o) world.orders.set(e.orderId, withOrderUpdate(o, e));
      return;
    }
    case 'order.deleted':
      world.orders.delete(e.orderId);
      world.stages.delete(e.orderId);
      world.orderSamples = world.orderSamples.filter((l) => l.orderId !== e.orderId);
      world.notes = world.notes.filter((n) => n.orderId !== e.orderId);
      // as the store's ON DELETE rules do
      for (const [id, r] of world.reports) if (r.orderId === e.orderId) world.reports.delete(id);
      for (const [k, c] of world.curations) if (c.orderId === e.orderId) world.curations.delete(k);
      for (const [id, a] of world.analyses) if (a.orderId === e.orderId) world.analyses.set(id, { ...a, orderId: null });
      return;
    case 'stage.updated': {
      const list = world.stages.get(e.stage.orderId) ?? [];
      world.stages.set(
        e.stage.orderId,
        list.map((s) => (s.stageCode === e.stage.stageCode ? { ...e.stage } : s)),
      );
      return;
    }
    case 'transition.recorded':
      world.history.push(e.record);
      return;
    case 'order.sampleAdded':
      world.orderSamples.push(e.link);
      return;
    case 'order.sampleRemoved':
      world.orderSamples = world.orderSamples.filter((l) => !(l.orderId === e.orderId && l.sampleId === e.sampleId));
      return;
    case 'sample.created':
      world.samples.set(e.sample.id, e.sample);
      return;
    case 'sample.updated': {
      const s = world.samples.get(e.sampleId);
      if (s) world.samples.set(e.sampleId, { ...s, ...e.patch, version: e.version });
      return;
    }
    case 'note.added':
      world.notes.push({ ...e.note, id: `n${++noteSeq}` });
      return;
    case 'settings.updated':
      world.project = { ...world.project, settings: e.settings };
      return;
    case 'labflow.saved':
      world.labflows.set(e.labflow.id, e.labflow);
      return;
    case 'curation.saved':
      world.curations.set(curationKey(e.curation.orderId, e.curation.variantId), e.curation);
      return;
    case 'report.created':
      world.reports.set(e.report.id, e.report);
      return;
    case 'report.updated': {
      const r = world.reports.get(e.reportId);
      if (r) world.reports.set(e.reportId, { ...r, ...e.patch, rowVersion: e.rowVersion, updatedAt: e.updatedAt });
      return;
    }
    case 'report.signed':
      // hashing is the store's (IO) side; the world keeps the signature unsealed
      world.reports.set(e.report.id, { ...e.report, signature: { ...e.signature, sha256: '' } });
      world.signedReportOrders.add(e.report.orderId);
      return;
    case 'analysis.created':
      world.analyses.set(e.analysis.id, e.analysis);
      return;
    case 'analysis.updated': {
      const a = world.analyses.get(e.analysisId);
      if (a) world.analyses.set(e.analysisId, { ...a, ...e.patch, version: e.version, updatedAt: e.updatedAt });
      return;
    }
  }
}
