import { render, useStdout, type Instance } from 'ink';
import { useEffect, useLayoutEffect, type ReactNode } from 'react';
import { ENTER_ALTERNATE_SCREEN, LEAVE_ALTERNATE_SCREEN } from './escapes.ts';
import { parkCursorOnFrame } from './ink-stdout.ts';
import { ThemeProvider, themeFromEnv } from './theme.ts';
import { KeyRouter } from './use-key-input.ts';

export { ENTER_ALTERNATE_SCREEN, LEAVE_ALTERNATE_SCREEN };

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
  /**
   * the caller already switched to the alternate screen (to draw a first
   * frame before Ink loaded): it is not entered again, and still left on exit
   */
  enteredAlternateScreen?: boolean;
  /** route console.* through Ink (default true); test runners that replace console need false */
  patchConsole?: boolean;
  /** Ink's render throttle (default Ink's 30) */
  maxFps?: number;
}

function LeaveOnUnmount(props: { leave: () => void; children?: ReactNode }): ReactNode {
  // a layout-effect cleanup runs synchronously inside Ink's unmount, which is
  // also what Ink's exit handler calls on signals and process.exit, so the
  // terminal is restored even when no promise gets to settle
  const { leave } = props;
  useLayoutEffect(() => leave, [leave]);
  return props.children;
}

const CLEAR_SCREEN = '\u001B[2J\u001B[H';

/**
 * A terminal that loses rows scrolls to keep the cursor in view, and the
 * incremental writer cannot know the frame moved (vadimdemedes/ink#1023). On
 * every resize the screen is cleared and the frame drawn whole: Ink's
 * useStdout().write() clears its own record, writes, and redraws in full.
 */
function RepaintOnResize(props: { children?: ReactNode }): ReactNode {
  const { stdout, write } = useStdout();
  useEffect(() => {
    const repaint = () => write(CLEAR_SCREEN);
    stdout.on('resize', repaint);
    return () => {
      stdout.off('resize', repaint);
    };
  }, [stdout, write]);
  return props.children;
}

/**
 * Renders a whole-terminal app: the alternate screen, incremental rendering,
 * and the theme from the environment. The caller owns the streams.
 */
export function renderFullScreen(node: ReactNode, options: FullScreenOptions): Instance {
  const { stdout, stdin, stderr } = options;
  const alternate = options.alternateScreen ?? Boolean(stdout.isTTY);
  let inside = options.enteredAlternateScreen ?? false;
  const leave = () => {
    if (!inside) return;
    inside = false;
    stdout.write(LEAVE_ALTERNATE_SCREEN);
  };
  if (alternate && !inside) {
    stdout.write(ENTER_ALTERNATE_SCREEN);
    inside = true;
  }
  const instance = render(
    <ThemeProvider theme={themeFromEnv(options.env ?? {})}>
      <LeaveOnUnmount leave={leave}>
        <RepaintOnResize>
          <KeyRouter>{node}</KeyRouter>
        </RepaintOnResize>
      </LeaveOnUnmount>
    </ThemeProvider>,
    {
      stdout: parkCursorOnFrame(stdout),
      stdin,
      ...(stderr ? { stderr } : {}),
      exitOnCtrlC: options.exitOnCtrlC ?? true,
      incrementalRendering: true,
      patchConsole: options.patchConsole ?? true,
      ...(options.maxFps === undefined ? {} : { maxFps: options.maxFps }),
    },
  );
  instance.waitUntilExit().then(leave, leave);
  return instance;
}
