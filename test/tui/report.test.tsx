import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findOrder, listProjects, orderReports, prepareReportDraft, verifyReportHash, type SqlDatabase } from '../../src/db/index.ts';
import { sessionBackend } from '../../src/tui/backend.ts';
import { demoDb, lines, renderApp, sessionAs } from './helpers.tsx';

// the demo store: ORD-2026-0004 in review with cora assigned and a VCF, no report yet;
// ORD-2026-0007 in sign_off with report version 1 pending review

let db: SqlDatabase;
let projectId: string;
beforeAll(async () => {
  db = await demoDb();
  projectId = (await listProjects(db))[0]!.id;
});
afterAll(async () => {
  await db?.close();
});

async function orderOf(displayId: string) {
  const o = await findOrder(db, projectId, displayId);
  if (!o) throw new Error(`no ${displayId}`);
  return o;
}

/** the variant rows of the report pane */
function reportRows(frame: string): string[] {
  return lines(frame).filter((l) => /^[› ] {2}[✓✗] +\d+ /.test(l));
}

describe('Report screen', () => {
  test('R opens it; d drafts exactly what curio report draft admits; Space removes and restores; e edits the summary; s submits', async () => {
    const order = await orderOf('ORD-2026-0004');
    const expected = await prepareReportDraft(db, order, []);
    if (!expected.success) throw new Error(expected.error.message);
    const admitted = expected.data.variants.filter((v) => !v.removed);
    expect(admitted.length).toBeGreaterThan(1);

    const app = await renderApp(await sessionAs(db, 'cora'), { initial: { kind: 'detail', orderId: order.id } });
    await app.waitFor('▸Labflow');
    const empty = await app.keys(['R'], 'ORD-2026-0004 report · no report yet');
    expect(empty).toContain('versions: none — d drafts one from the variant cache');

    const drafted = await app.keys(['d'], `report drafted: ${admitted.length} variants admitted`);
    await app.waitFor('version 1 of 1 · ○ draft');
    const [report] = await orderReports(db, order.id);
    expect(report?.variants.map((v) => v.variantId)).toEqual(expected.data.variants.map((v) => v.variantId));
    expect(drafted).toBeTruthy();
    expect(reportRows(app.text()).length).toBe(Math.min(admitted.length, 13));
    expect(app.text()).toContain(`▸Variants (${admitted.length} reported)`);
    // 80×24: no line wider than the terminal, the last row left free
    expect(lines(app.text()).every((l) => [...l].length <= 80)).toBe(true);
    expect(lines(app.text()).length).toBeLessThanOrEqual(23);

    // the first variant out, and the refresh keeps it out
    await app.keys(['space'], /: removed /);
    await app.waitFor(/^› {2}✗ +1 /m);
    await app.waitFor(/^ ✗ \S+ \S+ \(tier \w+\): removed by curator$/m);
    await app.waitFor(`Variants (${admitted.length - 1} reported, 1 removed)`);
    const unrefreshed = (await orderReports(db, order.id))[0]?.rowVersion;
    await app.keys(['d'], 'report version 1 refreshed: 0 newly admitted');
    await app.waitFor(/^› {2}✗ +1 /m);
    // nothing changed, so nothing was sent: the draft's version stays under the screen
    expect((await orderReports(db, order.id))[0]?.rowVersion).toBe(unrefreshed);
    expect((await orderReports(db, order.id))[0]?.variants[0]).toMatchObject({ removed: true, reason: 'removed by curator' });
    await app.keys(['space'], /: restored /);
    await app.waitFor(/^› {2}✓ +1 /m);
    await app.waitFor(/^ ✓ \S+ \S+ \(tier \w+\): restored by curator$/m);

    await app.keys(['e'], 'Summary:');
    await app.type('Somatic variants in line with the indication.');
    await app.keys(['enter'], 'summary of report version 1 saved');
    await app.waitFor('summary: Somatic variants in line with the indication.');

    // only project_admin signs; cora is told so and nothing is sent
    await app.keys(['A'], '✗ Permission denied: signing needs project_admin (you are project_editor)');

    await app.keys(['s'], 'report version 1 submitted for review');
    await app.waitFor('○ pending_review');
    expect(app.text()).toContain('Not signed (pending_review) · A approves and signs (project_admin)');
    // the text pane is the report as it will be rendered
    const text = await app.keys(['tab'], '▸Text');
    expect(text).toContain('Clinical report ORD-2026-0004, version 1');
    await app.keys(['G'], 'Not signed (pending_review).');
    app.unmount();
    expect((await orderReports(db, order.id))[0]).toMatchObject({ status: 'pending_review', summary: 'Somatic variants in line with the indication.' });
  });

  test('Approve-and-Sign asks first, showing what is signed; the order completes; an amendment keeps both versions readable', async () => {
    const order = await orderOf('ORD-2026-0007');
    const [v1] = await orderReports(db, order.id);
    expect(v1?.status).toBe('pending_review');
    const reported = v1!.variants.filter((v) => !v.removed).length;

    const ada = await sessionAs(db, 'ada');
    const signer = ada.user.displayName;
    const app = await renderApp(ada, { initial: { kind: 'report', orderId: order.id } });
    await app.waitFor('version 1 of 1 · ○ pending_review');
    const dialog = await app.keys(['A'], 'Approve and sign report version 1 of ORD-2026-0007?');
    expect(dialog).toContain(`Signed as ${signer}, meaning "approval".`);
    expect(dialog).toContain(`${reported} variants reported:`);
    expect(dialog).toMatch(/1\. \S+ \S+ \(tier (IA|IB|IIC|IID)/);
    expect(dialog).toContain('Order ORD-2026-0007 moves sign_off → completed.');
    expect(dialog).toContain('A signed report never changes: corrections are amendments.');
    // No is selected first: Enter alone does not sign
    await app.keys(['enter'], 'Nothing changed');
    expect((await orderReports(db, order.id))[0]?.status).toBe('pending_review');

    await app.keys(['A'], 'Approve and sign report version 1');
    await app.keys(['y'], 'the order is completed');
    const signed = await app.waitFor(new RegExp(`✓ Signed by ${signer} · \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d · meaning approval · sha256 [0-9a-f]{8}…`));
    expect(signed).toContain('version 1 of 1 · ✓ signed');
    const [sealed] = await orderReports(db, order.id);
    expect(sealed).toMatchObject({ status: 'signed', signature: { signerName: signer, meaning: 'approval' } });
    expect(verifyReportHash(sealed!)).toBe(true);
    expect((await orderOf('ORD-2026-0007')).status).toBe('completed');
    // the signed text, byte for byte what the signature covers
    await app.keys(['tab'], '▸Signed text');
    await app.keys(['G'], /Meaning: +approval/);

    // a signed report is not edited: d says so; M amends it with a reason
    await app.keys(['tab']);
    await app.keys(['d'], '✗ Conflict: ORD-2026-0007 is completed: M amends its signed report');
    await app.keys(['M'], 'Why amend version 1:');
    await app.keys(['enter'], 'An amendment says why: nothing was changed');
    await app.keys(['M'], 'Why amend version 1:');
    await app.type('VAF of one variant corrected');
    await app.keys(['enter'], 'amendment of version 1 drafted');
    await app.waitFor('version 2 of 2 · ○ draft · amends v1');
    const amended = await app.waitFor('Not signed (draft) · amendment of v1: VAF of one variant corrected');
    expect(amended).toMatch(/versions: +v1 signed \d{4}-\d\d-\d\d +\[v2 draft\] +←\/→ switch/);
    // both versions stay readable
    const older = await app.keys(['left'], 'version 1 of 2 · ✓ signed');
    expect(older).toContain(`✓ Signed by ${signer}`);
    await app.keys(['right'], 'version 2 of 2 · ○ draft');
    app.unmount();

    // on the completed order an editor reads the signed version, not the draft of the amendment
    const cora = await renderApp(await sessionAs(db, 'cora'), { initial: { kind: 'report', orderId: order.id } });
    const hidden = await cora.waitFor('✗ Capability denied: stage completed is not report-viewable — ← signed versions');
    expect(hidden).not.toContain('VAF of one variant corrected');
    expect(hidden).toContain(' summary: —');
    await cora.keys(['left'], `✓ Signed by ${signer}`);
    expect(reportRows(cora.text()).length).toBe(Math.min(reported, 13));
    cora.unmount();
  });

  test('every refusal says why: a viewer, an editor not assigned, a stage that is not report-editable', async () => {
    const order = await orderOf('ORD-2026-0004');
    const vik = await renderApp(await sessionAs(db, 'vik'), { initial: { kind: 'report', orderId: order.id } });
    const viewer = await vik.waitFor('version 1 of 1');
    expect(viewer).toContain('! Permission denied: editing needs project_editor (you are project_viewer)');
    await vik.keys(['d'], '✗ Permission denied: editing needs project_editor (you are project_viewer)');
    await vik.keys(['A'], '✗ Permission denied: signing needs project_admin (you are project_viewer)');
    vik.unmount();

    const eli = await renderApp(await sessionAs(db, 'eli'), { initial: { kind: 'report', orderId: order.id } });
    await eli.waitFor('! Read only: you are not assigned to stage review (cora is)');
    await eli.keys(['s'], '✗ Read only: you are not assigned to stage review (cora is)');
    eli.unmount();

    // cora takes an unassigned sign_off stage: sign_off is report-viewable only
    const signOff = await orderOf('ORD-2026-0016');
    expect(signOff.status).toBe('sign_off');
    const session = await sessionAs(db, 'cora');
    const backend = sessionBackend(session);
    const agg = (await backend.aggregate(signOff.id))!;
    expect((await backend.submit({ type: 'stage.assign', orderId: signOff.id, baseVersion: agg.order.version, userId: session.user.id })).status).toBe('accepted');
    const app = await renderApp(session, { initial: { kind: 'report', orderId: signOff.id } });
    await app.waitFor('! Read only: stage sign_off is not report-editable');
    await app.keys(['d'], '✗ Read only: stage sign_off is not report-editable');
    expect(await orderReports(db, signOff.id)).toEqual([]);
    app.unmount();
  });
});
