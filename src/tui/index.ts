// the terminal UI's one public door. It stays light: the app (Ink, React, the
// screens) loads on demand, so a first frame can be drawn before any of it.
import type { RunAppOptions } from './app.tsx';

export { LEAVE_ALTERNATE_SCREEN } from './kit/escapes.ts';
export { splashFrame, type LoadingHint } from './splash.ts';
export type { RunAppOptions } from './app.tsx';
export type { SubmitOutcome, SyncSource, TuiBackend, TuiSession } from './backend.ts';

/** runs the app until the user quits; rejects with what ended it */
export async function runApp(options: RunAppOptions): Promise<void> {
  const app = await import('./app.tsx');
  return app.runApp(options);
}
