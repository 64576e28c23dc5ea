// reports, curations and analyses in the store: rows in and out, sealing a signature,
// and the reads the CLI needs
import { createHash } from 'node:crypto';
import {
  UUID_RE,
  renderReport,
  type Analysis,
  type Curation,
  type Order,
  type Report,
  type ReportVariant,
  type Signature,
  type UnsealedSignature,
} from '../core/index.ts';
import { iso } from './rows.ts';
import type { Sql, SqlParam } from './sql.ts';

type Row = Record<string, unknown>;

function str(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

function json<T>(v: unknown, fallback: T): T {
  if (v === null || v === undefined) return fallback;
  if (typeof v === 'string') return JSON.parse(v) as T;
  return v as T;
}

// --- rows read back (a trust boundary: column by column) -----------------------------------

export function toReport(r: Row): Report {
  return {
    id: String(r.id),
    orderId: String(r.order_id),
    version: Number(r.version),
    status: r.status as Report['status'],
    amendsReportId: str(r.amends_report_id),
    amendReason: str(r.amend_reason),
    variants: json<ReportVariant[]>(r.variants, []),
    summary: str(r.summary),
    signature: json<Signature | null>(r.signature, null),
    renderedText: str(r.rendered_text),
    createdBy: String(r.created_by),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    rowVersion: Number(r.row_version),
  };
}

export function toCuration(r: Row): Curation {
  return {
    orderId: String(r.order_id),
    variantId: String(r.variant_id),
    tierOverride: (str(r.tier_override) as Curation['tierOverride']) ?? null,
    acmgClass: (str(r.acmg_class) as Curation['acmgClass']) ?? null,
    reportable: r.reportable === null || r.reportable === undefined ? null : Boolean(r.reportable),
    note: str(r.note),
    curatedBy: String(r.curated_by),
    curatedAt: iso(r.curated_at),
    version: Number(r.version),
  };
}

export function toAnalysis(r: Row): Analysis {
  return {
    id: String(r.id),
    projectId: String(r.project_id),
    displayId: String(r.display_id),
    orderId: str(r.order_id),
    status: r.status as Analysis['status'],
    pipeline: String(r.pipeline),
    inputs: json<Record<string, unknown>>(r.inputs, {}),
    outputs: json<Record<string, unknown>>(r.outputs, {}),
    metrics: json<Record<string, unknown>>(r.metrics, {}),
    logsUrl: str(r.logs_url),
    sampleIds: ((r.sample_ids as string[] | null) ?? []).map(String),
    createdBy: String(r.created_by),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    version: Number(r.version),
  };
}

// --- signing ----------------------------------------------------------------------------

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** renders the report as signed and seals the signature with the SHA-256 of that exact text */
export function sealReport(
  report: Report,
  order: Order,
  signature: UnsealedSignature,
  amendsVersion: number | null,
): { renderedText: string; signature: Signature } {
  const renderedText = renderReport(report, order, signature, { format: 'text', amendsVersion });
  return { renderedText, signature: { ...signature, sha256: sha256Hex(renderedText) } };
}

/** a signed report's stored text still hashes to its signature */
export function verifyReportHash(report: Pick<Report, 'renderedText' | 'signature'>): boolean {
  return report.renderedText !== null && report.signature !== null && sha256Hex(report.renderedText) === report.signature.sha256;
}

// --- writes -------------------------------------------------------------------------------

export async function insertReport(tx: Sql, r: Report): Promise<void> {
  await tx.query(
    `INSERT INTO reports (id, order_id, version, status, amends_report_id, amend_reason, variants, summary, signature, rendered_text,
       created_by, created_at, updated_at, row_version)
     VALUES ($1,$2,$3,$4,$5,$6,$7::jsonb,$8,$9::jsonb,$10,$11,$12,$13,$14)`,
    [
      r.id, r.orderId, r.version, r.status, r.amendsReportId, r.amendReason, JSON.stringify(r.variants), r.summary,
      r.signature === null ? null : JSON.stringify(r.signature), r.renderedText, r.createdBy, r.createdAt, r.updatedAt, r.rowVersion,
    ],
  );
}

export async function updateReport(
  tx: Sql,
  reportId: string,
  patch: Partial<Pick<Report, 'variants' | 'summary' | 'status'>>,
  rowVersion: number,
  updatedAt: string,
): Promise<void> {
  const sets = ['row_version = $2', 'updated_at = $3'];
  const values: SqlParam[] = [reportId, rowVersion, updatedAt];
  if (patch.variants !== undefined) {
    values.push(JSON.stringify(patch.variants));
    sets.push(`variants = $${values.length}::jsonb`);
  }
  if (patch.summary !== undefined) {
    values.push(patch.summary);
    sets.push(`summary = $${values.length}`);
  }
  if (patch.status !== undefined) {
    values.push(patch.status);
    sets.push(`status = $${values.length}`);
  }
  // signed reports never change (DESIGN.md §1): the WHERE clause keeps them out of reach
  const rows = await tx.query(`UPDATE reports SET ${sets.join(', ')} WHERE id = $1 AND status <> 'signed' RETURNING id`, values);
  if (rows.length !== 1) throw new Error(`report ${reportId} is missing or signed; it cannot be updated`);
}

/** the signing write: renders, hashes and stores text and signature in one statement */
export async function signReport(tx: Sql, report: Report, order: Order, signature: UnsealedSignature, amendsVersion: number | null): Promise<void> {
  const sealed = sealReport(report, order, signature, amendsVersion);
  const rows = await tx.query(
    `UPDATE reports SET status = 'signed', signature = $2::jsonb, rendered_text = $3, row_version = $4, updated_at = $5
      WHERE id = $1 AND status IN ('pending_review', 'approved') RETURNING id`,
    [report.id, JSON.stringify(sealed.signature), sealed.renderedText, report.rowVersion, report.updatedAt],
  );
  if (rows.length !== 1) throw new Error(`report ${report.id} is not awaiting a signature`);
}

export async function upsertCuration(tx: Sql, c: Curation): Promise<void> {
  await tx.query(
    `INSERT INTO curations (order_id, variant_id, tier_override, acmg_class, reportable, note, curated_by, curated_at, version)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)
     ON CONFLICT (order_id, variant_id) DO UPDATE SET tier_override = EXCLUDED.tier_override, acmg_class = EXCLUDED.acmg_class,
       reportable = EXCLUDED.reportable, note = EXCLUDED.note, curated_by = EXCLUDED.curated_by, curated_at = EXCLUDED.curated_at,
       version = EXCLUDED.version`,
    [c.orderId, c.variantId, c.tierOverride, c.acmgClass, c.reportable, c.note, c.curatedBy, c.curatedAt, c.version],
  );
}

/** an analysis row; `orderId` is kept only when the order is there (a replica may get it later) */
export async function upsertAnalysis(tx: Sql, a: Analysis): Promise<void> {
  await tx.query(
    `INSERT INTO analyses (id, project_id, display_id, order_id, status, pipeline, inputs, outputs, metrics, logs_url, sample_ids,
       created_by, created_at, updated_at, version)
     VALUES ($1,$2,$3,(SELECT id FROM orders WHERE id = $4::uuid),$5,$6,$7::jsonb,$8::jsonb,$9::jsonb,$10,$11::uuid[],$12,$13,$14,$15)
     ON CONFLICT (id) DO UPDATE SET display_id = EXCLUDED.display_id, order_id = EXCLUDED.order_id, status = EXCLUDED.status,
       pipeline = EXCLUDED.pipeline, inputs = EXCLUDED.inputs, outputs = EXCLUDED.outputs, metrics = EXCLUDED.metrics,
       logs_url = EXCLUDED.logs_url, sample_ids = EXCLUDED.sample_ids, updated_at = EXCLUDED.updated_at, version = EXCLUDED.version`,
    [
      a.id, a.projectId, a.displayId, a.orderId, a.status, a.pipeline, JSON.stringify(a.inputs), JSON.stringify(a.outputs),
      JSON.stringify(a.metrics), a.logsUrl, a.sampleIds, a.createdBy, a.createdAt, a.updatedAt, a.version,
    ],
  );
}

export async function updateAnalysis(tx: Sql, analysisId: string, patch: Partial<Analysis>, version: number, updatedAt: string): Promise<void> {
  const cols: Record<string, [string, (v: unknown) => SqlParam, string]> = {
    status: ['status', (v) => v as string, ''],
    orderId: ['order_id', (v) => v as string | null, '::uuid'],
    outputs: ['outputs', (v) => JSON.stringify(v ?? {}), '::jsonb'],
    metrics: ['metrics', (v) => JSON.stringify(v ?? {}), '::jsonb'],
    logsUrl: ['logs_url', (v) => v as string | null, ''],
  };
  const sets = ['version = $2', 'updated_at = $3'];
  const values: SqlParam[] = [analysisId, version, updatedAt];
  for (const [k, v] of Object.entries(patch)) {
    const col = cols[k];
    if (!col || v === undefined) continue;
    values.push(col[1](v));
    sets.push(`${col[0]} = $${values.length}${col[2]}`);
  }
  await tx.query(`UPDATE analyses SET ${sets.join(', ')} WHERE id = $1`, values);
}

// --- reads ------------------------------------------------------------------------------

/** every report of an order, oldest version first */
export async function orderReports(db: Sql, orderId: string): Promise<Report[]> {
  return (await db.query<Row>('SELECT * FROM reports WHERE order_id = $1 ORDER BY version', [orderId])).map(toReport);
}

export async function orderCurations(db: Sql, orderId: string): Promise<Curation[]> {
  return (await db.query<Row>('SELECT * FROM curations WHERE order_id = $1 ORDER BY variant_id', [orderId])).map(toCuration);
}

/** the curations of some variants of an order, by variant id */
export async function curationsOf(db: Sql, orderId: string, variantIds: readonly string[]): Promise<Map<string, Curation>> {
  if (variantIds.length === 0) return new Map();
  const rows = await db.query<Row>('SELECT * FROM curations WHERE order_id = $1 AND variant_id = ANY($2::text[])', [orderId, [...variantIds]]);
  return new Map(rows.map((r) => [String(r.variant_id), toCuration(r)]));
}

export async function getCuration(db: Sql, orderId: string, variantId: string): Promise<Curation | null> {
  const r = (await db.query<Row>('SELECT * FROM curations WHERE order_id = $1 AND variant_id = $2', [orderId, variantId]))[0];
  return r ? toCuration(r) : null;
}

export async function readAnalysis(db: Sql, id: string): Promise<Analysis | null> {
  const r = (await db.query<Row>('SELECT * FROM analyses WHERE id = $1', [id]))[0];
  return r ? toAnalysis(r) : null;
}


/** an analysis by display id or uuid */
export async function findAnalysis(db: Sql, projectId: string, ref: string): Promise<Analysis | null> {
  const rows = UUID_RE.test(ref)
    ? await db.query<Row>('SELECT * FROM analyses WHERE project_id = $1 AND id = $2', [projectId, ref])
    : await db.query<Row>('SELECT * FROM analyses WHERE project_id = $1 AND display_id = $2', [projectId, ref]);
  return rows[0] ? toAnalysis(rows[0]) : null;
}

export interface AnalysisFilter {
  status?: string;
  orderId?: string;
  limit?: number;
}

/** a project's analyses, newest first */
export async function listAnalyses(db: Sql, projectId: string, f: AnalysisFilter = {}): Promise<Analysis[]> {
  const where = ['project_id = $1'];
  const values: SqlParam[] = [projectId];
  if (f.status) {
    values.push(f.status);
    where.push(`status = $${values.length}`);
  }
  if (f.orderId) {
    values.push(f.orderId);
    where.push(`order_id = $${values.length}`);
  }
  const limit = f.limit && f.limit > 0 ? ` LIMIT ${Math.floor(f.limit)}` : '';
  return (await db.query<Row>(`SELECT * FROM analyses WHERE ${where.join(' AND ')} ORDER BY created_at DESC, display_id${limit}`, values)).map(toAnalysis);
}
