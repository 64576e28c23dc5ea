import {
  currentStage,
  fail,
  normalizeStatus,
  requireCapability,
  stageCapabilities,
  type Actor,
  type CapabilityFlag,
  type OrderAggregate,
  type Rejection,
  type Result,
} from '../core/index.ts';
import { rejectionText } from './format.ts';

// what the user may do with an order's variants and report: role ∩ assignment ∩ the
// current stage's capability, by the same rbac helpers decide() uses (DESIGN.md §1)

/** the right to `flag` on the order's current stage, with the rules' reason when refused */
export function orderRight(actor: Actor, agg: OrderAggregate, flag: CapabilityFlag, doing: string): Result<void> {
  const { order } = agg;
  if (order.workflow !== 'clinical') return fail('invalid_input', `Invalid input: order ${order.displayId} is a facility order; it has no variants or reports`);
  if (!agg.labflow) return fail('not_found', `Not found: labflow of order ${order.displayId}`);
  const caps = stageCapabilities(agg.labflow, normalizeStatus(order.status));
  return requireCapability(actor, currentStage(agg), caps, flag, doing);
}

const FLAG_WORDS: Record<CapabilityFlag, string> = {
  browser_viewable: 'browser-viewable',
  browser_editable: 'browser-editable',
  report_viewable: 'report-viewable',
  report_editable: 'report-editable',
};

/**
 * a refusal of the rights rules in words that fit the message line at 80 columns
 * ("Read only: stage analyzing is not browser-editable"); other refusals as the rules say
 * them. `doing` names the action in a word or two ("curating").
 */
export function refusalText(r: Rejection, agg: OrderAggregate, doing: string, userName: (id: string | null) => string | null): string {
  const stage = currentStage(agg);
  const code = stage?.stageCode ?? normalizeStatus(agg.order.status);
  switch (r.code) {
    case 'capability_denied': {
      const flag = /needs (\w+) on stage/.exec(r.message)?.[1] as CapabilityFlag | undefined;
      if (flag && flag in FLAG_WORDS) return `${flag.endsWith('editable') ? 'Read only' : 'Capability denied'}: stage ${code} is not ${FLAG_WORDS[flag]}`;
      break;
    }
    case 'not_assigned':
      return `Read only: you are not assigned to stage ${code} (${stage?.assigneeId ? `${userName(stage.assigneeId) ?? 'someone else'} is` : 'nobody is'})`;
    case 'permission_denied': {
      const m = /requires (\w+) \(you are ([^)]+)\)/.exec(r.message);
      if (m) return `Permission denied: ${doing} needs ${m[1]} (you are ${m[2]})`;
      break;
    }
    default:
      break;
  }
  return rejectionText(r);
}

/** why this user cannot change what the screen shows, in the words of refusalText, or null */
export function readOnlyText(actor: Actor, agg: OrderAggregate, flag: 'browser_editable' | 'report_editable', userName: (id: string | null) => string | null): string | null {
  const doing = flag === 'browser_editable' ? 'curating' : 'editing';
  const r = orderRight(actor, agg, flag, doing);
  return r.success ? null : refusalText(r.error, agg, doing, userName);
}
