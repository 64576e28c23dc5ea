// Curio's terminal building blocks: generic, free of domain knowledge

export type { KeyName } from './keys.ts';
export { formatKey, insertableText, keyNameOf, normalizeKey } from './keys.ts';

export type {
  Command,
  CommandId,
  CommandSpec,
  CommandTable,
  Completions,
  HelpRow,
  HelpSection,
  PaletteArg,
  PaletteSpec,
} from './commands.ts';
export { defineCommands, helpSections, isAvailable, keyLabel, keysFor, paletteUsage, resolveKey } from './commands.ts';

export type {
  PaletteCandidate,
  PaletteCompletion,
  PaletteEntry,
  PaletteError,
  PaletteErrorCode,
  PaletteResult,
} from './palette.ts';
export { acceptCandidate, completePalette, paletteEntries, parsePalette } from './palette.ts';

export type {
  ListAction,
  ListCommandId,
  ListCommandOptions,
  ListEnv,
  ListGeometry,
  ListState,
  Match,
  SearchOutcome,
} from './list-navigation.ts';
export {
  clampView,
  findMatch,
  initialListState,
  listActionFor,
  listNavigationCommands,
  reduceList,
} from './list-navigation.ts';
export type { ListNavigation, ListNavigationOptions, ListView } from './use-list-navigation.ts';
export { useListNavigation } from './use-list-navigation.ts';

export type { Glyphs, TextStyle, Theme, ThemeOptions, Tone } from './theme.ts';
export { asciiGlyphs, createTheme, ThemeProvider, themeFromEnv, unicodeGlyphs, useTheme } from './theme.ts';

export { charWidth, ELLIPSIS, fit, padEnd, padStart, sanitize, textWidth, truncate } from './text.ts';
export type { Line, Span } from './line.ts';
export { fitLine, lineText } from './line.ts';
export type { EditKey, EditState } from './text-edit.ts';
export { editKeyFor, editText } from './text-edit.ts';

export type { TerminalSize } from './use-terminal-size.ts';
export { useTerminalSize } from './use-terminal-size.ts';
export { KeyRouter, useKeyInput } from './use-key-input.ts';

export type { Column, FitOptions, FittedColumn } from './columns.ts';
export { fitColumns } from './columns.ts';

export type { LineTextProps } from './LineText.tsx';
export { LineText } from './LineText.tsx';
export type { WindowedListProps } from './WindowedList.tsx';
export { ROW_GUTTER, WindowedList } from './WindowedList.tsx';
export type { TableProps } from './Table.tsx';
export { Table } from './Table.tsx';
export type { ConnectionState, StatusBarProps, StatusSegment } from './StatusBar.tsx';
export { connectionSegment, fitSegments, StatusBar } from './StatusBar.tsx';
export type { HelpOverlayProps } from './HelpOverlay.tsx';
export { HelpOverlay, helpLines } from './HelpOverlay.tsx';
export type { CommandPaletteProps } from './CommandPalette.tsx';
export { CommandPalette, paletteHeight } from './CommandPalette.tsx';
export type { ConfirmDialogProps } from './ConfirmDialog.tsx';
export { ConfirmDialog } from './ConfirmDialog.tsx';
export type { TextFieldProps } from './TextField.tsx';
export { TextField } from './TextField.tsx';
export type { SelectFieldProps, SelectOption } from './SelectField.tsx';
export { SelectField } from './SelectField.tsx';
export type { FieldBinding, Form, FormOptions, Validators } from './use-form.ts';
export { useForm, validateAll } from './use-form.ts';
export type { Message, MessageKind, MessageLineProps, MessageOptions, MessageState } from './MessageLine.tsx';
export { MessageLine, MessageLine as Toast, useMessage } from './MessageLine.tsx';
export type { PaneFocus, PaneProps } from './Pane.tsx';
export { cyclePane, Pane, usePaneFocus } from './Pane.tsx';
export type { BodySize, ScreenProps } from './Screen.tsx';
export { frameHeight, Screen } from './Screen.tsx';
export type { FullScreenOptions } from './full-screen.tsx';
export { ENTER_ALTERNATE_SCREEN, LEAVE_ALTERNATE_SCREEN, renderFullScreen } from './full-screen.tsx';
