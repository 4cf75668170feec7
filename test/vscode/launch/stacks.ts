/**
 * Stack traces of the extension-host suite, for reports under Node: frames of the repository's
 * bundles (the suite in out/vscode-tests/, the extension in dist/) mapped back to the TypeScript
 * sources with their source maps (the extension host's own stack formatting ignores them), and the
 * frames of mocha inside the runner bundle dropped.
 */
import * as fs from 'node:fs';
import { SourceMap } from 'node:module';
import * as path from 'node:path';
import { REPO, RUNNER_EXTENSION_DIR } from './paths';

const maps = new Map<string, SourceMap | null>();

export function mapStack(stack: string): string {
  return stack
    .split('\n')
    .filter((line) => !(/^\s+at /.test(line) && line.includes(`${path.sep}runner.js:`) && line.includes(RUNNER_EXTENSION_DIR)) && !/\(node:internal\//.test(line))
    .map((line) => line.replace(/(\/[^\s():]+\.js):(\d+):(\d+)/, (whole, file: string, lineText: string, columnText: string) => {
      if (!file.startsWith(REPO) || file.includes(`${path.sep}node_modules${path.sep}`)) return whole;
      const map = sourceMap(file);
      const entry = map?.findEntry(Number(lineText) - 1, Number(columnText) - 1);
      if (!entry || !('originalSource' in entry) || !entry.originalSource) return whole;
      const source = entry.originalSource.startsWith('file:') ? new URL(entry.originalSource).pathname : path.resolve(path.dirname(file), entry.originalSource);
      return `${path.relative(REPO, source)}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
    }))
    .join('\n');
}

function sourceMap(file: string): SourceMap | null {
  if (!maps.has(file)) {
    try {
      maps.set(file, new SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, 'utf8'))));
    } catch {
      maps.set(file, null);
    }
  }
  return maps.get(file)!;
}
