import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Problem } from '../problems';
import { ProblemCode } from '../problems';
import { parseYamlFile, problemAt } from '../yaml/safeYaml';
import { readDefinitionText } from './definitionFiles';
import { locate } from './locate';
import type { ProjectSettings } from './types';

/** Project settings from `catalog.yaml` at the root, with defaults when it is absent. */
export function readProjectSettings(root: string): { project: ProjectSettings; problems: Problem[] } {
  const absoluteRoot = path.resolve(root);
  const project: ProjectSettings = {
    root: absoluteRoot,
    snapshotsDir: path.join(absoluteRoot, 'snapshots'),
    stateDir: path.join(absoluteRoot, '.cac'),
    exclude: [],
  };
  const problems: Problem[] = [];
  const file = path.join(absoluteRoot, PROJECT_FILE);
  if (!fs.existsSync(file)) return { project, problems };
  const text = readDefinitionText(file, problems);
  if (text === undefined) return { project, problems };
  const parsed = parseYamlFile(file, text);
  for (const [index, document] of parsed.documents.entries()) {
    const value = document.value as Record<string, unknown> | undefined;
    if (!value || value.kind !== 'Project') continue;
    const source = { file, document: index, doc: document.doc, lineCounter: parsed.lineCounter, range: document.range };
    // Both folders must stay inside the project: snapshots are committed and state is local.
    for (const key of ['snapshots', 'state'] as const) {
      const raw = value[key];
      if (typeof raw !== 'string' || raw === '') continue;
      const resolved = path.resolve(absoluteRoot, raw);
      if (resolved === absoluteRoot || !resolved.startsWith(absoluteRoot + path.sep)) {
        problems.push(problemAt(file, ProblemCode.SchemaViolation, 'error', locate(source, [key]),
          `'${key}: ${raw}' points outside the project folder; use a folder inside ${absoluteRoot}.`));
        continue;
      }
      if (key === 'snapshots') project.snapshotsDir = resolved;
      else project.stateDir = resolved;
    }
    if (Array.isArray(value.exclude)) project.exclude = value.exclude.filter((v): v is string => typeof v === 'string');
    break;
  }
  return { project, problems };
}


/** The project settings file at the root of a catalog (`kind: Project`). */
export const PROJECT_FILE = 'catalog.yaml';

/** Whether `file` is the project's settings file, `catalog.yaml` at its root. */
export function isProjectFile(project: Pick<ProjectSettings, 'root'>, file: string): boolean {
  return path.resolve(file) === path.join(project.root, PROJECT_FILE);
}
