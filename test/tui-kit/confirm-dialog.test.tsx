import { describe, expect, test } from 'vitest';
import { ConfirmDialog } from '../../src/tui/kit/index.ts';
import { plain, renderAt } from './render.tsx';

async function dialog() {
  const answers: string[] = [];
  const r = await renderAt(
    <ConfirmDialog
      title="Approve and sign ORD-2026-0042?"
      message="Signing completes the order and cannot be undone."
      destructive
      confirmLabel="Sign"
      cancelLabel="Cancel"
      width={60}
      onConfirm={() => answers.push('yes')}
      onCancel={() => answers.push('no')}
    />,
  );
  return { r, answers };
}

describe('ConfirmDialog', () => {
  test('No is selected first, so Enter alone declines', async () => {
    const { r, answers } = await dialog();
    expect(plain(r.lastFrame())).toContain('›[ Cancel ]');
    expect(plain(r.lastFrame())).toContain('! Approve and sign ORD-2026-0042?');
    await r.press('enter');
    expect(answers).toEqual(['no']);
    r.unmount();
  });

  test('y confirms; n and Esc decline', async () => {
    for (const [key, answer] of [['y', 'yes'], ['n', 'no'], ['esc', 'no']] as const) {
      const { r, answers } = await dialog();
      await r.press(key);
      expect(answers, key).toEqual([answer]);
      r.unmount();
    }
  });

  test('moving the selection to Yes makes Enter confirm', async () => {
    const { r, answers } = await dialog();
    await r.press('right');
    expect(plain(r.lastFrame())).toContain('›[ Sign ]');
    await r.press('enter');
    expect(answers).toEqual(['yes']);
    r.unmount();
  });
});
