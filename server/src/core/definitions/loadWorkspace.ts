import type { Problem } from '../problems';
import { analyzeDefinitions, type DefinitionFileText } from './analyzeDefinitions';
import { findDefinitionFiles, isDefinitionPath, readDefinitionText } from './definitionFiles';
import { isProjectFile, readProjectSettings } from './projectSettings';
import type { ProjectSettings, Workspace } from './types';

/**
 * Reads every catalog definition under `root` from disk, the way every host reads it (the CLI, the
 * API, the language server's syncs). `overlay` holds texts that replace their files (an editor's
 * unsaved buffers), including files not yet on disk. Unreadable or oversized files become
 * problems; nothing here throws on user input.
 */
export function loadWorkspace(root: string, options: { overlay?: ReadonlyMap<string, string> } = {}): Workspace {
  const { project, problems } = readProjectSettings(root);
  const overlay = options.overlay ?? new Map<string, string>();
  const texts: DefinitionFileText[] = [];
  const onDisk = new Set<string>();
  for (const file of findDefinitionFiles(project)) {
    onDisk.add(file);
    const text = overlay.get(file) ?? readWorkspaceFile(project, file, problems);
    if (text !== undefined) texts.push({ path: file, text });
  }
  for (const [file, text] of overlay) if (!onDisk.has(file) && isDefinitionPath(project, file)) texts.push({ path: file, text });
  const workspace = analyzeDefinitions(project, texts);
  workspace.problems.unshift(...problems);
  return workspace;
}

/**
 * Reads one definition file of the project into `problems`' care. The project file's read
 * problems are not repeated: readProjectSettings reported them once already.
 */
export function readWorkspaceFile(project: ProjectSettings, file: string, problems: Problem[]): string | undefined {
  return readDefinitionText(file, isProjectFile(project, file) ? [] : problems);
}
