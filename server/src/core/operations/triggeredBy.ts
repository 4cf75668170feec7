import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';

/**
 * Who starts an operation (the seed's "Triggered By"): `CAC_TRIGGERED_BY` when set, else the git
 * user's email in the catalog repository, else the OS user. Looked up once per root: it spawns git,
 * and a long-running host (the language server, `cac serve`) asks for every sync.
 */
export function triggeredBy(root: string, env: Readonly<Record<string, string | undefined>>): string {
  if (env.CAC_TRIGGERED_BY) return env.CAC_TRIGGERED_BY;
  let who = BY_ROOT.get(root);
  if (who === undefined) BY_ROOT.set(root, (who = gitUser(root) ?? osUser()));
  return who;
}

const BY_ROOT = new Map<string, string>();

function gitUser(root: string): string | undefined {
  try {
    const email = execFileSync('git', ['config', 'user.email'], { cwd: root, encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return email || undefined;
  } catch {
    // Not a git repository, or git is absent: fall back to the OS user.
    return undefined;
  }
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
