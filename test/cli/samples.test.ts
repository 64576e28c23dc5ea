import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliFixture, jsonOf, looksLikeCrash, type CliFixture, type CliHome } from '../helpers/cli.ts';

// curio samples …, an order's samples and samplesheet, and bad input to every orders/samples command

interface OrderSamplesJson {
  samples: { display_id: string; role: string }[];
}

let fx: CliFixture;
beforeAll(async () => {
  fx = await createCliFixture();
});
afterAll(() => fx?.cleanup());

interface SampleJson {
  id: string;
  display_id: string;
  sample_type: string;
  specimen_type: string | null;
  sex: string | null;
  fastq_1: string | null;
  fastq_2: string | null;
  strandedness: string | null;
  accession: string | null;
  subject_id: string | null;
  role?: string;
}

describe('curio samples and an order’s samples', () => {
  let h: CliHome;
  beforeAll(async () => {
    h = fx.fresh('editor');
    expect((await h.run('orders', 'create', '-n', 'TRIO-1')).code).toBe(0);
  });

  it('creates samples with every field and lists them', async () => {
    const r = await h.run(
      'samples', 'create', '-n', 'S-PROBAND', '--type', 'germline', '--specimen-type', 'blood', '--sex', 'female', '--fastq-1', 'p_R1.fastq.gz',
      '--fastq-2', 'p_R2.fastq.gz', '--strandedness', 'unstranded', '--accession', 'ACC-P', '--subject-id', 'SUBJ-1',
    );
    expect(r).toMatchObject({ code: 0, stdout: 'created sample S-PROBAND\n' });
    const mother = await h.json<{ id: string; display_id: string }>('samples', 'create', '-n', 'S-MOTHER', '--sex', 'female', '--fastq-1', 'm_R1.fastq.gz');
    expect(mother.display_id).toBe('S-MOTHER');
    const all = await h.json<SampleJson[]>('samples', 'list');
    expect(all.map((s) => s.display_id)).toEqual(['S-MOTHER', 'S-PROBAND']);
    expect(all[1]).toMatchObject({
      sample_type: 'germline',
      specimen_type: 'blood',
      sex: 'female',
      fastq_1: 'p_R1.fastq.gz',
      fastq_2: 'p_R2.fastq.gz',
      strandedness: 'unstranded',
      accession: 'ACC-P',
      subject_id: 'SUBJ-1',
    });
    const text = await h.run('samples', 'list');
    expect(text.stdout).toMatch(/^SAMPLE\s+TYPE\s+SPECIMEN\s+SEX\s+SUBJECT\s+QC\n/);
    expect(text.stdout).toMatch(/S-PROBAND\s+germline\s+blood\s+female\s+SUBJ-1/);
  });

  it('refuses a duplicate sample and a viewer creating one', async () => {
    const dup = await h.run('samples', 'create', '-n', 'S-PROBAND');
    expect(dup.code).toBe(3);
    expect(dup.stderr).toMatch(/^Conflict: sample display id S-PROBAND is already used/);
    h.as('viewer');
    const denied = await h.run('samples', 'create', '-n', 'S-V');
    expect(denied.code).toBe(3);
    expect(denied.stderr).toMatch(/^Permission denied:/);
    h.as('editor');
  });

  it('adds samples with roles, lists them and removes one', async () => {
    expect(await h.run('orders', 'samples', 'TRIO-1')).toMatchObject({ code: 0, stdout: 'order TRIO-1 has no samples\n' });
    expect(await h.run('orders', 'add-sample', 'TRIO-1', 'S-PROBAND')).toMatchObject({ code: 0, stdout: 'added S-PROBAND to TRIO-1 as proband\n' });
    expect(await h.json('orders', 'add-sample', 'TRIO-1', 'S-MOTHER', '--role', 'mother')).toEqual({ order: 'TRIO-1', sample: 'S-MOTHER', role: 'mother' });
    const listed = await h.json<SampleJson[]>('orders', 'samples', 'TRIO-1');
    expect(listed.map((s) => [s.display_id, s.role, s.sample_type])).toEqual([
      ['S-MOTHER', 'mother', 'unknown'],
      ['S-PROBAND', 'proband', 'germline'],
    ]);
    const text = await h.run('orders', 'samples', 'TRIO-1');
    expect(text.stdout).toMatch(/^SAMPLE\s+ROLE\s+TYPE\s+SEX\s+SUBJECT\n/);
    const again = await h.run('orders', 'add-sample', 'TRIO-1', 'S-MOTHER', '--role', 'sibling');
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/^Conflict: sample S-MOTHER is already on order TRIO-1 as mother/);
    // the order view shows its samples too
    expect((await h.json<OrderSamplesJson>('orders', 'get', 'TRIO-1')).samples.map((s) => s.role)).toEqual(['mother', 'proband']);
    expect(await h.run('orders', 'remove-sample', 'TRIO-1', 'S-MOTHER')).toMatchObject({ code: 0, stdout: 'removed S-MOTHER from TRIO-1\n' });
    const notOn = await h.run('orders', 'remove-sample', 'TRIO-1', 'S-MOTHER');
    expect(notOn.code).toBe(4);
    expect(notOn.stderr).toMatch(/^Not found: sample .* is not on order TRIO-1/);
    expect(await h.json('orders', 'add-sample', 'TRIO-1', 'S-MOTHER', '--role', 'father')).toMatchObject({ role: 'father' });
    expect(await h.json('orders', 'remove-sample', 'TRIO-1', 'S-MOTHER')).toEqual({ order: 'TRIO-1', sample: 'S-MOTHER' });
    expect(await h.json('orders', 'add-sample', 'TRIO-1', 'S-MOTHER', '--role', 'mother')).toMatchObject({ role: 'mother' });
  });

  it('writes a samplesheet to stdout and with -o to a file, the same CSV', async () => {
    const printed = await h.run('orders', 'samplesheet', 'TRIO-1');
    expect(printed.code).toBe(0);
    const file = join(h.dir, 'trio.csv');
    const written = await h.run('orders', 'samplesheet', 'TRIO-1', '-o', file);
    expect(written).toMatchObject({ code: 0, stdout: `wrote 2 samples to ${file}\n` });
    const csv = readFileSync(file, 'utf8');
    expect(printed.stdout.trim()).toBe(csv.trim());
    const [header, ...rows] = csv.trim().split('\n').map((l) => l.split(','));
    expect(header).toEqual(['sample', 'fastq_1', 'fastq_2', 'strandedness', 'specimen_type', 'sex', 'accession_id']);
    const bySample = new Map(rows.map((r) => [r[0], Object.fromEntries(header!.map((k, i) => [k, r[i] ?? '']))]));
    expect(bySample.get('S-PROBAND')).toEqual({
      sample: 'S-PROBAND',
      fastq_1: 'p_R1.fastq.gz',
      fastq_2: 'p_R2.fastq.gz',
      strandedness: 'unstranded',
      specimen_type: 'blood',
      sex: 'female',
      accession_id: 'ACC-P',
    });
    expect(bySample.get('S-MOTHER')).toMatchObject({ fastq_1: 'm_R1.fastq.gz', fastq_2: '' });
    const json = await h.json('orders', 'samplesheet', 'TRIO-1', '-o', file);
    expect(json).toEqual({ file, samples: 2 });
    const bad = await h.run('orders', 'samplesheet', 'TRIO-1', '-o', join(h.dir, 'no', 'such', 'dir.csv'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^Invalid input: -o .*dir\.csv/);
  });
});

