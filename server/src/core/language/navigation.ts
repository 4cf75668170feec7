import * as fs from 'node:fs';
import * as path from 'node:path';
import { locate } from '../definitions/locate';
import type { DefinitionSource } from '../definitions/types';
import type { Position, Range } from '../problems';
import { datastoreSnapshotDir } from '../snapshots/fileNames';
import { didYouMean, nearestNames } from '../text/nearestNames';
import type { CatalogView, FileEdit, FileLocation } from './catalogView';
import { nodeInFile, scalarText, topLevelScalar } from './nodeAt';
import { snapshotLine } from './snapshotLines';
import { compareText } from '../text/order';

/**
 * Go to definition: a datastore reference (`datastore:` in a schedule or overrides) goes to the
 * datastore's `name`; an overridden container goes to its snapshot file, and an identifier's
 * field to that field's line in the snapshot.
 */
export function definitionAt(view: CatalogView, file: string, position: Position): FileLocation[] {
  const symbol = symbolAt(view, file, position);
  if (!symbol) return [];
  if (symbol.kind === 'datastore') {
    const declaration = declarationOf(view, symbol.name);
    return declaration ? [declaration] : [];
  }
  const entry = view.snapshots.container(symbol.datastore, symbol.container);
  if (!entry) return [];
  const range = snapshotLine(entry.file, symbol.kind === 'field' ? symbol.field : undefined) ?? START;
  return [{ file: entry.file, range }];
}

/** Every place that names the datastore under the position: schedules, overrides and (optionally) its definition. */
export function referencesAt(view: CatalogView, file: string, position: Position, includeDeclaration: boolean): FileLocation[] {
  const symbol = symbolAt(view, file, position);
  if (!symbol || symbol.kind !== 'datastore') return [];
  const declaration = includeDeclaration ? declarationOf(view, symbol.name) : undefined;
  return [...(declaration ? [declaration] : []), ...referencesTo(view, symbol.name)];
}

/** The range and current name to rename, when the position is on a datastore name or reference. */
export function prepareRenameAt(view: CatalogView, file: string, position: Position): { range: Range; placeholder: string } | undefined {
  const symbol = symbolAt(view, file, position);
  return symbol?.kind === 'datastore' ? { range: symbol.range, placeholder: symbol.name } : undefined;
}

/**
 * Renames a datastore everywhere it is named. The snapshot folder follows when it exists (the
 * host applies that as a folder rename), so the catalog keeps its history.
 */
export function renameAt(view: CatalogView, file: string, position: Position, newName: string): RenameResult {
  const symbol = symbolAt(view, file, position);
  if (!symbol || symbol.kind !== 'datastore') return { error: 'Only datastore names can be renamed: put the cursor on a datastore\'s name or on a `datastore:` reference.' };
  if (!DATASTORE_NAME.test(newName)) {
    return { error: `'${newName}' is not a valid datastore name. Use letters, digits, "_", "." and "-", starting with a letter or digit (at most 64 characters).` };
  }
  const clash = view.workspace.datastores.find((d) => d.name.toLowerCase() === newName.toLowerCase() && d.name !== symbol.name);
  if (clash) return { error: `A datastore named '${clash.name}' already exists (${clash.source.file}); datastore names must be unique ignoring case.` };
  const declaration = declarationOf(view, symbol.name);
  const locations = [...(declaration ? [declaration] : []), ...referencesTo(view, symbol.name)];
  const edits = locations.map((location): FileEdit => ({ ...location, newText: keepQuotes(view, location, newName) }));
  const from = datastoreSnapshotDir(view.workspace.project.snapshotsDir, symbol.name);
  const to = datastoreSnapshotDir(view.workspace.project.snapshotsDir, newName);
  const moveFolder = from !== to && fs.existsSync(from) && !fs.existsSync(to) ? { from, to } : undefined;
  return { edits, snapshotFolder: moveFolder };
}

export type RenameResult = { edits: FileEdit[]; snapshotFolder?: { from: string; to: string } } | { error: string };

const DATASTORE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const START: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

type SymbolAtPosition =
  | { kind: 'datastore'; name: string; range: Range }
  | { kind: 'container'; datastore: string; container: string }
  | { kind: 'field'; datastore: string; container: string; field: string };

function symbolAt(view: CatalogView, file: string, position: Position): SymbolAtPosition | undefined {
  const analysis = view.analysisOf(file);
  const found = analysis ? nodeInFile(analysis, position) : undefined;
  if (!found) return undefined;
  const kind = topLevelScalar(found.doc, 'kind')?.value;
  const value = found.target === 'value' ? scalarText(found.node) : undefined;
  const [first, second, third] = found.path;
  if (kind === 'Datastore' && found.path.length === 1 && first === 'name' && value !== undefined) return { kind: 'datastore', name: value, range: found.range };
  if ((kind === 'Schedule' || kind === 'Overrides') && found.path.length === 1 && first === 'datastore' && value !== undefined) {
    return { kind: 'datastore', name: value, range: found.range };
  }
  if (kind !== 'Overrides' || first !== 'containers' || typeof second !== 'string') return undefined;
  const datastore = topLevelScalar(found.doc, 'datastore')?.value;
  if (!datastore) return undefined;
  if (found.path.length === 2 && found.target === 'key') return { kind: 'container', datastore, container: second };
  if (found.path.length === 3 && (third === 'incremental_identifier' || third === 'partition_identifier') && value !== undefined) {
    return { kind: 'field', datastore, container: second, field: value };
  }
  return undefined;
}

function declarationOf(view: CatalogView, name: string): FileLocation | undefined {
  const datastore = view.workspace.datastores.find((d) => d.name === name);
  return datastore ? locationOf(datastore.source, ['name']) : undefined;
}

function referencesTo(view: CatalogView, name: string): FileLocation[] {
  const sources = [...view.workspace.schedules, ...view.workspace.overrides].filter((d) => d.datastore === name).map((d) => d.source);
  return sources.map((source) => locationOf(source, ['datastore'])).sort((a, b) => compareText(a.file, b.file) || a.range.start.line - b.range.start.line);
}

function locationOf(source: DefinitionSource, keyPath: string[]): FileLocation {
  return { file: source.file, range: locate(source, keyPath) };
}

/** The new name written the way the old one was: quoted names stay quoted. */
function keepQuotes(view: CatalogView, location: FileLocation, name: string): string {
  const text = view.analysisOf(location.file)?.parsed.text;
  const line = text?.split('\n')[location.range.start.line];
  const first = line?.[location.range.start.character];
  if (first === '"') return JSON.stringify(name);
  if (first === "'") return `'${name}'`;
  return name;
}

/** "No datastore named …" with suggestions, for hosts that report a bad name. */
export function unknownDatastoreMessage(view: CatalogView, name: string): string {
  const names = view.workspace.datastores.map((d) => d.name);
  return `No datastore named '${name}' in ${path.basename(view.workspace.project.root)}.${didYouMean(nearestNames(name, names))} Defined: ${names.slice(0, 20).join(', ') || 'none'}.`;
}
