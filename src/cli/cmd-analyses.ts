import { stringFlag } from './args.ts';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import {
  ANALYSIS_STATUSES,
  isAnalysisTransitionAllowed,
  requireRole,
  SAMPLE_VCF_INPUT,
  sampleVcfOf,
  type Analysis,
  type AnalysisStatus,
  type Order,
} from '../core/index.ts';
import { findAnalysis, listAnalyses, orderSamples, readAnalysis } from '../db/index.ts';
import type { CommandDef } from './cmd-orders.ts';
import { ingestForOrder, send, type TerminalIo } from './cmd-variants.ts';
import { EXIT, report, type Session } from './context.ts';
import { fields, table, toWire, type Output } from './output.ts';
import { orderRef, sampleRef, submit } from './session-helpers.ts';

async function analysisRef(s: Session, out: Output, ref: string): Promise<{ ok: true; value: Analysis } | { ok: false; exit: number }> {
  const a = await findAnalysis(s.db, s.project.id, ref);
  if (!a) return { ok: false, exit: report(out, { code: 'not_found', message: `Not found: analysis ${ref}` }) };
  return { ok: true, value: a };
}

/** -P KEY=VALUE pairs; a sample_vcf path is made absolute, since the run is ingested later */
function parseParams(raw: readonly string[]): { ok: true; inputs: Record<string, string> } | { ok: false; message: string } {
  const inputs: Record<string, string> = {};
  for (const p of raw) {
    const eq = p.indexOf('=');
    const key = eq > 0 ? p.slice(0, eq).trim() : '';
    if (!key) return { ok: false, message: `-P ${JSON.stringify(p)}: expected KEY=VALUE` };
    const value = p.slice(eq + 1);
    inputs[key] = key === SAMPLE_VCF_INPUT && value !== '' ? resolve(value) : value;
  }
  return { ok: true, inputs };
}

async function orderNames(s: Session): Promise<Map<string, string>> {
  const rows = await s.db.query<{ id: string; display_id: string }>('SELECT id, display_id FROM orders WHERE project_id = $1', [s.project.id]);
  return new Map(rows.map((r) => [String(r.id), String(r.display_id)]));
}

async function sampleNames(s: Session, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await s.db.query<{ id: string; display_id: string }>('SELECT id, display_id FROM samples WHERE id = ANY($1::uuid[])', [[...ids]]);
  const byId = new Map(rows.map((r) => [String(r.id), String(r.display_id)]));
  return ids.map((id) => byId.get(id) ?? id);
}

async function describe(s: Session, a: Analysis) {
  const orderName = a.orderId ? ((await orderNames(s)).get(a.orderId) ?? a.orderId) : null;
  const samples = await sampleNames(s, a.sampleIds);
  return {
    text: fields([
      ['display_id', a.displayId],
      ['status', a.status],
      ['pipeline', a.pipeline],
      ['order', orderName],
      ['samples', samples],
      ['inputs', a.inputs],
      ['outputs', a.outputs],
      ['metrics', a.metrics],
      ['logs_url', a.logsUrl],
      ['version', a.version],
      ['created_at', a.createdAt],
      ['updated_at', a.updatedAt],
    ]),
    data: toWire({ ...a, order: orderName, samples }),
  };
}

/** a succeeded run's VCF goes into its order's variant cache */
async function ingestRun(s: Session, out: Output, io: TerminalIo, a: Analysis, order: Order) {
  const path = sampleVcfOf(a.inputs);
  if (!path) return null;
  return ingestForOrder(s, out, io, order, path);
}

