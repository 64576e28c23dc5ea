import { createHash } from 'node:crypto';
import { canonicalize, type AuditEntry, type TransitionRecord } from '../core/index.ts';
import { iso } from './rows.ts';
import { insertRows, type Sql, type SqlParam } from './sql.ts';

// two append-only hash chains: the audit log and the stage transition history

export type ChainName = 'audit' | 'transitions';

export function chainHash(prevHash: string, content: unknown): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalize(content)).digest('hex');
}

export interface ChainHead {
  seq: number;
  hash: string;
}

/** locks the chain head for this transaction (serialises appenders) and returns it */
async function lockHead(tx: Sql, chain: ChainName): Promise<ChainHead> {
  const rows = await tx.query<{ seq: number; hash: string }>('SELECT seq, hash FROM chain_heads WHERE chain = $1 FOR UPDATE', [chain]);
  const head = rows[0];
  if (!head) throw new Error(`chain head ${chain} is missing`);
  return { seq: Number(head.seq), hash: head.hash };
}

async function setHead(tx: Sql, chain: ChainName, seq: number, hash: string): Promise<void> {
  await tx.query('UPDATE chain_heads SET seq = $2, hash = $3 WHERE chain = $1', [chain, seq, hash]);
}

function jsonValue(v: unknown): unknown {
  // what jsonb will give back: plain JSON
  return v === undefined || v === null ? null : JSON.parse(JSON.stringify(v));
}

export interface AuditInput extends AuditEntry {
  projectId: string | null;
  actorId: string | null;
  at: string;
  mid: string | null;
}

function auditContent(seq: number, a: AuditInput) {
  return {
    seq,
    projectId: a.projectId,
    at: a.at,
    actorId: a.actorId,
    action: a.action,
    entityType: a.entityType,
    entityId: a.entityId,
    before: jsonValue(a.before),
    after: jsonValue(a.after),
    reason: a.reason,
    mid: a.mid,
  };
}

export const AUDIT_COLUMNS = ['seq', 'project_id', 'at', 'actor_id', 'action', 'entity_type', 'entity_id', 'before::jsonb', 'after::jsonb', 'reason', 'mid', 'prev_hash', 'hash'];

/** the audit_log rows (AUDIT_COLUMNS) that append these entries after `head`, and the new head */
export function auditRows(head: ChainHead, entries: readonly AuditInput[]): { rows: SqlParam[][]; head: ChainHead } {
  let { seq, hash } = head;
  const rows: SqlParam[][] = [];
  for (const a of entries) {
    seq += 1;
    const content = auditContent(seq, a);
    const next = chainHash(hash, content);
    rows.push([
      seq, a.projectId, a.at, a.actorId, a.action, a.entityType, a.entityId,
      JSON.stringify(content.before), JSON.stringify(content.after), a.reason, a.mid, hash, next,
    ]);
    hash = next;
  }
  return { rows, head: { seq, hash } };
}

/** appends audit entries in order: one head lock and one multi-row INSERT per call */
export async function appendAudit(tx: Sql, entries: readonly AuditInput[]): Promise<void> {
  if (entries.length === 0) return;
  const { rows, head } = auditRows(await lockHead(tx, 'audit'), entries);
  await insertRows(tx, 'audit_log', AUDIT_COLUMNS, rows);
  await setHead(tx, 'audit', head.seq, head.hash);
}

function transitionContent(seq: number, projectId: string, r: TransitionRecord) {
  return {
    seq,
    projectId,
    orderId: r.orderId,
    fromStage: r.fromStage,
    toStage: r.toStage,
    fromState: r.fromState,
    toState: r.toState,
    transitionId: r.transitionId,
    transitionedBy: r.transitionedBy,
    transitionedAt: r.transitionedAt,
    notes: r.notes,
    tags: r.tags,
    properties: jsonValue(r.properties) ?? {},
  };
}

export const TRANSITION_COLUMNS = [
  'seq', 'project_id', 'order_id', 'from_stage', 'to_stage', 'from_state', 'to_state', 'transition_id',
  'transitioned_by', 'transitioned_at', 'notes', 'tags', 'properties::jsonb', 'prev_hash', 'hash',
];

