import {
  isAvailable,
  paletteUsage,
  type Command,
  type CommandTable,
  type Completions,
  type PaletteArg,
} from './commands.ts';
import { editDistance } from './text.ts';

// the : palette's grammar: `name arg arg…`, words separated by spaces; a
// `rest` argument takes the remainder of the line verbatim

interface Token {
  text: string;
  start: number;
  end: number;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(/\S+/g)) {
    tokens.push({ text: match[0], start: match.index, end: match.index + match[0].length });
  }
  return tokens;
}

export interface PaletteCandidate {
  /** the text that replaces the word being completed */
  value: string;
  /** shown beside it: usage for commands */
  display: string;
  detail: string;
  /** more words expected after it, so accepting adds a space */
  more: boolean;
}

export interface PaletteCompletion {
  /** the range of the input a candidate replaces */
  start: number;
  end: number;
  prefix: string;
  candidates: readonly PaletteCandidate[];
  /** the command being typed, once its name is known */
  command: { usage: string; help: string } | null;
}

export interface PaletteEntry<Id extends string = string> {
  id: Id;
  name: string;
  aliases: readonly string[];
  usage: string;
  label: string;
  help: string;
  available: boolean;
}

/** every palette command, in table order */
export function paletteEntries<Ctx, Id extends string>(
  table: CommandTable<Ctx, Id>,
  ctx: Ctx,
): readonly PaletteEntry<Id>[] {
  return table.commands.flatMap((command) =>
    command.palette
      ? [
          {
            id: command.id,
            name: command.palette.name,
            aliases: command.palette.aliases ?? [],
            usage: paletteUsage(command.palette),
            label: command.label,
            help: command.help,
            available: isAvailable(command, ctx),
          },
        ]
      : [],
  );
}

function valuesOf<Ctx>(complete: Completions<Ctx> | undefined, ctx: Ctx): readonly string[] {
  if (!complete) return [];
  return typeof complete === 'function' ? complete(ctx) : complete;
}

// prefix matches first, then words that merely contain what was typed
function rank<T>(items: readonly T[], prefix: string, keysOf: (item: T) => readonly string[]): T[] {
  const p = prefix.toLowerCase();
  const starts: T[] = [];
  const contains: T[] = [];
  for (const item of items) {
    const keys = keysOf(item).map((k) => k.toLowerCase());
    if (keys.some((k) => k.startsWith(p))) starts.push(item);
    else if (p !== '' && keys.some((k) => k.includes(p))) contains.push(item);
  }
  return [...starts, ...contains];
}

/** the command a palette word names here: the one available in this context, else the first */
function commandNamed<Ctx, Id extends string>(table: CommandTable<Ctx, Id>, name: string, ctx: Ctx): Command<Ctx, Id> | undefined {
  const named = table.byName.get(name.toLowerCase()) ?? [];
  return named.find((c) => isAvailable(c, ctx)) ?? named[0];
}

function argAt<Ctx>(args: readonly PaletteArg<Ctx>[], index: number): PaletteArg<Ctx> | undefined {
  const last = args[args.length - 1];
  return args[index] ?? (last?.rest ? last : undefined);
}

export function completePalette<Ctx, Id extends string>(
  table: CommandTable<Ctx, Id>,
  text: string,
  ctx: Ctx,
): PaletteCompletion {
  const tokens = tokenize(text);
  const atNewWord = tokens.length === 0 || /\s$/.test(text);
  const current: Token = atNewWord ? { text: '', start: text.length, end: text.length } : (tokens[tokens.length - 1] as Token);
  const index = atNewWord ? tokens.length : tokens.length - 1;
  const base = { start: current.start, end: current.end, prefix: current.text };

  if (index === 0) {
    const available = table.commands.filter((c) => c.palette && isAvailable(c, ctx));
    const ranked = rank(available, current.text, (c) => [c.palette?.name ?? '', ...(c.palette?.aliases ?? [])]).filter(
      (c, i, all) => all.findIndex((o) => o.palette?.name === c.palette?.name) === i,
    );
    const exact = commandNamed(table, current.text, ctx);
    return {
      ...base,
      candidates: ranked.map((c) => ({
        value: c.palette?.name ?? '',
        display: c.palette ? paletteUsage(c.palette) : '',
        detail: c.label,
        more: (c.palette?.args ?? []).length > 0,
      })),
      command: exact?.palette ? { usage: paletteUsage(exact.palette), help: exact.help } : null,
    };
  }

  const command = commandNamed(table, tokens[0]?.text ?? '', ctx);
  if (!command?.palette || !isAvailable(command, ctx)) return { ...base, candidates: [], command: null };
  const args = command.palette.args ?? [];
  const arg = argAt(args, index - 1);
  const info = { usage: paletteUsage(command.palette), help: command.help };
  if (!arg) return { ...base, candidates: [], command: info };
  const more = !arg.rest && index - 1 < args.length - 1;
  const values = rank(valuesOf(arg.complete, ctx), current.text, (v) => [v]);
  return {
    ...base,
    candidates: values.map((value) => ({ value, display: value, detail: `<${arg.name}>`, more })),
    command: info,
  };
}

