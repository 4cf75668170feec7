import * as path from 'node:path';
import { ProblemCode, type Problem } from '../problems';
import { urlCredentialsIn } from '../text/redact';
import { didYouMean, nearestNames } from '../text/nearestNames';
import { problemAt } from '../yaml/safeYaml';
import { SECRET_KEYS, findEnvReferences } from './envReferences';
import { locate } from './locate';
import type { DatastoreDefinition, DefinitionSource, Workspace } from './types';

/**
 * Rules that need more than one document: unique names, references between kinds, secrets,
 * `${env:…}` syntax and schedule days that some months lack.
 */
export function checkDefinitions(workspace: Workspace): Problem[] {
  const problems: Problem[] = [];
  checkUniqueNames(workspace.datastores, 'datastore', workspace.project.root, problems);
  checkUniqueIds(workspace.datastores, problems);
  checkUniqueNames(workspace.schedules, 'schedule', workspace.project.root, problems);
  const names = new Map(workspace.datastores.map((d) => [d.name, d]));
  for (const schedule of workspace.schedules) {
    checkDatastoreReference(schedule.datastore, schedule.source, names, problems);
    if (schedule.timing?.kind === 'monthly' && schedule.timing.day > 28) {
      problems.push(problemAt(schedule.source.file, ProblemCode.InvalidSchedule, 'warning', locate(schedule.source, ['monthly', 'day']),
        `Day ${schedule.timing.day} does not exist in every month; those months are skipped. Use a day from 1 to 28 to run every month.`));
    }
  }
  const overridden = new Map<string, DefinitionSource>();
  for (const overrides of workspace.overrides) {
    checkDatastoreReference(overrides.datastore, overrides.source, names, problems);
    for (const container of overrides.containers.keys()) {
      const key = `${overrides.datastore}\u0000${container}`;
      const first = overridden.get(key);
      if (first) {
        problems.push(problemAt(overrides.source.file, ProblemCode.DuplicateName, 'error', locate(overrides.source, ['containers', container], 'key'),
          `Container '${container}' of datastore '${overrides.datastore}' is already overridden at ${where(workspace.project.root, first, ['containers', container])}. Keep one override per container.`));
      } else {
        overridden.set(key, overrides.source);
      }
    }
  }
  for (const datastore of workspace.datastores) problems.push(...secretAndReferenceProblems(datastore));
  return problems;
}

/**
 * A datastore's own secret and `${env:…}` problems, kept per definition object: the editor keeps
 * the definitions of documents it did not re-read, so a keystroke re-checks one datastore, not
 * every one of thousands (a quarter of an edit's cross-file pass at 5,000 datastores).
 */
function secretAndReferenceProblems(datastore: DatastoreDefinition): readonly Problem[] {
  let found = SECRET_CHECKS.get(datastore);
  if (!found) {
    found = [];
    checkSecretsAndReferences(datastore, found);
    SECRET_CHECKS.set(datastore, found);
  }
  return found;
}

const SECRET_CHECKS = new WeakMap<DatastoreDefinition, Problem[]>();

/** `datastores/shop.yaml:12`: a definition's key as people find it, relative to the project. */
function where(root: string, source: DefinitionSource, keyPath: (string | number)[]): string {
  const line = locate(source, keyPath, 'key').start.line + 1;
  return `${path.relative(root, source.file).split(path.sep).join('/')}:${line}`;
}

function checkUniqueNames(items: readonly { name: string; source: DefinitionSource }[], what: string, root: string, problems: Problem[]): void {
  // Case-insensitive: datastore names become folder names, which collide on macOS and Windows.
  const seen = new Map<string, { name: string; source: DefinitionSource }>();
  for (const item of items) {
    const key = item.name.toLowerCase();
    const first = seen.get(key);
    if (!first) {
      seen.set(key, item);
      continue;
    }
    problems.push(problemAt(item.source.file, ProblemCode.DuplicateName, 'error', locate(item.source, ['name']),
      `${what[0]!.toUpperCase()}${what.slice(1)} '${item.name}' is already defined as '${first.name}' at ${where(root, first.source, ['name'])}. ${what[0]!.toUpperCase()}${what.slice(1)} names must be unique ignoring case (they name folders on case-insensitive disks); rename one.`));
  }
}

