// curio variants list / show when the cache cannot answer in full: a file cleared by an
// upgrade, a detail copy that is gone; and where the detail copies live (CURIO_HOME, never
// the system's temporary directory)
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_VCF_ORDERS, demoPaths, demoVcfText, ensureDemoStore } from '../../src/cli/demo.ts';
import { openPglite } from '../../src/db/index.ts';
import { createCliFixture, jsonOf, type CliFixture, type CliHome } from '../helpers/cli.ts';

let fx: CliFixture;
let h: CliHome;
let vcf: string;
beforeAll(async () => {
  fx = await createCliFixture();
  vcf = join(fx.root, 'tumour.vcf');
  writeFileSync(vcf, demoVcfText(4, 300));
  h = fx.fresh();
  h.as('editor');
  const run = async (...args: string[]) => {
    const r = await h.run(...args);
    if (r.code !== 0) throw new Error(`curio ${args.join(' ')}: ${r.stderr}`);
  };
  await run('orders', 'create', '-n', 'ORD-VAR', '--mode', 'somatic', '--indication', 'AML');
  await run('orders', 'transition', 'ORD-VAR', 'analyzing');
  await run('stages', 'assign', 'ORD-VAR', '--self');
  await run('orders', 'create', '-n', 'ORD-NONE', '--mode', 'somatic', '--indication', 'AML');
  await run('orders', 'transition', 'ORD-NONE', 'analyzing');
  await run('vcf', 'ingest', 'ORD-VAR', vcf);
});
afterAll(() => fx?.cleanup());

/** runs fn with the system's temporary directory pointed at an empty one; answers what Curio left in it */
async function trappingTmp(fn: () => Promise<void>): Promise<string[]> {
  const trap = mkdtempSync(join(tmpdir(), 'curio-tmp-trap-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = trap;
  try {
    await fn();
  } finally {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
  }
  // tsx (which the parse worker registers) keeps its compile cache there: not Curio's
  const left = readdirSync(trap).filter((name) => !name.startsWith('tsx-'));
  rmSync(trap, { recursive: true, force: true });
  return left;
}

describe('curio variants list', () => {
  it('names the file to ingest again when an upgrade cleared the order’s cache', async () => {
    const home = fx.copyOf(h, 'editor');
    // what migration 4 leaves of a file of the layout before it: the row, as stale, and no rows
    await home.withStore(async (db) => {
      const [f] = await db.query<{ id: string }>(`SELECT id FROM vcf_files`);
      await db.exec(`DROP TABLE variants_${f?.id}; UPDATE vcf_files SET status = 'stale'`);
    });
    const text = await home.run('variants', 'list', 'ORD-VAR');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      `order ORD-VAR: the variant cache of this order has been cleared (it was built by an older version of Curio, or Curio stopped without closing its store); ingest ${vcf} again to browse its variants (curio vcf ingest ORD-VAR FILE)`,
    );
    expect(text.stdout).not.toContain('has no variants yet');
    // --json keeps stdout an answer, and says why it is empty on stderr
    const json = await home.run('variants', 'list', 'ORD-VAR', '--json');
    expect(jsonOf(json)).toEqual([]);
    expect(json.stderr).toMatch(/has been cleared \(.*\); ingest /);
    // an order that never had a file is told how to get one
    expect((await home.run('variants', 'list', 'ORD-NONE')).stdout).toContain('order ORD-NONE has no variants yet (curio vcf ingest ORD-NONE FILE)');
  });
});

describe('curio variants show', () => {
  it('prints INFO, or why it cannot, in text and in --json', async () => {
    const home = fx.copyOf(h, 'editor');
    const [first] = await home.json<{ id: string; chrom: string; pos: number; ref: string; alt: string }[]>('variants', 'list', 'ORD-VAR', '--limit', '1');
    if (!first) throw new Error('no variant listed');
    const whole = await home.json<{ info: Record<string, unknown>; format: unknown; detail_error: unknown }>('variants', 'show', 'ORD-VAR', first.id);
    expect(whole.detail_error).toBeNull();
    // INFO keys as the file spells them
    expect(Object.keys(whole.info)).toEqual(expect.arrayContaining(['DP', 'ISEQ_REPORT_GENE_SYMBOL', 'ANN']));
    expect(Object.keys(whole.format as object)).toEqual(['TUMOR']);
    expect(Object.keys((whole.format as Record<string, object>).TUMOR ?? {})).toEqual(['GT', 'AD', 'DP', 'AF']);

    const copy = await home.withStore(async (db) => (await db.query<{ detail_path: string }>('SELECT detail_path FROM vcf_files'))[0]?.detail_path ?? '');
    renameSync(copy, `${copy}.away`);
    const why = `INFO and FORMAT of ${first.chrom}:${first.pos} ${first.ref}>${first.alt} cannot be shown: the copy of the records (${copy}) is missing; ingest tumour.vcf again to restore them`;
    const text = await home.run('variants', 'show', 'ORD-VAR', first.id);
    expect(text.code).toBe(0);
    expect(text.stderr.trim()).toBe(why);
    // the slim columns still show; info is not shown as an empty {}
    expect(text.stdout).toContain(`locus:`);
    expect(text.stdout).toMatch(/^info: +-$/m);
    const json = await home.json<{ info: unknown; format: unknown; detail_error: unknown; gene: string }>('variants', 'show', 'ORD-VAR', first.id);
    expect(json).toMatchObject({ info: {}, format: null, detail_error: { code: 'detail_missing', message: why } });
    expect(json.gene).toBeTruthy();
  });

  it('does not find another order’s variant', async () => {
    const home = fx.copyOf(h, 'editor');
    const [first] = await home.json<{ id: string }[]>('variants', 'list', 'ORD-VAR', '--limit', '1');
    const r = await home.run('variants', 'show', 'ORD-NONE', first?.id ?? '');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`Not found: variant ${first?.id} on order ORD-NONE`);
  });
});

