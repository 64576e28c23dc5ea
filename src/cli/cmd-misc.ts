import { stringFlag } from './args.ts';
import { randomUUID } from 'node:crypto';
import {
  normalizeStatus,
  SAMPLE_TYPES,
  stageCapabilities,
  STAGE_ACTIONS,
  type StageAction,
} from '../core/index.ts';
import { getLabflow, listLabflows, listSamples, orderStages } from '../db/index.ts';
import { runAuditVerifyOn } from './cmd-admin.ts';
import { EXIT, report } from './context.ts';
import type { CommandDef } from './cmd-orders.ts';
import { table, toWire } from './output.ts';
import { orderRef, submit, userRef } from './session-helpers.ts';

export const samplesCommands: Record<string, CommandDef> = {
  create: {
    spec: {
      usage: 'curio samples create -n DISPLAY_ID [--type T] [--specimen-type S] [--sex X] [--subject-id ID] [--fastq-1 F] [--fastq-2 F] [--strandedness S] [--accession A] [-t TAG]...',
      flags: {
        name: { type: 'string', short: 'n' },
        type: { type: 'string', choices: SAMPLE_TYPES },
        'specimen-type': { type: 'string' },
        sex: { type: 'string', choices: ['female', 'male', 'unknown', 'other'] },
        'subject-id': { type: 'string' },
        'fastq-1': { type: 'string' },
        'fastq-2': { type: 'string' },
        strandedness: { type: 'string', choices: ['forward', 'reverse', 'unstranded', 'auto'] },
        accession: { type: 'string' },
        tag: { type: 'string', short: 't', multiple: true },
      },
      positionals: [],
    },
    async run(s, out, a) {
      const displayId = stringFlag(a.flags.name);
      if (!displayId) return report(out, { code: 'invalid_input', message: 'missing -n DISPLAY_ID\nusage: curio samples create -n DISPLAY_ID …' });
      const map: Record<string, string> = {
        type: 'sampleType',
        'specimen-type': 'specimenType',
        sex: 'sex',
        'subject-id': 'subjectId',
        'fastq-1': 'fastq1',
        'fastq-2': 'fastq2',
        strandedness: 'strandedness',
        accession: 'accession',
      };
      const fields: Record<string, unknown> = { displayId };
      for (const [flag, key] of Object.entries(map)) if (a.flags[flag] !== undefined) fields[key] = a.flags[flag];
      if (a.flags.tag) fields.tags = a.flags.tag;
      const sampleId = randomUUID();
      return submit(s, out, { type: 'sample.create', sampleId, fields: fields as never }, {
        wait: !a.flags['no-wait'],
        done: async () => ({ text: `created sample ${displayId}`, data: { id: sampleId, display_id: displayId } }),
      });
    },
  },
  list: {
    spec: { usage: 'curio samples list [--limit N]', flags: { limit: { type: 'number' } }, positionals: [] },
    async run(s, out, a) {
      const limit = Number(a.flags.limit ?? 0);
      if (!Number.isInteger(limit) || limit < 0) return report(out, { code: 'invalid_input', message: `--limit: expected a whole number >= 0, got ${limit}` });
      const rows = await listSamples(s.db, s.project.id, limit);
      if (out.json) out.data(toWire(rows));
      else if (rows.length === 0) out.out('no samples');
      else out.out(table(['SAMPLE', 'TYPE', 'SPECIMEN', 'SEX', 'SUBJECT', 'QC'], rows.map((r) => [r.displayId, r.sampleType, r.specimenType, r.sex, r.subjectId, r.qcResult])));
      return EXIT.ok;
    },
  },
};

export const stagesShow: CommandDef = {
  spec: { usage: 'curio stages ID', positionals: ['ID'] },
  async run(s, out, a) {
    const o = await orderRef(s, out, a.positionals[0]!);
    if (!o.ok) return o.exit;
    if (o.value.workflow === 'facility') return report(out, { code: 'invalid_input', message: `order ${o.value.displayId} is a facility order: it has statuses, not stages (see 'curio orders notes')` });
    const [stages, labflow] = await Promise.all([orderStages(s.db, o.value.id), o.value.labflowId ? getLabflow(s.db, o.value.labflowId) : null]);
    const rows = stages.map((st) => ({ ...st, current: st.stageCode === normalizeStatus(o.value.status), capabilities: labflow ? stageCapabilities(labflow, st.stageCode) : null }));
    if (out.json) {
      out.data(toWire({ order: o.value.displayId, labflow: labflow ? { id: labflow.id, version: labflow.version } : null, stages: rows }));
      return EXIT.ok;
    }
    const flag = (b: boolean | undefined, c: string) => (b ? c : '-');
    out.out(`${o.value.displayId} on labflow ${labflow?.id ?? '?'} (version ${labflow?.version ?? '?'})`);
    out.out(
      table(
        ['', 'STAGE', 'STATE', 'ASSIGNEE', 'CAPS (browse view/edit, report view/edit)'],
        rows.map((r) => [
          r.current ? '›' : '',
          r.stageCode,
          r.state,
          r.assigneeName,
          r.capabilities ? `${flag(r.capabilities.browser_viewable, 'bv')} ${flag(r.capabilities.browser_editable, 'be')} ${flag(r.capabilities.report_viewable, 'rv')} ${flag(r.capabilities.report_editable, 're')}` : '',
        ]),
      ),
    );
    return EXIT.ok;
  },
};

