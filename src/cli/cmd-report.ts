import { stringFlag } from './args.ts';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { can, isReportOpen, renderReport, SIGNATURE_MEANINGS, type Order, type Report, type ReportVariant } from '../core/index.ts';
import { orderReports, prepareReportDraft, sha256Hex, verifyReportHash } from '../db/index.ts';
import type { CommandDef } from './cmd-orders.ts';
import { ensureVariantCache, requireOrderCapability } from './cmd-variants.ts';
import { EXIT, report, type Session } from './context.ts';
import { table, toWire, type Output } from './output.ts';
import { orderRef, submit } from './session-helpers.ts';

function counts(vs: readonly ReportVariant[]) {
  return { reported: vs.filter((v) => !v.removed).length, removed: vs.filter((v) => v.removed).length };
}

function amendsVersionOf(all: readonly Report[], r: Report): number | null {
  return r.amendsReportId === null ? null : (all.find((x) => x.id === r.amendsReportId)?.version ?? null);
}

async function reportsOrExit(s: Session, out: Output, ref: string): Promise<{ ok: true; order: Order; reports: Report[] } | { ok: false; exit: number }> {
  const o = await orderRef(s, out, ref);
  if (!o.ok) return o;
  if (o.value.workflow !== 'clinical') return { ok: false, exit: report(out, { code: 'invalid_input', message: `order ${o.value.displayId} is a facility order; it has no reports` }) };
  return { ok: true, order: o.value, reports: await orderReports(s.db, o.value.id) };
}

function openReport(reports: readonly Report[]): Report | undefined {
  return reports.find((r) => isReportOpen(r.status));
}

function noOpen(out: Output, order: Order, reports: readonly Report[]): number {
  const signed = reports.some((r) => r.status === 'signed');
  return report(out, {
    code: 'not_found',
    message: `Not found: order ${order.displayId} has no open report (${signed ? `its report is signed; correct it with curio report amend ${order.displayId} --reason TEXT` : `draft one with curio report draft ${order.displayId}`})`,
  });
}

function reportLine(order: Order, r: Report): string {
  const c = counts(r.variants);
  return `report version ${r.version} of ${order.displayId} (${r.status}): ${c.reported} variant${c.reported === 1 ? '' : 's'} reported${c.removed ? `, ${c.removed} removed` : ''}`;
}

async function reread(s: Session, order: Order, reportId: string): Promise<Report | undefined> {
  return (await orderReports(s.db, order.id)).find((r) => r.id === reportId);
}

