import { Box } from 'ink';
import { useState, type ReactNode } from 'react';
import { keyNameOf } from './keys.ts';
import { LineText } from './LineText.tsx';
import { useTheme } from './theme.ts';
import { useKeyInput } from './use-key-input.ts';

export interface ConfirmDialogProps {
  title: string;
  message?: string | readonly string[];
  width: number;
  onConfirm: () => void;
  onCancel: () => void;
  confirmLabel?: string;
  cancelLabel?: string;
  /** deleting, cancelling, signing: shown with a warning mark */
  destructive?: boolean;
  isActive?: boolean;
}

/**
 * A yes/no question for actions that cannot be taken back. No is selected
 * first, so Enter alone never confirms; y confirms, n or Esc declines, and
 * ←/→/Tab move the selection.
 */
export function ConfirmDialog(props: ConfirmDialogProps): ReactNode {
  const { title, message = [], width, onConfirm, onCancel, destructive = false, isActive = true } = props;
  const confirmLabel = props.confirmLabel ?? 'Yes';
  const cancelLabel = props.cancelLabel ?? 'No';
  const { glyph } = useTheme();
  const [yes, setYes] = useState(false);

  useKeyInput(
    (input, key) => {
      const name = keyNameOf(input, key);
      if (name === 'y' || name === 'Y') return onConfirm();
      if (name === 'n' || name === 'N' || name === 'esc' || name === 'q') return onCancel();
      if (name === 'enter') return yes ? onConfirm() : onCancel();
      if (name === 'left' || name === 'right' || name === 'tab' || name === 'shift-tab' || name === 'h' || name === 'l') {
        setYes((v) => !v);
      }
    },
    { isActive },
  );

  const inner = Math.max(10, width - 4);
  const lines = typeof message === 'string' ? [message] : message;
  const choice = (label: string, selected: boolean) =>
    selected ? { text: `${glyph.cursor}[ ${label} ]`, tone: 'cursor' as const } : { text: `   ${label}   ` };
  return (
    <Box flexDirection="column" width={width} borderStyle="round" paddingX={1}>
      <LineText
        line={[{ text: destructive ? `${glyph.warn} ${title}` : title, tone: destructive ? 'danger' : 'title' }]}
        width={inner}
      />
      {lines.map((text, i) => (
        <LineText key={i} line={text} width={inner} />
      ))}
      <LineText line=" " width={inner} />
      <LineText line={[choice(cancelLabel, !yes), { text: '  ' }, choice(confirmLabel, yes)]} width={inner} />
      <LineText line={[{ text: `y ${confirmLabel.toLowerCase()} · n/Esc ${cancelLabel.toLowerCase()} · Enter = selected`, tone: 'muted' }]} width={inner} />
    </Box>
  );
}
