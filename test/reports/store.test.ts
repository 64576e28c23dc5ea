// reports in a real store: approve-and-sign is one transaction, signed text is sealed by
// its SHA-256, amendments keep both versions, and the project document carries it all
import { createHash, randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderReport, type CommandInput, type ReportVariant } from '../../src/core/index.ts';
import {
  addUser,
  applyEntry,
  orderReports,
  processCommand,
  readEntity,
  readOrderEntry,
  touchedBy,
  verifyChain,
  verifyReportHash,
  initStore,
  openPglite,
  type ProcessOptions,
  type SqlDatabase,
} from '../../src/db/index.ts';

// PGlite's first open of a data directory costs seconds: one initialised store, copied per test
const root = mkdtempSync(join(tmpdir(), 'curio-reports-store-'));
const template = join(root, 'template');
let projectId: string;
let adminId: string;
let editorId: string;

beforeAll(async () => {
  const db = await openPglite(template);
  const init = await initStore(db, { projectName: 'oncology' });
  if (!init.success) throw new Error(init.error.message);
  projectId = init.data.projectId;
  adminId = init.data.userId;
  await db.query(`UPDATE users SET display_name = 'Ada Lovelace' WHERE id = $1`, [adminId]);
  const ed = await addUser(db, { projectId, name: 'edith', role: 'project_editor', actorId: adminId });
  if (!ed.success) throw new Error(ed.error.message);
  editorId = ed.data.userId;
  await db.close();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let db: SqlDatabase;
let copies = 0;
async function freshStore(): Promise<SqlDatabase> {
  const dir = join(root, `copy-${++copies}`);
  cpSync(template, dir, { recursive: true });
  return openPglite(dir);
}
beforeEach(async () => {
  db = await freshStore();
});
afterEach(async () => {
  await db.close();
});

function envelope(db: SqlDatabase, userId: string, command: CommandInput) {
  return async () => {
    const clientId = `c-${userId.slice(0, 8)}`;
    const last = (await db.query<{ last_seq: number }>('SELECT last_seq FROM client_cursors WHERE client_id = $1', [clientId]))[0];
    const seq = Number(last?.last_seq ?? 0) + 1;
    return { mid: `${clientId}:${seq}`, clientId, seq, clientTime: 'x', command };
  };
}

async function send(userId: string, command: CommandInput, opts: ProcessOptions = {}, on: SqlDatabase = db) {
  const env = await envelope(on, userId, command)();
  const r = await processCommand(on, { projectId, userId, envelope: env }, opts);
  if (r.kind !== 'result') throw new Error(`not processed: ${r.kind}`);
  return r;
}

async function ok(userId: string, command: CommandInput) {
  const r = await send(userId, command);
  if (r.result.status !== 'accepted') throw new Error(`${command.type} rejected: ${r.result.message}`);
  return r;
}

const V = (id: string, removed = false): ReportVariant => ({
  variantId: id,
  snapshot: { chrom: 'chr17', pos: 7675088, ref: 'C', alt: 'T', gene: `G-${id}`, tier: 'IIC', vaf: 0.3 },
  reason: 'tier IIC, VAF 0.3 > 0.01',
  removed,
});

/** an order in sign_off with a submitted report, all by the admin */
async function readyToSign() {
  const orderId = randomUUID();
  const reportId = randomUUID();
  await ok(adminId, { type: 'order.create', orderId, fields: { displayId: `ORD-${copies}`, clinicalIndication: 'AML' } });
  await ok(adminId, { type: 'order.transition', orderId, to: 'analyzing' });
  await ok(adminId, { type: 'order.transition', orderId, to: 'review' });
  await ok(editorId, { type: 'stage.assign', orderId, userId: editorId });
  await ok(editorId, { type: 'variant.curate', orderId, variantId: 'a', acmgClass: 'P' });
  await ok(editorId, { type: 'report.createDraft', orderId, reportId, variants: [V('a'), V('b')], summary: 'TP53 p.R175H' });
  await ok(editorId, { type: 'report.submit', orderId, reportId });
  await ok(editorId, { type: 'order.transition', orderId, to: 'sign_off' });
  return { orderId, reportId };
}

/** everything a half-done sign-off could leave behind */
async function snapshot(orderId: string) {
  return {
    reports: await db.query('SELECT * FROM reports WHERE order_id = $1 ORDER BY version', [orderId]),
    order: await db.query('SELECT * FROM orders WHERE id = $1', [orderId]),
    stages: await db.query('SELECT * FROM order_stages WHERE order_id = $1 ORDER BY position', [orderId]),
    history: await db.query('SELECT seq, hash FROM stage_transitions ORDER BY seq'),
    audit: await db.query('SELECT seq, action, hash FROM audit_log ORDER BY seq'),
    results: await db.query('SELECT mid, status FROM command_results ORDER BY server_seq'),
    cursors: await db.query('SELECT client_id, last_seq FROM client_cursors ORDER BY client_id'),
    heads: await db.query('SELECT * FROM chain_heads ORDER BY chain'),
  };
}

describe('approve-and-sign is one transaction', () => {
  it('a failure just before commit leaves nothing behind, and the same command then goes through', async () => {
    const { orderId, reportId } = await readyToSign();
    const before = await snapshot(orderId);
    const command: CommandInput = { type: 'report.approveAndSign', orderId, reportId, meaning: 'approval' };
    const env = await envelope(db, adminId, command)();
    const failing: ProcessOptions = {
      beforeCommit: async (tx) => {
        // the writes are there inside the transaction …
        const [r] = await tx.query<{ status: string }>('SELECT status FROM reports WHERE id = $1', [reportId]);
        expect(r?.status).toBe('signed');
        throw new Error('injected failure before commit');
      },
    };
    await expect(processCommand(db, { projectId, userId: adminId, envelope: env }, failing)).rejects.toThrow(/injected failure/);
    // … and none of them outside it: no result stored, the seq not consumed
    expect(await snapshot(orderId)).toEqual(before);
    const again = await processCommand(db, { projectId, userId: adminId, envelope: env });
    expect(again.kind === 'result' && again.result.status).toBe('accepted');
    expect((await db.query<{ status: string }>('SELECT status FROM orders WHERE id = $1', [orderId]))[0]?.status).toBe('completed');
  });

  it('a failure after the report write (moving the order) leaves the report unsigned and the order in sign_off', async () => {
    const { orderId, reportId } = await readyToSign();
    // the order row is written after the report row in the same decision
    await db.exec(`
      CREATE FUNCTION fail_after_report() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status = 'completed' AND (SELECT status FROM reports WHERE order_id = NEW.id ORDER BY version DESC LIMIT 1) = 'signed' THEN
          RAISE EXCEPTION 'injected failure after the report write';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER fail_after_report BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION fail_after_report();`);
    const before = await snapshot(orderId);
    await expect(send(adminId, { type: 'report.approveAndSign', orderId, reportId, meaning: 'approval' })).rejects.toThrow(/after the report write/);
    const after = await snapshot(orderId);
    expect(after).toEqual(before);
    expect(after.reports[0]).toMatchObject({ status: 'pending_review', signature: null, rendered_text: null });
    expect(after.order[0]).toMatchObject({ status: 'sign_off', slug_frozen: false });
    await db.exec('DROP TRIGGER fail_after_report ON orders');
    expect((await send(adminId, { type: 'report.approveAndSign', orderId, reportId, meaning: 'approval' })).result.status).toBe('accepted');
  });
});

describe('signed reports', () => {
  it('seal the exact rendered text with its SHA-256, name the signer, and freeze the slug', async () => {
    const { orderId, reportId } = await readyToSign();
    const r = await ok(adminId, { type: 'report.approveAndSign', orderId, reportId, meaning: 'approval' });
    expect(r.result).toMatchObject({ entityType: 'order', entityId: orderId, commandType: 'report.approveAndSign' });
    const [v1] = await orderReports(db, orderId);
    expect(v1).toMatchObject({ status: 'signed', signature: { signerId: adminId, signerName: 'Ada Lovelace', meaning: 'approval' } });
    expect(v1!.signature!.sha256).toBe(createHash('sha256').update(v1!.renderedText!, 'utf8').digest('hex'));
    expect(v1!.renderedText).toContain('Signed by: Ada Lovelace');
    expect(v1!.renderedText).toContain(`Signed at: ${v1!.signature!.signedAt}`);
    expect(v1!.renderedText).toContain('Meaning:   approval');
    // the same rendering from what is stored: anyone can check the hash
    const entry = await readOrderEntry(db, orderId);
    const { sha256: _, ...unsealed } = v1!.signature!;
    expect(renderReport(v1!, entry!.order, unsealed)).toBe(v1!.renderedText);
    expect(entry!.order).toMatchObject({ status: 'completed', slugFrozen: true });
    expect((await verifyChain(db, 'audit')).problem).toBeNull();
    expect((await verifyChain(db, 'transitions')).problem).toBeNull();
  });

  it('amendments keep both versions readable and the signed one unchanged', async () => {
    const { orderId, reportId } = await readyToSign();
    await ok(adminId, { type: 'report.approveAndSign', orderId, reportId, meaning: 'approval' });
    const [signed] = await orderReports(db, orderId);
    const amendId = randomUUID();
    await ok(adminId, { type: 'report.amend', orderId, reportId: amendId, amendsReportId: reportId, reason: 'variant b was a sequencing artefact' });
    // the signed one refuses every edit, at the rules and at the row
    const edit = await send(adminId, { type: 'report.setVariants', orderId, reportId, variants: [V('a'), V('b', true)], baseVersion: signed!.rowVersion });
    expect(edit.result).toMatchObject({ status: 'rejected', code: 'conflict' });
    await ok(adminId, { type: 'report.setVariants', orderId, reportId: amendId, variants: [V('a'), V('b', true)], baseVersion: 1 });
    await ok(adminId, { type: 'report.submit', orderId, reportId: amendId });
    await ok(adminId, { type: 'report.approveAndSign', orderId, reportId: amendId, meaning: 'approval' });
    const [v1, v2] = await orderReports(db, orderId);
    expect(v1).toEqual(signed);
    expect(verifyReportHash(v1!)).toBe(true);
    expect(verifyReportHash(v2!)).toBe(true);
    expect(v2).toMatchObject({ version: 2, status: 'signed', amendsReportId: reportId, amendReason: 'variant b was a sequencing artefact' });
    expect(v2!.renderedText).toMatch(/Amends: +version 1\nAmendment reason: +variant b was a sequencing artefact/);
    expect(v2!.renderedText).toMatch(/Removed by curation \(1\)/);
    expect(v1!.renderedText).toMatch(/Reported variants \(2\)/);
    expect((await readOrderEntry(db, orderId))!.order.status).toBe('completed');
  });
});

describe('the project document', () => {
  it('carries reports and curations in the order entry and analyses as their own entries; a replica rebuilds the rows', async () => {
    const { orderId, reportId } = await readyToSign();
    const signed = await ok(adminId, { type: 'report.approveAndSign', orderId, reportId, meaning: 'approval' });
    expect(touchedBy(signed.events)).toEqual([{ kind: 'order', id: orderId }]);
    const analysisId = randomUUID();
    const sub = await ok(editorId, { type: 'analysis.submit', analysisId, displayId: 'AN-1', pipeline: 'iseq', forOrderId: orderId, inputs: { sample_vcf: '/x.vcf' } });
    expect(touchedBy(sub.events)).toEqual([
      { kind: 'analysis', id: analysisId },
      { kind: 'order', id: orderId },
    ]);

    const entry = await readOrderEntry(db, orderId);
    expect(entry!.reports.map((r) => [r.version, r.status])).toEqual([[1, 'signed']]);
    expect(entry!.curations).toMatchObject([{ variantId: 'a', acmgClass: 'P', version: 1 }]);
    expect(entry!.analysisIds).toEqual([analysisId]);
    const analysis = await readEntity(db, projectId, { kind: 'analysis', id: analysisId });
    expect(analysis).toMatchObject({ displayId: 'AN-1', status: 'queued', orderId });

    // a replica may see the analysis before its order: it links up when the order arrives
    const replica = await freshStore();
    try {
      const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
      await replica.transaction(async (tx) => {
        await applyEntry(tx, projectId, { kind: 'user', id: editorId }, json(await readEntity(db, projectId, { kind: 'user', id: editorId })));
        await applyEntry(tx, projectId, { kind: 'analysis', id: analysisId }, json(analysis));
      });
      expect((await replica.query('SELECT order_id FROM analyses'))[0]).toEqual({ order_id: null });
      await replica.transaction((tx) => applyEntry(tx, projectId, { kind: 'order', id: orderId }, json(entry)));
      expect((await replica.query('SELECT order_id FROM analyses'))[0]).toEqual({ order_id: orderId });
      const mirrored = await orderReports(replica, orderId);
      expect(mirrored).toEqual(await orderReports(db, orderId));
      expect(verifyReportHash(mirrored[0]!)).toBe(true);
      expect(await replica.query('SELECT variant_id, acmg_class FROM curations')).toEqual([{ variant_id: 'a', acmg_class: 'P' }]);
      // an entry stored before reports joined it has none: the rows follow the entry
      await replica.transaction((tx) => applyEntry(tx, projectId, { kind: 'order', id: orderId }, { ...(json(entry) as object), reports: undefined, curations: undefined }));
      expect(await orderReports(replica, orderId)).toEqual([]);
    } finally {
      await replica.close();
    }
  });
});
