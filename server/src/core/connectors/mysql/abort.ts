/** Aborting a running statement: the caller is answered at once, the server is told from a second session. */
import mysql from 'mysql2/promise';

/** Ends the running statement of `threadId` from a second, short-lived session. */
export async function killQuery(config: mysql.ConnectionOptions, threadId: number | null): Promise<void> {
  if (threadId === null) return;
  let killer: mysql.Connection | undefined;
  try {
    killer = await mysql.createConnection({ ...config, connectTimeout: Math.min(Number(config.connectTimeout ?? 10_000), 10_000) });
    killer.on('error', () => undefined);
    // A user may always kill its own threads; no PROCESS or SUPER privilege is needed.
    await killer.query(`KILL QUERY ${Number(threadId)}`);
  } catch {
    // Best effort: the statement timeout still bounds the query, and `close` drops the session.
  } finally {
    await killer?.end().catch(() => killer?.destroy());
  }
}