describe('bad input to curio orders and curio samples', () => {
  let h: CliHome;
  beforeAll(async () => {
    h = fx.fresh('admin');
    expect((await h.run('orders', 'create', '-n', 'ORD-1')).code).toBe(0);
    expect((await h.run('samples', 'create', '-n', 'S-1')).code).toBe(0);
  });

  // [args, exit code, what the message must say]
  const cases: [string[], number, RegExp][] = [
    // unknown flags
    [['orders', 'list', '--frob'], 2, /unknown option --frob/],
    [['orders', 'create', '-n', 'X', '--frob'], 2, /unknown option --frob/],
    [['orders', 'get', 'ORD-1', '--frob'], 2, /unknown option --frob/],
    [['orders', 'update', 'ORD-1', '--frob', 'x'], 2, /unknown option --frob/],
    [['orders', 'transition', 'ORD-1', 'analyzing', '--frob'], 2, /unknown option --frob/],
    [['orders', 'delete', 'ORD-1', '--frob'], 2, /unknown option --frob/],
    [['orders', 'samples', 'ORD-1', '--frob'], 2, /unknown option --frob/],
    [['orders', 'add-sample', 'ORD-1', 'S-1', '--frob'], 2, /unknown option --frob/],
    [['orders', 'remove-sample', 'ORD-1', 'S-1', '--frob'], 2, /unknown option --frob/],
    [['orders', 'samplesheet', 'ORD-1', '-z'], 2, /unknown option -z/],
    [['orders', 'history', 'ORD-1', '--frob'], 2, /unknown option --frob/],
    [['orders', 'notes', 'ORD-1', '--frob'], 2, /unknown option --frob/],
    [['orders', 'samples-sent', 'ORD-1', '--frob'], 2, /unknown option --frob/],
    [['samples', 'create', '-n', 'S-2', '--frob'], 2, /unknown option --frob/],
    [['samples', 'list', '--frob'], 2, /unknown option --frob/],
    [['orders', 'frobnicate'], 2, /unknown command 'curio orders frobnicate'/],
    // missing arguments
    [['orders', 'create'], 2, /missing -n DISPLAY_ID/],
    [['orders', 'create', '-n'], 2, /--name needs a value/],
    [['orders', 'get'], 2, /missing ID/],
    [['orders', 'update', 'ORD-1'], 2, /nothing to change/],
    [['orders', 'transition', 'ORD-1'], 2, /missing STATUS/],
    [['orders', 'delete'], 2, /missing ID/],
    [['orders', 'samples'], 2, /missing ID/],
    [['orders', 'add-sample', 'ORD-1'], 2, /missing SAMPLE/],
    [['orders', 'remove-sample', 'ORD-1'], 2, /missing SAMPLE/],
    [['orders', 'samplesheet'], 2, /missing ID/],
    [['orders', 'history'], 2, /missing ID/],
    [['orders', 'notes'], 2, /missing ID/],
    [['orders', 'samples-sent'], 2, /missing ID/],
    [['orders', 'get', 'ORD-1', 'extra'], 2, /unexpected argument "extra"/],
    [['samples', 'create'], 2, /missing -n DISPLAY_ID/],
    // bad values
    [['orders', 'list', '--status', 'bogus'], 2, /--status: must be one of .*\(got "bogus"\)/],
    [['orders', 'list', '--priority', 'urgent'], 2, /--priority: must be one of low, medium, high \(got "urgent"\)/],
    [['orders', 'list', '--limit', 'abc'], 2, /--limit: expected a number, got "abc"/],
    [['orders', 'list', '--limit', '-1'], 2, /--limit: expected a whole number/],
    [['orders', 'create', '-n', 'X', '--mode', 'germline'], 2, /--mode: must be one of hereditary, somatic/],
    [['orders', 'create', '-n', 'X', '--priority', 'urgent'], 2, /--priority: must be one of low, medium, high/],
    [['orders', 'create', '-n', 'X', '--workflow', 'lab'], 2, /--workflow: must be one of clinical, facility/],
    [['orders', 'create', '-n', '---'], 2, /displayId: must start with a letter or digit/],
    [['orders', 'update', 'ORD-1', '--priority', 'urgent'], 2, /--priority: must be one of/],
    [['orders', 'update', 'ORD-1', '--mode', 'x'], 2, /--mode: must be one of/],
    [['orders', 'add-sample', 'ORD-1', 'S-1', '--role', 'uncle'], 2, /--role: must be one of proband, mother, father/],
    [['orders', 'create', '-n', 'X', '--priority', 'high', '--priority', 'low'], 2, /--priority given twice/],
    [['samples', 'create', '-n', 'S-2', '--type', 'blood'], 2, /--type: must be one of germline, somatic, ffpe, liquid_biopsy, unknown/],
    [['samples', 'create', '-n', 'S-2', '--sex', 'x'], 2, /--sex: must be one of/],
    [['samples', 'create', '-n', 'S-2', '--strandedness', 'sideways'], 2, /--strandedness: must be one of/],
    [['samples', 'list', '--limit', 'abc'], 2, /--limit: expected a number/],
    [['samples', 'list', '--limit', '-3'], 2, /--limit: expected a whole number/],
    // unknown order, sample, user
    [['orders', 'get', 'NOPE'], 4, /^Not found: order NOPE$/],
    [['orders', 'get', '00000000-0000-4000-8000-000000000000'], 4, /^Not found: order 00000000/],
    [['orders', 'update', 'NOPE', '--priority', 'high'], 4, /^Not found: order NOPE$/],
    [['orders', 'transition', 'NOPE', 'analyzing'], 4, /^Not found: order NOPE$/],
    [['orders', 'delete', 'NOPE', '--yes'], 4, /^Not found: order NOPE$/],
    [['orders', 'samples', 'NOPE'], 4, /^Not found: order NOPE$/],
    [['orders', 'add-sample', 'NOPE', 'S-1'], 4, /^Not found: order NOPE$/],
    [['orders', 'add-sample', 'ORD-1', 'S-NOPE'], 4, /^Not found: sample S-NOPE$/],
    [['orders', 'remove-sample', 'ORD-1', 'S-NOPE'], 4, /^Not found: sample S-NOPE$/],
    [['orders', 'samplesheet', 'NOPE'], 4, /^Not found: order NOPE$/],
    [['orders', 'history', 'NOPE'], 4, /^Not found: order NOPE$/],
    [['orders', 'notes', 'NOPE'], 4, /^Not found: order NOPE$/],
    [['orders', 'samples-sent', 'NOPE'], 4, /^Not found: order NOPE$/],
    [['orders', 'list', '--assignee', 'ghost'], 4, /^Not found: user ghost$/],
  ];

  it.each(cases)('curio %j exits %i', async (args, code, message) => {
    const r = await h.run(...args);
    expect(r.code).toBe(code);
    expect(r.stderr.split('\n')[0]).toMatch(message);
    expect(r.stdout).toBe('');
    expect(looksLikeCrash(r)).toBe(false);
  });

  it('answers errors in --json on stdout with the code and the same message', async () => {
    const r = await h.run('orders', 'list', '--priority', 'urgent', '--json');
    expect(r.code).toBe(2);
    expect(jsonOf(r)).toEqual({ error: { code: 'invalid_input', message: 'Invalid input: --priority: must be one of low, medium, high (got "urgent")', path: ['--priority'] } });
    expect(r.stderr).toBe('');
  });

  it('prints the group usage for curio orders alone and --help per command', async () => {
    const bare = await h.run('orders');
    expect(bare.code).toBe(2);
    expect(bare.stdout).toContain('curio orders transition ID STATUS');
    const help = await h.run('orders', 'create', '--help');
    expect(help).toMatchObject({ code: 0 });
    expect(help.stdout).toMatch(/^usage: curio orders create -n DISPLAY_ID/);
  });
});
