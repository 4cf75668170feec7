import { main } from '../../server/src/cli/main';
import type { CliIo } from '../../server/src/cli/output';

/** `cac` in process, with streams whose isTTY the test chooses; `env` is all the environment it sees. */
export async function cacInProcess(args: string[], options: { tty?: boolean; env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const stream = (append: (s: string) => void): NodeJS.WritableStream & { isTTY?: boolean } =>
    ({ isTTY: options.tty, write: (chunk: string | Uint8Array) => (append(String(chunk)), true) }) as unknown as NodeJS.WritableStream & { isTTY?: boolean };
  const io: CliIo = { stdout: stream((s) => (stdout += s)), stderr: stream((s) => (stderr += s)), env: { ...options.env }, cwd: process.cwd() };
  const code = await main(args, io, new AbortController().signal);
  return { code, stdout, stderr };
}
