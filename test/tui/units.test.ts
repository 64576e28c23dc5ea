import { describe, expect, test } from 'vitest';
import {
  DEFAULT_SETTINGS,
  SYSTEM_CLINICAL_LABFLOW,
  type Actor,
  type Order,
  type OrderAggregate,
  type OrderStage,
  type Project,
  type StageState,
} from '../../src/core/index.ts';
import { actionFor, advanceKind, orderActions } from '../../src/tui/actions.ts';
import { PagedRows } from '../../src/tui/paged-rows.ts';
import { isFrameWrite } from '../../src/tui/kit/ink-stdout.ts';
import { wrapText } from '../../src/tui/format.ts';

const PROJECT: Project = { id: '11111111-1111-4111-8111-111111111111', name: 'p', orgId: null, settings: DEFAULT_SETTINGS };
const CORA = '22222222-2222-4222-8222-222222222222';
const ELI = '33333333-3333-4333-8333-333333333333';
const actor = (role: Actor['projectRole'], userId = CORA): Actor => ({ userId, name: userId === CORA ? 'cora' : 'x', projectRole: role, facilityRole: null, orgRole: null, superadmin: false, departmentId: null });

function order(status: string, current: { state: StageState; assigneeId: string | null }): OrderAggregate {
  const o: Order = {
    id: '44444444-4444-4444-8444-444444444444', projectId: PROJECT.id, displayId: 'ORD-2026-0042', slug: 'ord-2026-0042', workflow: 'clinical', status,
    mode: 'hereditary', priority: 'high', accession: null, externalId: null, description: null, clinicalIndication: null, orderingProvider: null,
    orderingFacility: null, tags: [], properties: {}, adminNotes: null, labflowId: SYSTEM_CLINICAL_LABFLOW.id, createdBy: CORA, departmentId: null,
    slugFrozen: false, version: 7, createdAt: '2026-05-01T00:00:00.000Z', updatedAt: '2026-05-01T00:00:00.000Z',
  };
  const positions = SYSTEM_CLINICAL_LABFLOW.stages.map((s) => s.code);
  const at = positions.indexOf(status);
  const stages: OrderStage[] = SYSTEM_CLINICAL_LABFLOW.stages.map((s, i) => ({
    orderId: o.id, stageCode: s.code, position: s.position,
    state: i < at ? 'completed' : i === at ? current.state : 'unassigned',
    assigneeId: i === at ? current.assigneeId : null, updatedAt: o.updatedAt,
  }));
  return { order: o, stages, samples: [], labflow: SYSTEM_CLINICAL_LABFLOW, hasSignedReport: false, samplesSentRecorded: false };
}

const view = (agg: OrderAggregate, a: Actor) =>
  Object.fromEntries(orderActions({ agg, actor: a, project: PROJECT, now: '2026-05-02T00:00:00.000Z' }).map((x) => [`${x.key} ${x.label}`, x.enabled ? 'ok' : x.reason]));

