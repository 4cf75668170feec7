import * as fs from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { ProblemCode, type Problem } from '../problems';
import { MAX_YAML_CHARS, problemAt } from '../yaml/safeYaml';
import type { ProjectSettings } from './types';

/** Folders never searched for definitions: tool state, dependencies, and the snapshots themselves. */
const SKIPPED_FOLDERS = new Set(['node_modules', '.git', '.hg', '.svn']);

/** Every `*.yaml` / `*.yml` file that may hold definitions, sorted. Symlinked folders are not followed. */
export function findDefinitionFiles(project: ProjectSettings): string[] {
  const excluded = project.exclude.length > 0 ? picomatch(project.exclude, { dot: true }) : undefined;
  const files: string[] = [];
  const pending = [project.root];
  while (pending.length > 0) {
    const folder = pending.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(folder, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const full = path.join(folder, entry.name);
      const relative = path.relative(project.root, full).split(path.sep).join('/');
      if (excluded?.(relative)) continue;
      if (entry.isDirectory()) {
        if (entry.name.startsWith('.') || SKIPPED_FOLDERS.has(entry.name)) continue;
        if (full === project.snapshotsDir || full === project.stateDir) continue;
        // A folder with a catalog.yaml of its own is another project (as a git submodule is another repository).
        if (isNestedProject(full)) continue;
        pending.push(full);
      } else if (entry.isFile() && /\.ya?ml$/i.test(entry.name)) {
        files.push(full);
      }
    }
  }
  return files.sort();
}

/**
 * Whether `findDefinitionFiles` would list `file`: a `*.yaml`/`*.yml` inside the root, outside
 * hidden, skipped, snapshot and state folders, and not excluded. Lets a watcher classify one
 * changed path without walking the tree.
 */
export function isDefinitionPath(project: ProjectSettings, file: string): boolean {
  const relative = path.relative(project.root, file);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative) || !/\.ya?ml$/i.test(file)) return false;
  const excluded = project.exclude.length > 0 ? picomatch(project.exclude, { dot: true }) : undefined;
  const segments = relative.split(path.sep);
  let folder = project.root;
  for (let i = 0; i < segments.length; i++) {
    const name = segments[i]!;
    folder = path.join(folder, name);
    if (excluded?.(segments.slice(0, i + 1).join('/'))) return false;
    if (i === segments.length - 1) break;
    if (name.startsWith('.') || SKIPPED_FOLDERS.has(name) || folder === project.snapshotsDir || folder === project.stateDir) return false;
    if (isNestedProject(folder)) return false;
  }
  return true;
}

/** A folder below the root that holds a `catalog.yaml`: the root of a project of its own, whose files this project does not read. */
function isNestedProject(folder: string): boolean {
  return fs.existsSync(path.join(folder, 'catalog.yaml'));
}

/**
 * Reads a candidate file. An oversized file is only a problem when it claims to be ours: its
 * first 64 KiB mention one of our kinds.
 */
export function readDefinitionText(file: string, problems: Problem[]): string | undefined {
  try {
    const size = fs.statSync(file).size;
    if (size > MAX_YAML_CHARS) {
      const head = readHead(file, 65536);
      if (mentionsCatalogKind(head)) {
        problems.push(problemAt(file, ProblemCode.FileTooLarge, 'error', { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          `This file is ${(size / 1048576).toFixed(1)} MiB; catalog definitions are limited to ${MAX_YAML_CHARS / 1048576} MiB. Split it into several files.`));
      }
      return undefined;
    }
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    problems.push(problemAt(file, ProblemCode.FileUnreadable, 'error', { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      `This file could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). Check its permissions.`));
    return undefined;
  }
}

function readHead(file: string, bytes: number): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const read = fs.readSync(fd, buffer, 0, bytes, 0);
    return buffer.toString('utf8', 0, read);
  } finally {
    fs.closeSync(fd);
  }
}

// Case-insensitive, so `kind: datastore` is reported as a misspelt kind instead of silently ignored.
const KIND_MENTION = /\bkind\s*:\s*["']?(?:Datastore|Schedule|Overrides|Project)\b/i;

/** Cheap pre-filter: YAML files that never mention one of our kinds are not ours. */
export function mentionsCatalogKind(text: string): boolean {
  return KIND_MENTION.test(text);
}
