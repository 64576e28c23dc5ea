import { createContext, createElement, useContext, type ReactNode } from 'react';

// meaning is always carried by a glyph and a word; tones only reinforce it
export type Tone =
  | 'text'
  | 'muted'
  | 'accent'
  | 'title'
  | 'key'
  | 'ok'
  | 'info'
  | 'warn'
  | 'danger'
  | 'pending'
  | 'cursor'
  | 'header';

/** the subset of Ink's Text props a tone may set */
export interface TextStyle {
  color?: string;
  bold?: boolean;
  dimColor?: boolean;
  inverse?: boolean;
  underline?: boolean;
}

export interface Glyphs {
  cursor: string;
  mark: string;
  online: string;
  offline: string;
  reconnecting: string;
  local: string;
  ok: string;
  error: string;
  warn: string;
  info: string;
  queued: string;
  focus: string;
  separator: string;
  rule: string;
  ellipsis: string;
  up: string;
  down: string;
  left: string;
  right: string;
  caret: string;
}

export const unicodeGlyphs: Glyphs = {
  cursor: '›',
  mark: '*',
  online: '●',
  offline: '○',
  reconnecting: '◌',
  local: '◆',
  ok: '✓',
  error: '✗',
  warn: '!',
  info: 'i',
  queued: '↑',
  focus: '▸',
  separator: '│',
  rule: '─',
  ellipsis: '…',
  up: '↑',
  down: '↓',
  left: '‹',
  right: '›',
  caret: '▏',
};

// for terminals without UTF-8 (some serial consoles and old SSH clients)
export const asciiGlyphs: Glyphs = {
  cursor: '>',
  mark: '*',
  online: '*',
  offline: 'o',
  reconnecting: '~',
  local: '#',
  ok: '+',
  error: 'x',
  warn: '!',
  info: 'i',
  queued: '^',
  focus: '>',
  separator: '|',
  rule: '-',
  ellipsis: '~',
  up: '^',
  down: 'v',
  left: '<',
  right: '>',
  caret: '|',
};

export interface Theme {
  /** false: no colour and no other text attribute is ever requested */
  readonly color: boolean;
  readonly glyph: Glyphs;
  style(tone: Tone): TextStyle;
}

const PALETTE: Record<Tone, TextStyle> = {
  text: {},
  muted: { dimColor: true },
  accent: { color: 'cyan' },
  title: { bold: true },
  key: { color: 'yellow' },
  ok: { color: 'green' },
  info: { color: 'blue' },
  warn: { color: 'yellow' },
  danger: { color: 'red', bold: true },
  pending: { color: 'magenta' },
  cursor: { inverse: true },
  header: { bold: true, underline: true },
};

export interface ThemeOptions {
  color?: boolean;
  ascii?: boolean;
}

export function createTheme(options: ThemeOptions = {}): Theme {
  const color = options.color ?? true;
  const glyph = options.ascii ? asciiGlyphs : unicodeGlyphs;
  return {
    color,
    glyph,
    style: (tone) => (color ? PALETTE[tone] : {}),
  };
}

/**
 * NO_COLOR (https://no-color.org): present and non-empty disables colour.
 * chalk only looks at FORCE_COLOR and whether stdout is a TTY, so on an SSH
 * terminal it would colour regardless; the theme therefore never asks for it.
 */
export function themeFromEnv(env: Readonly<Record<string, string | undefined>>): Theme {
  const noColor = env['NO_COLOR'];
  return createTheme({
    color: !(noColor !== undefined && noColor !== ''),
    ascii: env['CURIO_ASCII'] === '1',
  });
}

const ThemeContext = createContext<Theme>(createTheme());

export function ThemeProvider(props: { theme: Theme; children?: ReactNode }): ReactNode {
  return createElement(ThemeContext.Provider, { value: props.theme }, props.children);
}

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