export const analysesCommands: Record<string, CommandDef> = {
  submit: {
    spec: {
      usage: 'curio analyses submit --pipeline NAME [--order-id ORDER] [--sample S]... [-P sample_vcf=PATH]... [-n DISPLAY_ID] [--logs-url URL]',
      flags: {
        pipeline: { type: 'string', value: 'NAME' },
        'order-id': { type: 'string', value: 'ORDER' },
        sample: { type: 'string', multiple: true, value: 'S' },
        param: { type: 'string', short: 'P', multiple: true, value: 'KEY=VALUE' },
        name: { type: 'string', short: 'n', value: 'DISPLAY_ID' },
        'logs-url': { type: 'string', value: 'URL' },
      },
      positionals: [],
    },
    async run(s, out, a) {
      const pipeline = stringFlag(a.flags.pipeline);
      if (!pipeline) return report(out, { code: 'invalid_input', message: 'missing --pipeline NAME\nusage: curio analyses submit --pipeline NAME …' });
      const params = parseParams((a.flags.param as string[] | undefined) ?? []);
      if (!params.ok) return report(out, { code: 'invalid_input', message: params.message });
      let order: Order | undefined;
      const orderArg = stringFlag(a.flags['order-id']);
      if (orderArg) {
        const o = await orderRef(s, out, orderArg);
        if (!o.ok) return o.exit;
        order = o.value;
      }
      const sampleIds: string[] = [];
      for (const ref of (a.flags.sample as string[] | undefined) ?? []) {
        const sm = await sampleRef(s, out, ref);
        if (!sm.ok) return sm.exit;
        sampleIds.push(sm.value.id);
      }
      // an analysis of an order runs on the order's samples unless told otherwise
      if (sampleIds.length === 0 && order) sampleIds.push(...(await orderSamples(s.db, order.id)).map((x) => x.sample.id));
      const displayId = stringFlag(a.flags.name) ?? `AN-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}-${String((await listAnalyses(s.db, s.project.id)).length + 1).padStart(3, '0')}`;
      const analysisId = randomUUID();
      const logsUrl = stringFlag(a.flags['logs-url']);
      return submit(
        s,
        out,
        {
          type: 'analysis.submit',
          analysisId,
          displayId,
          pipeline,
          sampleIds,
          inputs: params.inputs,
          ...(order ? { forOrderId: order.id } : {}),
          ...(logsUrl ? { logsUrl } : {}),
        },
        {
          wait: !a.flags['no-wait'],
          done: async () => {
            const again = await readAnalysis(s.db, analysisId);
            return {
              text: `submitted analysis ${displayId} (${pipeline}, queued)${order ? ` for order ${order.displayId}` : ''} with ${sampleIds.length} sample${sampleIds.length === 1 ? '' : 's'}`,
              data: again ? (await describe(s, again)).data : { id: analysisId, display_id: displayId },
            };
          },
        },
      );
    },
  },

  list: {
    spec: {
      usage: 'curio analyses list [--status S] [--order-id ORDER] [--limit N]',
      flags: { status: { type: 'string', choices: ANALYSIS_STATUSES }, 'order-id': { type: 'string' }, limit: { type: 'number' } },
      positionals: [],
    },
    async run(s, out, a) {
      let orderId: string | undefined;
      const orderArg = stringFlag(a.flags['order-id']);
      if (orderArg) {
        const o = await orderRef(s, out, orderArg);
        if (!o.ok) return o.exit;
        orderId = o.value.id;
      }
      const limit = Number(a.flags.limit ?? 0);
      if (!Number.isInteger(limit) || limit < 0) return report(out, { code: 'invalid_input', message: `--limit: expected a whole number >= 0, got ${limit}` });
      const status = stringFlag(a.flags.status);
      const rows = await listAnalyses(s.db, s.project.id, { ...(status ? { status } : {}), ...(orderId ? { orderId } : {}), limit });
      const names = await orderNames(s);
      if (out.json) out.data(rows.map((r) => toWire({ ...r, order: r.orderId ? (names.get(r.orderId) ?? null) : null })));
      else if (rows.length === 0) out.out('no analyses');
      else
        out.out(
          table(
            ['DISPLAY_ID', 'STATUS', 'PIPELINE', 'ORDER', 'SAMPLES', 'CREATED'],
            rows.map((r) => [r.displayId, r.status, r.pipeline, r.orderId ? names.get(r.orderId) : null, r.sampleIds.length, r.createdAt.slice(0, 16).replace('T', ' ')]),
          ),
        );
      return EXIT.ok;
    },
  },

  get: {
    spec: { usage: 'curio analyses get ID', positionals: ['ID'] },
    async run(s, out, a) {
      const an = await analysisRef(s, out, a.positionals[0]!);
      if (!an.ok) return an.exit;
      const d = await describe(s, an.value);
      if (out.json) out.data(d.data);
      else out.out(d.text);
      return EXIT.ok;
    },
  },

  transition: {
    spec: {
      usage: 'curio analyses transition ID running|succeeded|failed|cancelled [--logs-url URL]   (succeeded ingests inputs.sample_vcf into the order)',
      flags: { 'logs-url': { type: 'string' } },
      positionals: ['ID', 'STATUS'],
    },
    async run(s, out, a, io) {
      const an = await analysisRef(s, out, a.positionals[0]!);
      if (!an.ok) return an.exit;
      const analysis = an.value;
      const to = a.positionals[1]!;
      if (!(ANALYSIS_STATUSES as readonly string[]).includes(to))
        return report(out, { code: 'invalid_input', message: `STATUS: must be one of running, succeeded, failed, cancelled (got ${JSON.stringify(to)})` });
      const status = to as AnalysisStatus;
      const logsUrl = stringFlag(a.flags['logs-url']);
      let ingest: Awaited<ReturnType<typeof ingestRun>> = null;
      let order: Order | undefined;
      // the VCF goes in first: a run whose VCF cannot be read has not succeeded as far as the order is concerned
      if (status === 'succeeded' && analysis.orderId && sampleVcfOf(analysis.inputs)) {
        if (!isAnalysisTransitionAllowed(analysis.status, status))
          return report(out, { code: 'invalid_transition', message: `Invalid transition: analysis ${analysis.displayId} ${analysis.status} → ${status}` });
        const role = requireRole(s.actor, 'project_editor', 'moving an analysis');
        if (!role.success) return report(out, role.error);
        const o = await orderRef(s, out, analysis.orderId);
        if (!o.ok) return o.exit;
        order = o.value;
        ingest = await ingestRun(s, out, io as TerminalIo, analysis, order);
        if (ingest && !ingest.ok) return ingest.exit;
      }
      const outputs = ingest?.ok ? { ...analysis.outputs, vcf: { path: sampleVcfOf(analysis.inputs), sha256: ingest.sha256, records: ingest.records } } : undefined;
      return submit(
        s,
        out,
        { type: 'analysis.transition', analysisId: analysis.id, to: status, baseVersion: analysis.version, ...(outputs ? { outputs } : {}), ...(logsUrl ? { logsUrl } : {}) },
        {
          wait: !a.flags['no-wait'],
          done: async () => {
            const again = await readAnalysis(s.db, analysis.id);
            const ingested = ingest?.ok
              ? `; ${ingest.skipped ? 'its VCF was already in' : `ingested ${ingest.records} records into`} order ${order?.displayId ?? ''}`
              : '';
            return {
              text: `analysis ${analysis.displayId}: ${analysis.status} → ${again?.status ?? status}${ingested}`,
              data: { ...(again ? ((await describe(s, again)).data as object) : {}), ...(ingest?.ok ? { ingested: { records: ingest.records, unchanged: ingest.skipped } } : {}) },
            };
          },
        },
      );
    },
  },

  'create-order': {
    spec: {
      usage: 'curio analyses create-order ID -n DISPLAY_ID   (a succeeded analysis; the order gets its samples and its VCF)',
      flags: { name: { type: 'string', short: 'n', value: 'DISPLAY_ID' } },
      positionals: ['ID'],
    },
    async run(s, out, a, io) {
      const an = await analysisRef(s, out, a.positionals[0]!);
      if (!an.ok) return an.exit;
      const displayId = stringFlag(a.flags.name);
      if (!displayId) return report(out, { code: 'invalid_input', message: 'missing -n DISPLAY_ID\nusage: curio analyses create-order ID -n DISPLAY_ID' });
      const orderId = randomUUID();
      const sent = await send(s, { type: 'analysis.createOrder', analysisId: an.value.id, orderId, displayId });
      if (!sent.ok) return report(out, sent.rejection);
      if (sent.queued) {
        if (out.json) out.data({ queued: true, mid: sent.mid, reason: sent.reason });
        else out.out(`queued ${sent.mid} (${sent.reason}): the order is created when the relay is reachable; ingest its VCF then with curio vcf ingest`);
        return EXIT.ok;
      }
      const o = await orderRef(s, out, orderId);
      if (!o.ok) return o.exit;
      const ingest = await ingestRun(s, out, io as TerminalIo, an.value, o.value);
      if (ingest && !ingest.ok) {
        out.err(`order ${displayId} was created, but its VCF was not ingested (retry with curio vcf ingest ${displayId} FILE)`);
        return ingest.exit;
      }
      const samples = await orderSamples(s.db, orderId);
      const text = `created order ${displayId} from analysis ${an.value.displayId} with ${samples.length} sample${samples.length === 1 ? '' : 's'}${ingest?.ok ? `; ingested ${ingest.records} records` : ''}`;
      if (out.json)
        out.data(toWire({ order: o.value, samples: samples.map((x) => ({ displayId: x.sample.displayId, role: x.role })), ingested: ingest?.ok ? { records: ingest.records } : null }));
      else out.out(text);
      return EXIT.ok;
    },
  },
};
