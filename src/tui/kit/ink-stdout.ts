// Ink 6.8's incremental writer (log-update createIncremental) ends every frame
// on the row *below* it (each line is written with its '\n') but starts the
// next frame with cursorUp(lines - 1), as if the cursor had stayed on the last
// line: every frame lands one row lower than the last, and the lines it skips
// as unchanged are left where the previous frame put them. On a frame one row
// shorter than the terminal this reads as rows repeated and lines out of place
// after the first keypress. Parking the cursor on the frame's last line after
// each frame makes Ink's arithmetic true again.

const CURSOR_UP = '\u001B[1A';
// a frame write ends with its last line's '\n', or with cursorNextLine when
// that line was unchanged; Ink's other writes (cursor show/hide, synchronized
// update marks, clears) end otherwise
const CURSOR_NEXT_LINE = '\u001B[E';

export function isFrameWrite(chunk: unknown): chunk is string {
  return typeof chunk === 'string' && (chunk.endsWith('\n') || chunk.endsWith(CURSOR_NEXT_LINE));
}

/** the stream Ink should write to: `stdout` with the cursor parked on each frame's last line */
export function parkCursorOnFrame(stdout: NodeJS.WriteStream): NodeJS.WriteStream {
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    const out = isFrameWrite(chunk) ? chunk + CURSOR_UP : chunk;
    return (stdout.write as (...args: unknown[]) => boolean)(out, ...rest);
  };
  return new Proxy(stdout, {
    get(target, prop) {
      if (prop === 'write') return write;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