describe('the detail copies live under CURIO_HOME', () => {
  it('curio vcf ingest puts them in CURIO_HOME/cache/vcf, and nothing in the temporary directory', async () => {
    const home = fx.fresh('editor');
    await home.run('orders', 'create', '-n', 'ORD-HOME', '--mode', 'somatic', '--indication', 'AML');
    const left = await trappingTmp(async () => {
      const r = await home.run('vcf', 'ingest', 'ORD-HOME', vcf);
      expect(r.code, r.stderr).toBe(0);
    });
    expect(left).toEqual([]);
    const paths = await home.withStore(async (db) => (await db.query<{ detail_path: string }>('SELECT detail_path FROM vcf_files')).map((f) => f.detail_path));
    expect(paths).toHaveLength(1);
    expect(paths[0]?.startsWith(join(home.dir, 'cache', 'vcf') + '/')).toBe(true);
    expect(existsSync(paths[0] ?? '')).toBe(true);
  });

  it('curio demo’s store keeps its copies beside it, under CURIO_HOME', async () => {
    const home = join(fx.root, 'demo-home');
    const left = await trappingTmp(async () => {
      await ensureDemoStore(home, () => undefined);
    });
    // the demo writes its VCFs to a temporary directory and removes them once ingested
    expect(left).toEqual([]);
    const db = await openPglite(join(demoPaths(home).relay, 'store'));
    try {
      const paths = (await db.query<{ detail_path: string }>('SELECT detail_path FROM vcf_files')).map((f) => f.detail_path);
      expect(paths).toHaveLength(DEMO_VCF_ORDERS.length);
      for (const p of paths) {
        expect(p.startsWith(join(demoPaths(home).relay, 'cache', 'vcf') + '/')).toBe(true);
        expect(existsSync(p)).toBe(true);
      }
    } finally {
      await db.close();
    }
  });
});
