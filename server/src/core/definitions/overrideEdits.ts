import * as path from 'node:path';
import { isMap, parseAllDocuments, parseDocument, Scalar, type Document } from 'yaml';
import { decideIdentifiers } from '../identifiers/identifiers';
import type { ContainerOverride, ContainerSnapshot } from '../model';
import type { Workspace } from './types';

/**
 * An identifier override set or dropped from outside a text editor (`cac override set|unset`, the
 * extension's container settings): which Overrides file changes and its text before and after.
 * The edit goes through the `yaml` Document API on the file as written, so comments, key order and
 * the other documents of the file stay as they are. A field is accepted only where the sync would
 * accept it (the same rules as `decideIdentifiers`), so what is written is what the sync applies.
 */
export function planOverrideEdit(workspace: Workspace, request: OverrideEditRequest, textOf: (file: string) => string | undefined): OverrideEdit | { error: string } {
  const { datastore, container } = request;
  if (!workspace.datastores.some((d) => d.name === datastore)) return { error: `No datastore named '${datastore}' is defined here.` };
  const problem = request.snapshot ? unsuitable(request.snapshot, request.set) : undefined;
  if (problem) return { error: problem };
  // The document that overrides this container already, else the first Overrides document of the datastore.
  const documents = workspace.overrides.filter((o) => o.datastore === datastore);
  const target = documents.find((o) => o.containers.has(container)) ?? documents[0];
  if (!target) {
    if (Object.values(request.set).every((value) => value === 'automatic')) return { error: `'${container}' of '${datastore}' has no override to drop.` };
    const folder = overridesFolder(workspace);
    const file = path.join(folder, `${datastore}.yaml`);
    const existing = textOf(file);
    const doc = parseDocument('kind: Overrides\n');
    doc.set('datastore', datastore);
    doc.setIn(['containers', container], {});
    applyValues(doc, container, request.set);
    const added = doc.toString();
    const after = existing === undefined || existing.trim() === '' ? added : `${existing.replace(/\n*$/, '\n')}---\n${added}`;
    return { file, before: existing ?? null, after };
  }
  const file = target.source.file;
  const before = textOf(file);
  if (before === undefined) return { error: `${file} cannot be read.` };
  const docs = parseAllDocuments(before, { uniqueKeys: false, merge: false, version: '1.2', schema: 'core' });
  if (!Array.isArray(docs)) return { error: `${file} is empty.` };
  const doc = docs[target.source.document];
  if (!doc || doc.errors.length > 0) return { error: `${file} has YAML errors; fix them first (see \`cac validate\`).` };
  applyValues(doc, container, request.set);
  // Only the edited document is rendered again; the text around it stays byte for byte. The first
  // document's rendering includes the comments above it, a later one's its `---` line.
  const index = target.source.document;
  const start = index === 0 ? 0 : doc.range[0];
  const after = `${before.slice(0, start)}${doc.toString()}${before.slice(doc.range[2])}`;
  return { file, before, after };
}

export interface OverrideEditRequest {
  datastore: string;
  container: string;
  /** Per identifier: a field name, `null` for "no identifier", or `automatic` to drop the override. */
  set: { incremental_identifier?: string | null | 'automatic'; partition_identifier?: string | null | 'automatic' };
  /** The container's committed snapshot, to check the fields against; undefined skips the check. */
  snapshot?: ContainerSnapshot;
}

export interface OverrideEdit {
  file: string;
  /** null when the file is created. */
  before: string | null;
  after: string;
}

function applyValues(doc: Document, container: string, set: OverrideEditRequest['set']): void {
  for (const key of ['incremental_identifier', 'partition_identifier'] as const) {
    const value = set[key];
    if (value === undefined) continue;
    if (value === 'automatic') doc.deleteIn(['containers', container, key]);
    // A null written as such (`key: null`), not as a bare `? key`.
    else doc.setIn(['containers', container, key], value === null ? new Scalar(null) : value);
  }
  // A container left with no override at all goes; the `containers` map stays (possibly empty).
  const entry = doc.getIn(['containers', container]);
  if (isMap(entry) && entry.items.length === 0 && Object.values(set).some((v) => v === 'automatic')) doc.deleteIn(['containers', container]);
  // Comments above the first container went with it when it was the last one.
  const containers = doc.get('containers');
  if (isMap(containers) && containers.items.length === 0) containers.commentBefore = undefined;
}

/** Why the sync would not take these fields (`decideIdentifiers` on the snapshot); undefined when it would. */
function unsuitable(snapshot: ContainerSnapshot, set: OverrideEditRequest['set']): string | undefined {
  const override: ContainerOverride = {};
  if (set.incremental_identifier !== undefined && set.incremental_identifier !== 'automatic') override.incremental_identifier = set.incremental_identifier;
  if (set.partition_identifier !== undefined && set.partition_identifier !== 'automatic') override.partition_identifier = set.partition_identifier;
  const problems = decideIdentifiers(snapshot, override).problems;
  return problems.length > 0 ? problems.map((p) => p.message.replace(/ Detection is used until the override is fixed\.$/, '')).join(' ') : undefined;
}

/** Where new Overrides files go: beside an existing one, else `overrides/` at the project root. */
function overridesFolder(workspace: Workspace): string {
  const existing = workspace.overrides[0]?.source.file;
  return existing ? path.dirname(existing) : path.join(workspace.project.root, 'overrides');
}
