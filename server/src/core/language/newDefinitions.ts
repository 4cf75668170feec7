import * as path from 'node:path';
import { Document } from 'yaml';
import { datastoreType, datastoreTypes } from '../connectors/registry';
import { analyzeDefinitionFile, combineDefinitionFiles, type DefinitionFileAnalysis } from '../definitions/analyzeDefinitions';
import { SECRET_KEYS, findEnvReferences } from '../definitions/envReferences';
import { PROJECT_FILE } from '../definitions/projectSettings';
import type { DatastoreDefinition, ProjectSettings } from '../definitions/types';
import type { Problem } from '../problems';
import { encodeSnapshotBase } from '../snapshots/fileNames';
import type { CatalogView } from './catalogView';
import { datastoreTypeForms } from './datastoreTypeForms';

/**
 * New definition files written for a person ("Add Datastore", "New Catalog Project"): the text
 * rendered with the yaml library, then read back by the engine's own analysis, with the
 * project's other files, before anyone sees it; so what a host offers to create is what
 * `cac validate` accepts. Nothing is written here: hosts create the file.
 */
export function planNewDatastore(view: CatalogView, request: NewDatastoreRequest, exists: (file: string) => boolean): NewFile | { problems: string[] } {
  const rendered = renderDatastore(view.workspace.project, request, view.workspace.datastores);
  if ('problems' in rendered) return rendered;
  const problems: string[] = [];
  const taken = view.workspace.datastores.find((d) => d.name.toLowerCase() === request.name.toLowerCase());
  // Names are unique ignoring case: they name snapshot folders on case-insensitive disks.
  if (taken) problems.push(`A datastore named '${taken.name}' is already defined (${path.relative(view.workspace.project.root, taken.source.file)}); choose another name.`);
  if (exists(rendered.file)) problems.push(`${path.relative(view.workspace.project.root, rendered.file)} exists already; choose another name, or edit that file.`);
  if (problems.length > 0) return { problems };
  const others = view.workspace.files.map((file) => view.analysisOf(file)).filter((a): a is DefinitionFileAnalysis => a !== undefined && a.path !== rendered.file);
  const errors = errorsIn(view.workspace.project, rendered, others);
  return errors.length > 0 ? { problems: errors } : rendered;
}

export interface NewDatastoreRequest {
  name: string;
  type: string;
  /** Values by dotted path (`connection.host`, `root`); secrets only as `${env:VAR}` references. */
  settings: Readonly<Record<string, string | number | boolean>>;
}

export interface NewFile {
  file: string;
  text: string;
}

/**
 * The definition a request describes, read by the engine, for work on a datastore not written
 * yet (testing its connection): its settings resolve against the folder it would be written to.
 */
export function draftDatastore(project: ProjectSettings, request: NewDatastoreRequest, existing: readonly DatastoreDefinition[] = []): DatastoreDefinition | { problems: string[] } {
  const rendered = renderDatastore(project, request, existing);
  if ('problems' in rendered) return rendered;
  const errors = errorsIn(project, rendered, []);
  const datastore = analyzeDefinitionFile(project, { path: rendered.file, text: rendered.text })?.datastores[0];
  return errors.length > 0 || !datastore ? { problems: errors.length > 0 ? errors : ['The definition could not be read.'] } : datastore;
}

function renderDatastore(project: ProjectSettings, request: NewDatastoreRequest, existing: readonly DatastoreDefinition[]): NewFile | { problems: string[] } {
  const problems: string[] = [];
  const { name, type } = request;
  if (typeof name !== 'string' || name.trim() === '') problems.push('Give the datastore a name.');
  const entry = typeof type === 'string' ? datastoreType(type) : undefined;
  if (!entry) problems.push(`'${String(type)}' is not a datastore type; use one of ${datastoreTypes().map((t) => t.type).join(', ')}.`);
  const form = datastoreTypeForms().find((f) => f.type === type);
  const settings = Object.entries(request.settings ?? {}).filter(([, value]) => value !== '' && value !== undefined && value !== null);
  for (const [key, value] of settings) {
    const at = key.split('.');
    if (at.some((segment) => segment === '') || (at.length === 1 && ['kind', 'name', 'type'].includes(key))) {
      problems.push(`'${key}' is not a setting to fill in here.`);
      continue;
    }
    // Never echo the value: it is a secret someone just typed where a reference belongs.
    if (SECRET_KEYS.has(at[at.length - 1]!) && !isReferenceOnly(value)) {
      problems.push(`'${key}' must be a \${env:VARIABLE} reference, not the secret itself: secrets are never written to definitions. Keep the value in your secret storage or environment.`);
    }
  }
  if (problems.length > 0) return { problems };
  const doc = new Document({ kind: 'Datastore', name, type });
  doc.commentBefore = ` ${entry!.title} datastore '${name}'. Secrets are \${env:VARIABLE} references: set them where syncs run.`;
  for (const [key, value] of settings) {
    const at = key.split('.');
    const kind = form?.settings.find((s) => s.path.join('.') === key)?.kind;
    // A form may send every value as text; the schema wants numbers and booleans as such.
    const typed = kind === 'number' && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value)
      : kind === 'boolean' && (value === 'true' || value === 'false') ? value === 'true'
      : value;
    doc.setIn(at, typed);
  }
  return { file: path.join(datastoresFolder(project, existing), `${encodeSnapshotBase(name)}.yaml`), text: doc.toString() };
}

