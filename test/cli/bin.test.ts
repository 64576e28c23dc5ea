import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliFixture, jsonOf, looksLikeCrash, runBin, runCli, type CliFixture, type CliHome } from '../helpers/cli.ts';

// the real executable, one process per command: start-up, exit codes, no stack traces, the lock

let fx: CliFixture;
let h: CliHome;
beforeAll(async () => {
  fx = await createCliFixture();
  h = fx.fresh('editor');
  expect((await h.run('orders', 'create', '-n', 'BIN-1', '--priority', 'high')).code).toBe(0);
});
afterAll(() => fx?.cleanup());

const env = () => ({ CURIO_HOME: h.dir });

describe('bin/curio', () => {
  // independent processes run side by side; each store copy takes one (the lock allows no more)
  it('prints help and its version, and says the terminal UI needs a terminal', async () => {
    const [help, version, bare] = await Promise.all([runBin(['--help'], env()), runBin(['--version'], env()), runBin([], env())]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^curio — clinical genomics order review\n/);
    expect(help.stdout).toContain('curio orders list|create|get|update|transition|delete');
    expect(help.stdout).toMatch(/exit codes: 0 done, 2 bad usage or input, 3 refused by the rules, 4 not found,\s+5 audit verification failed/);
    expect(help.stderr).toBe('');
    expect(version).toMatchObject({ code: 0, stdout: 'curio 0.1.0\n' });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/the terminal UI needs a terminal/);
    expect(looksLikeCrash(bare)).toBe(false);
  });

  it('lists orders as JSON and as a table in its own process', async () => {
    const [json, text] = await Promise.all([runBin(['orders', 'list', '--json'], env()), runBin(['orders', 'list'], { CURIO_HOME: fx.copyOf(h).dir })]);
    expect(json.code).toBe(0);
    expect(jsonOf<{ display_id: string; priority: string; assignee: string }[]>(json)).toEqual([
      expect.objectContaining({ display_id: 'BIN-1', priority: 'high', assignee: 'editor' }),
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^DISPLAY_ID\s+STATUS.*\nBIN-1\s+created\s+pending\s+high\s+editor/);
  });

  it('exits with the documented codes and plain messages on user errors', async () => {
    const cases: [string[], number, string][] = [
      [['orders', 'get', 'NOPE'], 4, 'Not found: order NOPE\n'],
      [['orders', 'list', '--priority', 'urgent'], 2, 'Invalid input: --priority: must be one of low, medium, high (got "urgent")\n'],
      [['orders', 'transition', 'BIN-1', 'review'], 3, 'Invalid transition: created → review (allowed from created: analyzing, cancelled)\n'],
      [['orders', 'delete', 'BIN-1'], 2, 'Invalid input: deleting BIN-1 needs confirmation: pass --yes\n'],
    ];
    const runs = await Promise.all(cases.map(([args]) => runBin(args, { CURIO_HOME: fx.copyOf(h).dir })));
    cases.forEach(([args, code, stderr], i) => {
      const r = runs[i]!;
      expect({ args, code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({ args, code, stderr, stdout: '' });
      expect(looksLikeCrash(r)).toBe(false);
    });
  });

  it('refuses a second process on the same CURIO_HOME with a clear message', async () => {
    // a curio command in this process waits at its delete confirmation, holding the store
    const stdin = new PassThrough();
    const holder = runCli(h.dir, ['orders', 'delete', 'BIN-1'], { tty: true, stdin });
    const lock = join(h.dir, 'curio.lock');
    for (let i = 0; i < 600 && !existsSync(lock); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(lock)).toBe(true);
    const second = await runBin(['orders', 'list'], env());
    stdin.end('n\n');
    const first = await holder;
    expect(second.code).not.toBe(0);
    expect(second.stderr).toBe(`${h.dir} is in use by another Curio process (pid ${process.pid}); close it first\n`);
    expect(looksLikeCrash(second)).toBe(false);
    expect(first.stderr).toContain('not deleted');
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over the lock of a process that is gone', async () => {
    writeFileSync(join(h.dir, 'curio.lock'), '2147483646');
    const r = await runCli(h.dir, ['orders', 'get', 'BIN-1', '--json']);
    expect(r.code).toBe(0);
    expect(jsonOf<{ display_id: string }>(r).display_id).toBe('BIN-1');
  });
});
