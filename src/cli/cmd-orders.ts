import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import {
  CLINICAL_STATUSES,
  FACILITY_STATUSES,
  LEGACY_STATUS_ALIASES,
  MODES,
  PRIORITIES,
  SAMPLE_ROLES,
  renderSamplesheet,
  type Order,
} from '../core/index.ts';
import {
  countOrders,
  listOrders,
  orderHistory,
  orderSamples,
  orderStages,
  statusNotes,
  ORDER_SORTS,
  type OrderFilter,
  type OrderSort,
} from '../db/index.ts';
import type { CommandSpec, Parsed } from './args.ts';
import { EXIT, report, type Session } from './context.ts';
import { fields, table, toWire, type Output } from './output.ts';
import { orderRef, sampleRef, submit, userRef } from './session-helpers.ts';

type Handler = (s: Session, out: Output, a: Parsed, io: { confirm(q: string): Promise<boolean>; isTTY: boolean }) => Promise<number>;

export interface CommandDef {
  spec: CommandSpec;
  run: Handler;
}

const STATUS_CHOICES = [...new Set([...CLINICAL_STATUSES, ...FACILITY_STATUSES, ...Object.keys(LEGACY_STATUS_ALIASES)])];

const ORDER_FIELD_FLAGS = {
  accession: { type: 'string', value: 'A' },
  'external-id': { type: 'string', value: 'E' },
  description: { type: 'string', value: 'D' },
  mode: { type: 'string', choices: MODES },
  priority: { type: 'string', choices: PRIORITIES },
  indication: { type: 'string', value: 'I' },
  provider: { type: 'string', value: 'P' },
  facility: { type: 'string', value: 'F' },
} as const;

function str(a: Parsed, k: string): string | undefined {
  const v = a.flags[k];
  return typeof v === 'string' ? v : undefined;
}

function orderFieldsFrom(a: Parsed): Record<string, unknown> {
  const map: Record<string, string> = {
    accession: 'accession',
    'external-id': 'externalId',
    description: 'description',
    mode: 'mode',
    priority: 'priority',
    indication: 'clinicalIndication',
    provider: 'orderingProvider',
    facility: 'orderingFacility',
  };
  const out: Record<string, unknown> = {};
  for (const [flag, key] of Object.entries(map)) {
    const v = str(a, flag);
    if (v !== undefined) out[key] = v;
  }
  const tags = a.flags.tag as string[] | undefined;
  if (tags) out.tags = tags;
  return out;
}

function orderLine(o: Order): string {
  return `${o.displayId} (${o.status}, ${o.priority}, version ${o.version})`;
}

async function orderDetail(s: Session, o: Order) {
  const [stages, samples, notes] = await Promise.all([
    orderStages(s.db, o.id),
    orderSamples(s.db, o.id),
    o.workflow === 'facility' ? statusNotes(s.db, o.id) : Promise.resolve([]),
  ]);
  return { o, stages, samples, notes };
}

async function printOrder(s: Session, out: Output, o: Order): Promise<{ text: string; data: unknown }> {
  const d = await orderDetail(s, o);
  const data = toWire({ ...o, stages: d.stages, samples: d.samples.map((x) => ({ ...x.sample, role: x.role })), ...(o.workflow === 'facility' ? { notes: d.notes } : {}) });
  const text = [
    fields([
      ['display_id', o.displayId],
      ['status', o.status],
      ['workflow', o.workflow],
      ['mode', o.mode],
      ['priority', o.priority],
      ['accession', o.accession],
      ['external_id', o.externalId],
      ['description', o.description],
      ['clinical_indication', o.clinicalIndication],
      ['ordering_provider', o.orderingProvider],
      ['ordering_facility', o.orderingFacility],
      ['tags', o.tags],
      ['slug', o.slug],
      ['version', o.version],
      ['created_at', o.createdAt],
      ['updated_at', o.updatedAt],
      ...(o.adminNotes ? [['admin_notes', o.adminNotes] as const] : []),
    ]),
    ...(d.stages.length
      ? ['', 'stages:', table(['STAGE', 'STATE', 'ASSIGNEE'], d.stages.map((st) => [`${st.stageCode === o.status ? '›' : ' '} ${st.stageCode}`, st.state, st.assigneeName]))]
      : []),
    ...(d.samples.length ? ['', 'samples:', table(['SAMPLE', 'ROLE', 'TYPE'], d.samples.map((x) => [x.sample.displayId, x.role, x.sample.sampleType]))] : []),
  ].join('\n');
  void out;
  return { text, data };
}

