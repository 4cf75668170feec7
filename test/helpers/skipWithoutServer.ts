/**
 * Skips a suite or test whose server is missing (`reason` says why), except under CI=true, where
 * a missing server fails the run instead: CI always has PostgreSQL and MariaDB. No reason: runs.
 */
export function skipWithoutServer(context: Mocha.Context, reason: string | undefined): void {
  if (reason === undefined) return;
  if (process.env.CI === 'true') throw new Error(reason);
  console.warn(`      skipped: ${reason}`);
  context.skip();
}
