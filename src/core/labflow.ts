import { fail, ok, type Result } from './result.ts';
import { Labflow, type LabflowStage, type LabflowTransition, type StageCapabilities } from './schemas.ts';

const NONE: StageCapabilities = {
  browser_viewable: false,
  browser_editable: false,
  report_viewable: false,
  report_editable: false,
};

/** capability defaults per stage code (DESIGN.md §1) */
export const DEFAULT_CAPABILITIES: Readonly<Record<string, StageCapabilities>> = {
  created: NONE,
  analyzing: { ...NONE, browser_viewable: true },
  review: { browser_viewable: true, browser_editable: true, report_viewable: true, report_editable: true },
  sign_off: { ...NONE, report_viewable: true },
  completed: NONE,
  cancelled: NONE,
  skipped: NONE,
};

function stage(code: string, name: string, position: number, colour: string, icon: string, terminal = false): LabflowStage {
  return { code, name, position, colour, icon, terminal, ...(DEFAULT_CAPABILITIES[code] ?? NONE) };
}

function tr(from: string, to: string, label: string, defaultForward = false): LabflowTransition {
  return { id: `${from}->${to}`, from, to, label, defaultForward };
}

export const SYSTEM_CLINICAL_LABFLOW_ID = 'system-clinical-v1';

/** the default system labflow: its stage codes are the clinical order statuses */
export const SYSTEM_CLINICAL_LABFLOW: Labflow = {
  id: SYSTEM_CLINICAL_LABFLOW_ID,
  scope: 'system',
  scopeRef: null,
  code: 'clinical',
  name: 'Clinical review',
  version: 1,
  published: true,
  immutable: true,
  parentId: null,
  stages: [
    stage('created', 'Created', 0, 'gray', '○'),
    stage('analyzing', 'Analyzing', 1, 'blue', '◐'),
    stage('review', 'Review', 2, 'yellow', '◑'),
    stage('sign_off', 'Sign-off', 3, 'magenta', '◕'),
    stage('completed', 'Completed', 4, 'green', '●', true),
    stage('cancelled', 'Cancelled', 5, 'red', '✕', true),
  ],
  transitions: [
    tr('created', 'analyzing', 'Start analysis', true),
    tr('created', 'cancelled', 'Cancel'),
    tr('analyzing', 'review', 'Send to review', true),
    tr('analyzing', 'sign_off', 'Skip review'),
    tr('analyzing', 'cancelled', 'Cancel'),
    tr('review', 'sign_off', 'Send to sign-off', true),
    tr('review', 'cancelled', 'Cancel'),
    tr('sign_off', 'completed', 'Approve and sign', true),
    tr('sign_off', 'cancelled', 'Cancel'),
  ],
};

export function findStage(labflow: Labflow, code: string): LabflowStage | undefined {
  return labflow.stages.find((s) => s.code === code);
}

export function findTransition(labflow: Labflow, from: string, to: string): LabflowTransition | undefined {
  return labflow.transitions.find((t) => t.from === from && t.to === to);
}

export function defaultForward(labflow: Labflow, from: string): LabflowTransition | undefined {
  return labflow.transitions.find((t) => t.from === from && t.defaultForward);
}

export function stageCapabilities(labflow: Labflow, code: string): StageCapabilities {
  const s = findStage(labflow, code);
  if (!s) return NONE;
  return {
    browser_viewable: s.browser_viewable,
    browser_editable: s.browser_editable,
    report_viewable: s.report_viewable,
    report_editable: s.report_editable,
  };
}

export function firstStage(labflow: Labflow): LabflowStage {
  const sorted = [...labflow.stages].sort((a, b) => a.position - b.position);
  return sorted[0]!;
}

const SCOPE_RANK = { system: 0, org: 1, project: 2 } as const;

/**
 * the labflow an order binds to: among published labflows with this code that apply to
 * the project, the most specific scope wins (project > org > system), then the newest version
 */
export function resolveLabflow(
  labflows: readonly Labflow[],
  code: string,
  where: { projectId: string; orgId: string | null },
): Labflow | undefined {
  const applies = (l: Labflow) =>
    l.scope === 'system' ||
    (l.scope === 'org' && where.orgId !== null && l.scopeRef === where.orgId) ||
    (l.scope === 'project' && l.scopeRef === where.projectId);
  return labflows
    .filter((l) => l.code === code && l.published && applies(l))
    .sort((a, b) => SCOPE_RANK[b.scope] - SCOPE_RANK[a.scope] || b.version - a.version)[0];
}

/** structural checks a labflow definition must pass before it is stored */
export function validateLabflow(input: unknown): Result<Labflow> {
  const parsed = Labflow.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return fail('invalid_input', `labflow ${issue.path.join('.')}: ${issue.message}`, { path: issue.path.map(String) });
  }
  const l = parsed.data;
  const codes = new Set<string>();
  for (const s of l.stages) {
    if (codes.has(s.code)) return fail('invalid_input', `labflow stages: duplicate stage code ${s.code}`);
    codes.add(s.code);
  }
  const ids = new Set<string>();
  for (const t of l.transitions) {
    if (ids.has(t.id)) return fail('invalid_input', `labflow transitions: duplicate transition id ${t.id}`);
    ids.add(t.id);
    if (!codes.has(t.from) || !codes.has(t.to))
      return fail('invalid_input', `labflow transition ${t.id}: unknown stage ${codes.has(t.from) ? t.to : t.from}`);
    if (findStage(l, t.from)!.terminal) return fail('invalid_input', `labflow transition ${t.id}: leaves terminal stage ${t.from}`);
  }
  for (const s of l.stages) {
    const forwards = l.transitions.filter((t) => t.from === s.code && t.defaultForward);
    if (forwards.length > 1) return fail('invalid_input', `labflow stage ${s.code}: more than one default-forward transition`);
  }
  if (firstStage(l).terminal) return fail('invalid_input', 'labflow: the first stage must not be terminal');
  return ok(l);
}

/** a new, unpublished, editable version of a labflow */
export function cloneLabflow(
  source: Labflow,
  opts: { id: string; version: number; scope: Labflow['scope']; scopeRef: string | null },
): Labflow {
  return {
    ...structuredClone(source),
    id: opts.id,
    version: opts.version,
    scope: opts.scope,
    scopeRef: opts.scopeRef,
    published: false,
    immutable: false,
    parentId: source.id,
  };
}
