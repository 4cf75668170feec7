import * as path from 'node:path';
import { INDEX_FILE_NAME, encodeSnapshotBase } from '../snapshots/fileNames';
import type { CatalogView } from './catalogView';

/**
 * What a file of a project is, for "reveal in the catalog": a snapshot file (any depth of a file
 * store's folders) is its container, the datastore's index is the datastore, and a definition
 * file is the first datastore it defines or the datastore its overrides or schedule name.
 * Undefined when the file is none of these.
 */
export function locateFile(view: CatalogView, file: string): { datastore: string; container: string | null } | undefined {
  return locateSnapshot(view, file) ?? locateDefinition(view, file);
}

function locateSnapshot(view: CatalogView, file: string): { datastore: string; container: string | null } | undefined {
  const relative = path.relative(view.workspace.project.snapshotsDir, file);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  const [folder, ...rest] = relative.split(path.sep);
  // Folder names are encoded datastore names; a folder no datastore owns is no one's.
  const datastore = view.workspace.datastores.find((d) => encodeSnapshotBase(d.name) === folder);
  if (!datastore) return undefined;
  const inFolder = rest.join('/');
  if (inFolder === '' || inFolder === INDEX_FILE_NAME) return { datastore: datastore.name, container: null };
  const entry = view.snapshots.containersOf(datastore.name).find((e) => e.file === inFolder);
  return { datastore: datastore.name, container: entry?.name ?? null };
}

function locateDefinition(view: CatalogView, file: string): { datastore: string; container: null } | undefined {
  const analysis = view.analysisOf(file);
  if (!analysis) return undefined;
  const name = analysis.datastores[0]?.name ?? analysis.overrides[0]?.datastore ?? analysis.schedules[0]?.datastore;
  return name !== undefined ? { datastore: name, container: null } : undefined;
}