/** True for a value that is nothing but `${env:…}` references. */
function isReferenceOnly(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const scan = findEnvReferences(value);
  return scan.references.length > 0 && scan.invalid.length === 0 && scan.literal.trim() === '';
}

/** Where the project keeps its datastore definitions: the folder most of them are in, else `datastores/`. */
function datastoresFolder(project: ProjectSettings, existing: readonly DatastoreDefinition[]): string {
  const counts = new Map<string, number>();
  for (const datastore of existing) {
    const folder = path.dirname(datastore.source.file);
    counts.set(folder, (counts.get(folder) ?? 0) + 1);
  }
  let best: string | undefined;
  for (const [folder, count] of [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) if (best === undefined || count > counts.get(best)!) best = folder;
  return best ?? path.join(project.root, 'datastores');
}

/** The errors the engine finds in a new file, read with the project's other files (names, references). */
function errorsIn(project: ProjectSettings, file: NewFile, others: readonly DefinitionFileAnalysis[]): string[] {
  const analysis = analyzeDefinitionFile(project, { path: file.file, text: file.text });
  const workspace = combineDefinitionFiles(project, analysis ? [...others, analysis] : others);
  return workspace.problems.filter((p: Problem) => p.file === file.file && p.severity === 'error').map((p) => p.message);
}

/**
 * A new project in `folder`: its `catalog.yaml` and a first datastore to fill in (a file store,
 * the one type that needs neither a server nor a database file), both read back by the engine.
 */
export function planNewProject(folder: string, exists: (file: string) => boolean): { files: NewFile[]; datastoreFile: string } | { error: string } {
  const root = path.resolve(folder);
  const projectFile = path.join(root, PROJECT_FILE);
  if (exists(projectFile)) return { error: `${projectFile} exists already: this folder is a catalog project.` };
  const datastoreFile = path.join(root, 'datastores', 'files.yaml');
  if (exists(datastoreFile)) return { error: `${datastoreFile} exists already; move it, or add catalog.yaml by hand.` };
  const project: ProjectSettings = { root, snapshotsDir: path.join(root, 'snapshots'), stateDir: path.join(root, '.cac'), exclude: [] };
  const files: NewFile[] = [
    { file: projectFile, text: PROJECT_TEXT },
    { file: datastoreFile, text: firstDatastoreText() },
  ];
  if (!exists(path.join(root, '.gitignore'))) files.push({ file: path.join(root, '.gitignore'), text: '# Local state of Catalog as Code (history, caches, locks): not committed.\n.cac/\n' });
  const analyses = files.map((f) => analyzeDefinitionFile(project, { path: f.file, text: f.text })).filter((a): a is DefinitionFileAnalysis => a !== undefined);
  const errors = combineDefinitionFiles(project, analyses).problems.filter((p) => p.severity === 'error');
  // The texts are ours: an error here is a bug of this module, not of the person's input.
  if (errors.length > 0) return { error: `The new project does not validate: ${errors.map((p) => p.message).join(' ')}` };
  return { files, datastoreFile };
}

const PROJECT_TEXT = `# Project settings: where snapshots (committed) and local state (not committed) live.
kind: Project
snapshots: snapshots
state: .cac
`;

function firstDatastoreText(): string {
  const types = datastoreTypes().map((t) => t.type).join(', ');
  return `# A first datastore to fill in: a folder of CSV, TSV, JSON and Parquet files.
# Point 'root' at the folder to catalog, or change 'type' (${types})
# and its settings; completion and hover in this file list them.
# Then sync it: Preview Sync in the editor's Catalog view, or \`cac sync files\`.
kind: Datastore
name: files
type: dfs
# The folder to catalog, relative to this file.
root: ../data
`;
}
