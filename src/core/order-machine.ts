import type { ClinicalStatus } from './schemas.ts';

// clinical order workflow, DESIGN.md §1 "Order state machine"
export const CLINICAL_TRANSITIONS: Readonly<Record<ClinicalStatus, readonly ClinicalStatus[]>> = {
  created: ['analyzing', 'cancelled'],
  analyzing: ['review', 'sign_off', 'cancelled'],
  review: ['sign_off', 'cancelled'],
  sign_off: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
};

/** legacy statuses read from old records and accepted in filters; never written */
export const LEGACY_STATUS_ALIASES: Readonly<Record<string, ClinicalStatus>> = {
  reviewed: 'review',
  signed_off: 'sign_off',
  amended: 'completed',
};

export function normalizeStatus(status: string): string {
  return LEGACY_STATUS_ALIASES[status] ?? status;
}

export function isClinicalTransitionAllowed(from: string, to: string): boolean {
  const allowed = CLINICAL_TRANSITIONS[normalizeStatus(from) as ClinicalStatus];
  return allowed !== undefined && allowed.includes(to as ClinicalStatus);
}

/** sign_off → completed happens only inside approve-and-sign */
export function requiresSignature(from: string, to: string): boolean {
  return normalizeStatus(from) === 'sign_off' && to === 'completed';
}

export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'cancelled']);
