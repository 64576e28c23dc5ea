import { createInterface } from 'node:readline/promises';
import { parseArgs, type CommandSpec } from './args.ts';
import { runAuditVerifyOn, runInit, runLogin, runSelectProject, runSettingsSet, runStandaloneInit, runUserVerb, runWhoami, openAdminTarget } from './cmd-admin.ts';
import { auditVerify, labflowsCommands, samplesCommands, stagesCommands, stagesShow } from './cmd-misc.ts';
import { ordersCommands, type CommandDef } from './cmd-orders.ts';
import { analysesCommands } from './cmd-analyses.ts';
import { reportCommands } from './cmd-report.ts';
import { variantsCommands, vcfCommands } from './cmd-variants.ts';
import { EXIT, openSession, openStore, report, type Store } from './context.ts';
import { LockedError } from './home.ts';
import { consoleOutput, type Output } from './output.ts';

export interface Io {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
}

export const USAGE = `curio — clinical genomics order review

usage: curio [COMMAND] [--json] [--help]

  curio                               open the terminal UI on CURIO_HOME
  curio demo                          a seeded demo project behind an embedded relay, opened as cora
  curio init --project NAME           new store with a project and its first project_admin
  curio login --token TOKEN           log in to this store
  curio login --server ws://H:P --token T   make CURIO_HOME a replica of a relay's project
  curio relay [--host H] [--port N] [--data DIR]   run the relay (DATABASE_URL for PostgreSQL)
  curio sync [--timeout S]            push queued changes, pull, exit 0 when in step
  curio status [--json]               server, connection, last sync, queued and rejected
  curio pending [discard|reissue MID] commands waiting for (or rejected by) the relay
  curio whoami                        who and where you are
  curio config select-project P       choose the project for later commands

  curio orders list|create|get|update|transition|delete|samples|add-sample|remove-sample
               samplesheet|history|notes|samples-sent
  curio samples create|list
  curio stages ID                     stages, states, assignees and capability flags
  curio stages assign|start|hold|resume|complete|skip ID
  curio labflows list|show|clone|publish
  curio vcf ingest ORDER PATH [--sample S]   VCF into the order's variant cache
  curio variants list|show|curate ORDER …    browse and curate an order's variants
  curio report draft|submit|show|sign|amend|list|remove|restore ORDER …
  curio analyses submit|list|get|transition|create-order …
  curio audit verify                  walk both hash chains; names the first bad row
  curio admin user add|role|revoke …  curio admin settings set KEY on|off
  curio admin --data DIR init|user|audit …   manage a relay's central store

exit codes: 0 done, 2 bad usage or input, 3 refused by the rules, 4 not found,
            5 audit verification failed, 1 internal error or store in use
CURIO_HOME (default $XDG_DATA_HOME/curio) holds the store; --json prints machine output.`;

const GROUPS: Record<string, Record<string, CommandDef>> = {
  orders: ordersCommands,
  samples: samplesCommands,
  stages: stagesCommands,
  labflows: labflowsCommands,
  vcf: vcfCommands,
  variants: variantsCommands,
  report: reportCommands,
  analyses: analysesCommands,
};

function groupUsage(group: Record<string, CommandDef>): string {
  return [`usage:`, ...Object.values(group).map((c) => `  ${c.spec.usage}`)].join('\n');
}

