import { fail, ok, type Result } from '../core/index.ts';

// a small, strict argument parser: unknown flags and bad values are errors that name them

export interface FlagSpec {
  type: 'string' | 'boolean' | 'number';
  short?: string;
  multiple?: boolean;
  choices?: readonly string[];
  /** shown in usage */
  value?: string;
}

export interface CommandSpec {
  usage: string;
  flags?: Record<string, FlagSpec>;
  positionals?: readonly string[];
  /** positionals after these are optional */
  required?: number;
}

export interface Parsed {
  flags: Record<string, string | boolean | number | string[] | undefined>;
  positionals: string[];
}

export const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'no-wait': { type: 'boolean' },
};

export function parseArgs(argv: readonly string[], spec: CommandSpec): Result<Parsed> {
  const flags: Parsed['flags'] = {};
  const positionals: string[] = [];
  const all = { ...GLOBAL_FLAGS, ...(spec.flags ?? {}) };
  const byShort = new Map(Object.entries(all).filter(([, f]) => f.short).map(([n, f]) => [f.short!, n]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
      if (eq > 0) inline = arg.slice(eq + 1);
    } else if (/^-[A-Za-z]$/.test(arg)) {
      name = byShort.get(arg.slice(1));
      if (!name) return fail('invalid_input', `unknown option ${arg}\nusage: ${spec.usage}`, { path: [arg] });
    } else {
      positionals.push(arg);
      continue;
    }
    const f = all[name];
    if (!f) return fail('invalid_input', `unknown option --${name}\nusage: ${spec.usage}`, { path: [`--${name}`] });
    let value: string | boolean | number;
    if (f.type === 'boolean') {
      if (inline !== undefined) return fail('invalid_input', `--${name} takes no value`, { path: [`--${name}`] });
      value = true;
    } else {
      const raw = inline ?? argv[++i];
      if (raw === undefined) return fail('invalid_input', `--${name} needs a value${f.value ? ` (${f.value})` : ''}`, { path: [`--${name}`] });
      if (f.type === 'number') {
        const n = Number(raw);
        if (raw.trim() === '' || !Number.isFinite(n)) return fail('invalid_input', `--${name}: expected a number, got ${JSON.stringify(raw)}`, { path: [`--${name}`] });
        value = n;
      } else value = raw;
      if (f.choices && !f.choices.includes(String(value)))
        return fail('invalid_input', `--${name}: must be one of ${f.choices.join(', ')} (got ${JSON.stringify(raw)})`, { path: [`--${name}`] });
    }
    if (f.multiple) flags[name] = [...((flags[name] as string[] | undefined) ?? []), String(value)];
    else if (flags[name] !== undefined && f.type !== 'boolean') return fail('invalid_input', `--${name} given twice`, { path: [`--${name}`] });
    else flags[name] = value;
  }
  const names = spec.positionals ?? [];
  const required = spec.required ?? names.length;
  if (!flags.help && positionals.length < required)
    return fail('invalid_input', `missing ${names.slice(positionals.length, required).join(' ')}\nusage: ${spec.usage}`);
  if (positionals.length > names.length)
    return fail('invalid_input', `unexpected argument ${JSON.stringify(positionals[names.length])}\nusage: ${spec.usage}`);
  return ok({ flags, positionals });
}

/** a flag's value when it is a string (flags parse to string | boolean | number | string[]) */
export function stringFlag(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