export const stagesCommands: Record<string, CommandDef> = {
  assign: {
    spec: { usage: 'curio stages assign ID (--self | --user NAME) [--stage CODE]', flags: { self: { type: 'boolean' }, user: { type: 'string' }, stage: { type: 'string' } }, positionals: ['ID'] },
    async run(s, out, a) {
      if (!!a.flags.self === (a.flags.user !== undefined)) return report(out, { code: 'invalid_input', message: 'give exactly one of --self or --user NAME' });
      const o = await orderRef(s, out, a.positionals[0]!);
      if (!o.ok) return o.exit;
      const u = a.flags.self ? { ok: true as const, value: s.user } : await userRef(s, out, String(a.flags.user));
      if (!u.ok) return u.exit;
      const stage = stringFlag(a.flags.stage);
      return submit(s, out, { type: 'stage.assign', orderId: o.value.id, userId: u.value.id, baseVersion: o.value.version, ...(stage ? { stageCode: stage } : {}) }, {
        wait: !a.flags['no-wait'],
        done: async () => ({ text: `${o.value.displayId}: stage ${stage ?? o.value.status} assigned to ${u.value.name}`, data: { order: o.value.displayId, stage: stage ?? o.value.status, assignee: u.value.name } }),
      });
    },
  },
};

for (const action of Object.keys(STAGE_ACTIONS) as StageAction[]) {
  stagesCommands[action] = {
    spec: { usage: `curio stages ${action} ID [--stage CODE] [--note TEXT]`, flags: { stage: { type: 'string' }, note: { type: 'string' } }, positionals: ['ID'] },
    async run(s, out, a) {
      const o = await orderRef(s, out, a.positionals[0]!);
      if (!o.ok) return o.exit;
      const stage = stringFlag(a.flags.stage);
      const note = stringFlag(a.flags.note);
      return submit(
        s,
        out,
        { type: 'stage.transition', orderId: o.value.id, action, baseVersion: o.value.version, ...(stage ? { stageCode: stage } : {}), ...(note ? { note } : {}) },
        {
          wait: !a.flags['no-wait'],
          done: async () => {
            const again = await orderRef(s, out, o.value.id);
            const status = again.ok ? again.value.status : o.value.status;
            return {
              text: `${o.value.displayId}: ${action} on stage ${stage ?? o.value.status} done; order is ${status}`,
              data: { order: o.value.displayId, action, stage: stage ?? o.value.status, status },
            };
          },
        },
      );
    },
  };
}

export const labflowsCommands: Record<string, CommandDef> = {
  list: {
    spec: { usage: 'curio labflows list [--scope system|org|project]', flags: { scope: { type: 'string', choices: ['system', 'org', 'project'] } }, positionals: [] },
    async run(s, out, a) {
      const rows = await listLabflows(s.db, stringFlag(a.flags.scope));
      if (out.json) out.data(toWire(rows));
      else out.out(table(['ID', 'CODE', 'VERSION', 'SCOPE', 'PUBLISHED', 'IMMUTABLE', 'STAGES'], rows.map((l) => [l.id, l.code, l.version, l.scope, l.published ? 'yes' : 'no', l.immutable ? 'yes' : 'no', l.stages.map((x) => x.code).join('→')])));
      return EXIT.ok;
    },
  },
  show: {
    spec: { usage: 'curio labflows show ID', positionals: ['ID'] },
    async run(s, out, a) {
      const l = await getLabflow(s.db, a.positionals[0]!);
      if (!l) return report(out, { code: 'not_found', message: `Not found: labflow ${a.positionals[0]}` });
      if (out.json) {
        out.data(toWire(l));
        return EXIT.ok;
      }
      out.out(`${l.id}: ${l.name} (code ${l.code}, version ${l.version}, ${l.scope}${l.published ? ', published' : ', draft'}${l.immutable ? ', immutable' : ''})`);
      out.out(table(['POS', 'STAGE', 'NAME', 'BV', 'BE', 'RV', 'RE', 'TERMINAL'], l.stages.map((st) => [st.position, st.code, st.name, st.browser_viewable ? 'y' : '-', st.browser_editable ? 'y' : '-', st.report_viewable ? 'y' : '-', st.report_editable ? 'y' : '-', st.terminal ? 'y' : '-'])));
      out.out('');
      out.out(table(['FROM', 'TO', 'LABEL', 'DEFAULT'], l.transitions.map((t) => [t.from, t.to, t.label, t.defaultForward ? 'yes' : ''])));
      return EXIT.ok;
    },
  },
  clone: {
    spec: { usage: 'curio labflows clone ID [--id NEW_ID] [--scope project|org]', flags: { id: { type: 'string' }, scope: { type: 'string', choices: ['project', 'org'] } }, positionals: ['ID'] },
    async run(s, out, a) {
      const newId = stringFlag(a.flags.id) ?? `${a.positionals[0]}-${s.project.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${Date.now().toString(36)}`;
      return submit(s, out, { type: 'labflow.clone', labflowId: a.positionals[0]!, newId, scope: (stringFlag(a.flags.scope) ?? 'project') as 'project' }, {
        wait: !a.flags['no-wait'],
        done: async () => {
          const l = await getLabflow(s.db, newId);
          return { text: `cloned ${a.positionals[0]} into ${newId} (version ${l?.version}, unpublished)`, data: toWire(l) };
        },
      });
    },
  },
  publish: {
    spec: { usage: 'curio labflows publish ID [--mutable]', flags: { mutable: { type: 'boolean' } }, positionals: ['ID'] },
    async run(s, out, a) {
      const id = a.positionals[0]!;
      return submit(s, out, { type: 'labflow.publish', labflowId: id, immutable: !a.flags.mutable }, {
        wait: !a.flags['no-wait'],
        done: async () => ({ text: `published ${id}${a.flags.mutable ? '' : ' (immutable)'}`, data: toWire(await getLabflow(s.db, id)) }),
      });
    },
  },
};

export const auditVerify: CommandDef = {
  spec: { usage: 'curio audit verify', positionals: [] },
  run: (s, out) => runAuditVerifyOn(s.db, out),
};
