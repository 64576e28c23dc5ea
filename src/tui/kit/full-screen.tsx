import { render, type Instance } from 'ink';
import { useLayoutEffect, type ReactNode } from 'react';
import { ThemeProvider, themeFromEnv } from './theme.ts';
import { KeyRouter } from './use-key-input.ts';

// xterm private modes: 1049 saves the cursor and switches to the alternate
// screen; leaving restores the shell's screen exactly as it was
export const ENTER_ALTERNATE_SCREEN = '\u001B[?1049h\u001B[H';
export const LEAVE_ALTERNATE_SCREEN = '\u001B[?1049l';

export interface FullScreenOptions {
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  stderr?: NodeJS.WriteStream;
  /** environment for NO_COLOR and CURIO_ASCII */
  env?: Readonly<Record<string, string | undefined>>;
  /** let Ink exit on Ctrl-C (default true); false hands Ctrl-C to the command table */
  exitOnCtrlC?: boolean;
  /** default: when stdout is a terminal */
  alternateScreen?: boolean;
}

function LeaveOnUnmount(props: { leave: () => void; children?: ReactNode }): ReactNode {
  // a layout-effect cleanup runs synchronously inside Ink's unmount, which is
  // also what Ink's exit handler calls on signals and process.exit, so the
  // terminal is restored even when no promise gets to settle
  const { leave } = props;
  useLayoutEffect(() => leave, [leave]);
  return props.children;
}

/**
 * Renders a whole-terminal app: the alternate screen, incremental rendering,
 * and the theme from the environment. The caller owns the streams.
 */
export function renderFullScreen(node: ReactNode, options: FullScreenOptions): Instance {
  const { stdout, stdin, stderr } = options;
  const alternate = options.alternateScreen ?? Boolean(stdout.isTTY);
  let inside = false;
  const leave = () => {
    if (!inside) return;
    inside = false;
    stdout.write(LEAVE_ALTERNATE_SCREEN);
  };
  if (alternate) {
    stdout.write(ENTER_ALTERNATE_SCREEN);
    inside = true;
  }
  const instance = render(
    <ThemeProvider theme={themeFromEnv(options.env ?? {})}>
      <LeaveOnUnmount leave={leave}>
        <KeyRouter>{node}</KeyRouter>
      </LeaveOnUnmount>
    </ThemeProvider>,
    {
      stdout,
      stdin,
      ...(stderr ? { stderr } : {}),
      exitOnCtrlC: options.exitOnCtrlC ?? true,
      incrementalRendering: true,
      patchConsole: true,
    },
  );
  instance.waitUntilExit().then(leave, leave);
  return instance;
}