function checkUniqueIds(datastores: readonly DatastoreDefinition[], problems: Problem[]): void {
  const seen = new Map<number, DatastoreDefinition>();
  for (const datastore of datastores) {
    const first = seen.get(datastore.id);
    if (!first) {
      seen.set(datastore.id, datastore);
      continue;
    }
    if (first.name.toLowerCase() === datastore.name.toLowerCase()) continue;
    problems.push(problemAt(datastore.source.file, ProblemCode.DuplicateName, 'error', locate(datastore.source, ['id']),
      `Datastore '${datastore.name}' has the same id ${datastore.id} as '${first.name}'. Give one of them a different 'id'.`));
  }
}

function checkDatastoreReference(name: string, source: DefinitionSource, datastores: ReadonlyMap<string, DatastoreDefinition>, problems: Problem[]): void {
  if (datastores.has(name)) return;
  const suggestions = nearestNames(name, datastores.keys());
  problems.push(problemAt(source.file, ProblemCode.UnknownDatastore, 'error', locate(source, ['datastore']),
    `No datastore named '${name}' is defined in this workspace.${didYouMean(suggestions)}`, suggestions));
}

function checkSecretsAndReferences(datastore: DatastoreDefinition, problems: Problem[]): void {
  const source = datastore.source;
  const strings = referenceableStrings(datastore.settings);
  for (const { path, key, value } of strings) {
    const scan = findEnvReferences(value);
    for (const bad of scan.invalid) {
      problems.push(problemAt(source.file, ProblemCode.InvalidEnvReference, 'error', locate(source, path),
        `'${bad.text}' is not a valid reference. Write \${env:VARIABLE_NAME} (letters, digits and _), for example \${env:${suggestedVariable(datastore.name, key)}}.`));
    }
    const inUrl = SECRET_KEYS.has(key) ? [] : urlCredentialsIn(value);
    if (inUrl.length > 0) {
      // Never echo the value, nor the credential in it.
      problems.push(problemAt(source.file, ProblemCode.LiteralSecret, 'error', locate(source, path),
        `'${key}' holds a literal credential inside a URL (${[...new Set(inUrl)].join(', ')}). Secrets must not be committed: put the password in an environment variable and write it as \${env:${suggestedVariable(datastore.name, 'password')}}, or move it to 'password'.`));
    }
    if (SECRET_KEYS.has(key) && scan.literal.trim() !== '') {
      // Never echo the value: it is a secret that someone just committed by mistake.
      problems.push(problemAt(source.file, ProblemCode.LiteralSecret, 'error', locate(source, path),
        `'${key}' holds a literal secret. Secrets must not be committed: set an environment variable and write ${key}: \${env:${suggestedVariable(datastore.name, key)}}.`,
        [`\${env:${suggestedVariable(datastore.name, key)}}`]));
    }
  }
}

/** The variable name a quick fix proposes: DATASTORE_KEY in upper snake case. */
export function suggestedVariable(datastore: string, key: string): string {
  return `${datastore}_${key}`.toUpperCase().replace(/[^A-Z0-9_]/g, '_').replace(/^([0-9])/, '_$1');
}

/**
 * The settings where `${env:…}` references may stand: every string of `connection` (at any
 * depth, `ssl.ca` too) and every top-level string setting (`root`). Lists such as `schemas` are names.
 */
export function referenceableStrings(settings: Readonly<Record<string, unknown>>): { path: (string | number)[]; key: string; value: string }[] {
  const strings: { path: (string | number)[]; key: string; value: string }[] = [];
  const walk = (value: unknown, path: string[]): void => {
    if (typeof value === 'string') strings.push({ path, key: path[path.length - 1]!, value });
    else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
    }
  };
  for (const [key, value] of Object.entries(settings)) {
    if (key === 'connection') walk(value, [key]);
    else if (typeof value === 'string') strings.push({ path: [key], key, value });
  }
  return strings;
}
