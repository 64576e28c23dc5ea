import { Box, Text, useApp } from 'ink';
import { useEffect, useState, type ReactNode } from 'react';
import { sessionBackend, type TuiBackend, type TuiSession } from './backend.ts';
import { renderFullScreen, useTerminalSize } from './kit/index.ts';
import { loadingLines, type LoadingHint } from './splash.ts';
import type { Route } from './ui.ts';
import { Workspace } from './Workspace.tsx';

// the one place the terminal UI meets process streams

export interface AppProps {
  /** resolves once the store is open; the app draws before that */
  open: () => Promise<TuiBackend>;
  hint: LoadingHint;
  initial?: Route;
}

/** the loading frame, line for line what splashFrame() drew before Ink loaded */
export function Loading({ hint }: { hint: LoadingHint }): ReactNode {
  const { columns, rows } = useTerminalSize();
  return (
    <Box flexDirection="column" width={columns}>
      {loadingLines(columns, rows, hint).map((line, i) => (
        <Text key={i}>
          {line}
        </Text>
      ))}
    </Box>
  );
}

export function App({ open, hint, initial }: AppProps): ReactNode {
  const { exit } = useApp();
  const [backend, setBackend] = useState<TuiBackend | null>(null);
  useEffect(() => {
    let live = true;
    open().then(
      (b) => {
        if (live) setBackend(b);
      },
      (error: unknown) => exit(error instanceof Error ? error : new Error(String(error))),
    );
    return () => {
      live = false;
    };
  }, [open, exit]);
  if (!backend) return <Loading hint={hint} />;
  return <Workspace backend={backend} {...(initial ? { initial } : {})} />;
}

export interface RunAppOptions {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: Readonly<Record<string, string | undefined>>;
  /** opens the logged-in session; errors end the app and are thrown from runApp */
  open: () => Promise<TuiSession>;
  hint: LoadingHint;
  /** splashFrame() was written: Ink takes over the alternate screen it entered */
  splashDrawn?: boolean;
}

/** runs the app until the user quits; rejects with the error that ended it */
export async function runApp(options: RunAppOptions): Promise<void> {
  const open = async () => sessionBackend(await options.open());
  const instance = renderFullScreen(<App open={open} hint={options.hint} />, {
    stdin: options.stdin,
    stdout: options.stdout,
    stderr: options.stderr,
    env: options.env,
    // Ink ends the app on Ctrl-C whatever has the keyboard, a form or a dialog included
    exitOnCtrlC: true,
    // a frame every 8 ms at most: a key's frame is not held back behind a data refresh's
    maxFps: 120,
    ...(options.splashDrawn ? { enteredAlternateScreen: true } : {}),
  });
  await instance.waitUntilExit();
}
