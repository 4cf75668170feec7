import * as fs from 'node:fs';
import { datastoreType } from '../connectors/registry';
import { isSymbolicLink } from '../fs/readFiles';
import { ProblemCode, type Problem } from '../problems';
import { datastoreSnapshotDir } from '../snapshots/fileNames';
import { problemAt } from '../yaml/safeYaml';
import { locate } from './locate';
import { settingsReader } from './settingsReader';
import type { Workspace } from './types';

/**
 * What `cac validate` can know of the surroundings without connecting: a `${env:…}` that is not
 * set here (a warning: CI may set it only for the sync), a local database file or file-store root
 * that does not exist (a warning: it may be built later), and a symlinked snapshot folder (an
 * error: a sync refuses to write through it).
 */
export function checkSurroundings(workspace: Workspace, env: Readonly<Record<string, string | undefined>>): Problem[] {
  const problems: Problem[] = [];
  for (const datastore of workspace.datastores) {
    const entry = datastoreType(datastore.type);
    if (!entry) continue;
    const { read, unset, files } = settingsReader(datastore, env);
    entry.settings(read);
    const source = datastore.source;
    for (const { at, variable } of unset) {
      problems.push(problemAt(source.file, ProblemCode.UnsetEnvVariable, 'warning', locate(source, [...at]),
        `${variable} is not set (or empty) here, so a sync of '${datastore.name}' would stop before connecting. Set it in the environment that runs the sync.`));
    }
    for (const { at, file } of files) {
      if (unset.some((u) => u.at.join('.') === at.join('.')) || fs.existsSync(file)) continue;
      problems.push(problemAt(source.file, ProblemCode.SourceNotFound, 'warning', locate(source, [...at]),
        `'${at.join('.')}' names ${file}, which does not exist, so a sync of '${datastore.name}' would fail. Check the path (it is relative to this file).`));
    }
    const dir = datastoreSnapshotDir(workspace.project.snapshotsDir, datastore.name);
    for (const folder of [workspace.project.snapshotsDir, dir]) {
      if (!isSymbolicLink(folder)) continue;
      problems.push(problemAt(source.file, ProblemCode.SnapshotFolderSymlink, 'error', locate(source, ['name']),
        `${folder} is a symbolic link; a sync only writes snapshots to real folders inside the project, so it would refuse. Replace the link with a folder.`));
    }
  }
  return problems;
}
