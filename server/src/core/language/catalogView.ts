import type { DefinitionFileAnalysis } from '../definitions/analyzeDefinitions';
import type { Workspace } from '../definitions/types';
import type { Range } from '../problems';
import type { SnapshotCatalog } from '../snapshots/snapshotCatalog';

/**
 * What the language features read: the workspace as the validator sees it (every file combined),
 * each file's own analysis with its parse, and the committed snapshots. The language server
 * keeps one per project and updates it as files change; features never read the disk for
 * definitions themselves.
 */
export interface CatalogView {
  workspace: Workspace;
  analysisOf(file: string): DefinitionFileAnalysis | undefined;
  snapshots: SnapshotCatalog;
}

/** A place in a file: where a definition, reference or snapshot line is. */
export interface FileLocation {
  file: string;
  range: Range;
}

/** Replace `range` with `newText`; an empty range inserts. */
export interface TextEdit {
  range: Range;
  newText: string;
}

export interface FileEdit extends TextEdit {
  file: string;
}

/** A string as a YAML scalar that reads back as the same string: plain when safe, else double-quoted. */
export function yamlScalar(value: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_.$/-]*$/.test(value) && !/^(true|false|null|yes|no|on|off|y|n)$/i.test(value) ? value : JSON.stringify(value);
}
