import { Box } from 'ink';
import { useState } from 'react';
import { describe, expect, test } from 'vitest';
import {
  MessageLine,
  Pane,
  SelectField,
  TextField,
  editText,
  useForm,
  useMessage,
  usePaneFocus,
  useKeyInput,
} from '../../src/tui/kit/index.ts';
import { lines, plain, renderAt, tick } from './render.tsx';

const priorities = [
  { value: 'low', label: 'low' },
  { value: 'medium', label: 'medium' },
  { value: 'high', label: 'high' },
] as const;

type Priority = (typeof priorities)[number]['value'];

function OrderForm({ onSubmit }: { onSubmit: (v: { displayId: string; priority: Priority }) => void }) {
  const form = useForm<{ displayId: string; priority: Priority }>({
    initial: { displayId: '', priority: 'medium' },
    validate: {
      displayId: (v) => (/^ORD-\d{4}-\d{4}$/.test(v) ? null : 'Use the form ORD-YYYY-NNNN'),
    },
    onSubmit,
  });
  return (
    <Box flexDirection="column">
      <TextField label="Order" labelWidth={10} width={60} {...form.field('displayId')} />
      <SelectField label="Priority" labelWidth={10} width={60} options={priorities} {...form.field('priority')} />
    </Box>
  );
}

describe('TextField and forms', () => {
  test('editing keys', () => {
    let s = { value: 'hello world', caret: 11 };
    s = editText(s, { type: 'kill_word' });
    expect(s).toEqual({ value: 'hello ', caret: 6 });
    s = editText({ value: 'abc', caret: 1 }, { type: 'insert', text: 'X' });
    expect(s).toEqual({ value: 'aXbc', caret: 2 });
    expect(editText(s, { type: 'backspace' })).toEqual({ value: 'abc', caret: 1 });
    expect(editText(s, { type: 'kill_start' })).toEqual({ value: 'bc', caret: 0 });
  });

  test('typing, moving the caret, deleting; Enter submits, Esc cancels', async () => {
    const events: string[] = [];
    function Field() {
      const [value, setValue] = useState('');
      return <TextField label="Note" width={40} value={value} onChange={setValue} onSubmit={(v) => events.push(`submit:${v}`)} onCancel={() => events.push('cancel')} />;
    }
    const r = await renderAt(<Field />, { env: { NO_COLOR: '1' } });
    await r.type('BRCA');
    await r.press('left', 'left');
    await r.type('x');
    expect(lines(r.lastFrame())[0]).toBe('Note: BRx▏CA');
    await r.press('backspace', 'end');
    await r.type('1');
    expect(lines(r.lastFrame())[0]).toBe('Note: BRCA1▏');
    await r.press('enter', 'esc');
    expect(events).toEqual(['submit:BRCA1', 'cancel']);
    r.unmount();
  });

  test('inline validation appears once a field is edited, and blocks submit', async () => {
    const submitted: unknown[] = [];
    const r = await renderAt(<OrderForm onSubmit={(v) => submitted.push(v)} />);
    expect(plain(r.lastFrame())).not.toContain('Use the form');
    await r.type('ORD-1');
    expect(plain(r.lastFrame())).toContain('✗ Use the form ORD-YYYY-NNNN');
    await r.press('tab');
    await r.press('right');
    expect(plain(r.lastFrame())).toMatch(/Priority: +‹ high ›/);
    await r.press('enter');
    expect(submitted).toEqual([]);
    // focus went back to the invalid field; fix it and submit from the last field
    await r.press('ctrl-u');
    await r.type('ORD-2026-0042');
    expect(plain(r.lastFrame())).not.toContain('Use the form');
    await r.press('tab', 'enter');
    expect(submitted).toEqual([{ displayId: 'ORD-2026-0042', priority: 'high' }]);
    r.unmount();
  });

  test('SelectField: a letter jumps to the option starting with it', async () => {
    function Select() {
      const [v, setV] = useState<Priority>('low');
      return <SelectField label="Priority" width={40} options={priorities} value={v} onChange={setV} />;
    }
    const r = await renderAt(<Select />);
    await r.type('h');
    expect(plain(r.lastFrame())).toContain('‹ high ›');
    r.unmount();
  });
});

describe('Pane and messages', () => {
  test('Tab cycles pane focus; focus shows as ▸ and not only colour', async () => {
    function Panes() {
      const focus = usePaneFocus(['list', 'detail'] as const);
      useKeyInput((_input, key) => {
        if (key.tab) focus.next();
      });
      return (
        <Box flexDirection="column">
          <Pane title="Orders" focused={focus.isFocused('list')} width={40} info="1/3" />
          <Pane title="Detail" focused={focus.isFocused('detail')} width={40} />
        </Box>
      );
    }
    const r = await renderAt(<Panes />, { env: { NO_COLOR: '1' } });
    expect(lines(r.lastFrame()).slice(0, 2)).toEqual([`─▸ Orders ${'─'.repeat(24)} 1/3 ─`, `── Detail ${'─'.repeat(30)}`]);
    await r.press('tab');
    expect(lines(r.lastFrame())[1]).toMatch(/^─▸ Detail/);
    await r.press('tab');
    expect(lines(r.lastFrame())[0]).toMatch(/^─▸ Orders/);
    r.unmount();
  });

  test('messages: glyph plus text; info fades, errors stay', async () => {
    let api: ReturnType<typeof useMessage> | undefined;
    function Messages() {
      const message = useMessage({ timeoutMs: 20 });
      api = message;
      return <MessageLine message={message.message} width={60} />;
    }
    const r = await renderAt(<Messages />);
    api?.show('ok', 'Saved');
    await tick();
    expect(lines(r.lastFrame())[0]).toBe(' ✓ Saved');
    await new Promise((resolve) => setTimeout(resolve, 40));
    await tick();
    expect(lines(r.lastFrame())[0]?.trim()).toBe('');
    api?.show('error', 'Rejected: stale_version');
    await new Promise((resolve) => setTimeout(resolve, 40));
    await tick();
    expect(lines(r.lastFrame())[0]).toBe(' ✗ Rejected: stale_version');
    r.unmount();
  });
});
