import type { CliIo } from './output';

/**
 * A one-line progress display on stderr, only when stderr is a terminal and not in CI: piped
 * output and CI logs stay clean (clig.dev).
 */
export class TerminalProgress {
  private readonly enabled: boolean;
  private lastDraw = 0;
  private drawn = false;

  constructor(private readonly io: CliIo) {
    this.enabled = io.stderr.isTTY === true && !io.env.CI && io.env.TERM !== 'dumb';
  }

  update(label: string, done: number, total?: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 80 && done !== total) return;
    this.lastDraw = now;
    const count = total === undefined ? `${done}` : `${done}/${total}`;
    this.io.stderr.write(`\r\x1b[2K${label} ${count}`);
    this.drawn = true;
  }

  clear(): void {
    if (this.enabled && this.drawn) this.io.stderr.write('\r\x1b[2K');
    this.drawn = false;
  }
}
