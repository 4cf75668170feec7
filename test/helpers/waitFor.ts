/**
 * Waits for readiness, never for a fixed time: polls `ready` until it returns a truthy value (which
 * is returned), failing after `timeoutMs` with what was awaited. `what` may be a function, to say
 * more when it fails (a server's log).
 */
export async function waitFor<T>(
  ready: () => T | undefined | false | Promise<T | undefined | false>,
  what: string | (() => string),
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await ready();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${typeof what === 'string' ? what : what()}.`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

const POLL_MS = 10;
