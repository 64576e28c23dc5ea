import { Box } from 'ink';
import type { ReactNode } from 'react';
import type { PendingView, SyncView } from '../backend.ts';
import { commandText, rejectionText, shortTime, wrapText } from '../format.ts';
import { useLoad, useSearchNotice } from '../hooks.ts';
import { fit, LineText, useListNavigation, useTheme, WindowedList, type Glyphs, type Line, type Span } from '../kit/index.ts';
import { useScreenHandler, useUi, type ScreenProps } from '../ui.ts';

export type SyncScreenProps = ScreenProps;

const DETAIL_LINES = 6;

/** what the relay's answer says the server has now */
export function serverState(p: PendingView, userName: (id: string | null) => string | null): string | null {
  const cur = p.result?.current as
    | { displayId?: string; status?: string; version?: number; stage?: { code: string; state: string; assigneeId: string | null } | null }
    | null
    | undefined;
  if (!cur || typeof cur !== 'object') return null;
  const parts = [`${cur.status ?? '?'} v${cur.version ?? '?'}`];
  if (cur.stage) parts.push(`stage ${cur.stage.code} ${cur.stage.state}${cur.stage.assigneeId ? `, assigned to ${userName(cur.stage.assigneeId) ?? 'someone'}` : ', unassigned'}`);
  return parts.join(' · ');
}

export function connectionText(view: SyncView, glyph: Glyphs): Span {
  switch (view.connection) {
    case 'online':
      return { text: `${glyph.online} online`, tone: 'ok' };
    case 'reconnecting':
      return { text: `${glyph.reconnecting} reconnecting`, tone: 'pending' };
    case 'offline':
      return { text: `${glyph.offline} offline`, tone: 'warn' };
    case 'standalone':
      return { text: `${glyph.local} standalone`, tone: 'muted' };
  }
}

function rowLine(p: PendingView, glyph: Glyphs): Line {
  const rejected = p.status === 'rejected';
  return [
    rejected ? { text: `${glyph.error} rejected `, tone: 'danger' } : { text: `${glyph.queued} ${fit(p.status, 8)} `, tone: 'pending' },
    { text: fit(p.orderLabel ?? '—', 14), tone: 'title' },
    { text: fit(commandText(p.command), 20) },
    { text: rejected ? rejectionText({ code: p.result?.code ?? 'conflict', message: p.result?.message ?? 'rejected' }) : `since ${shortTime(p.createdAt)}`, tone: 'muted' },
  ];
}

