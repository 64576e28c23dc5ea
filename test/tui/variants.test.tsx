import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_VCF_ORDERS, demoVcfText } from '../../src/cli/demo.ts';
import { findOrder, getCuration, listProjects, setLocal, type SqlDatabase } from '../../src/db/index.ts';
import { sessionBackend, type TuiBackend } from '../../src/tui/backend.ts';
import { presetKey } from '../../src/tui/presets.ts';
import { countVariants, dropOrderVariants, ingestVcf, listVariants, VARIANT_SORT_KEYS, type VariantRow } from '../../src/vcf/index.ts';
import { allVariants } from '../vcf/helpers.ts';
import { cursorLine, demoDb, FakeSync, lines, renderApp, renderBackend, replicaSession, sessionAs, type App } from './helpers.tsx';

// the demo store has VCFs on ORD-2026-0002 (analyzing), ORD-2026-0004 (review, cora's) and
// ORD-2026-0007 (sign_off); a bigger file is ingested into ORD-2026-0013 (review) for paging

let db: SqlDatabase;
let projectId: string;
const dir = mkdtempSync(join(tmpdir(), 'curio-tui-variants-'));
// the detail copies go here, removed with the rest afterwards
const cacheDir = join(dir, 'cache');
beforeAll(async () => {
  db = await demoDb();
  projectId = (await listProjects(db))[0]!.id;
  // the stored demo names detail copies of the process that seeded it, long gone: the
  // demo files are ingested again, with copies of this run's own
  for (const { displayId, seed } of DEMO_VCF_ORDERS) {
    const order = await orderOf(displayId);
    await dropOrderVariants(db, order.id);
    const path = join(dir, `${displayId.toLowerCase()}-tumour.vcf`);
    writeFileSync(path, demoVcfText(seed));
    const r = await ingestVcf(db, { orderId: order.id, path, sample: 'TUMOR', cacheDir });
    if (!r.ok) throw new Error(r.message);
  }
  const big = await orderOf('ORD-2026-0013');
  const path = join(dir, 'big.vcf');
  writeFileSync(path, demoVcfText(13, 5000));
  const r = await ingestVcf(db, { orderId: big.id, path, sample: 'TUMOR', cacheDir });
  if (!r.ok) throw new Error(r.message);
});
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function orderOf(displayId: string): Promise<{ id: string; displayId: string }> {
  const o = await findOrder(db, projectId, displayId);
  if (!o) throw new Error(`no ${displayId}`);
  return { id: o.id, displayId };
}

const locus = (r: Pick<VariantRow, 'chrom' | 'pos' | 'ref' | 'alt'>) => `${r.chrom}:${r.pos} ${r.ref}>${r.alt}`;

/** the table rows of a frame: the lines between the column header and the status line */
function tableRows(frame: string): string[] {
  const all = lines(frame);
  const head = all.findIndex((l) => /^ {3}R LOCUS/.test(l));
  const out: string[] = [];
  for (const l of all.slice(head + 1)) {
    if (!/^[› ] {2}[ ✓✗] chr/.test(l)) break;
    out.push(l);
  }
  return out;
}

