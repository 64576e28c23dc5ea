import type { Key } from 'ink';

/**
 * Canonical key names. Printable characters name themselves and are case
 * sensitive ('g' and 'G', 'n' and 'N'); named keys are lower case:
 * up down left right pgup pgdn home end enter esc tab shift-tab space
 * backspace, and ctrl-<letter>, alt-<char>.
 */
export type KeyName = string;

const NAMED = new Set([
  'up',
  'down',
  'left',
  'right',
  'pgup',
  'pgdn',
  'home',
  'end',
  'enter',
  'esc',
  'tab',
  'shift-tab',
  'space',
  'backspace',
]);

const ALIASES: Record<string, string> = {
  pageup: 'pgup',
  pagedown: 'pgdn',
  return: 'enter',
  escape: 'esc',
  'btab': 'shift-tab',
  'backtab': 'shift-tab',
  ' ': 'space',
};

/** turns a key spec from a command table into its canonical name; throws on typos */
export function normalizeKey(spec: string): KeyName {
  if ([...spec].length === 1) return spec === ' ' ? 'space' : spec;
  const lower = spec.trim().toLowerCase();
  const named = ALIASES[lower] ?? lower;
  if (NAMED.has(named)) return named;
  const mod = /^(ctrl|c|alt|m|meta)[-+](.)$/i.exec(spec.trim());
  if (mod?.[1] && mod[2]) {
    const ctrl = mod[1].toLowerCase() === 'ctrl' || mod[1].toLowerCase() === 'c';
    if (ctrl) {
      if (!/^[a-z]$/i.test(mod[2])) throw new Error(`key "${spec}": ctrl combines only with a letter`);
      return `ctrl-${mod[2].toLowerCase()}`;
    }
    return `alt-${mod[2]}`;
  }
  throw new Error(`unknown key name "${spec}"`);
}

/** the canonical name of one keypress as Ink's useInput reports it, or null for pastes */
export function keyNameOf(input: string, key: Partial<Key>): KeyName | null {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pgup';
  if (key.pageDown) return 'pgdn';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'enter';
  if (key.escape) return 'esc';
  if (key.tab) return key.shift ? 'shift-tab' : 'tab';
  // most terminals send DEL (0x7f) for Backspace, which Ink reports as `delete`
  if (key.backspace || key.delete) return 'backspace';
  if (key.ctrl && /^[a-z]$/i.test(input)) return `ctrl-${input.toLowerCase()}`;
  if (input === ' ') return 'space';
  const chars = [...input];
  if (chars.length !== 1) return null;
  if (key.meta) return `alt-${input}`;
  return input;
}

const DISPLAY: Record<string, string> = {
  up: '↑',
  down: '↓',
  left: '←',
  right: '→',
  pgup: 'PgUp',
  pgdn: 'PgDn',
  home: 'Home',
  end: 'End',
  enter: 'Enter',
  esc: 'Esc',
  tab: 'Tab',
  'shift-tab': 'S-Tab',
  space: 'Space',
  backspace: 'Bksp',
};

/** how a key is shown in help and hints: 'ctrl-d' → 'C-d', 'pgdn' → 'PgDn' */
export function formatKey(name: KeyName): string {
  const shown = DISPLAY[name];
  if (shown) return shown;
  if (name.startsWith('ctrl-')) return `C-${name.slice(5)}`;
  if (name.startsWith('alt-')) return `M-${name.slice(4)}`;
  return name;
}

/** printable text a keypress would insert into a text input ('' for none) */
export function insertableText(input: string, key: Partial<Key>): string {
  if (key.ctrl || key.meta || key.escape || key.return || key.tab) return '';
  if (key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) return '';
  if (key.pageUp || key.pageDown || key.home || key.end || key.backspace || key.delete) return '';
  // eslint-disable-next-line no-control-regex
  return input.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}
