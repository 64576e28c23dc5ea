import {
  currentStage,
  decide,
  FACILITY_TRANSITIONS,
  normalizeStatus,
  type Actor,
  type Command,
  type CommandInput,
  type DecideState,
  type FacilityStatus,
  type Membership,
  type OrderAggregate,
  type OrderStage,
  type Project,
  type Rejection,
  type User,
} from '../core/index.ts';

// what the user may do to one order, computed with the same decide() the relay
// runs: an action the rules refuse is still listed, with the rules' reason

export type ActionKind =
  | 'assign_me'
  | 'start'
  | 'complete'
  | 'hold'
  | 'resume'
  | 'skip'
  | 'transition'
  | 'edit'
  | 'delete'
  | 'samples_sent';

export interface OrderAction {
  kind: ActionKind;
  /** the key that runs it, as shown ('a', 't'); transitions are chosen after 't' */
  key: string;
  label: string;
  command: CommandInput;
  enabled: boolean;
  /** the rules' message when refused */
  reason: string | null;
  /** cancel, delete, skip: asked for confirmation first */
  destructive: boolean;
  /** target status of a transition */
  to?: string;
}

export interface ActionInput {
  agg: OrderAggregate;
  actor: Actor;
  project: Project;
  now?: string;
}

/** the actor as an assignment target: assigning oneself needs no other lookup */
export function selfTarget(actor: Actor, projectId: string): { user: User; membership: Membership } {
  return {
    user: {
      id: actor.userId,
      name: actor.name,
      displayName: actor.name,
      superadmin: actor.superadmin,
      orgRole: actor.orgRole,
      departmentId: actor.departmentId,
      revokedAt: null,
    },
    membership: { projectId, userId: actor.userId, role: actor.projectRole, facilityRole: actor.facilityRole },
  };
}

/** runs the core rules on a command without applying it; `extra` is the rest of what it needs */
export function checkWith(input: ActionInput, command: CommandInput, extra: Partial<Omit<DecideState, 'now' | 'project' | 'actor' | 'order'>> = {}): Rejection | null {
  const state: DecideState = {
    now: input.now ?? new Date().toISOString(),
    project: input.project,
    actor: input.actor,
    order: input.agg,
    ...extra,
  };
  // decide() takes parsed commands; the inputs built here are already complete
  const r = decide(state, command as Command);
  return r.success ? null : r.error;
}

/** runs the core rules on a command without applying it; the rules' message when refused */
export function check(input: ActionInput, command: CommandInput, target?: { user: User; membership: Membership | null }): string | null {
  return checkWith(input, command, target ? { target } : {})?.message ?? null;
}

function action(
  input: ActionInput,
  kind: ActionKind,
  key: string,
  label: string,
  command: CommandInput,
  extra: { destructive?: boolean; to?: string; target?: { user: User; membership: Membership | null } } = {},
): OrderAction {
  const reason = check(input, command, extra.target);
  return {
    kind,
    key,
    label,
    command,
    enabled: reason === null,
    reason,
    destructive: extra.destructive ?? false,
    ...(extra.to === undefined ? {} : { to: extra.to }),
  };
}

/** the verb that moves the current stage on: start when it waits, complete when it runs */
export function advanceKind(stage: Pick<OrderStage, 'state'> | undefined): 'start' | 'complete' | 'resume' {
  if (stage?.state === 'in_progress') return 'complete';
  if (stage?.state === 'on_hold') return 'resume';
  return 'start';
}

