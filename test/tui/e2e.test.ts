// the real program (bin/curio) in a real terminal (tmux) at 80×24: what a user
// at an SSH prompt sees, from opening Curio to getting the shell back

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { demoVcfText } from '../../src/cli/demo.ts';
import { BIN, REPO_ROOT, runCli } from '../helpers/cli.ts';
import { createSyncFixture, loginReplica, startRelayInProcess, type SyncFixture } from '../helpers/relay.ts';
import { startTmux, type TmuxSession } from '../helpers/tmux.ts';
import { heldLink, type HeldLink } from './proxy.ts';

const START_MS = 60_000;
let session: TmuxSession | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await session?.kill();
  session = undefined;
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const screenLines = (screen: string) => screen.replace(/\n$/, '').split('\n');
const lastUsedLine = (screen: string) => screenLines(screen).findLastIndex((l) => l.trim() !== '') + 1;
const cursorRow = (screen: string) => screenLines(screen).find((l) => l.startsWith('›')) ?? '';

function tempHome(): string {
  const dir = mkdtempSync(join(tmpdir(), 'curio-tui-e2e-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** curio under a shell that prints a prompt first and outlives it, to see the terminal it hands back */
async function openCurio(home: string, args: readonly string[] = []): Promise<TmuxSession> {
  const words = [process.execPath, BIN, ...args].map((w) => `'${w}'`).join(' ');
  session = await startTmux({
    cmd: '/bin/sh',
    args: ['-c', `printf 'shell prompt\\n'; ${words}; echo "curio exited $?"`],
    env: { CURIO_HOME: home, LANG: 'C.UTF-8' },
    cwd: REPO_ROOT,
    cols: 80,
    rows: 24,
  });
  return session;
}

/** after q: the normal screen is back, with the cursor, and nothing of Curio on it */
async function expectRestored(s: TmuxSession, code = 0): Promise<void> {
  const after = await s.waitFor(`curio exited ${code}`, 20_000);
  expect(await s.alternateScreen()).toBe(false);
  expect(await s.cursorVisible()).toBe(true);
  expect(after).toMatch(/^shell prompt\n/);
  expect(after).not.toContain('│ 2 Orders');
}

describe('curio in a real terminal (tmux, 80×24)', () => {
  test('without a login it says what to run, and draws nothing', async () => {
    const s = await openCurio(tempHome());
    const screen = await s.waitFor('curio exited 3', 20_000);
    expect(screen).toContain('Permission denied: not logged in here');
    expect(screen).toContain("'curio init --project NAME'");
    expect(await s.alternateScreen()).toBe(false);
  }, 30_000);

  test('standalone: open, navigate, filter, start and complete a stage, take the next, move the order on, quit', async () => {
    const home = tempHome();
    expect((await runCli(home, ['init', '--project', 'oncology'])).code).toBe(0);
    for (const [id, priority] of [['ORD-2026-0001', 'high'], ['ORD-2026-0002', 'low'], ['ORD-2026-0003', 'medium']]) {
      expect((await runCli(home, ['orders', 'create', '-n', id!, '--priority', priority!, '--indication', `case ${id}`])).code).toBe(0);
    }
    const s = await openCurio(home);
    const first = await s.waitFor(/3 assigned to you/, START_MS);
    expect(await s.alternateScreen()).toBe(true);
    // the live frame leaves the last row free, so Ink never redraws the whole screen
    expect(lastUsedLine(first)).toBeLessThanOrEqual(23);
    expect(first).toMatch(/admin │ oncology │ project_admin │ ◆ local store/);
    // high priority first, newest first within it
    expect(cursorRow(first)).toContain('ORD-2026-0001');

    await s.sendKeys('j');
    await s.waitFor(/^› .*ORD-2026-0003/m);
    await s.sendKeys('k');
    await s.waitFor(/^› .*ORD-2026-0001/m);

    // the Orders screen, filtered through the palette
    await s.sendKeys('2');
    await s.waitFor(/Orders 3 │ created 3/);
    await s.type(':priority high');
    await s.sendKeys('Enter');
    const filtered = await s.waitFor(/Orders 1 │ created 1\n filter: priority high[\s\S]*^› .*ORD-2026-0001/m);
    expect(filtered).not.toContain('ORD-2026-0002');

    // the order: start its stage, complete it, take the next stage, send it to review
    await s.sendKeys('Enter');
    await s.waitFor(/▸ created +○ pending +admin/);
    await s.sendKeys('w');
    await s.waitFor('✓ ORD-2026-0001: Start created');
    await s.waitFor(/▸ created +▶ in_progress +admin/);
    await s.sendKeys('w');
    await s.waitFor(/ORD-2026-0001 +◐ analyzing/);
    await s.sendKeys('a');
    await s.waitFor(/▸ analyzing +○ pending +admin/);
    await s.sendKeys('t');
    await s.waitFor(/1 Send to review +✓/);
    await s.sendKeys('1');
    const moved = await s.waitFor(/ORD-2026-0001 +◑ review/);
    expect(lastUsedLine(moved)).toBeLessThanOrEqual(23);
    // the history pane has it, newest first
    await s.sendKeys('Tab', 'Tab');
    await s.waitFor(/order\.transition +analyzing → review/);

    // back to the list, which kept its filter and cursor
    await s.sendKeys('Escape');
    const back = await s.waitFor('filter: priority high');
    expect(cursorRow(back)).toMatch(/ORD-2026-0001 +◑ review/);

    // Ctrl-c quits from anywhere, a form that owns the keyboard included
    await s.sendKeys('c');
    await s.waitFor('New order');
    await s.type('ORD-2026-0099');
    await s.sendKeys('C-c');
    await expectRestored(s);
    const order = JSON.parse((await runCli(home, ['orders', 'get', 'ORD-2026-0001', '--json'])).stdout) as { status: string };
    expect(order.status).toBe('review');
  }, 120_000);
});

describe('the variant browser and the report in a real terminal', () => {
  test('v browses the VCF, Space marks a variant reportable, G and g, R drafts the report, Esc back, q', async () => {
    const home = tempHome();
    expect((await runCli(home, ['init', '--project', 'oncology'])).code).toBe(0);
    expect((await runCli(home, ['orders', 'create', '-n', 'ORD-2026-0001', '--priority', 'high'])).code).toBe(0);
    const vcf = join(home, 'tumour.vcf');
    writeFileSync(vcf, demoVcfText(4, 400));
    expect((await runCli(home, ['vcf', 'ingest', 'ORD-2026-0001', vcf])).code).toBe(0);
    const listed = JSON.parse((await runCli(home, ['variants', 'list', 'ORD-2026-0001', '--json', '--limit', '10000'])).stdout) as { id: string; chrom: string; pos: number }[];

    const s = await openCurio(home);
    await s.waitFor(/^› .*ORD-2026-0001/m, START_MS);
    await s.sendKeys('Enter');
    await s.waitFor('▸Labflow');
    await s.sendKeys('v');
    const browser = await s.waitFor(new RegExp(`tumour\\.vcf \\(TUMOR\\) · ${listed.length} of 400 variants · 1/${listed.length}`));
    expect(browser).toMatch(/^ {3}R LOCUS↑ +GENE +HGVS +TIER CAT +VAF DEPTH ACMG$/m);
    expect(lastUsedLine(browser)).toBeLessThanOrEqual(23);
    const first = listed[0]!;
    expect(cursorRow(browser)).toContain(`${first.chrom}:${first.pos} `);

    await s.sendKeys('G');
    const last = listed[listed.length - 1]!;
    await s.waitFor(new RegExp(`^› .*${last.chrom}:${last.pos} `, 'm'));
    await s.sendKeys('g');
    await s.waitFor(new RegExp(`^› .*${first.chrom}:${first.pos} `, 'm'));
    await s.sendKeys('Space');
    await s.waitFor(/✓ ORD-2026-0001 .*: reportable/);
    await s.waitFor(/^› {2}✓ chr/m);

    await s.sendKeys('R');
    await s.waitFor('ORD-2026-0001 report · no report yet');
    await s.sendKeys('d');
    const report = await s.waitFor(/version 1 of 1 · ○ draft/);
    expect(report).toMatch(/▸Variants \(\d+ reported\)/);
    expect(lastUsedLine(report)).toBeLessThanOrEqual(23);
    // back to the browser as it was, then to the order
    await s.sendKeys('Escape');
    await s.waitFor(/› ORD-2026-0001 variants\n/);
    await s.sendKeys('Escape');
    await s.waitFor('▸Labflow');
    await s.sendKeys('q');
    await expectRestored(s);

    const curated = JSON.parse((await runCli(home, ['variants', 'list', 'ORD-2026-0001', '--json', '--limit', '1'])).stdout) as { curation: { reportable: boolean } | null }[];
    expect(curated[0]?.curation?.reportable).toBe(true);
    const reports = JSON.parse((await runCli(home, ['report', 'list', 'ORD-2026-0001', '--json'])).stdout) as { status: string }[];
    expect(reports.map((r) => r.status)).toEqual(['draft']);
  }, 180_000);
});

describe('curio demo', () => {
  test('seeds once with progress, serves it from a relay in the process, opens as cora, and stops it all on q', async () => {
    const home = tempHome();
    const s = await openCurio(home, ['demo']);
    const queue = await s.waitFor(/\d+ assigned to you · \d+ you may pick up|curio exited \d+/, 120_000);
    // the replica must have the demo project after its first sync ("replica has 38 orders")
    expect(queue, 'curio demo ended before opening the UI').not.toMatch(/curio exited/);
    expect(queue).toMatch(/cora │ demo-lab │ project_editor/);
    await s.waitFor('● online', 20_000);
    // an unassigned stage: take it; the relay accepts it
    await s.sendKeys('G');
    await s.waitFor(/^› .*· unassigned/m);
    await s.sendKeys('a');
    await s.waitFor(/accepted by the relay/, 30_000);
    // the replica has its own variant cache of the demo files: cora's review order browses
    await s.type(':order ORD-2026-0004');
    await s.sendKeys('Enter');
    await s.waitFor('▸Labflow');
    await s.sendKeys('v');
    await s.waitFor(/ord-2026-0004-tumour\.vcf \(TUMOR\) · \d+ of 1,500 variants/);
    await s.sendKeys('q');
    const after = await s.waitFor('curio exited 0', 30_000);
    expect(await s.alternateScreen()).toBe(false);
    expect(after).toContain('curio demo: creating the demo store (first run only)');
    expect(after).toContain('curio demo: seeding demo orders');
    expect(after).toContain('curio demo: loading the demo variant files');
    expect(after).toMatch(/curio demo: relay listening on ws:\/\/127\.0\.0\.1:\d+/);
    expect(after).toContain('curio demo: relay stopped');
  }, 240_000);
});

describe('a replica in a real terminal', () => {
  let fx: SyncFixture | undefined;
  afterAll(async () => {
    await fx?.cleanup();
  });

  test('a change queued on a stalled link is rejected by the relay (someone changed the order first): the user sees it and discards it', async () => {
    fx = await createSyncFixture('pglite', 'tui');
    const relay = await startRelayInProcess(await fx.central());
    cleanups.push(() => relay.stop());
    const link: HeldLink = await heldLink(relay.url);
    cleanups.push(() => link.close());

    // the admin creates an order and hands its first stage to the editor
    const admin = await loginReplica(fx, 'admin', relay.url);
    expect((await admin.run('orders', 'create', '-n', 'ORD-2026-0042', '--priority', 'high')).code).toBe(0);
    expect((await admin.run('stages', 'assign', 'ORD-2026-0042', '--user', 'editor')).code).toBe(0);

    // the editor works through the link the test can stall
    const editor = await loginReplica(fx, 'editor', link.url);
    const s = await openCurio(editor.home);
    await s.waitFor(/^› .*ORD-2026-0042 .*○ pending/m, START_MS);
    await s.waitFor(/editor │ oncology │ project_editor │ ● online/, 20_000);

    // the link stalls; the editor starts the stage: applied here, queued for the relay
    link.hold();
    await s.sendKeys('w');
    await s.waitFor('queued until the relay answers');
    const pending = await s.waitFor(/↑ 1 queued/);
    expect(cursorRow(pending)).toMatch(/^› +↑ +ORD-2026-0042/);

    // meanwhile the admin gives the stage to someone else
    expect((await admin.run('stages', 'assign', 'ORD-2026-0042', '--user', 'editor2')).code).toBe(0);

    // the link comes back: the relay refuses the start, and says so without being asked
    link.release();
    const rejected = await s.waitFor('Rejected by the relay', 30_000);
    expect(rejected).toMatch(/✗ 1 rejected/);

    await s.sendKeys('3');
    const sync = await s.waitFor(/✗ rejected ORD-2026-0042/);
    expect(sync).toMatch(/reason: Permission denied: start on stage created requires being assigned/);
    expect(sync).toMatch(/server now: created v\d+ · stage created pending, assigned to editor2/);
    await s.sendKeys('d');
    await s.waitFor('Discard this rejected change?');
    await s.sendKeys('y');
    await s.waitFor('Nothing waiting: every change has reached the relay.');
    await s.waitFor(/● online +\? help/);

    await s.sendKeys('q');
    await expectRestored(s);
  }, 180_000);
});