async function writePdf(file: string, text: string, footer: string | null): Promise<void> {
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({ size: 'A4', margin: 48, info: { Title: text.split('\n')[0] ?? 'Clinical report', Producer: 'Curio' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  // the signed text, line for line: the PDF shows exactly what the signature covers
  doc.font('Courier').fontSize(8.5).text(text, { lineGap: 1 });
  if (footer) doc.moveDown().font('Helvetica').fontSize(7).fillColor('#444444').text(footer);
  doc.end();
  await done;
  writeFileSync(file, Buffer.concat(chunks));
}

async function removeOrRestore(s: Session, out: Output, a: Parameters<CommandDef['run']>[2], removed: boolean): Promise<number> {
  const r = await reportsOrExit(s, out, a.positionals[0]!);
  if (!r.ok) return r.exit;
  const open = openReport(r.reports);
  if (!open) return noOpen(out, r.order, r.reports);
  const id = a.positionals[1]!;
  const entry = open.variants.find((v) => v.variantId === id);
  if (!entry) return report(out, { code: 'not_found', message: `Not found: variant ${id} is not in report version ${open.version} of ${r.order.displayId}` });
  if (entry.removed === removed) {
    out.out(`variant ${id} is already ${removed ? 'removed from' : 'in'} report version ${open.version}`);
    return EXIT.ok;
  }
  const reason = stringFlag(a.flags.reason);
  const variants = open.variants.map((v) =>
    v.variantId === id ? { ...v, removed, reason: removed ? `removed by curator${reason ? `: ${reason}` : ''}` : `restored by curator${reason ? `: ${reason}` : ''}` } : v,
  );
  return submit(s, out, { type: 'report.setVariants', orderId: r.order.id, reportId: open.id, variants, baseVersion: open.rowVersion }, {
    wait: !a.flags['no-wait'],
    done: async () => {
      const again = await reread(s, r.order, open.id);
      return { text: `${removed ? 'removed' : 'restored'} ${id}; ${again ? reportLine(r.order, again) : ''}`, data: toWire(again ?? {}) };
    },
  });
}

export const reportCommands: Record<string, CommandDef> = {
  draft: {
    spec: {
      usage: 'curio report draft ORDER_ID [--summary TEXT]   (again: refreshes the open draft; removed variants stay removed)',
      flags: { summary: { type: 'string', value: 'TEXT' } },
      positionals: ['ORDER_ID'],
    },
    async run(s, out, a) {
      const r = await reportsOrExit(s, out, a.positionals[0]!);
      if (!r.ok) return r.exit;
      const { order, reports } = r;
      await ensureVariantCache(s.db);
      const summary = stringFlag(a.flags.summary);
      const draft = await prepareReportDraft(s.db, order, reports, summary !== undefined ? { summary } : {});
      if (!draft.success) return report(out, draft.error);
      const { open, reportId } = draft.data;
      if (!draft.data.cached) out.err(`note: order ${order.displayId} has no ingested VCF; the draft admits no variants (curio vcf ingest ${order.displayId} FILE)`);
      const known = new Set((open?.variants ?? []).map((v) => v.variantId));
      return submit(s, out, draft.data.command, {
        wait: !a.flags['no-wait'],
        done: async () => {
          const again = await reread(s, order, reportId);
          if (!again) return { text: `drafted a report for ${order.displayId}`, data: { report_id: reportId } };
          const added = again.variants.filter((v) => !known.has(v.variantId)).length;
          const change = open ? `; ${added} newly admitted` : '';
          return { text: `${open ? 'refreshed' : 'drafted'} ${reportLine(order, again)}${change}`, data: toWire(again) };
        },
      });
    },
  },

  submit: {
    spec: { usage: 'curio report submit ORDER_ID', positionals: ['ORDER_ID'] },
    async run(s, out, a) {
      const r = await reportsOrExit(s, out, a.positionals[0]!);
      if (!r.ok) return r.exit;
      const open = openReport(r.reports);
      if (!open) return noOpen(out, r.order, r.reports);
      return submit(s, out, { type: 'report.submit', orderId: r.order.id, reportId: open.id, baseVersion: open.rowVersion }, {
        wait: !a.flags['no-wait'],
        done: async () => {
          const again = await reread(s, r.order, open.id);
          return { text: `submitted ${again ? reportLine(r.order, again) : `report version ${open.version}`} for review`, data: toWire(again ?? {}) };
        },
      });
    },
  },

  sign: {
    spec: {
      usage: `curio report sign ORDER_ID --meaning ${SIGNATURE_MEANINGS.join('|')} [--yes]`,
      flags: { meaning: { type: 'string', choices: SIGNATURE_MEANINGS }, yes: { type: 'boolean', short: 'y' } },
      positionals: ['ORDER_ID'],
    },
    async run(s, out, a, io) {
      const meaning = stringFlag(a.flags.meaning) as (typeof SIGNATURE_MEANINGS)[number] | undefined;
      if (!meaning) return report(out, { code: 'invalid_input', message: `missing --meaning (${SIGNATURE_MEANINGS.join(', ')}): say what your signature means` });
      const r = await reportsOrExit(s, out, a.positionals[0]!);
      if (!r.ok) return r.exit;
      const open = openReport(r.reports);
      if (!open) return noOpen(out, r.order, r.reports);
      if (!a.flags.yes) {
        if (!io.isTTY) return report(out, { code: 'invalid_input', message: `signing report version ${open.version} of ${r.order.displayId} needs confirmation: pass --yes` });
        const c = counts(open.variants);
        const question =
          `Sign report version ${open.version} of ${r.order.displayId} (${c.reported} variants) as ${s.user.displayName}, meaning "${meaning}"?\n` +
          `${open.amendsReportId === null ? `The order moves ${r.order.status} → completed. ` : ''}A signed report never changes. [y/N] `;
        if (!(await io.confirm(question))) {
          out.err('not signed');
          return EXIT.refused;
        }
      }
      return submit(s, out, { type: 'report.approveAndSign', orderId: r.order.id, reportId: open.id, meaning, baseVersion: open.rowVersion }, {
        wait: !a.flags['no-wait'],
        done: async () => {
          const again = await reread(s, r.order, open.id);
          const o = await orderRef(s, out, r.order.id);
          const sig = again?.signature;
          const text = sig
            ? `signed report version ${open.version} of ${r.order.displayId} as ${sig.signerName} (${sig.meaning}) at ${sig.signedAt}\nsha256 ${sig.sha256}${o.ok && o.value.status !== r.order.status ? `\norder ${r.order.displayId}: ${r.order.status} → ${o.value.status}` : ''}`
            : `signed report version ${open.version} of ${r.order.displayId}`;
          return { text, data: toWire({ ...(again ?? {}), orderStatus: o.ok ? o.value.status : null }) };
        },
      });
    },
  },

  amend: {
    spec: { usage: 'curio report amend ORDER_ID --reason TEXT', flags: { reason: { type: 'string', value: 'TEXT' } }, positionals: ['ORDER_ID'] },
    async run(s, out, a) {
      const reason = stringFlag(a.flags.reason)?.trim();
      if (!reason) return report(out, { code: 'invalid_input', message: 'missing --reason TEXT: an amendment says why' });
      const r = await reportsOrExit(s, out, a.positionals[0]!);
      if (!r.ok) return r.exit;
      const latest = [...r.reports].reverse().find((x) => x.status === 'signed');
      if (!latest) return report(out, { code: 'not_found', message: `Not found: order ${r.order.displayId} has no signed report to amend` });
      const reportId = randomUUID();
      return submit(s, out, { type: 'report.amend', orderId: r.order.id, reportId, amendsReportId: latest.id, reason }, {
        wait: !a.flags['no-wait'],
        done: async () => {
          const again = await reread(s, r.order, reportId);
          return {
            text: `drafted ${again ? reportLine(r.order, again) : 'an amendment'}, amending version ${latest.version}; version ${latest.version} stays as signed`,
            data: toWire(again ?? {}),
          };
        },
      });
    },
  },

  remove: {
    spec: { usage: 'curio report remove ORDER_ID VARIANT_ID [--reason TEXT]', flags: { reason: { type: 'string' } }, positionals: ['ORDER_ID', 'VARIANT_ID'] },
    run: (s, out, a) => removeOrRestore(s, out, a, true),
  },

  restore: {
    spec: { usage: 'curio report restore ORDER_ID VARIANT_ID [--reason TEXT]', flags: { reason: { type: 'string' } }, positionals: ['ORDER_ID', 'VARIANT_ID'] },
    run: (s, out, a) => removeOrRestore(s, out, a, false),
  },

  list: {
    spec: { usage: 'curio report list ORDER_ID', positionals: ['ORDER_ID'] },
    async run(s, out, a) {
      const r = await reportsOrExit(s, out, a.positionals[0]!);
      if (!r.ok) return r.exit;
      if (out.json) {
        out.data(r.reports.map((x) => toWire({ ...x, variants: undefined, renderedText: undefined, ...counts(x.variants), amendsVersion: amendsVersionOf(r.reports, x) })));
        return EXIT.ok;
      }
      if (r.reports.length === 0) {
        out.out(`order ${r.order.displayId} has no reports`);
        return EXIT.ok;
      }
      out.out(
        table(
          ['VERSION', 'STATUS', 'REPORTED', 'REMOVED', 'AMENDS', 'SIGNED_BY', 'SIGNED_AT', 'MEANING'],
          r.reports.map((x) => {
            const c = counts(x.variants);
            return [x.version, x.status, c.reported, c.removed, amendsVersionOf(r.reports, x), x.signature?.signerName, x.signature?.signedAt, x.signature?.meaning];
          }),
        ),
      );
      return EXIT.ok;
    },
  },

  show: {
    spec: {
      usage: 'curio report show ORDER_ID [--version N] [--format text|md|pdf] [-o FILE]',
      flags: { version: { type: 'number', value: 'N' }, format: { type: 'string', choices: ['text', 'md', 'pdf'] }, output: { type: 'string', short: 'o', value: 'FILE' } },
      positionals: ['ORDER_ID'],
    },
    async run(s, out, a) {
      const r = await reportsOrExit(s, out, a.positionals[0]!);
      if (!r.ok) return r.exit;
      const { order, reports } = r;
      const want = a.flags.version as number | undefined;
      const chosen = want === undefined ? reports[reports.length - 1] : reports.find((x) => x.version === want);
      if (!chosen)
        return report(out, { code: 'not_found', message: want === undefined ? `Not found: order ${order.displayId} has no reports` : `Not found: report version ${want} of ${order.displayId}` });
      // a signed report is the record: anyone who reads the order reads it; a draft follows the stage
      if (chosen.status !== 'signed' && !can(s.actor, 'orders:write_any')) {
        const allowed = await requireOrderCapability(s, order, 'report_viewable', `viewing the unsigned report of order ${order.displayId}`);
        if (!allowed.success) return report(out, allowed.error);
      }
      const format = (stringFlag(a.flags.format) ?? 'text') as 'text' | 'md' | 'pdf';
      const file = stringFlag(a.flags.output);
      if (format === 'pdf' && !file) return report(out, { code: 'invalid_input', message: '--format pdf writes a file: give -o FILE' });
      const amendsVersion = amendsVersionOf(reports, chosen);
      const signedText = chosen.status === 'signed' ? chosen.renderedText : null;
      const verified = chosen.status === 'signed' ? verifyReportHash(chosen) : null;
      const hashLine = chosen.signature
        ? `SHA-256 of the signed text: ${chosen.signature.sha256} (${verified ? 'matches the stored text' : `DOES NOT MATCH the stored text (${sha256Hex(chosen.renderedText ?? '')})`})`
        : null;
      if (out.json && !file) {
        out.data(toWire({ ...chosen, amendsVersion, hashVerified: verified }));
        return chosen.status === 'signed' && !verified ? EXIT.failure : EXIT.ok;
      }
      const text =
        format === 'md'
          ? renderReport(chosen, order, chosen.signature, { format: 'md', amendsVersion }) + (hashLine ? `\n${hashLine}\n` : '')
          : (signedText ?? renderReport(chosen, order, null, { format: 'text', amendsVersion }));
      if (file) {
        try {
          if (format === 'pdf') await writePdf(file, signedText ?? text, hashLine);
          else writeFileSync(file, text);
        } catch (err) {
          return report(out, { code: 'invalid_input', message: `-o ${file}: ${(err as Error).message}` });
        }
        if (out.json) out.data({ file, format, version: chosen.version, status: chosen.status, hash_verified: verified });
        else out.out(`wrote report version ${chosen.version} of ${order.displayId} (${chosen.status}, ${format}) to ${file}`);
      } else {
        // stdout is exactly the signed text, so it can be hashed and compared
        out.out(text);
        if (hashLine && format === 'text') out.err(hashLine);
      }
      if (chosen.status === 'signed' && !verified) {
        out.err(`report version ${chosen.version} of ${order.displayId}: the stored text no longer matches its signature`);
        return EXIT.failure;
      }
      return EXIT.ok;
    },
  },
};
