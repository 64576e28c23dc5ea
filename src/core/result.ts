// expected failures are values: { success, data } | { success, error } with a code

export const REJECTION_CODES = [
  'invalid_transition',
  'permission_denied',
  'not_assigned',
  'capability_denied',
  'stale_version',
  'not_found',
  'conflict',
  'invalid_input',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

export interface Rejection {
  code: RejectionCode;
  message: string;
  /** where in the input the problem is, when it is about the input */
  path?: (string | number)[];
  /** the entity's current state, so a client can show what it conflicted with */
  current?: unknown;
}

export type Result<T, E = Rejection> = { success: true; data: T } | { success: false; error: E };

export function ok<T>(data: T): { success: true; data: T } {
  return { success: true, data };
}

export function fail(code: RejectionCode, message: string, extra: Omit<Rejection, 'code' | 'message'> = {}): {
  success: false;
  error: Rejection;
} {
  return { success: false, error: { code, message, ...extra } };
}

/** the message prefix users (and their scripts) recognise, per rejection code */
export function rejectionPrefix(code: RejectionCode): string {
  switch (code) {
    case 'invalid_transition':
      return 'Invalid transition';
    case 'permission_denied':
    case 'not_assigned':
      return 'Permission denied';
    case 'capability_denied':
      return 'Capability denied';
    case 'stale_version':
      return 'Stale version';
    case 'not_found':
      return 'Not found';
    case 'conflict':
      return 'Conflict';
    case 'invalid_input':
      return 'Invalid input';
  }
}