/** connection state, and every change still waiting for (or refused by) the relay */
export function SyncScreen({ width, height, front, active }: SyncScreenProps): ReactNode {
  const ui = useUi();
  const { backend } = ui;
  const { glyph } = useTheme();
  const data = useLoad(async () => {
    const [view, pending] = await Promise.all([backend.syncView(), backend.pendingList()]);
    return { view, pending };
  }, []);
  const rows = data.value?.pending ?? [];
  const listHeight = Math.max(1, height - 2 - DETAIL_LINES);
  const nav = useListNavigation({
    count: rows.length,
    height: listHeight,
    keyAt: (i) => rows[i]?.mid ?? String(i),
    matches: (i, q) => {
      const r = rows[i];
      return !!r && `${r.orderLabel ?? ''} ${r.command.type} ${r.result?.message ?? ''}`.toLowerCase().includes(q.toLowerCase());
    },
  });
  useSearchNotice(nav.search);
  const current = rows[nav.cursor];

  const selectedRejected = (): PendingView[] => {
    const marked = rows.filter((r) => nav.marks.has(r.mid));
    const chosen = marked.length ? marked : current ? [current] : [];
    return chosen.filter((r) => r.status === 'rejected');
  };

  useScreenHandler((id, args) => {
    if (nav.handle(id, args)) return true;
    if (id === 'sync.reissue' || id === 'sync.discard') {
      const chosen = selectedRejected();
      if (chosen.length === 0) {
        ui.notify('info', 'Only rejected changes can be re-issued or discarded; queued ones are still on their way');
        return true;
      }
      const names = chosen.map((c) => `${c.orderLabel ?? c.mid}: ${commandText(c.command)}`);
      if (id === 'sync.reissue') {
        void (async () => {
          const problems: string[] = [];
          for (const c of chosen) {
            const r = await backend.reissue(c.mid);
            if (r) problems.push(rejectionText(r));
          }
          if (problems.length) ui.notify('error', problems.join('; '));
          else ui.notify('info', `Re-issued ${names.join(', ')}: queued until the relay answers`);
        })();
      } else {
        ui.confirm({
          title: chosen.length === 1 ? 'Discard this rejected change?' : `Discard ${chosen.length} rejected changes?`,
          message: [...names.slice(0, 4), 'It will not be sent again.'],
          confirmLabel: 'Discard',
          destructive: true,
          onConfirm: () => {
            void (async () => {
              for (const c of chosen) await backend.discard(c.mid);
              ui.notify('ok', `Discarded ${names.length === 1 ? names[0] : `${names.length} changes`}`);
            })();
          },
        });
      }
      if (nav.marks.size) nav.dispatch({ type: 'clear_marks' });
      return true;
    }
    return false;
  }, front);

  const view = data.value?.view;
  if (view?.mode === 'standalone') {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <LineText line={[{ text: ' Sync ', tone: 'title' }, connectionText(view, glyph)]} width={width} />
        <LineText line={[{ text: ' This CURIO_HOME is a standalone store: every change applies at once, nothing waits for a relay.', tone: 'muted' }]} width={width} />
      </Box>
    );
  }
  const head: Span[] = [{ text: ' Sync ', tone: 'title' }];
  const counts: Span[] = [];
  if (view) {
    head.push(connectionText(view, glyph), { text: `  relay ${view.server ?? ''}`, tone: 'muted' });
    counts.push({ text: ` last sync ${view.lastSync ? shortTime(view.lastSync) : 'never'}`, tone: 'muted' });
    counts.push({ text: ` · ${view.queued} queued`, ...(view.queued ? { tone: 'pending' as const } : {}) });
    counts.push({ text: ` · ${view.rejected} rejected`, ...(view.rejected ? { tone: 'danger' as const } : {}) });
    if (nav.marks.size) counts.push({ text: ` · ${nav.marks.size} marked`, tone: 'accent' });
  } else head.push({ text: 'loading…', tone: 'muted' });

  const detail: Line[] = [];
  if (current) {
    detail.push([
      { text: ` ${current.status === 'rejected' ? `${glyph.error} rejected` : `${glyph.queued} ${current.status}`}`, tone: current.status === 'rejected' ? 'danger' : 'pending' },
      { text: ` · ${current.orderLabel ?? '—'} · ${current.command.type} · ${current.mid}`, tone: 'muted' },
    ]);
    if (current.status === 'rejected') {
      const reason = rejectionText({ code: current.result?.code ?? 'conflict', message: current.result?.message ?? 'rejected' });
      wrapText(`reason: ${reason}`, width - 3, 2).forEach((l, i) => detail.push(` ${i ? '  ' : ''}${l}`));
      const state = serverState(current, ui.userName);
      detail.push([{ text: ` server now: ${state ?? 'gone'}`, tone: 'muted' }]);
      if (current.lastChange) detail.push([{ text: ` last change by ${current.lastChange.by ?? '?'} at ${shortTime(current.lastChange.at)}`, tone: 'muted' }]);
      detail.push([{ text: ' i re-issue against the current state · d discard (asks first)', tone: 'key' }]);
    } else {
      detail.push([{ text: ` queued ${shortTime(current.createdAt)}; sent when the relay is reachable, applied here meanwhile`, tone: 'muted' }]);
    }
  } else if (view) {
    detail.push([{ text: ` ${glyph.ok} Nothing waiting: every change has reached the relay.`, tone: 'ok' }]);
  }
  if (view?.fatal) detail.push([{ text: ` ${glyph.error} the relay refused this client: ${view.fatal}`, tone: 'danger' }]);
  while (detail.length < DETAIL_LINES) detail.push(' ');

  return (
    <Box flexDirection="column" width={width} height={height}>
      <LineText line={head} width={width} />
      <LineText line={counts} width={width} />
      <WindowedList {...nav.view} width={width} rowAt={(i) => (rows[i] ? rowLine(rows[i], glyph) : undefined)} focused={active} emptyText="No queued or rejected changes" />
      {detail.slice(0, DETAIL_LINES).map((line, i) => (
        <LineText key={i} line={line} width={width} />
      ))}
    </Box>
  );
}