/** the stage_transitions rows (TRANSITION_COLUMNS) that append these records after `head`, and the new head */
export function transitionRows(head: ChainHead, projectId: string, records: readonly TransitionRecord[]): { rows: SqlParam[][]; head: ChainHead } {
  let { seq, hash } = head;
  const rows: SqlParam[][] = [];
  for (const r of records) {
    seq += 1;
    const content = transitionContent(seq, projectId, r);
    const next = chainHash(hash, content);
    rows.push([
      seq, projectId, r.orderId, r.fromStage, r.toStage, r.fromState, r.toState, r.transitionId,
      r.transitionedBy, r.transitionedAt, r.notes, r.tags, JSON.stringify(content.properties), hash, next,
    ]);
    hash = next;
  }
  return { rows, head: { seq, hash } };
}

/** appends stage transitions in order: one head lock and one multi-row INSERT per call */
export async function appendTransitions(tx: Sql, projectId: string, records: readonly TransitionRecord[]): Promise<void> {
  if (records.length === 0) return;
  const { rows, head } = transitionRows(await lockHead(tx, 'transitions'), projectId, records);
  await insertRows(tx, 'stage_transitions', TRANSITION_COLUMNS, rows);
  await setHead(tx, 'transitions', head.seq, head.hash);
}

export interface ChainProblem {
  chain: ChainName;
  seq: number;
  reason: string;
}

export interface ChainReport {
  chain: ChainName;
  rows: number;
  problem: ChainProblem | null;
}

type Row = Record<string, unknown>;

function contentOf(chain: ChainName, r: Row): unknown {
  const seq = Number(r.seq);
  if (chain === 'audit')
    return auditContent(seq, {
      projectId: (r.project_id as string | null) ?? null,
      at: iso(r.at),
      actorId: (r.actor_id as string | null) ?? null,
      action: String(r.action),
      entityType: r.entity_type as AuditEntry['entityType'],
      entityId: String(r.entity_id),
      before: r.before,
      after: r.after,
      reason: (r.reason as string | null) ?? null,
      mid: (r.mid as string | null) ?? null,
    });
  return transitionContent(seq, String(r.project_id), {
    orderId: String(r.order_id),
    fromStage: (r.from_stage as string | null) ?? null,
    toStage: String(r.to_stage),
    fromState: (r.from_state as TransitionRecord['fromState']) ?? null,
    toState: r.to_state as TransitionRecord['toState'],
    transitionId: (r.transition_id as string | null) ?? null,
    transitionedBy: String(r.transitioned_by),
    transitionedAt: iso(r.transitioned_at),
    notes: (r.notes as string | null) ?? null,
    tags: (r.tags as string[]) ?? [],
    properties: (r.properties as Record<string, unknown>) ?? {},
  });
}

/** walks one chain in order; names the first row that does not verify */
export async function verifyChain(sql: Sql, chain: ChainName): Promise<ChainReport> {
  const table = chain === 'audit' ? 'audit_log' : 'stage_transitions';
  let prev = 'genesis';
  let expected = 1;
  let rows = 0;
  const batch = 5000;
  for (;;) {
    const page = await sql.query<Row>(`SELECT * FROM ${table} WHERE seq >= $1 ORDER BY seq LIMIT ${batch}`, [expected]);
    for (const r of page) {
      const seq = Number(r.seq);
      if (seq !== expected) return { chain, rows, problem: { chain, seq: expected, reason: `row ${expected} is missing (next row is ${seq})` } };
      if (r.prev_hash !== prev) return { chain, rows, problem: { chain, seq, reason: 'prev_hash does not match the previous row' } };
      const h = chainHash(prev, contentOf(chain, r));
      if (h !== r.hash) return { chain, rows, problem: { chain, seq, reason: 'content does not match its hash (row was altered)' } };
      prev = h;
      expected += 1;
      rows += 1;
    }
    if (page.length < batch) break;
  }
  const head = (await sql.query<{ seq: number; hash: string }>('SELECT seq, hash FROM chain_heads WHERE chain = $1', [chain]))[0];
  if (!head) return { chain, rows, problem: { chain, seq: 0, reason: 'chain head is missing' } };
  if (Number(head.seq) !== rows || head.hash !== prev)
    return {
      chain,
      rows,
      problem: { chain, seq: Number(head.seq), reason: `chain ends at row ${rows} but its head records row ${head.seq} (rows were removed)` },
    };
  return { chain, rows, problem: null };
}
