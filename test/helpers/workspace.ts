import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Position } from '../../server/src/core/problems';

/** Writes the given files (relative path → text or bytes) into a fresh temporary folder and returns its path. */
export function writeWorkspace(files: Record<string, string | Buffer>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-workspace-'));
  for (const [relative, content] of Object.entries(files)) writeWorkspaceFile(root, relative, content);
  return root;
}

/** Writes one file inside a workspace, creating its folders. Returns the file's absolute path. */
export function writeWorkspaceFile(root: string, relative: string, content: string | Buffer): string {
  const file = path.join(root, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

/** Removes a folder made by {@link writeWorkspace}. */
export function cleanupWorkspace(root: string): void {
  fs.rmSync(root, { recursive: true, force: true });
}

/** Zero-based position of the `occurrence`-th appearance of `needle` in `text`, like a caret marker. */
export function positionOf(text: string, needle: string, occurrence = 1): Position {
  let index = -1;
  for (let i = 0; i < occurrence; i++) {
    index = text.indexOf(needle, index + 1);
    assert.ok(index >= 0, `fixture has no occurrence ${occurrence} of ${needle}`);
  }
  const before = text.slice(0, index).split('\n');
  return { line: before.length - 1, character: before[before.length - 1]!.length };
}
