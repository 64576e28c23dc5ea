import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

// the outbox of record: PGlite on Node does not fsync, so a queued command is appended
// here, fsync'd, before anything else; the replica is a rebuildable cache

export interface JournalEntry {
  mid: string;
  seq: number;
  projectId: string;
  clientTime: string;
  command: unknown;
}

export class Journal {
  readonly path: string;

  constructor(home: string) {
    this.path = join(home, 'journal.ndjson');
  }

  append(entry: JournalEntry): void {
    const fd = openSync(this.path, 'a', 0o600);
    try {
      writeSync(fd, JSON.stringify(entry) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** every complete line; a torn last line (crash mid-write) is ignored */
  read(): JournalEntry[] {
    if (!existsSync(this.path)) return [];
    const out: JournalEntry[] = [];
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const e = JSON.parse(line) as JournalEntry;
        if (typeof e.mid === 'string' && Number.isInteger(e.seq)) out.push(e);
      } catch {
        // torn write
      }
    }
    return out;
  }

  /** keeps only the entries still unanswered (atomic rewrite) */
  compact(keep: (e: JournalEntry) => boolean): void {
    const entries = this.read();
    const kept = entries.filter(keep);
    if (kept.length === entries.length) return;
    const tmp = this.path + '.tmp';
    const fd = openSync(tmp, 'w', 0o600);
    try {
      // the highest seq stays, so seq numbering survives compaction
      const last = entries[entries.length - 1];
      const lines = kept.map((e) => JSON.stringify(e));
      if (last && !kept.includes(last)) lines.push(JSON.stringify({ ...last, command: null, compacted: true }));
      writeSync(fd, lines.map((l) => l + '\n').join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }
}
