// xterm private modes: 1049 saves the cursor and switches to the alternate
// screen; leaving restores the shell's screen exactly as it was. Kept apart
// from full-screen.tsx so a caller can draw before Ink has loaded.
export const ENTER_ALTERNATE_SCREEN = '\u001B[?1049h\u001B[H';
export const LEAVE_ALTERNATE_SCREEN = '\u001B[?1049l';