/** every action on the order, in the order the labflow panel lists them */
export function orderActions(input: ActionInput): OrderAction[] {
  const { agg, actor, project } = input;
  const { order } = agg;
  const base = { orderId: order.id, baseVersion: order.version };
  const out: OrderAction[] = [];
  if (order.workflow === 'clinical') {
    const stage = currentStage(agg);
    const code = stage?.stageCode ?? normalizeStatus(order.status);
    out.push(
      action(input, 'assign_me', 'a', `Assign ${code} to me`, { type: 'stage.assign', ...base, userId: actor.userId }, { target: selfTarget(actor, project.id) }),
    );
    const advance = advanceKind(stage);
    out.push(action(input, advance, 'w', `${advance === 'start' ? 'Start' : advance === 'complete' ? 'Complete' : 'Resume'} ${code}`, { type: 'stage.transition', ...base, action: advance }));
    out.push(action(input, 'hold', 'h', `Hold ${code}`, { type: 'stage.transition', ...base, action: 'hold' }));
    out.push(action(input, 'skip', 'K', `Skip ${code}`, { type: 'stage.transition', ...base, action: 'skip' }, { destructive: true }));
    const from = normalizeStatus(order.status);
    for (const t of agg.labflow?.transitions.filter((x) => x.from === from) ?? []) {
      out.push(
        action(input, 'transition', 't', t.label, { type: 'order.transition', ...base, to: t.to }, { destructive: t.to === 'cancelled', to: t.to }),
      );
    }
  } else {
    for (const to of FACILITY_TRANSITIONS[order.status as FacilityStatus] ?? []) {
      out.push(action(input, 'transition', 't', to === 'submitted' ? 'Submit' : 'Complete', { type: 'order.transition', ...base, to }, { to }));
    }
    out.push(action(input, 'samples_sent', 'm', 'Record samples sent', { type: 'note.samplesSent', orderId: order.id }));
  }
  out.push(action(input, 'edit', 'e', 'Edit fields', { type: 'order.update', ...base, patch: { priority: order.priority } }));
  out.push(action(input, 'delete', 'D', 'Delete order', { type: 'order.delete', ...base }, { destructive: true }));
  return out;
}

/** the first action of a kind ('transition' takes its target) */
export function findAction(actions: readonly OrderAction[], kind: ActionKind, to?: string): OrderAction | undefined {
  return actions.find((a) => a.kind === kind && (to === undefined || a.to === to));
}

export type ActionRequest =
  | { kind: 'assign_me' | 'advance' | 'start' | 'complete' | 'hold' | 'resume' | 'skip' | 'edit' | 'delete' | 'samples_sent' }
  | { kind: 'transition'; to: string };

const STAGE_LABEL = { start: 'Start', complete: 'Complete', resume: 'Resume', hold: 'Hold', skip: 'Skip' } as const;

/** the action a request stands for on this order, checked by the rules */
export function actionFor(input: ActionInput, request: ActionRequest): OrderAction {
  const all = orderActions(input);
  const { order } = input.agg;
  const base = { orderId: order.id, baseVersion: order.version };
  switch (request.kind) {
    case 'advance':
      return all.find((a) => a.key === 'w') ?? action(input, 'start', 'w', 'Start stage', { type: 'stage.transition', ...base, action: 'start' });
    case 'start':
    case 'complete':
    case 'resume':
    case 'hold':
    case 'skip': {
      const found = all.find((a) => a.kind === request.kind);
      if (found) return found;
      const code = currentStage(input.agg)?.stageCode ?? normalizeStatus(order.status);
      return action(input, request.kind, request.kind === 'skip' ? 'K' : '', `${STAGE_LABEL[request.kind]} ${code}`, { type: 'stage.transition', ...base, action: request.kind }, { destructive: request.kind === 'skip' });
    }
    case 'transition':
      return (
        all.find((a) => a.kind === 'transition' && a.to === request.to) ??
        action(input, 'transition', 't', `Move to ${request.to}`, { type: 'order.transition', ...base, to: request.to }, { destructive: request.to === 'cancelled', to: request.to })
      );
    case 'assign_me':
      return all.find((a) => a.kind === 'assign_me') ?? action(input, 'assign_me', 'a', 'Assign to me', { type: 'stage.assign', ...base, userId: input.actor.userId }, { target: selfTarget(input.actor, input.project.id) });
    case 'samples_sent':
      return all.find((a) => a.kind === 'samples_sent') ?? action(input, 'samples_sent', 'm', 'Record samples sent', { type: 'note.samplesSent', orderId: order.id });
    case 'edit':
    case 'delete':
      // always listed by orderActions
      return all.find((a) => a.kind === request.kind) as OrderAction;
  }
}
