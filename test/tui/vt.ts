// a small terminal model: enough of VT100 to replay what Ink writes and read
// the screen back as a user would see it (cursor moves, erases, scrolling)

export class VirtualTerminal {
  rows: number;
  columns: number;
  screen: string[][];
  row = 0;
  col = 0;

  constructor(columns: number, rows: number) {
    this.columns = columns;
    this.rows = rows;
    this.screen = this.blank();
  }

  private blank(): string[][] {
    return Array.from({ length: this.rows }, () => Array.from({ length: this.columns }, () => ' '));
  }

  resize(columns: number, rows: number): void {
    const old = this.screen;
    this.columns = columns;
    this.rows = rows;
    // a terminal that loses rows scrolls so the cursor stays on screen
    const shift = Math.max(0, this.row - (rows - 1));
    this.screen = this.blank();
    for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) this.screen[r]![c] = old[r + shift]?.[c] ?? ' ';
    this.row -= shift;
    this.col = Math.min(this.col, columns - 1);
  }

  private lineFeed(): void {
    if (this.row === this.rows - 1) {
      this.screen.shift();
      this.screen.push(Array.from({ length: this.columns }, () => ' '));
    } else this.row++;
  }

  write(data: string): void {
    // eslint-disable-next-line no-control-regex
    const token = /\u001B\[([?0-9;]*)([A-Za-z])|\u001B[78]|\r|\n|[^\u001B\r\n]/gu;
    for (const m of data.matchAll(token)) {
      const t = m[0];
      if (t === '\r') this.col = 0;
      else if (t === '\n') {
        // the tty's output processing turns \n into \r\n
        this.col = 0;
        this.lineFeed();
      } else if (m[2]) this.csi(m[1] ?? '', m[2]);
      else if (!t.startsWith('\u001B')) {
        if (this.col >= this.columns) {
          this.col = 0;
          this.lineFeed();
        }
        this.screen[this.row]![this.col] = t;
        this.col++;
      }
    }
  }

  private csi(params: string, final: string): void {
    const n = (i: number, d: number) => {
      const v = Number(params.replace('?', '').split(';')[i] || d);
      return Number.isNaN(v) || v === 0 ? d : v;
    };
    switch (final) {
      case 'A':
        this.row = Math.max(0, this.row - n(0, 1));
        return;
      case 'B':
        this.row = Math.min(this.rows - 1, this.row + n(0, 1));
        return;
      case 'E':
        this.row = Math.min(this.rows - 1, this.row + n(0, 1));
        this.col = 0;
        return;
      case 'G':
        this.col = Math.min(this.columns - 1, n(0, 1) - 1);
        return;
      case 'H':
        this.row = Math.min(this.rows - 1, n(0, 1) - 1);
        this.col = Math.min(this.columns - 1, n(1, 1) - 1);
        return;
      case 'K': {
        const line = this.screen[this.row]!;
        const mode = Number(params || 0);
        const [from, to] = mode === 2 ? [0, this.columns] : mode === 1 ? [0, this.col + 1] : [this.col, this.columns];
        for (let c = from; c < to; c++) line[c] = ' ';
        return;
      }
      case 'J':
        if (params === '2' || params === '3') this.screen = this.blank();
        return;
      case 'h':
        if (params === '?1049') {
          this.screen = this.blank();
          this.row = 0;
          this.col = 0;
        }
        return;
      default:
        // colours, cursor visibility, synchronized updates: no effect on the text
        return;
    }
  }

  /** the screen as text, trailing spaces trimmed, like tmux capture-pane */
  text(): string {
    return this.screen.map((l) => l.join('').replace(/ +$/, '')).join('\n');
  }
}
