// the relay process SIGKILLed at seeded random moments while clients push a burst of
// commands: whatever a client saw acknowledged is in the store after the restart, every
// command lands exactly once, the replicas converge and both hash chains verify

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandInput } from '../../src/core/index.ts';
import type { Sql } from '../../src/db/index.ts';
import {
  LONG,
  STORE_KINDS,
  caughtUp,
  createSyncFixture,
  openReplica,
  rng,
  seedFromEnv,
  sleep,
  snapshot,
  startRelayChild,
  storeTitle,
  waitUntil,
  type ChildRelay,
  type SyncFixture,
  type SyncUser,
  type TestReplica,
} from '../helpers/relay.ts';

const ROUNDS = LONG ? 10 : 2;
const KILLS = LONG ? 4 : 2;
const COMMANDS_PER_CLIENT = LONG ? 60 : 24;

/** each client works on its own orders, so every command is accepted whatever the interleaving */
function burst(user: SyncUser, n: number, r: ReturnType<typeof rng>): CommandInput[] {
  const out: CommandInput[] = [];
  const mine: { id: string; moved: boolean }[] = [];
  for (let i = 0; i < n; i++) {
    const o = mine.length ? r.pick(mine) : undefined;
    if (!o || r.chance(0.25)) {
      const id = randomUUID();
      mine.push({ id, moved: false });
      out.push({ type: 'order.create', orderId: id, fields: { displayId: `ORD-${user}-${randomUUID().slice(0, 8)}` } });
    } else if (user === 'admin' && !o.moved && r.chance(0.3)) {
      // only the admin may edit an order whose analyzing stage nobody is assigned to
      o.moved = true;
      out.push({ type: 'order.transition', orderId: o.id, to: 'analyzing' });
    } else {
      out.push({ type: 'order.update', orderId: o.id, patch: { description: `${user} ${i}` } });
    }
  }
  return out;
}

describe.each(STORE_KINDS)('the relay killed during a burst on $kind', (store) => {
  let fx: SyncFixture;
  beforeAll(async () => {
    if (!store.skip) fx = await createSyncFixture(store.kind, 'crash');
  });
  afterAll(async () => {
    await fx?.cleanup();
  });

  for (let round = 0; round < ROUNDS; round++) {
    it.skipIf(store.skip)(`${storeTitle(store)}: round ${round + 1}: acknowledged changes survive SIGKILL, each lands once, the chains verify`, async () => {
      const seed = seedFromEnv() + round;
      const r = rng(seed);
      const central = await fx.central();
      let relay: ChildRelay = await startRelayChild(central);
      const reps: TestReplica[] = [];
      try {
        for (const u of ['admin', 'editor'] as const) reps.push(await openReplica(fx, u, relay.url));
        const plans = reps.map((rep) => burst(rep.user, COMMANDS_PER_CLIENT, r));
        const acked: string[] = [];
        // the clients queue at their own pace while the relay dies under them
        const pushing = Promise.all(
          reps.map(async (rep, i) => {
          for (const command of plans[i]!) {
            const q = await rep.replica.queue(command);
            if (!q.success) throw new Error(`${rep.user}: ${q.error.message}`);
            void rep.replica.waitFor(q.data.mid, 120_000).then((res) => {
              if (res?.status === 'accepted') acked.push(res.mid);
            });
            await sleep(5 + r.int(40));
          }
          }),
        );
        pushing.catch(() => undefined);
        const seenBeforeKill: string[] = [];
        for (let k = 0; k < KILLS; k++) {
          // a seeded moment while the burst arrives or, once the clients are back, the backlog drains
          await waitUntil('the clients to reconnect', () => reps.every((rep) => rep.replica.connected), 30_000);
          await sleep((k === 0 ? 300 : 0) + r.int(1200));
          seenBeforeKill.push(...acked);
          await relay.kill();
          await sleep(r.int(300));
          relay = await startRelayChild(central, { port: relay.port });
        }
        await pushing;
        for (const rep of reps) await rep.sync(60_000);
        await relay.stop();

        const db = await central.open();
        try {
          const results = async (mid: string) => (await db.query<{ status: string }>('SELECT status FROM command_results WHERE mid = $1', [mid])).map((x) => x.status);
          const auditRows = async (mid: string) => Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log WHERE mid = $1', [mid]))[0]!.n);
          for (const mid of seenBeforeKill) expect({ mid, results: await results(mid) }).toEqual({ mid, results: ['accepted'] });
          for (const rep of reps) {
            const all = await rep.replica.pending();
            expect(all.map((p) => p.status).filter((s) => s !== 'accepted')).toEqual([]);
            expect(all).toHaveLength(COMMANDS_PER_CLIENT);
            for (const p of all) {
              expect({ mid: p.mid, results: await results(p.mid) }).toEqual({ mid: p.mid, results: ['accepted'] });
              expect({ mid: p.mid, audit: await auditRows(p.mid) }).toEqual({ mid: p.mid, audit: 1 });
            }
          }
          const truth = await snapshot(db as Sql, fx.projectId);
          for (const rep of reps) expect(await caughtUp(rep, db, fx.projectId)).toEqual(truth);
        } finally {
          await db.close();
        }
        const verify = await central.admin('audit', 'verify');
        expect(verify.code, `seed ${seed}: ${verify.stdout}${verify.stderr}`).toBe(0);
      } catch (err) {
        throw new Error(`seed ${seed} (CURIO_SEED=${seed - round} reproduces): ${(err as Error).message}\n${relay.stderr()}`, { cause: err });
      } finally {
        for (const rep of reps) await rep.close();
        await relay.stop();
      }
    });
  }
});
