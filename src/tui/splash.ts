import { ENTER_ALTERNATE_SCREEN } from './kit/escapes.ts';

// the frame shown while Curio loads: written by hand before Ink and the store
// have loaded (they take most of a second over tsx), then drawn again by Ink
// line for line, so taking over changes nothing on screen

export interface LoadingHint {
  user?: string | null;
  project?: string | null;
  /** what is being opened, e.g. the store's directory */
  what: string;
}

/** the loading frame's lines: one fewer than the terminal has rows */
export function loadingLines(columns: number, rows: number, hint: LoadingHint): string[] {
  const height = Math.max(1, rows - 1);
  const cut = (text: string) => (text.length > columns ? `${text.slice(0, Math.max(0, columns - 1))}…` : text);
  const lines = Array.from({ length: height }, () => ' ');
  lines[0] = cut(' Curio  │  1 Queue  │  2 Orders  │  3 Sync');
  if (height > 3) lines[2] = cut(`   Opening ${hint.what} …`);
  const status = [hint.user, hint.project, 'opening the store…'].filter(Boolean).join(' │ ');
  if (height > 1) lines[height - 1] = cut(` ${status}`);
  return lines;
}

const HIDE_CURSOR = '\u001B[?25l';
const HOME = '\u001B[H';

/** the first frame, with the switch to the alternate screen; the cursor ends at home for Ink */
export function splashFrame(columns: number, rows: number, hint: LoadingHint): string {
  return `${ENTER_ALTERNATE_SCREEN}${HIDE_CURSOR}${loadingLines(columns, rows, hint).join('\r\n')}${HOME}`;
}