/** polls until `ok` holds (rows arrive from PGlite asynchronously) */
async function until(ok: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** a backend that counts the variant pages it reads */
function counting(backend: TuiBackend): TuiBackend & { pages: number } {
  const counted = Object.create(backend) as TuiBackend & { pages: number };
  counted.pages = 0;
  counted.variantPage = async (orderId, request) => {
    counted.pages++;
    return backend.variantPage(orderId, request);
  };
  return counted;
}

describe('Variant browser: opening it', () => {
  test('v on the order detail opens it: the file, the count of the filter, the columns that fit 80 columns', async () => {
    const order = await orderOf('ORD-2026-0004');
    const app = await renderApp(await sessionAs(db, 'cora'), { initial: { kind: 'detail', orderId: order.id } });
    await app.waitFor('▸Labflow');
    expect(app.text()).toMatch(/Tab switches · \d+\/\d+ · v variants · R report/);
    const frame = await app.keys(['v'], / variants · 1\//);
    const shown = await countVariants(db, order.id, {});
    expect(frame).toContain('› ORD-2026-0004 variants');
    expect(frame).toContain(`ord-2026-0004-tumour.vcf (TUMOR) · ${shown} of 1,500 variants · 1/${shown}`);
    expect(frame).toContain('filter: tier IV hidden  sort: locus ↑');
    expect(lines(frame).find((l) => l.startsWith('   R LOCUS'))).toMatch(/^ {3}R LOCUS↑ +GENE +HGVS +TIER CAT +VAF DEPTH ACMG$/);
    const first = (await listVariants(db, order.id, { limit: 1 })).rows[0]!;
    expect(cursorLine(frame)).toContain(locus(first));
    // every line fits the terminal, and the frame leaves the last row free
    expect(lines(frame).every((l) => [...l].length <= 80)).toBe(true);
    expect(lines(frame).length).toBeLessThanOrEqual(23);
    // R goes to the report, v back to the browser as it was (not a second copy)
    await app.keys(['j', 'j'], / 3\/\d+/);
    await app.keys(['R'], 'ORD-2026-0004 report');
    const back = await app.keys(['v'], / 3\/\d+/);
    expect(back).toContain('› ORD-2026-0004 variants');
    await app.keys(['esc'], '▸Labflow');
    app.unmount();
  });

  test('where the stage is not browser-viewable, v says why and opens nothing', async () => {
    const order = await orderOf('ORD-2026-0001');
    const app = await renderApp(await sessionAs(db, 'cora'), { initial: { kind: 'detail', orderId: order.id } });
    await app.waitFor('▸Labflow');
    const frame = await app.keys(['v'], /✗ Capability denied/);
    expect(frame).toContain('✗ Capability denied: stage created is not browser-viewable');
    expect(frame).toMatch(/› ORD-2026-0001$/m);
    expect(frame).not.toMatch(/ of [\d,]+ variants/);
    // a facility order has no variants at all
    const seq = await orderOf('SEQ-2026-001');
    const fac = await renderApp(await sessionAs(db, 'rhea'), { initial: { kind: 'detail', orderId: seq.id } });
    await fac.waitFor('Facility workflow');
    await fac.keys(['v'], '✗ Invalid input: SEQ-2026-001 is a facility order: no variants or reports');
    fac.unmount();
    app.unmount();
  });
});

describe('Variant browser: paging 5,000 variants by keyset', () => {
  test('pages are read around the cursor: G is one query from the end, g none, no key more than one', async () => {
    const order = await orderOf('ORD-2026-0013');
    const backend = counting(sessionBackend(await sessionAs(db, 'cora')));
    const app = await renderBackend(backend, { initial: { kind: 'variants', orderId: order.id } });
    const total = await countVariants(db, order.id, {});
    expect(total).toBeGreaterThan(16 * 16);
    await app.waitFor(`1/${total.toLocaleString('en-US')}`);
    const first = (await listVariants(db, order.id, { limit: 1 })).rows[0]!;
    const last = (await listVariants(db, order.id, { sort: { key: 'locus', dir: 'desc' }, limit: 1 })).rows[0]!;
    expect(cursorLine(app.text())).toContain(locus(first));
    expect(backend.pages).toBe(1);

    const end = await app.keys(['G'], `${total.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`);
    await app.waitFor(locus(last));
    expect(cursorLine(app.text())).toContain(locus(last));
    expect(tableRows(end).length).toBe(16);
    expect(backend.pages).toBe(2);

    await app.keys(['g'], `1/${total.toLocaleString('en-US')}`);
    expect(cursorLine(app.text())).toContain(locus(first));
    expect(backend.pages).toBe(2);

    // a page at a time down: rows in file order, each key at most one query
    const before = backend.pages;
    let seen: string[] = tableRows(app.text());
    for (let k = 0; k < 15; k++) {
      const reads = backend.pages;
      await app.keys(['pgdn']);
      await app.waitFor(new RegExp(` ${16 * (k + 1) + 1}/`));
      await until(() => tableRows(app.text()).length === 16);
      expect(backend.pages - reads).toBeLessThanOrEqual(1);
      seen = seen.concat(tableRows(app.text()));
    }
    expect(backend.pages - before).toBeLessThanOrEqual(2);
    const expected = (await listVariants(db, order.id, { limit: 16 * 16 })).rows.map(locus);
    expect(seen.map((l) => /(chr\S+ \S+>\S+)/.exec(l)?.[1])).toEqual(expected);
    app.unmount();
  });

  test('a new query reads its first page before its count, so rows never wait behind a count', async () => {
    const order = await orderOf('ORD-2026-0013');
    const inner = sessionBackend(await sessionAs(db, 'cora'));
    const calls: string[] = [];
    const backend = Object.create(inner) as TuiBackend;
    backend.variantPage = async (orderId, request) => {
      calls.push(`page ${request.sort.key}`);
      return inner.variantPage(orderId, request);
    };
    backend.variantCount = async (orderId, filter, loading) => {
      calls.push(`count ${filter.minVaf ?? '-'}`);
      return inner.variantCount(orderId, filter, loading);
    };
    const app = await renderBackend(backend, { initial: { kind: 'variants', orderId: order.id } });
    await app.waitFor(/ of 5,000 variants · 1\//);
    await app.keys(['s'], /^(?=[\s\S]*sort: gene ↑)[\s\S]* of 5,000 variants · 1\//);
    await app.keys([':']);
    await app.type('min-vaf 5%');
    await app.keys(['enter'], /^(?=[\s\S]*VAF ≥ 5%)[\s\S]* of 5,000 variants · 1\//);
    expect(calls).toEqual(['page locus', 'count -', 'page gene', 'count -', 'page gene', 'count 0.05']);
    app.unmount();
  });

  test('G on a sort whose column has empty values ends on the last of them, as paging forward would', async () => {
    const order = await orderOf('ORD-2026-0013');
    // HGVS p. is empty for most non-coding records: a sort where unknown values come last
    const key = VARIANT_SORT_KEYS.find((k) => k === 'hgvs_p') ?? VARIANT_SORT_KEYS[1]!;
    const forward = await allVariants(db, order.id, { sort: { key, dir: 'asc' } });
    const app = await renderApp(await sessionAs(db, 'cora'), { initial: { kind: 'variants', orderId: order.id } });
    await app.waitFor(/ variants · 1\//);
    await app.keys([':']);
    await app.type(`sort ${key} asc`);
    await app.keys(['enter'], `sort: ${key} ↑`);
    await app.waitFor(locus(forward[0]!));
    const n = forward.length.toLocaleString('en-US');
    await app.keys(['G'], `${n}/${n}`);
    await app.waitFor(locus(forward[forward.length - 1]!));
    expect(cursorLine(app.text())).toContain(locus(forward[forward.length - 1]!));
    // and upwards from there, row by row, the same order backwards
    const up: string[] = [];
    for (let i = 0; i < 20; i++) {
      up.push(/(chr\S+ \S+>\S+)/.exec(cursorLine(app.text()))?.[1] ?? '');
      await app.keys(['k'], new RegExp(` ${forward.length - i - 1}/`));
    }
    expect(up).toEqual(forward.slice(-20).reverse().map(locus));
    app.unmount();
  });
});

describe('Variant browser: filters, sort, search', () => {
  test('the filter dialog, :min-vaf, tier IV, sort and reverse, / search and F round trip', async () => {
    const order = await orderOf('ORD-2026-0013');
    const app = await renderApp(await sessionAs(db, 'cora'), { initial: { kind: 'variants', orderId: order.id } });
    await app.waitFor(/ variants · 1\//);
    const all = await countVariants(db, order.id, {});

    await app.keys(['f'], 'Filter variants');
    await app.type('IA, IIC ,iid');
    const applied = await app.keys(['enter'], 'filter: tiers IA,IIC,IID · tier IV hidden');
    const tiered = await countVariants(db, order.id, { tiers: ['IA', 'IIC', 'IID'] });
    expect(applied).toContain(` ${tiered} of 5,000 variants`);
    expect(tableRows(applied).every((l) => / (IA|IIC|IID) /.test(l))).toBe(true);

    // a bad value is refused in the dialog, with the reason under its field
    await app.keys(['f'], 'Filter variants');
    await app.keys(['tab', 'tab']);
    await app.type('150%');
    await app.keys(['enter'], /✗ minimum VAF 150% is outside 0–1/);
    await app.keys(['esc'], 'Filter unchanged');

    await app.keys([':']);
    await app.type('min-vaf 5%');
    const vaf = await app.keys(['enter'], 'VAF ≥ 5%');
    const withVaf = await countVariants(db, order.id, { tiers: ['IA', 'IIC', 'IID'], minVaf: 0.05 });
    expect(vaf).toContain(` ${withVaf} of 5,000`);

    // sort: s moves to the next key the query layer offers; S reverses
    await app.keys(['F'], 'Filters cleared');
    const next = VARIANT_SORT_KEYS[1]!;
    await app.keys(['s'], `sort: ${next} ↑`);
    const down = await app.keys(['S'], `sort: ${next} ↓`);
    const top = (await listVariants(db, order.id, { sort: { key: next, dir: 'desc' }, limit: 1 })).rows[0]!;
    await app.waitFor(locus(top));
    expect(cursorLine(app.text())).toContain(locus(top));
    expect(down).toMatch(new RegExp(`${next.toUpperCase()}↓`));
    await app.keys([':']);
    await app.type('sort locus asc');
    await app.keys(['enter'], 'sort: locus ↑');

    // tier IV shown and hidden again
    const shown = await app.keys(['4'], 'tier IV shown');
    const withIV = await countVariants(db, order.id, { hideTierIV: false });
    expect(withIV).toBeGreaterThan(all);
    expect(shown).toContain(` ${withIV.toLocaleString('en-US')} of 5,000`);
    await app.keys(['4'], 'filter: tier IV hidden');

    // / filters by text on the server; n steps through what matched
    await app.keys(['/']);
    await app.type('KRAS');
    const kras = await app.keys(['enter'], 'filter: tier IV hidden · "KRAS"');
    const krasCount = await countVariants(db, order.id, { text: 'KRAS' });
    expect(kras).toContain(` ${krasCount} of 5,000`);
    expect(tableRows(kras).every((l) => l.includes('KRAS'))).toBe(true);
    await app.keys(['n'], / 2\//);
    await app.keys(['N'], / 1\//);
    await app.keys(['F'], `${all} of 5,000`);
    app.unmount();
  });

  test('the detail pane lists every INFO and FORMAT field; Tab scrolls it, Esc closes it', async () => {
    const order = await orderOf('ORD-2026-0004');
    const app = await renderApp(await sessionAs(db, 'cora'), { initial: { kind: 'variants', orderId: order.id } });
    await app.waitFor(/ variants · 1\//);
    await app.keys(['j']);
    const second = (await listVariants(db, order.id, { limit: 2 })).rows[1]!;
    const opened = await app.keys(['enter'], `${locus(second)}  id ${second.id}`);
    expect(opened).toMatch(/── Details · /);
    // in the pane: G to its end, where FORMAT of the sample is
    await app.keys(['tab'], /▸ Details/);
    const end = await app.keys(['G'], 'FORMAT · sample TUMOR');
    expect(end).toMatch(/ {2}AD +\d+,\d+/);
    const middle = await app.keys(['g', 'pgdn'], /INFO \(\d+\)|ISEQ_REPORT/);
    expect(middle).toMatch(/ISEQ_REPORT_AMP_CLASSIFICATION|INFO \(\d+\)/);
    // the table still has its cursor: Tab back, k moves it, and the pane follows
    await app.keys(['tab', 'k'], /Details · /);
    const first = (await listVariants(db, order.id, { limit: 1 })).rows[0]!;
    await app.waitFor(`${locus(first)}  id ${first.id}`);
    const closed = await app.keys(['esc']);
    expect(closed).not.toContain('Details ·');
    expect(closed).toContain('› ORD-2026-0004 variants');
    app.unmount();
  });
});

describe('Variant browser: curation', () => {
  test('on a browser-editable stage the assignee curates: reportable, tier, ACMG, note — each a command', async () => {
    const order = await orderOf('ORD-2026-0004');
    const app = await renderApp(await sessionAs(db, 'cora'), { initial: { kind: 'variants', orderId: order.id } });
    await app.waitFor(/ variants · 1\//);
    expect(app.text()).toContain('✎ t tier · a ACMG · Space reportable · e note · Enter details');
    const row = (await listVariants(db, order.id, { limit: 1 })).rows[0]!;

    await app.keys(['space'], /✓ ORD-2026-0004 .*: reportable/);
    await app.waitFor(/^› {2}✓ chr/m);
    expect(await getCuration(db, order.id, row.id)).toMatchObject({ reportable: true, version: 1 });

    await app.keys(['t'], /Tier of .* \(now /);
    await app.keys(['3'], /: tier IIC/);
    await app.waitFor(/^› {2}✓ chr.* IIC\* /m);

    await app.keys(['a'], /ACMG class of /);
    const acmg = await app.keys(['2'], /: ACMG LP/);
    expect(acmg).toBeTruthy();
    await app.waitFor(/^› {2}✓ chr.* LP$/m);

    await app.keys(['e'], /Note on .*: /);
    await app.type('Sanger confirmed');
    await app.keys(['enter'], /: note saved/);
    await app.waitFor('✎ note: Sanger confirmed');

    // Space again: not reportable
    await app.keys(['space'], /: not reportable/);
    await app.waitFor(/^› {2}✗ chr/m);
    expect(await getCuration(db, order.id, row.id)).toMatchObject({ reportable: false, tierOverride: 'IIC', acmgClass: 'LP', note: 'Sanger confirmed', version: 5 });

    // the palette names a value directly
    await app.keys([':']);
    await app.type('reportable auto');
    await app.keys(['enter'], /: reportable by the rules/);
    expect((await getCuration(db, order.id, row.id))?.reportable).toBeNull();
    app.unmount();
  });

  test('refused with the reason: a stage that is not browser-editable, another assignee, a viewer — nothing is sent', async () => {
    // cora takes the analyzing stage of ORD-2026-0002: assigned, but analyzing is view-only
    const analyzing = await orderOf('ORD-2026-0002');
    const cora = await sessionAs(db, 'cora');
    const backend = sessionBackend(cora);
    const agg = (await backend.aggregate(analyzing.id))!;
    if (!agg.stages.some((s) => s.stageCode === 'analyzing' && s.assigneeId === cora.user.id)) {
      const r = await backend.submit({ type: 'stage.assign', orderId: analyzing.id, baseVersion: agg.order.version, userId: cora.user.id });
      expect(r.status).toBe('accepted');
    }
    const row = (await listVariants(db, analyzing.id, { limit: 1 })).rows[0]!;
    const app = await renderApp(cora, { initial: { kind: 'variants', orderId: analyzing.id } });
    const ro = await app.waitFor(/ variants · 1\//);
    expect(ro).toContain('! Read only: stage analyzing is not browser-editable');
    for (const key of ['space', 't', 'a', 'e']) {
      await app.keys([key], '✗ Read only: stage analyzing is not browser-editable');
      // no chooser or prompt opened, and the message stays until replaced
      expect(app.text()).not.toMatch(/Tier of|ACMG class of|Note on/);
      await app.keys([':']);
      await app.keys(['esc']);
    }
    expect(await getCuration(db, analyzing.id, row.id)).toBeNull();
    app.unmount();

    // eli on cora's review stage
    const review = await orderOf('ORD-2026-0004');
    const eli = await renderApp(await sessionAs(db, 'eli'), { initial: { kind: 'variants', orderId: review.id } });
    const other = await eli.waitFor(/ variants · 1\//);
    expect(other).toContain('! Read only: you are not assigned to stage review (cora is)');
    await eli.keys(['space'], '✗ Read only: you are not assigned to stage review (cora is)');
    eli.unmount();

    // a viewer reads, and only reads
    const vik = await renderApp(await sessionAs(db, 'vik'), { initial: { kind: 'variants', orderId: review.id } });
    const viewer = await vik.waitFor(/ variants · 1\//);
    expect(viewer).toContain('! Permission denied: curating needs project_editor (you are project_viewer)');
    await vik.keys(['a'], '✗ Permission denied: curating needs project_editor (you are project_viewer)');
    vik.unmount();
  });

  test('on a replica the curation is queued, and a refusal by the relay is shown', async () => {
    const order = await orderOf('ORD-2026-0004');
    const sync = new FakeSync();
    const app = await renderApp(replicaSession(await sessionAs(db, 'cora'), sync), { initial: { kind: 'variants', orderId: order.id } });
    await app.waitFor(/ variants · 1\//);
    await app.keys(['j', 'a'], /ACMG class of/);
    await app.keys(['3'], /ACMG VUS — queued until the relay answers/);
    const queued = sync.rows.at(-1)!;
    expect(queued.command).toMatchObject({ type: 'variant.curate', acmgClass: 'VUS', orderId: order.id });
    sync.answer(queued.mid, 'rejected', { code: 'stale_version', message: 'Stale version: the curation of variant x changed since you read it (your version 0, now 1)' });
    const rejected = await app.waitFor(/✗ Rejected by the relay: ORD-2026-0004 \S+ \S+: ACMG VUS: Stale/);
    expect(rejected).toContain('✗ 1 rejected');
    app.unmount();
  });
});

describe('Variant browser: presets', () => {
  test('save the filter and sort under a name, pick it again; built-in presets are offered too', async () => {
    const order = await orderOf('ORD-2026-0013');
    const app = await renderApp(await sessionAs(db, 'cora'), { initial: { kind: 'variants', orderId: order.id } });
    await app.waitFor(/ variants · 1\//);
    await app.keys([':']);
    await app.type('gene kras, nras');
    await app.keys(['enter'], 'genes KRAS,NRAS');
    await app.keys(['S'], 'sort: locus ↓');
    await app.keys(['P'], 'Save filter and sort as:');
    await app.type('RAS genes');
    await app.keys(['enter'], /Saved preset "RAS genes": tier IV hidden · genes KRAS,NRAS · sort locus ↓/);
    await app.keys(['F'], 'filter: tier IV hidden  sort: locus ↓');
    await app.keys(['s'], `sort: ${VARIANT_SORT_KEYS[1]} ↓`);
    const chooser = await app.keys(['p'], 'Filter presets');
    expect(chooser).toMatch(/1 All but tier IV +✓ tier IV hidden · locus ↑/);
    expect(chooser).toMatch(/RAS genes +✓ yours · tier IV hidden · genes KRAS,NRAS · locus ↓/);
    const n = lines(chooser).filter((l) => /^[› ] \d /.test(l)).length;
    await app.keys([String(n)], 'Preset "RAS genes"');
    await app.waitFor('filter: tier IV hidden · genes KRAS,NRAS  sort: locus ↓');
    // saving under the same name replaces it; a built-in name is refused
    await app.keys([':']);
    await app.type('save-preset ras GENES');
    await app.keys(['enter'], 'Replaced preset "ras GENES"');
    await app.keys([':']);
    await app.type('save-preset Everything');
    await app.keys(['enter'], '✗ Conflict: "Everything" is a built-in preset; choose another name');
    await app.keys([':']);
    await app.type('preset Reportable tiers');
    await app.keys(['enter'], 'filter: tiers IA,IB,IIC,IID · tier IV hidden  sort: tier ↑');
    app.unmount();
    // presets are the user's own
    const eli = await renderApp(await sessionAs(db, 'eli'), { initial: { kind: 'variants', orderId: order.id } });
    await eli.waitFor(/ variants · 1\//);
    expect(await eli.keys(['p'], 'Filter presets')).not.toContain('RAS genes');
    eli.unmount();
  });

  test('a corrupt preset store is explained, the readable presets stay, and the browser keeps working', async () => {
    const order = await orderOf('ORD-2026-0004');
    const session = await sessionAs(db, 'vik');
    await setLocal(db, presetKey(session.user.id), { version: 1, presets: [{ name: 'ok one', filter: { passOnly: true }, sort: { key: 'locus', dir: 'asc' } }, { name: 'broken', filter: { minVaf: 'high' } }] });
    const app = await renderApp(session, { initial: { kind: 'variants', orderId: order.id } });
    await app.waitFor(/ variants · 1\//);
    const chooser = lines(await app.keys(['p'], 'Filter presets')).filter((l) => /^[› ] \d /.test(l));
    expect(chooser.map((l) => l.slice(4, 20).trim())).toEqual(['All but tier IV', 'Reportable tiers', 'PASS, VAF ≥ 5%', 'Everything', 'ok one']);
    expect(app.text()).toMatch(/! 1 saved preset is unreadable and left out: #2 "broken"/);
    await app.keys(['esc']);
    await setLocal(db, presetKey(session.user.id), 'not a list at all');
    app.unmount();
    const again = await renderApp(session, { initial: { kind: 'variants', orderId: order.id } });
    await again.waitFor(/ variants · 1\//);
    await again.keys(['p'], /! Your saved presets are unreadable \(not a list of presets\)/);
    expect(again.text()).toContain('All but tier IV');
    await again.keys(['esc']);
    // saving starts a clean list
    await again.keys([':']);
    await again.type('save-preset mine');
    await again.keys(['enter'], 'Saved preset "mine"');
    again.unmount();
  });
});

describe('Variant browser: layouts and loading', () => {
  test('wide mode shows every column and scrolls them behind the pinned locus; a wide terminal fits more', async () => {
    const order = await orderOf('ORD-2026-0004');
    const app = await renderApp(await sessionAs(db, 'cora'), { initial: { kind: 'variants', orderId: order.id } });
    await app.waitFor(/ variants · 1\//);
    const header = () => lines(app.text()).find((l) => l.startsWith('   R LOCUS')) ?? '';
    await app.keys(['w'], 'wide: from GENE (→)');
    expect(header()).toMatch(/^ {3}R LOCUS↑ +GENE +HGVS C\. +HGVS P\. +CONSEQUENCE/);
    for (let i = 0; i < 3; i++) await app.keys(['right']);
    await app.waitFor('wide: from CONSEQUENCE (←→)');
    expect(header()).toMatch(/^ {3}R LOCUS↑ +CONSEQUENCE +TIER +CAT +VAF +READS +DEPTH +POP AF/);
    for (let i = 0; i < 20; i++) await app.keys(['l']);
    await app.waitFor('wide: from ACMG (←)');
    expect(header()).toMatch(/^ {3}R LOCUS↑ +ACMG$/);
    expect(lines(app.text()).every((l) => [...l].length <= 80)).toBe(true);
    await app.keys(['w'], 'Fitting columns');
    expect(header()).toMatch(/^ {3}R LOCUS↑ +GENE +HGVS +TIER CAT +VAF DEPTH ACMG$/);
    await app.resize(140, 30);
    await app.waitFor(/CONSEQUENCE/);
    expect(header()).toMatch(/^ {3}R LOCUS↑ +GENE +HGVS +CONSEQUENCE +TIER +CAT +VAF +READS +DEPTH +POP AF +CLINVAR +FILTER +ACMG$/);
    app.unmount();
  });

  test('a file still being ingested shows its rows so far, and the browser follows when it is done', async () => {
    const order = await orderOf('ORD-2026-0002');
    // as the ingest leaves it after a few batches: the progress is record_count, which each batch sets
    await db.query(`UPDATE vcf_files SET status = 'loading', record_count = 900 WHERE order_id = $1 AND status = 'ready'`, [order.id]);
    try {
      const app = await renderApp(await sessionAs(db, 'cora'), { initial: { kind: 'variants', orderId: order.id } });
      const loading = await app.waitFor(/ingesting… 900 rows so far · \d+ varian/);
      expect(loading).toMatch(/ord-2026-0002-tumour\.vcf \(TUMOR\) · ◌ ingesting… 900 rows so far · \d+ varian/);
      expect(tableRows(loading).length).toBe(16);
      // the next batch: the header follows within a poll
      await db.query(`UPDATE vcf_files SET record_count = 1500 WHERE order_id = $1 AND status = 'loading'`, [order.id]);
      await app.waitFor('ingesting… 1,500 rows so far', 5000);
      await db.query(`UPDATE vcf_files SET status = 'ready' WHERE order_id = $1 AND status = 'loading'`, [order.id]);
      const done = await app.waitFor(/ of 1,500 variants/, 5000);
      expect(done).not.toContain('ingesting…');
      app.unmount();
    } finally {
      await db.query(`UPDATE vcf_files SET status = 'ready', record_count = 1500 WHERE order_id = $1 AND status = 'loading'`, [order.id]);
    }
  });

  test('an order without a VCF says how to get one; a cache cleared by an upgrade names the file to ingest again', async () => {
    const order = await orderOf('ORD-2026-0005');
    const app = await renderApp(await sessionAs(db, 'ada'), { initial: { kind: 'variants', orderId: order.id } });
    const none = await app.waitFor('No VCF ingested for this order yet: curio vcf ingest ORD-2026-0005 FILE');
    expect(none).toMatch(/^ no VCF$/m);
    app.unmount();
    const analyzing = await orderOf('ORD-2026-0002');
    await db.query(`UPDATE vcf_files SET status = 'stale' WHERE order_id = $1 AND status = 'ready'`, [analyzing.id]);
    try {
      const stale = await renderApp(await sessionAs(db, 'ada'), { initial: { kind: 'variants', orderId: analyzing.id } });
      await stale.waitFor('Ingest the file again to browse it: curio vcf ingest ORD-2026-0002 FILE');
      expect(stale.text()).toMatch(/^ ord-2026-0002-tumour\.vcf was cleared by an upgrade of Curio$/m);
      stale.unmount();
    } finally {
      await db.query(`UPDATE vcf_files SET status = 'ready' WHERE order_id = $1 AND status = 'stale'`, [analyzing.id]);
    }
  });

  test('the first gene sort of a file says it is building the gene index, then shows the rows', async () => {
    const order = await orderOf('ORD-2026-0005');
    const path = join(dir, 'first-use.vcf');
    writeFileSync(path, demoVcfText(5, 800));
    const r = await ingestVcf(db, { orderId: order.id, path, sample: 'TUMOR', cacheDir });
    if (!r.ok) throw new Error(r.message);
    try {
      const inner = sessionBackend(await sessionAs(db, 'ada'));
      // the screen as it is once the notice has had its time to be drawn, before the build
      const notices: string[] = [];
      let app: App | null = null;
      const backend = Object.create(inner) as TuiBackend;
      backend.variantPage = async (orderId, request) => {
        const notice = request.onIndexBuild;
        if (!notice) return inner.variantPage(orderId, request);
        const onIndexBuild = async (column: Parameters<typeof notice>[0]) => {
          await notice(column);
          notices.push(app?.text() ?? '');
        };
        return inner.variantPage(orderId, { ...request, onIndexBuild });
      };
      app = await renderBackend(backend, { initial: { kind: 'variants', orderId: order.id } });
      await app.waitFor(/ of 800 variants · 1\//);
      expect(notices).toEqual([]);
      const frame = await app.keys(['s'], /^(?=[\s\S]*sort: gene ↑)[\s\S]* of 800 variants · 1\//);
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatch(/^ first-use\.vcf \(TUMOR\) · counting… · \S building the gene index \(once per file\)…$/m);
      expect(frame).not.toContain('building the');
      const byGene = await allVariants(db, order.id, { sort: { key: 'gene', dir: 'asc' } });
      expect(cursorLine(frame)).toContain(locus(byGene[0]!));
      // built: the reverse sort and a gene filter walk it without a word
      await app.keys(['S'], /^(?=[\s\S]*sort: gene ↓)[\s\S]* of 800 variants · 1\//);
      expect(notices).toHaveLength(1);
      app.unmount();
    } finally {
      await dropOrderVariants(db, order.id);
    }
  });
});
