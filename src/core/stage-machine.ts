import type { StageState } from './schemas.ts';

// per-stage state, DESIGN.md §1 "Labflows"; skipped is admin-only
export const STAGE_TRANSITIONS: Readonly<Record<StageState, readonly StageState[]>> = {
  unassigned: ['pending', 'on_hold', 'skipped'],
  pending: ['in_progress', 'on_hold', 'skipped'],
  in_progress: ['completed', 'on_hold', 'skipped'],
  on_hold: ['pending', 'in_progress', 'skipped'],
  completed: [],
  skipped: [],
};

export function isStageTransitionAllowed(from: StageState, to: StageState): boolean {
  return STAGE_TRANSITIONS[from].includes(to);
}

export function isTerminalStageState(s: StageState): boolean {
  return s === 'completed' || s === 'skipped';
}

/** the verbs of `curio stages …` and the state each one asks for */
export const STAGE_ACTIONS = {
  start: 'in_progress',
  hold: 'on_hold',
  resume: 'in_progress',
  complete: 'completed',
  skip: 'skipped',
} as const satisfies Record<string, StageState>;
export type StageAction = keyof typeof STAGE_ACTIONS;
