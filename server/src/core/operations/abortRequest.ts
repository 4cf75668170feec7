import * as fs from 'node:fs';
import { writeFileAtomicallySync } from '../fs/atomicFiles';
import { operationTimestamp } from '../history/operationRecord';

/**
 * Abort across processes. Whoever wants a running operation to stop (`cac history abort`, the
 * HTTP API, a second terminal) leaves a small request file beside its record; the process running
 * the sync polls for that file and aborts its own AbortSignal, so the connector cancels the
 * statement on the server and the operation ends `aborted` exactly as with Ctrl-C. A file works
 * whatever runs the sync (CLI, daemon, API, editor) and needs no open port or signal rights.
 */
export function writeAbortRequest(markerFile: string, requestedBy: string, now: Date): void {
  writeFileAtomicallySync(markerFile, JSON.stringify({ requested_by: requestedBy, requested_at: operationTimestamp(now) }) + '\n');
}

/** Who asked, when a request file exists. */
export function readAbortRequest(markerFile: string): AbortRequest | undefined {
  try {
    return JSON.parse(fs.readFileSync(markerFile, 'utf8')) as AbortRequest;
  } catch {
    return undefined;
  }
}

export interface AbortRequest {
  requested_by: string;
  requested_at: string;
}

/**
 * Polls one request file: on a timer while the event loop is free (asynchronous connectors), and
 * through `check()` from progress callbacks, which are the only moments a synchronous connector
 * yields. A check costs one `stat`; callers may call it for every container.
 */
export class AbortRequestWatcher {
  private readonly timer: NodeJS.Timeout;
  private lastCheck = 0;
  private stopped = false;

  constructor(private readonly markerFile: string, private readonly onRequested: (request: AbortRequest) => void, intervalMs = POLL_MS) {
    this.timer = setInterval(() => this.poll(), intervalMs);
    this.timer.unref();
  }

  /**
   * A throttled poll: at most one `stat` per CHECK_MS however often it is called (a connector
   * may report every one of 100,000 files); `force` polls anyway, at phase boundaries.
   */
  check(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastCheck < CHECK_MS) return;
    this.lastCheck = now;
    this.poll();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private poll(): void {
    if (this.stopped || !fs.existsSync(this.markerFile)) return;
    this.stop();
    this.onRequested(readAbortRequest(this.markerFile) ?? { requested_by: 'unknown', requested_at: operationTimestamp(new Date()) });
  }
}

const POLL_MS = 250;
const CHECK_MS = 50;