/** the input after choosing a candidate */
export function acceptCandidate(text: string, completion: PaletteCompletion, candidate: PaletteCandidate): string {
  const after = text.slice(completion.end);
  const suffix = candidate.more && after === '' ? ' ' : '';
  return text.slice(0, completion.start) + candidate.value + suffix + after;
}

export type PaletteErrorCode =
  | 'empty'
  | 'unknown_command'
  | 'unavailable'
  | 'missing_argument'
  | 'invalid_argument'
  | 'too_many_arguments';

export interface PaletteError {
  code: PaletteErrorCode;
  message: string;
}

export type PaletteResult<Id extends string> =
  | { success: true; data: { id: Id; args: readonly string[] } }
  | { success: false; error: PaletteError };

function failure(code: PaletteErrorCode, message: string): { success: false; error: PaletteError } {
  return { success: false, error: { code, message } };
}

function closest(names: readonly string[], word: string): string | null {
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const name of names) {
    const d = editDistance(word.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

function listed(values: readonly string[]): string {
  const shown = values.slice(0, 6).join(', ');
  return values.length > 6 ? `${shown}, …` : shown;
}

/** checks a typed line against the table; what Enter in the palette runs */
export function parsePalette<Ctx, Id extends string>(
  table: CommandTable<Ctx, Id>,
  text: string,
  ctx: Ctx,
): PaletteResult<Id> {
  const line = text.replace(/^\s*:/, '');
  const tokens = tokenize(line);
  const [head, ...rest] = tokens;
  if (!head) return failure('empty', 'Type a command name; Tab lists them.');
  const command: Command<Ctx, Id> | undefined = commandNamed(table, head.text, ctx);
  if (!command?.palette) {
    const names = table.commands.filter((c) => c.palette && isAvailable(c, ctx)).map((c) => c.palette?.name ?? '');
    const guess = closest(names, head.text);
    const hint = guess ? `did you mean "${guess}"?` : 'Tab lists commands.';
    return failure('unknown_command', `Unknown command "${head.text}" — ${hint}`);
  }
  const name = command.palette.name;
  if (!isAvailable(command, ctx)) return failure('unavailable', `"${name}" is not available here.`);
  const specs = command.palette.args ?? [];
  const usage = paletteUsage(command.palette);
  const args: string[] = [];
  for (const [i, spec] of specs.entries()) {
    const token = rest[i];
    if (!token) {
      if (spec.optional) break;
      return failure('missing_argument', `"${name}" needs <${spec.name}> — usage: ${usage}`);
    }
    const value = spec.rest ? line.slice(token.start).trimEnd() : token.text;
    const allowed = valuesOf(spec.complete, ctx);
    if (!spec.free && spec.complete) {
      const match = allowed.find((v) => v.toLowerCase() === value.toLowerCase());
      if (match === undefined) {
        return failure('invalid_argument', `Unknown ${spec.name} "${value}" — expected ${listed(allowed)}`);
      }
      args.push(match);
    } else {
      args.push(value);
    }
    if (spec.rest) return { success: true, data: { id: command.id, args } };
  }
  if (rest.length > specs.length) {
    const message = specs.length === 0 ? `"${name}" takes no arguments` : `too many arguments — usage: ${usage}`;
    return failure('too_many_arguments', message);
  }
  return { success: true, data: { id: command.id, args } };
}