describe('order actions: the core rules, run before anything is sent', () => {
  test('an unassigned review stage: an editor may take it, and nothing else until then', () => {
    const v = view(order('review', { state: 'unassigned', assigneeId: null }), actor('project_editor'));
    expect(v['a Assign review to me']).toBe('ok');
    expect(v['w Start review']).toMatch(/^Invalid transition: stage review unassigned → in_progress/);
    expect(v['t Send to sign-off']).toMatch(/requires being assigned to stage review \(nobody is assigned\)/);
    expect(v['t Cancel']).toMatch(/^Permission denied: cancelling an order requires project_admin/);
    expect(v['K Skip review']).toMatch(/skipping a stage requires project_admin/);
    expect(v['D Delete order']).toMatch(/deleting an order requires project_admin/);
  });

  test("cora's started stage: complete it (the order moves on), hold it, edit the order", () => {
    const agg = order('analyzing', { state: 'in_progress', assigneeId: CORA });
    const v = view(agg, actor('project_editor'));
    expect(v['w Complete analyzing']).toBe('ok');
    expect(v['h Hold analyzing']).toBe('ok');
    expect(v['e Edit fields']).toBe('ok');
    expect(v['t Send to review']).toBe('ok');
    expect(v['t Skip review']).toBe('ok');
    expect(advanceKind(agg.stages[1])).toBe('complete');
  });

  test('someone else has the stage: a viewer and an editor are told why, an admin may do it all', () => {
    const agg = order('review', { state: 'pending', assigneeId: ELI });
    expect(view(agg, actor('project_viewer'))['a Assign review to me']).toMatch(/self-assigning a stage requires project_editor \(you are project_viewer\)/);
    expect(view(agg, actor('project_editor'))['a Assign review to me']).toMatch(/assigned to someone else; reassigning requires orders:write_any/);
    const admin = view(agg, actor('project_admin'));
    expect(Object.values(admin).filter((x) => x !== 'ok')).toEqual([]);
  });

  test('sign_off → completed is only approve-and-sign; a held stage must be resumed first', () => {
    const signing = view(order('sign_off', { state: 'in_progress', assigneeId: CORA }), actor('project_admin'));
    expect(signing['w Complete sign_off']).toMatch(/only by approving and signing its report/);
    expect(signing['t Approve and sign']).toMatch(/only by approving and signing its report/);
    const held = order('review', { state: 'on_hold', assigneeId: CORA });
    const v = view(held, actor('project_editor'));
    expect(v['w Resume review']).toBe('ok');
    expect(v['t Send to sign-off']).toMatch(/stage review is on hold \(resume it first\)/);
    expect(actionFor({ agg: held, actor: actor('project_editor'), project: PROJECT }, { kind: 'transition', to: 'completed' }).reason).toMatch(/^Invalid transition: review → completed/);
    expect(actionFor({ agg: held, actor: actor('project_editor'), project: PROJECT }, { kind: 'samples_sent' }).reason).toMatch(/belong to facility orders/);
  });

  test('commands carry the version the user saw', () => {
    const agg = order('review', { state: 'pending', assigneeId: CORA });
    const start = actionFor({ agg, actor: actor('project_editor'), project: PROJECT }, { kind: 'advance' });
    expect(start.command).toEqual({ type: 'stage.transition', orderId: agg.order.id, baseVersion: 7, action: 'start' });
  });
});

describe('PagedRows', () => {
  const source = (n: number, log: number[]) => async (offset: number, limit: number) => {
    log.push(offset);
    return Array.from({ length: Math.max(0, Math.min(limit, n - offset)) }, (_, i) => offset + i);
  };

  test('reads the pages around the window, keeps a few, and reads nothing it holds', async () => {
    const log: number[] = [];
    const rows = new PagedRows(source(10_000, log), { pageSize: 100, keep: 4 });
    expect(rows.rowAt(0)).toBeUndefined();
    expect(await rows.ensure(0, 17, 10_000)).toBe(true);
    expect(log).toEqual([0, 100]);
    expect(rows.rowAt(16)).toBe(16);
    expect(await rows.ensure(1, 18, 10_000)).toBe(false);
    await rows.ensure(9_983, 10_000, 10_000);
    expect(log).toEqual([0, 100, 9_800, 9_900]);
    expect(rows.rowAt(9_999)).toBe(9_999);
    await rows.ensure(5_000, 5_017, 10_000);
    expect(rows.pageCount).toBeLessThanOrEqual(4);
    expect(rows.loadedRows().length).toBeLessThanOrEqual(400);
  });

  test('after a change the rows stay on screen until their page is read again; a new query forgets them', async () => {
    const log: number[] = [];
    let n = 300;
    const rows = new PagedRows(async (offset, limit) => {
      log.push(offset);
      return Array.from({ length: Math.max(0, Math.min(limit, n - offset)) }, (_, i) => `v${n}:${offset + i}`);
    }, { pageSize: 100 });
    await rows.ensure(0, 10, n);
    rows.invalidate();
    n = 301;
    expect(rows.rowAt(5)).toBe('v300:5');
    await rows.ensure(0, 10, n);
    expect(rows.rowAt(5)).toBe('v301:5');
    const slow = rows.ensure(150, 160, n);
    rows.reset(async () => ['other']);
    expect(await slow).toBe(false);
    expect(rows.rowAt(150)).toBeUndefined();
  });
});

describe('small pieces', () => {
  test('which of Ink\'s writes are frames', () => {
    expect(isFrameWrite('row 1\nrow 2\n')).toBe(true);
    expect(isFrameWrite('\u001B[22A\u001B[E\u001B[E')).toBe(true);
    expect(isFrameWrite('\u001B[?25l')).toBe(false);
    expect(isFrameWrite('\u001B[?2026h')).toBe(false);
    expect(isFrameWrite(Buffer.from('x\n'))).toBe(false);
  });

  test('wrapText breaks at words and marks what it cut', () => {
    expect(wrapText('Permission denied: moving order ORD-1 requires being assigned', 20, 2)).toEqual(['Permission denied:', 'moving order ORD-1…']);
    expect(wrapText('short', 20, 2)).toEqual(['short']);
  });
});
