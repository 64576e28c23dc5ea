import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandInput } from '../core/index.ts';
import { addUser, findUser, initStore, openPglite, processCommand, type SqlDatabase } from '../db/index.ts';

// a demo project a new user can explore: users with each role, orders across every
// status of both workflows, served by an embedded relay

export interface DemoTokens {
  projectId: string;
  users: Record<string, { id: string; token: string; role: string }>;
}

export const DEMO_USERS = [
  { name: 'ada', role: 'project_admin', displayName: 'Ada Admin' },
  { name: 'cora', role: 'project_editor', displayName: 'Cora Curator' },
  { name: 'eli', role: 'project_editor', displayName: 'Eli Editor' },
  { name: 'vik', role: 'project_viewer', displayName: 'Vik Viewer' },
  { name: 'rhea', role: 'researcher', displayName: 'Rhea Researcher', department: 'oncology' },
  { name: 'fran', role: 'facility_admin', displayName: 'Fran Facility' },
] as const;

const INDICATIONS = [
  'Suspected hereditary breast and ovarian cancer',
  'Acute myeloid leukaemia, FLT3 status',
  'Lynch syndrome screening',
  'Developmental delay, trio exome',
  'Non-small cell lung cancer, EGFR/ALK',
  'Cardiomyopathy panel',
  'Colorectal cancer, KRAS/NRAS/BRAF',
];

/** a tiny deterministic generator, so every demo looks the same */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export async function seedDemo(db: SqlDatabase, onProgress: (msg: string) => void = () => undefined): Promise<DemoTokens> {
  const init = await initStore(db, { projectName: 'demo-lab', adminName: 'ada' });
  if (!init.success) throw new Error(init.error.message);
  const projectId = init.data.projectId;
  const users: DemoTokens['users'] = { ada: { id: init.data.userId, token: init.data.token, role: 'project_admin' } };
  for (const u of DEMO_USERS.slice(1)) {
    const r = await addUser(db, { projectId, name: u.name, role: u.role, displayName: u.displayName, department: 'department' in u ? u.department : null, actorId: init.data.userId });
    if (!r.success) throw new Error(r.error.message);
    users[u.name] = { id: r.data.userId, token: r.data.token, role: u.role };
  }
  // rhea also belongs to oncology's department for sharing; fran sees every facility order
  const seqs = new Map<string, number>();
  const send = async (user: string, command: CommandInput) => {
    const clientId = `demo-${user}`;
    const seq = (seqs.get(clientId) ?? 0) + 1;
    seqs.set(clientId, seq);
    const out = await processCommand(db, { projectId, userId: users[user]!.id, envelope: { mid: `${clientId}:${seq}`, clientId, seq, clientTime: new Date().toISOString(), command } });
    if (out.kind !== 'result') throw new Error(`demo seeding: ${out.kind}`);
    return out.result;
  };
  const random = rng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const targets = ['created', 'created', 'analyzing', 'analyzing', 'review', 'review', 'review', 'sign_off', 'cancelled'] as const;
  const editors = ['cora', 'eli'];
  onProgress('seeding demo orders');
  for (let i = 1; i <= 30; i++) {
    const orderId = randomUUID();
    const creator = pick(editors);
    const displayId = `ORD-2026-${String(i).padStart(4, '0')}`;
    await send(creator, {
      type: 'order.create',
      orderId,
      fields: {
        displayId,
        priority: pick(['low', 'medium', 'medium', 'high'] as const),
        mode: pick(['hereditary', 'somatic'] as const),
        clinicalIndication: pick(INDICATIONS),
        orderingProvider: pick(['Dr. Okafor', 'Dr. Lindqvist', 'Dr. Mehta', 'Dr. Rossi']),
        orderingFacility: pick(['St. Anne Hospital', 'North Clinic', 'University Medical Centre']),
        accession: `ACC-${100000 + i}`,
        tags: random() < 0.3 ? ['urgent'] : random() < 0.3 ? ['research'] : [],
      },
    });
    const sampleId = randomUUID();
    await send(creator, { type: 'sample.create', sampleId, fields: { displayId: `SMP-${String(i).padStart(4, '0')}`, sampleType: pick(['germline', 'somatic', 'ffpe'] as const), sex: pick(['female', 'male'] as const), subjectId: `SUBJ-${500 + i}` } });
    await send(creator, { type: 'order.addSample', orderId, sampleId, role: i % 4 === 0 ? 'tumour' : 'proband' });
    const target = targets[i % targets.length]!;
    const path = { created: [], analyzing: ['analyzing'], review: ['analyzing', 'review'], sign_off: ['analyzing', 'review', 'sign_off'], cancelled: ['analyzing'] }[target];
    for (const step of path) {
      // the creator moves the first stage; later stages are picked up by an editor
      const mover = step === 'analyzing' ? creator : pick(editors);
      if (step !== 'analyzing') await send(mover, { type: 'stage.assign', orderId, userId: users[mover]!.id });
      await send(mover, { type: 'order.transition', orderId, to: step });
    }
    if (target === 'cancelled') await send('ada', { type: 'order.transition', orderId, to: 'cancelled', reason: 'sample quality insufficient' });
    // leave some stages open for the queue: unassigned, or assigned to cora
    if (target === 'review' && i % 2 === 0) await send('ada', { type: 'stage.assign', orderId, userId: users.cora!.id });
    if (target === 'analyzing' && i % 3 === 0) await send('ada', { type: 'stage.assign', orderId, userId: users.cora!.id });
  }
  onProgress('seeding facility orders');
  for (let i = 1; i <= 8; i++) {
    const orderId = randomUUID();
    await send('rhea', { type: 'order.create', orderId, workflow: 'facility', fields: { displayId: `SEQ-2026-${String(i).padStart(3, '0')}`, description: pick(['WGS 30x', 'RNA-seq, 50M reads', 'Exome capture', 'Amplicon panel']), priority: pick(['low', 'medium', 'high'] as const) } });
    if (i > 2) await send('rhea', { type: 'order.transition', orderId, to: 'submitted' });
    if (i > 4) await send('rhea', { type: 'note.samplesSent', orderId, text: 'shipped on dry ice' });
    if (i > 6) await send('fran', { type: 'order.transition', orderId, to: 'completed' });
  }
  return { projectId, users };
}

export function demoPaths(home: string) {
  return { root: join(home, 'demo'), relay: join(home, 'demo', 'relay'), client: join(home, 'demo', 'client'), tokens: join(home, 'demo', 'tokens.json') };
}

/** the demo relay's store: seeded once, reused afterwards */
export async function ensureDemoStore(home: string, onProgress: (msg: string) => void): Promise<DemoTokens> {
  const p = demoPaths(home);
  if (existsSync(p.tokens)) return JSON.parse(readFileSync(p.tokens, 'utf8')) as DemoTokens;
  mkdirSync(p.relay, { recursive: true, mode: 0o700 });
  onProgress('creating the demo store (first run only)');
  const db = await openPglite(join(p.relay, 'store'));
  try {
    if (await findUser(db, 'ada').catch(() => null)) throw new Error(`${p.relay} holds a half-made demo store: remove ${p.root} and run again`);
    const tokens = await seedDemo(db, onProgress);
    writeFileSync(p.tokens, JSON.stringify(tokens, null, 2), { mode: 0o600 });
    return tokens;
  } finally {
    await db.close();
  }
}