export const ordersCommands: Record<string, CommandDef> = {
  list: {
    spec: {
      usage: 'curio orders list [--status S]... [--priority P]... [--assignee NAME|me] [--tag T] [--text Q] [--workflow clinical|facility] [--sort COL] [--limit N]',
      flags: {
        status: { type: 'string', multiple: true, choices: STATUS_CHOICES },
        priority: { type: 'string', multiple: true, choices: PRIORITIES },
        assignee: { type: 'string', value: 'NAME|me' },
        tag: { type: 'string' },
        text: { type: 'string' },
        workflow: { type: 'string', choices: ['clinical', 'facility'] },
        sort: { type: 'string', choices: ORDER_SORTS },
        asc: { type: 'boolean' },
        limit: { type: 'number', value: 'N (0 = all)' },
      },
      positionals: [],
    },
    async run(s, out, a) {
      const f: OrderFilter = {};
      if (a.flags.status) f.statuses = a.flags.status as string[];
      if (a.flags.priority) f.priorities = a.flags.priority as string[];
      const assignee = str(a, 'assignee');
      if (assignee) {
        const u = await userRef(s, out, assignee);
        if (!u.ok) return u.exit;
        f.assigneeId = u.value.id;
      }
      const tag = str(a, 'tag');
      if (tag) f.tag = tag;
      const text = str(a, 'text');
      if (text) f.text = text;
      const wf = str(a, 'workflow');
      if (wf) f.workflow = wf as 'clinical' | 'facility';
      const sort = str(a, 'sort');
      if (sort) f.sort = sort as OrderSort;
      if (a.flags.asc) f.descending = false;
      const limit = a.flags.limit === undefined ? 100 : Number(a.flags.limit);
      if (!Number.isInteger(limit) || limit < 0) return report(out, { code: 'invalid_input', message: `--limit: expected a whole number >= 0, got ${limit}` });
      f.limit = limit;
      const rows = await listOrders(s.db, s.project.id, s.actor, s.project.settings, f);
      if (out.json) {
        out.data(rows.map((r) => toWire({ ...r.order, assignee: r.assigneeName, stageState: r.stageState })));
        return EXIT.ok;
      }
      if (rows.length === 0) {
        out.out('no orders match');
        return EXIT.ok;
      }
      out.out(
        table(
          ['DISPLAY_ID', 'STATUS', 'STAGE', 'PRIORITY', 'ASSIGNEE', 'MODE', 'CREATED'],
          rows.map((r) => [r.order.displayId, r.order.status, r.stageState, r.order.priority, r.assigneeName, r.order.workflow === 'facility' ? 'facility' : r.order.mode, r.order.createdAt.slice(0, 10)]),
        ),
      );
      if (limit > 0 && rows.length === limit) {
        const total = Object.values(await countOrders(s.db, s.project.id, s.actor, s.project.settings, { ...f, limit: 0 })).reduce((x, y) => x + y, 0);
        if (total > limit) out.err(`showing ${limit} of ${total}; use --limit N (0 = all)`);
      }
      return EXIT.ok;
    },
  },

  create: {
    spec: {
      usage: 'curio orders create -n DISPLAY_ID [--accession A] [--external-id E] [--description D] [--mode hereditary|somatic] [--priority low|medium|high] [--indication I] [--provider P] [--facility F] [-t TAG]... [--workflow clinical|facility]',
      flags: { name: { type: 'string', short: 'n', value: 'DISPLAY_ID' }, ...ORDER_FIELD_FLAGS, tag: { type: 'string', short: 't', multiple: true }, workflow: { type: 'string', choices: ['clinical', 'facility'] } },
      positionals: [],
    },
    async run(s, out, a) {
      const displayId = str(a, 'name');
      if (!displayId) return report(out, { code: 'invalid_input', message: 'missing -n DISPLAY_ID\nusage: curio orders create -n DISPLAY_ID …' });
      const orderId = randomUUID();
      return submit(s, out, { type: 'order.create', orderId, workflow: (str(a, 'workflow') ?? 'clinical') as 'clinical', fields: { displayId, ...orderFieldsFrom(a) } as never }, {
        wait: !a.flags['no-wait'],
        done: async () => {
          const o = await orderRef(s, out, orderId);
          if (!o.ok) return { text: `created ${displayId}`, data: { id: orderId } };
          const shown = await printOrder(s, out, o.value);
          return { text: `created ${orderLine(o.value)}`, data: shown.data };
        },
      });
    },
  },

  get: {
    spec: { usage: 'curio orders get ID', positionals: ['ID'] },
    async run(s, out, a) {
      const o = await orderRef(s, out, a.positionals[0]!);
      if (!o.ok) return o.exit;
      const shown = await printOrder(s, out, o.value);
      if (out.json) out.data(shown.data);
      else out.out(shown.text);
      return EXIT.ok;
    },
  },

  update: {
    spec: {
      usage: 'curio orders update ID [--display-id NEW] [--priority …] [--indication …] [--admin-notes …] …',
      flags: { ...ORDER_FIELD_FLAGS, tag: { type: 'string', short: 't', multiple: true }, 'display-id': { type: 'string' }, 'admin-notes': { type: 'string' } },
      positionals: ['ID'],
    },
    async run(s, out, a) {
      const o = await orderRef(s, out, a.positionals[0]!);
      if (!o.ok) return o.exit;
      const patch = orderFieldsFrom(a);
      const dn = str(a, 'display-id');
      if (dn !== undefined) patch.displayId = dn;
      const notes = str(a, 'admin-notes');
      if (notes !== undefined) patch.adminNotes = notes;
      if (Object.keys(patch).length === 0) return report(out, { code: 'invalid_input', message: 'nothing to change: give at least one field flag (e.g. --priority high)' });
      return submit(s, out, { type: 'order.update', orderId: o.value.id, baseVersion: o.value.version, patch: patch as never }, {
        wait: !a.flags['no-wait'],
        done: async () => {
          const again = await orderRef(s, out, o.value.id);
          return again.ok ? { text: `updated ${orderLine(again.value)}`, data: (await printOrder(s, out, again.value)).data } : { text: 'updated', data: {} };
        },
      });
    },
  },

  transition: {
    spec: { usage: 'curio orders transition ID STATUS [--reason TEXT]', flags: { reason: { type: 'string' } }, positionals: ['ID', 'STATUS'] },
    async run(s, out, a) {
      const o = await orderRef(s, out, a.positionals[0]!);
      if (!o.ok) return o.exit;
      const to = a.positionals[1]!;
      const reason = str(a, 'reason');
      return submit(s, out, { type: 'order.transition', orderId: o.value.id, to, baseVersion: o.value.version, ...(reason ? { reason } : {}) }, {
        wait: !a.flags['no-wait'],
        done: async () => {
          const again = await orderRef(s, out, o.value.id);
          return again.ok ? { text: `${again.value.displayId}: ${o.value.status} → ${again.value.status}`, data: (await printOrder(s, out, again.value)).data } : { text: 'done', data: {} };
        },
      });
    },
  },

  delete: {
    spec: { usage: 'curio orders delete ID [--yes]', flags: { yes: { type: 'boolean', short: 'y' } }, positionals: ['ID'] },
    async run(s, out, a, io) {
      const o = await orderRef(s, out, a.positionals[0]!);
      if (!o.ok) return o.exit;
      if (!a.flags.yes) {
        if (!io.isTTY) return report(out, { code: 'invalid_input', message: `deleting ${o.value.displayId} needs confirmation: pass --yes` });
        if (!(await io.confirm(`Delete order ${o.value.displayId} (${o.value.status})? This cannot be undone. [y/N] `))) {
          out.err('not deleted');
          return EXIT.refused;
        }
      }
      return submit(s, out, { type: 'order.delete', orderId: o.value.id, baseVersion: o.value.version }, {
        wait: !a.flags['no-wait'],
        done: async () => ({ text: `deleted ${o.value.displayId}`, data: { deleted: o.value.displayId } }),
      });
    },
  },

  samples: {
    spec: { usage: 'curio orders samples ID', positionals: ['ID'] },
    async run(s, out, a) {
      const o = await orderRef(s, out, a.positionals[0]!);
      if (!o.ok) return o.exit;
      const rows = await orderSamples(s.db, o.value.id);
      if (out.json) out.data(rows.map((r) => toWire({ ...r.sample, role: r.role })));
      else if (rows.length === 0) out.out(`order ${o.value.displayId} has no samples`);
      else out.out(table(['SAMPLE', 'ROLE', 'TYPE', 'SEX', 'SUBJECT'], rows.map((r) => [r.sample.displayId, r.role, r.sample.sampleType, r.sample.sex, r.sample.subjectId])));
      return EXIT.ok;
    },
  },

  'add-sample': {
    spec: { usage: 'curio orders add-sample ID SAMPLE [--role ROLE]', flags: { role: { type: 'string', choices: SAMPLE_ROLES } }, positionals: ['ID', 'SAMPLE'] },
    async run(s, out, a) {
      const o = await orderRef(s, out, a.positionals[0]!);
      if (!o.ok) return o.exit;
      const sm = await sampleRef(s, out, a.positionals[1]!);
      if (!sm.ok) return sm.exit;
      const role = (str(a, 'role') ?? 'proband') as (typeof SAMPLE_ROLES)[number];
      return submit(s, out, { type: 'order.addSample', orderId: o.value.id, sampleId: sm.value.id, role, baseVersion: o.value.version }, {
        wait: !a.flags['no-wait'],
        done: async () => ({ text: `added ${sm.value.displayId} to ${o.value.displayId} as ${role}`, data: { order: o.value.displayId, sample: sm.value.displayId, role } }),
      });
    },
  },

  'remove-sample': {
    spec: { usage: 'curio orders remove-sample ID SAMPLE', positionals: ['ID', 'SAMPLE'] },
    async run(s, out, a) {
      const o = await orderRef(s, out, a.positionals[0]!);
      if (!o.ok) return o.exit;
      const sm = await sampleRef(s, out, a.positionals[1]!);
      if (!sm.ok) return sm.exit;
      return submit(s, out, { type: 'order.removeSample', orderId: o.value.id, sampleId: sm.value.id, baseVersion: o.value.version }, {
        wait: !a.flags['no-wait'],
        done: async () => ({ text: `removed ${sm.value.displayId} from ${o.value.displayId}`, data: { order: o.value.displayId, sample: sm.value.displayId } }),
      });
    },
  },

  samplesheet: {
    spec: { usage: 'curio orders samplesheet ID [-o FILE]', flags: { output: { type: 'string', short: 'o', value: 'FILE' } }, positionals: ['ID'] },
    async run(s, out, a) {
      const o = await orderRef(s, out, a.positionals[0]!);
      if (!o.ok) return o.exit;
      const rows = await orderSamples(s.db, o.value.id);
      const csv = renderSamplesheet(
        rows.map((r) => ({ orderId: o.value.id, sampleId: r.sample.id, role: r.role })),
        new Map(rows.map((r) => [r.sample.id, r.sample])),
      );
      const file = str(a, 'output');
      if (file) {
        try {
          writeFileSync(file, csv);
        } catch (err) {
          return report(out, { code: 'invalid_input', message: `-o ${file}: ${(err as Error).message}` });
        }
        if (out.json) out.data({ file, samples: rows.length });
        else out.out(`wrote ${rows.length} samples to ${file}`);
      } else out.out(csv);
      return EXIT.ok;
    },
  },

  history: {
    spec: { usage: 'curio orders history ID', positionals: ['ID'] },
    async run(s, out, a) {
      const o = await orderRef(s, out, a.positionals[0]!);
      if (!o.ok) return o.exit;
      const entries = await orderHistory(s.db, o.value.id);
      if (out.json) {
        out.data(toWire(entries));
        return EXIT.ok;
      }
      out.out(
        table(
          ['TIME', 'BY', 'KIND', 'WHAT'],
          entries.map((e) =>
            e.kind === 'transition'
              ? [e.at, e.by, 'stage', `${e.record.fromStage === e.record.toStage || !e.record.fromStage ? e.record.toStage : `${e.record.fromStage}→${e.record.toStage}`}: ${e.record.fromState ?? '∅'} → ${e.record.toState}${e.record.notes ? ` (${e.record.notes})` : ''}`]
              : [e.at, e.by, 'audit', `${e.action}${e.reason ? ` (${e.reason})` : ''}`],
          ),
        ),
      );
      return EXIT.ok;
    },
  },

  notes: {
    spec: { usage: 'curio orders notes ID', positionals: ['ID'] },
    async run(s, out, a) {
      const o = await orderRef(s, out, a.positionals[0]!);
      if (!o.ok) return o.exit;
      const notes = await statusNotes(s.db, o.value.id);
      if (out.json) out.data(toWire(notes));
      else if (notes.length === 0) out.out(`order ${o.value.displayId} has no status notes`);
      else out.out(table(['TIME', 'KIND', 'CHANGE', 'BY', 'TEXT'], notes.map((n) => [n.createdAt, n.kind, n.kind === 'STATUS_CHANGE' ? `${n.fromStatus} → ${n.toStatus}` : null, n.authorName, n.text])));
      return EXIT.ok;
    },
  },

  'samples-sent': {
    spec: { usage: 'curio orders samples-sent ID [--note TEXT]', flags: { note: { type: 'string' } }, positionals: ['ID'] },
    async run(s, out, a) {
      const o = await orderRef(s, out, a.positionals[0]!);
      if (!o.ok) return o.exit;
      const note = str(a, 'note');
      return submit(s, out, { type: 'note.samplesSent', orderId: o.value.id, ...(note ? { text: note } : {}) }, {
        wait: !a.flags['no-wait'],
        done: async () => ({ text: `recorded SAMPLES_SENT on ${o.value.displayId}`, data: { order: o.value.displayId, kind: 'SAMPLES_SENT' } }),
      });
    },
  },
};
