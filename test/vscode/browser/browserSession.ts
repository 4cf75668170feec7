/**
 * One code-server + Chromium session for a browser test file: started in `before` (after the
 * bundles are built), a screenshot of each failed test, stopped in `after`.
 */
import { buildForVsCodeTests } from '../launch/build';
import { requireCodeServer } from '../launch/codeServer';
import { fileSafe } from '../launch/paths';
import { startSession, type SessionOptions, type VsCodeSession } from '../launch/session';
import type { Workbench } from './workbench';

export interface BrowserSession {
  readonly session: VsCodeSession;
  readonly workbench: Workbench;
}

export function browserSession(options: Omit<SessionOptions, 'bin'>): BrowserSession {
  let session: VsCodeSession | undefined;
  before(async function () {
    this.timeout(3 * 60_000);
    const bin = requireCodeServer(this);
    await buildForVsCodeTests();
    session = await startSession({ ...options, bin });
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await session?.workbench.screenshot(`failed-${fileSafe(this.currentTest.title)}`).catch(() => undefined);
  });
  after(async function () {
    this.timeout(30_000);
    await session?.stop();
  });
  const started = (): VsCodeSession => {
    if (!session) throw new Error(`The ${options.name} session did not start (see the before-all hook's error).`);
    return session;
  };
  return {
    get session() { return started(); },
    get workbench() { return started().workbench; },
  };
}
