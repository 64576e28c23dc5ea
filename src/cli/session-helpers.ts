import { canSeeOrder, type CommandInput, type Order, type Rejection } from '../core/index.ts';
import { findOrder, findSample, findUser } from '../db/index.ts';
import { EXIT, report, type Session } from './context.ts';
import type { Output } from './output.ts';

export type Found<T> = { ok: true; value: T } | { ok: false; exit: number };

export async function orderRef(s: Session, out: Output, ref: string): Promise<Found<Order>> {
  const order = await findOrder(s.db, s.project.id, ref);
  // orders the user may not see do not exist for them
  if (!order || !canSeeOrder(s.actor, order, s.project.settings)) return { ok: false, exit: report(out, { code: 'not_found', message: `Not found: order ${ref}` }) };
  return { ok: true, value: order };
}

export async function sampleRef(s: Session, out: Output, ref: string) {
  const sample = await findSample(s.db, s.project.id, ref);
  if (!sample) return { ok: false as const, exit: report(out, { code: 'not_found', message: `Not found: sample ${ref}` }) };
  return { ok: true as const, value: sample };
}

export async function userRef(s: Session, out: Output, name: string) {
  if (name === 'me') return { ok: true as const, value: s.user };
  const user = await findUser(s.db, name);
  if (!user) return { ok: false as const, exit: report(out, { code: 'not_found', message: `Not found: user ${name}` }) };
  return { ok: true as const, value: user };
}

/** sends a command; prints what happened; returns the exit code */
export async function submit(
  s: Session,
  out: Output,
  command: CommandInput,
  opts: { wait?: boolean; done: () => Promise<{ text: string; data: unknown }> },
): Promise<number> {
  const outcome = await s.gateway.submit(command, opts.wait === undefined ? {} : { wait: opts.wait });
  if (outcome.status === 'queued') {
    if (out.json) out.data({ queued: true, mid: outcome.mid, reason: outcome.reason });
    else out.out(`queued ${outcome.mid} (${outcome.reason}): the change is saved locally and will be sent when the relay is reachable`);
    return EXIT.ok;
  }
  if (outcome.status === 'refused') return report(out, outcome.rejection);
  if (outcome.status === 'rejected') {
    const r = outcome.result;
    const rejection: Rejection = { code: r.code ?? 'conflict', message: r.message ?? 'rejected' };
    if (r.current) rejection.current = r.current;
    return report(out, rejection);
  }
  const done = await opts.done();
  if (out.json) out.data(done.data);
  else out.out(done.text);
  return EXIT.ok;
}