async function confirmOn(io: Io, question: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** runs a session command: opens the store, checks the login, runs, closes */
async function withSession(env: NodeJS.ProcessEnv, out: Output, io: Io, def: CommandDef, argv: string[]): Promise<number> {
  const a = parseArgs(argv, def.spec);
  if (!a.success) return report(out, a.error);
  if (a.data.flags.help) {
    out.out(`usage: ${def.spec.usage}`);
    return EXIT.ok;
  }
  return withStore(env, async (store) => {
    const s = await openSession(store);
    if (!s.success) return report(out, s.error);
    try {
      // stderr rides along for progress bars (see TerminalIo)
      const terminal = { confirm: (q: string) => confirmOn(io, q), isTTY: Boolean(io.stdin.isTTY && io.stdout.isTTY), stderr: io.stderr };
      return await def.run(s.data, out, a.data, terminal);
    } finally {
      await s.data.gateway.close?.();
    }
  });
}

async function withStore(env: NodeJS.ProcessEnv, fn: (store: Store) => Promise<number>): Promise<number> {
  const store = await openStore(env);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function simple(usage: string, positionals: string[] = [], flags: CommandSpec['flags'] = {}): CommandSpec {
  return { usage, positionals, flags };
}

export async function main(argv: string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const json = argv.includes('--json');
  const out = consoleOutput(json, io.stdout, io.stderr);
  const [cmd, sub, ...rest] = argv;
  try {
    if (cmd === undefined || cmd === 'tui') return await (await import('./cmd-tui.ts')).runHomeTui(env, io, out);
    if (cmd === 'demo') return await (await import('./cmd-tui.ts')).runDemo([sub, ...rest].filter((x): x is string => x !== undefined), env, io, out);
    if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
      out.out(USAGE);
      return EXIT.ok;
    }
    if (cmd === '--version') {
      out.out('curio 0.1.0');
      return EXIT.ok;
    }
    const group = GROUPS[cmd];
    if (group) {
      if (cmd === 'stages' && sub !== undefined && !(sub in group) && !sub.startsWith('-')) return await withSession(env, out, io, stagesShow, [sub, ...rest]);
      if (sub === undefined || sub === '--help' || sub === '-h') {
        out.out(groupUsage(group));
        return sub === undefined ? EXIT.usage : EXIT.ok;
      }
      const def = group[sub];
      if (!def) return report(out, { code: 'invalid_input', message: `unknown command 'curio ${cmd} ${sub}'\n${groupUsage(group)}` });
      return await withSession(env, out, io, def, rest);
    }
    switch (cmd) {
      case 'init':
        return await withStore(env, (store) => runStandaloneInit(store, out, [sub, ...rest].filter((x): x is string => x !== undefined)));
      case 'login': {
        const a = parseArgs(
          [sub, ...rest].filter((x): x is string => x !== undefined),
          simple('curio login [--server ws://HOST:PORT] --token TOKEN [--project P]', [], { token: { type: 'string' }, server: { type: 'string' }, project: { type: 'string' }, force: { type: 'boolean' } }),
        );
        if (!a.success) return report(out, a.error);
        return await withStore(env, async (store) => (a.data.flags.server ? (await import('./cmd-sync.ts')).runReplicaLogin(store, out, a.data) : runLogin(store, out, a.data)));
      }
      case 'relay':
        return await (await import('./cmd-sync.ts')).runRelay([sub, ...rest].filter((x): x is string => x !== undefined), env, out);
      case 'sync':
      case 'status':
      case 'pending':
        return await withStore(env, async (store) => {
          const s = await openSession(store);
          if (!s.success) return report(out, s.error);
          const args = [sub, ...rest].filter((x): x is string => x !== undefined && x !== '--json');
          const { runPending, runStatus, runSync } = await import('./cmd-sync.ts');
          try {
            if (cmd === 'sync') return await runSync(s.data, out, args);
            if (cmd === 'status') return await runStatus(s.data, out);
            return await runPending(s.data, out, args);
          } finally {
            await s.data.gateway.close?.();
          }
        });
      case 'whoami': {
        // unknown flags and stray arguments are errors here too
        const a = parseArgs([sub, ...rest].filter((x): x is string => x !== undefined), simple('curio whoami'));
        if (!a.success) return report(out, a.error);
        return await withStore(env, async (store) => {
          const s = await openSession(store);
          return s.success ? runWhoami(s.data, out) : report(out, s.error);
        });
      }
      case 'config': {
        if (sub !== 'select-project') return report(out, { code: 'invalid_input', message: 'usage: curio config select-project P' });
        const a = parseArgs(rest, simple('curio config select-project P', ['P']));
        if (!a.success) return report(out, a.error);
        return await withStore(env, (store) => runSelectProject(store, out, a.data.positionals[0]!));
      }
      case 'audit':
        if (sub !== 'verify') return report(out, { code: 'invalid_input', message: 'usage: curio audit verify' });
        return await withSession(env, out, io, auditVerify, rest);
      case 'admin':
        return await runAdmin(env, out, [sub, ...rest].filter((x): x is string => x !== undefined));
      default:
        return report(out, { code: 'invalid_input', message: `unknown command '${cmd}' (see curio --help)` });
    }
  } catch (err) {
    if (err instanceof LockedError) {
      out.err(err.message);
      return EXIT.failure;
    }
    out.err(`internal error: ${(err as Error).message}${env.CURIO_DEBUG ? `\n${(err as Error).stack}` : ' (set CURIO_DEBUG=1 for details)'}`);
    return EXIT.failure;
  }
}

async function runAdmin(env: NodeJS.ProcessEnv, out: Output, argv: string[]): Promise<number> {
  let dataDir: string | undefined;
  const args = [...argv];
  const di = args.indexOf('--data');
  if (di >= 0) {
    dataDir = args[di + 1];
    if (!dataDir || dataDir.startsWith('--')) return report(out, { code: 'invalid_input', message: '--data needs a directory' });
    args.splice(di, 2);
  }
  const [area, verb, ...rest] = args;
  const remote = dataDir !== undefined || (env.DATABASE_URL !== undefined && area !== 'settings');
  if (remote) {
    const target = await openAdminTarget(dataDir, env);
    try {
      if (area === 'init') return (await runInit(target.db, out, [verb, ...rest].filter((x): x is string => x !== undefined))).exit;
      if (area === 'user') return await runUserVerb(target, out, verb ?? '', rest);
      if (area === 'audit' && verb === 'verify') return await runAuditVerifyOn(target.db, out);
      return report(out, { code: 'invalid_input', message: 'usage: curio admin --data DIR init|user add|user role|user revoke|audit verify …' });
    } finally {
      await target.close();
    }
  }
  return withStore(env, async (store) => {
    const s = await openSession(store);
    if (!s.success) return report(out, s.error);
    if (area === 'user') return runUserVerb({ db: store.db, session: s.data, close: async () => undefined }, out, verb ?? '', rest);
    if (area === 'settings' && verb === 'set') return runSettingsSet(s.data, out, rest);
    if (area === 'audit' && verb === 'verify') return runAuditVerifyOn(store.db, out);
    return report(out, { code: 'invalid_input', message: 'usage: curio admin user add|role|revoke … | curio admin settings set KEY on|off' });
  });
}
