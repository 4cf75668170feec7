import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';

/** Who started an operation: the git user's email in the catalog repository, else the OS user. */
export function triggeredBy(root: string, env: NodeJS.ProcessEnv): string {
  if (env.CAC_TRIGGERED_BY) return env.CAC_TRIGGERED_BY;
  try {
    const email = execFileSync('git', ['config', 'user.email'], { cwd: root, encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (email) return email;
  } catch {
    // Not a git repository, or git is absent: fall back to the OS user.
  }
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
