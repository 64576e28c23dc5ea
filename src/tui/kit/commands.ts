import type { Key } from 'ink';
import { formatKey, keyNameOf, normalizeKey, type KeyName } from './keys.ts';

// one table defines every binding; key dispatch, the ? help and the : palette
// are all generated from it, so they cannot drift apart

export type Completions<Ctx> = readonly string[] | ((ctx: Ctx) => readonly string[]);

export interface PaletteArg<Ctx> {
  /** shown in usage hints as <name> */
  name: string;
  complete?: Completions<Ctx>;
  optional?: boolean;
  /** accept values outside the completion list (free text, ids not loaded yet) */
  free?: boolean;
  /** the rest of the line, spaces included; last argument only */
  rest?: boolean;
}

export interface PaletteSpec<Ctx> {
  name: string;
  aliases?: readonly string[];
  args?: readonly PaletteArg<Ctx>[];
}

export interface CommandSpec<Ctx, Id extends string> {
  id: Id;
  /** key specs: 'j', 'G', 'down', 'pgdn', 'ctrl-d', 'enter', 'esc', 'space', '?', ':' … */
  keys: readonly string[];
  /** a few words, shown in help and the palette */
  label: string;
  /** one line saying what it does */
  help: string;
  /** help section */
  group: string;
  /** available in this context; unavailable commands keep their help row but do not fire */
  when?: (ctx: Ctx) => boolean;
  palette?: PaletteSpec<Ctx>;
}

export interface Command<Ctx, Id extends string> extends CommandSpec<Ctx, Id> {
  readonly keys: readonly KeyName[];
}

export interface CommandTable<Ctx, Id extends string> {
  readonly commands: readonly Command<Ctx, Id>[];
  readonly byId: ReadonlyMap<Id, Command<Ctx, Id>>;
  readonly byKey: ReadonlyMap<KeyName, readonly Command<Ctx, Id>[]>;
  /** palette names and aliases, lower case; a name is shared only by commands with a `when` */
  readonly byName: ReadonlyMap<string, readonly Command<Ctx, Id>[]>;
}

/** a table's command ids */
export type CommandId<T> = T extends CommandTable<unknown, infer Id> ? Id : never;

/** builds and checks a table; a mistake in it is a programmer error and throws */
export function defineCommands<Ctx, const Id extends string>(
  specs: readonly CommandSpec<Ctx, Id>[],
): CommandTable<Ctx, Id> {
  const commands: Command<Ctx, Id>[] = [];
  const byId = new Map<Id, Command<Ctx, Id>>();
  const byKey = new Map<KeyName, Command<Ctx, Id>[]>();
  const byName = new Map<string, Command<Ctx, Id>[]>();
  for (const spec of specs) {
    if (byId.has(spec.id)) throw new Error(`command "${spec.id}" is defined twice`);
    const command: Command<Ctx, Id> = { ...spec, keys: spec.keys.map(normalizeKey) };
    for (const key of command.keys) {
      const bound = byKey.get(key) ?? [];
      const shadow = bound.find((other) => !other.when);
      // first match wins, so an unconditional binding hides every later one
      if (shadow) throw new Error(`key "${key}" of "${spec.id}" is already bound to "${shadow.id}" unconditionally`);
      bound.push(command);
      byKey.set(key, bound);
    }
    if (spec.palette) {
      for (const name of [spec.palette.name, ...(spec.palette.aliases ?? [])]) {
        const lower = name.toLowerCase();
        if (!/^[a-z0-9][a-z0-9._-]*$/.test(lower)) throw new Error(`palette name "${name}" must be one word`);
        // one word may mean different commands on different screens (:sort, :filter), so
        // every command sharing it must say where it applies
        const others = byName.get(lower) ?? [];
        const other = others.find((o) => !o.when) ?? (others.length > 0 && !spec.when ? others[0] : undefined);
        if (other) throw new Error(`palette name "${name}" is used by "${other.id}" and "${spec.id}"`);
        byName.set(lower, [...others, command]);
      }
      const args = spec.palette.args ?? [];
      args.forEach((arg, i) => {
        if (arg.rest && i !== args.length - 1) throw new Error(`"${spec.id}": only the last argument may take the rest`);
        const prev = args[i - 1];
        if (prev?.optional && !arg.optional) throw new Error(`"${spec.id}": a required argument follows an optional one`);
      });
    }
    commands.push(command);
    byId.set(spec.id, command);
  }
  return { commands, byId, byKey, byName };
}

export function isAvailable<Ctx>(command: { when?: (ctx: Ctx) => boolean }, ctx: Ctx): boolean {
  return command.when ? command.when(ctx) : true;
}

/** the command a keypress fires in this context, or null */
export function resolveKey<Ctx, Id extends string>(
  table: CommandTable<Ctx, Id>,
  input: string,
  key: Partial<Key>,
  ctx: Ctx,
): Id | null {
  const name = keyNameOf(input, key);
  if (name === null) return null;
  const bound = table.byKey.get(name);
  if (!bound) return null;
  for (const command of bound) if (isAvailable(command, ctx)) return command.id;
  return null;
}

/** 'j/↓' — the keys of a command as shown to people */
export function keyLabel(command: { keys: readonly KeyName[] }): string {
  return command.keys.map(formatKey).join('/');
}

/** key label of a command by id, for footers such as "? help  : commands" */
export function keysFor<Ctx, Id extends string>(table: CommandTable<Ctx, Id>, id: Id): string {
  const command = table.byId.get(id);
  return command ? keyLabel(command) : '';
}

export interface HelpRow<Id extends string = string> {
  id: Id;
  keys: string;
  label: string;
  help: string;
  /** ':name <arg>' when the command is in the palette */
  palette: string | null;
  available: boolean;
}

export interface HelpSection<Id extends string = string> {
  group: string;
  rows: readonly HelpRow<Id>[];
}

export function paletteUsage<Ctx>(palette: PaletteSpec<Ctx>): string {
  const args = (palette.args ?? []).map((arg) => {
    const inner = arg.rest ? `${arg.name}…` : arg.name;
    return arg.optional ? `[${inner}]` : `<${inner}>`;
  });
  return [palette.name, ...args].join(' ');
}

/** the ? overlay's content: every command, grouped in table order */
export function helpSections<Ctx, Id extends string>(
  table: CommandTable<Ctx, Id>,
  ctx?: Ctx,
): readonly HelpSection<Id>[] {
  const groups = new Map<string, HelpRow<Id>[]>();
  for (const command of table.commands) {
    const rows = groups.get(command.group) ?? [];
    rows.push({
      id: command.id,
      keys: keyLabel(command),
      label: command.label,
      help: command.help,
      palette: command.palette ? `:${paletteUsage(command.palette)}` : null,
      available: ctx === undefined ? true : isAvailable(command, ctx),
    });
    groups.set(command.group, rows);
  }
  return [...groups].map(([group, rows]) => ({ group, rows }));
}
