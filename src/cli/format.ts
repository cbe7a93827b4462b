/** Plain-text helpers for CLI output: aligned tables and a redrawn progress line. */

export function table(headers: string[], rows: Array<Array<string | number>>, rightAlign: ReadonlySet<number> = new Set()): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (rightAlign.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

/** 85000 -> "85k", 1250000 -> "1.3M". */
export function humanRate(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return `${Math.round(n)}`;
}

/** `[#####.....] 52% 520000/1000000 ev 85k ev/s` */
export function progressLine(done: number, total: number, ratePerSec: number, width = 20): string {
  const frac = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(frac * width);
  const pct = Math.floor(frac * 100);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% ${done}/${total} ev ${humanRate(ratePerSec)} ev/s`;
}

/**
 * Progress to stderr: on a terminal the line is redrawn in place (at most every 100 ms); when
 * stderr is a pipe or a file, one line per 10% so logs stay short.
 */
export class ProgressBar {
  private readonly started = Date.now();
  private lastDraw = 0;
  private lastDecile = -1;
  private lastLine = '';

  constructor(
    private readonly write: (s: string) => void,
    private readonly interactive: boolean,
    private readonly label = '',
  ) {}

  update(done: number, total: number, force = false): void {
    const now = Date.now();
    const rate = done / Math.max(0.001, (now - this.started) / 1000);
    const line = `${this.label}${progressLine(done, total, rate)}`;
    if (this.interactive) {
      if (!force && now - this.lastDraw < 100) return;
      this.lastDraw = now;
      this.write(`\r${line}${' '.repeat(Math.max(0, this.lastLine.length - line.length))}`);
      this.lastLine = line;
    } else {
      const decile = total > 0 ? Math.floor((Math.min(done, total) / total) * 10) : 10;
      if (!force && decile === this.lastDecile) return;
      this.lastDecile = decile;
      this.write(`${line}\n`);
    }
  }

  finish(done: number, total: number): void {
    this.update(done, total, this.interactive);
    if (this.interactive) this.write('\n');
  }
}
